"""Scenarios for numpy exercises that take a Python callable (3.4 numerical_gradient)."""

from __future__ import annotations

import numpy as np


def _two_layer_loss(X: np.ndarray, y: np.ndarray, params: dict) -> float:
    """Mean softmax cross-entropy of the ReLU MLP X -> W1, b1 -> relu -> W2, b2 (C > 1)."""
    h = np.maximum(X @ params["W1"] + params["b1"], 0.0)  # (N, H)
    z = h @ params["W2"] + params["b2"]  # (N, C)
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean())


def numerical_gradient(learner, *, function: dict, h: float, fn: str = "numerical_gradient") -> dict:
    """Call ``fn(f, x, h)`` where ``f() -> float`` reads ``x`` (which the learner perturbs in place).

    Parameters
    ----------
    function : dict
        ``{"kind": "sum_cubes", "x": array}`` (f = sum(x**3)) or ``{"kind": "two_layer_loss",
        "X": (N, D), "y": (N,), "params": {W1, b1, W2, b2}, "wrt": "W2"}`` (f = the mean
        cross-entropy of that ReLU MLP; x is ``params[wrt]``, the very array f reads).

    Returns
    -------
    dict
        ``grad`` (what the learner returned), ``x_after`` (x after the call: it must be back
        to its original values) and ``calls`` (how many times f was evaluated).
    """
    calls = [0]
    if function["kind"] == "sum_cubes":
        x = np.array(function["x"], dtype=np.float64)

        def f():
            calls[0] += 1
            return float(np.sum(x ** 3))
    elif function["kind"] == "two_layer_loss":
        params = {k: np.array(v, dtype=np.float64) for k, v in function["params"].items()}
        x = params[function["wrt"]]

        def f():
            calls[0] += 1
            return _two_layer_loss(function["X"], function["y"], params)
    else:
        raise ValueError(f"unknown function kind {function['kind']!r}")
    grad = learner.call(fn, f, x, h)
    return {"grad": grad, "x_after": x.copy(), "calls": calls[0]}
