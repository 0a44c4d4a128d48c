"""Scenarios for torch exercises (5.2, 10.1, 10.3): models and optimizers rebuilt from plain specs.

A model spec is a tree of dicts (see ``nnbasics.course.specs.model_spec`` on the trusted side):
``{"kind": "sequential", "children": [...]}``, ``{"kind": "linear", "weight": (out, in),
"bias": (out,) or None}``, ``{"kind": "relu" | "sigmoid" | "tanh" | "gelu" | "identity"}``,
``{"kind": "leaky_relu", "slope": float}``, ``{"kind": "dropout", "p": float}``. The weights'
dtype is the model's dtype.
"""

from __future__ import annotations

import numpy as np


def build_model(spec: dict):
    """The ``torch.nn.Module`` a spec describes (weights copied in)."""
    import torch
    import torch.nn as nn

    kind = spec["kind"]
    if kind == "sequential":
        return nn.Sequential(*(build_model(child) for child in spec["children"]))
    if kind == "linear":
        w = torch.from_numpy(np.array(spec["weight"]))
        layer = nn.Linear(w.shape[1], w.shape[0], bias=spec["bias"] is not None, dtype=w.dtype)
        with torch.no_grad():
            layer.weight.copy_(w)
            if spec["bias"] is not None:
                layer.bias.copy_(torch.from_numpy(np.array(spec["bias"])))
        return layer
    simple = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "gelu": nn.GELU,
              "identity": nn.Identity}
    if kind in simple:
        return simple[kind]()
    if kind == "leaky_relu":
        return nn.LeakyReLU(spec["slope"])
    if kind == "dropout":
        return nn.Dropout(spec["p"])
    raise ValueError(f"unknown module kind {kind!r}")


def build_optimizer(spec: dict, params):
    """``{"kind": "sgd", "lr", "momentum"}`` or ``{"kind": "adam", "lr"}`` over ``params``."""
    import torch

    if spec["kind"] == "sgd":
        return torch.optim.SGD(params, lr=spec["lr"], momentum=spec.get("momentum", 0.0))
    if spec["kind"] == "adam":
        return torch.optim.Adam(params, lr=spec["lr"])
    raise ValueError(f"unknown optimizer kind {spec['kind']!r}")


def _state(model) -> dict:
    return {name: p.detach().numpy().copy() for name, p in model.named_parameters()}


def _grads(model) -> dict:
    return {name: None if p.grad is None else p.grad.detach().numpy().copy()
            for name, p in model.named_parameters()}


def layer_grad_norms(learner, *, model: dict, X: np.ndarray, y: np.ndarray, calls: int = 1,
                     fn: str = "layer_grad_norms") -> dict:
    """Call ``fn(model, X, y)`` ``calls`` times on one model; return what it returned each time."""
    import torch

    m = build_model(model)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    return {"results": [learner.call(fn, m, Xt, yt) for _ in range(calls)]}


def train_steps(learner, *, model: dict, optimizer: dict, X: np.ndarray, y: np.ndarray,
                batches: list, fn: str = "train_step") -> dict:
    """Call ``fn(model, opt, X[a:b], y[a:b])`` for each ``[a, b]`` in ``batches``.

    Returns
    -------
    dict
        ``losses`` (the learner's return values), the final parameters ``state`` and their
        ``grads`` (None where never computed), by ``named_parameters`` name.
    """
    import torch

    torch.set_num_threads(1)
    m = build_model(model)
    opt = build_optimizer(optimizer, m.parameters())
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    losses = [learner.call(fn, m, opt, Xt[a:b], yt[a:b]) for a, b in batches]
    return {"losses": losses, "state": _state(m), "grads": _grads(m)}


def eval_accuracy(learner, *, model: dict, X: np.ndarray, y: np.ndarray, script: list, seed: int,
                  fn: str = "eval_accuracy") -> dict:
    """Run ``script``: "train"/"eval" set the model's mode, "call" calls ``fn(model, X, y)``.

    Returns
    -------
    dict
        ``calls``: per call, the returned value, ``training`` (the mode right after it),
        ``grad_enabled`` (was autograd on during the model's forward passes) and ``grads``
        (did any parameter end up with a ``.grad``).
    """
    import torch

    torch.manual_seed(seed)  # dropout draws from torch's global generator: make it repeatable
    m = build_model(model)
    seen: list[bool] = []
    m.register_forward_hook(lambda mod, inp, out: seen.append(torch.is_grad_enabled()))
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    calls = []
    for step in script:
        if step in ("train", "eval"):
            m.train(step == "train")
            continue
        seen.clear()
        value = learner.call(fn, m, Xt, yt)
        calls.append({"value": value, "training": m.training, "grad_enabled": list(seen),
                      "grads": any(p.grad is not None for p in m.parameters())})
    return {"calls": calls}
