"""Plain-data specs of torch objects, for scenarios that rebuild them in the sandbox.

``model_spec(model)`` turns a model built by the library (``nnbasics.lab.models.build_mlp``, or a
``torch.nn.Sequential`` of the supported layers) into the tree of dicts that
``scenarios/torch_models.build_model`` turns back into the same model inside the worker.
"""

from __future__ import annotations

__all__ = ["model_spec", "load_state"]

_SIMPLE = {"ReLU": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "GELU": "gelu", "Identity": "identity"}


def model_spec(module) -> dict:
    """The plain-data description of ``module`` (weights as numpy arrays).

    Raises
    ------
    TypeError
        For a module type the scenarios cannot rebuild (named in the message).
    """
    import torch.nn as nn

    name = type(module).__name__
    if isinstance(module, nn.Sequential):
        return {"kind": "sequential", "children": [model_spec(m) for m in module]}
    if isinstance(module, nn.Linear):
        bias = None if module.bias is None else module.bias.detach().numpy().copy()
        return {"kind": "linear", "weight": module.weight.detach().numpy().copy(), "bias": bias}
    if name in _SIMPLE and type(module).__module__.startswith("torch.nn"):
        return {"kind": _SIMPLE[name]}
    if isinstance(module, nn.LeakyReLU):
        return {"kind": "leaky_relu", "slope": float(module.negative_slope)}
    if isinstance(module, nn.Dropout):
        return {"kind": "dropout", "p": float(module.p)}
    raise TypeError(f"model_spec: cannot describe a {name} for the sandbox; supported: Sequential, "
                    f"Linear, Dropout, LeakyReLU, {', '.join(_SIMPLE)}")


def load_state(model, state: dict) -> None:
    """Copy arrays ``state`` (``named_parameters`` name -> array) into ``model``'s parameters."""
    import torch

    params = dict(model.named_parameters())
    if set(state) != set(params):
        raise ValueError(f"state has parameters {sorted(state)}, the model {sorted(params)}")
    with torch.no_grad():
        for name, value in state.items():
            target = params[name]
            tensor = torch.as_tensor(value)
            if tuple(tensor.shape) != tuple(target.shape):
                raise ValueError(f"{name}: shape {tuple(tensor.shape)}, expected {tuple(target.shape)}")
            target.copy_(tensor.to(target.dtype))
