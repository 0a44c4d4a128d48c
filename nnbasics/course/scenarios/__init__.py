"""Trusted scenarios: run a learner function on objects that cannot cross as plain data.

A scenario is a small function ``scenario(learner, **plain_kwargs) -> plain data`` in a module
of this package, listed in :data:`SCENARIOS`. It builds what the learner's function needs (a
torch model from a spec, an optimizer from its settings, a Python callable), calls the
learner through ``learner.call(name, *args)`` (whose exceptions the worker reports as the
learner's), and returns plain data that the trusted test compares with its own oracles.

Standalone on purpose: stdlib, numpy and torch only. This package is bound read-only into the
sandbox, where ``nnbasics`` does not exist; tests call it as ``ex.scenario(name, **kwargs)``.
"""

from __future__ import annotations

import importlib

#: scenario name -> (module in this package, function)
SCENARIOS = {
    "numerical_gradient": ("numeric", "numerical_gradient"),
    "layer_grad_norms": ("torch_models", "layer_grad_norms"),
    "train_steps": ("torch_models", "train_steps"),
    "eval_accuracy": ("torch_models", "eval_accuracy"),
}


def run(name: str, learner, kwargs: dict):
    """Run scenario ``name`` against ``learner`` with plain ``kwargs``."""
    if name not in SCENARIOS:
        raise KeyError(f"unknown scenario {name!r}; known: {sorted(SCENARIOS)}")
    module_name, function = SCENARIOS[name]
    module = importlib.import_module(f".{module_name}", __name__)
    return getattr(module, function)(learner, **kwargs)
