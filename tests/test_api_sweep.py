"""Bad-input sweep over the public API of the compute modules (issue 8, "Reliability").

Every public function of every compute module is either in ``VALID_CALLS`` (a small, fast
valid call plus the arguments to break) or in ``EXEMPT`` with a reason. For each registered
call the sweep checks that the valid call works, then breaks one argument at a time:

- array arguments: an extra leading axis (``ndim``), a scalar, an empty array, a NaN, an inf,
  a string, a complex dtype, and, where a partner argument constrains it, a shape ``mismatch`` (one row or
  column dropped along the given axis);
- range arguments (``p``, ``eps``, ``lr``, ``epochs``, ``n_classes``...): each listed bad value.

Each broken call must raise ValueError or TypeError whose message names the argument (a
case-sensitive word match), never return NaN/inf and never fail deep inside numpy.
``Case.skip`` opts one mutation out with a reason (e.g. an elementwise function that
deliberately accepts any shape).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest

# --------------------------------------------------------------------------- modules

def compute_modules() -> list[str]:
    """Dotted names (below ``nnbasics``) of every compute module: the packages ``core``, ``lab``
    and ``experiments`` and the top-level ``data``; found with pkgutil so new modules are noticed.
    ``course`` (tooling) and ``viz`` (plotting and widgets) are not compute modules by layout."""
    names = ["data"]
    for package in ("core", "lab", "experiments"):
        pkg = importlib.import_module(f"nnbasics.{package}")
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if not m.ispkg]
    return sorted(names)


def mod(name: str):
    return importlib.import_module(f"nnbasics.{name}")


def public_functions(module_name: str) -> list[str]:
    """``module.fn`` for every function in the module's ``__all__`` (lru_cache wrappers count).

    A module without ``__all__`` counts every public function defined in it.
    """
    m = mod(module_name)
    names = getattr(m, "__all__", None)
    if names is None:
        names = [n for n, o in vars(m).items() if not n.startswith("_") and callable(o)
                 and getattr(o, "__module__", None) == m.__name__]
    out = []
    for n in names:
        obj = getattr(m, n)
        if inspect.isfunction(obj) or isinstance(obj, functools._lru_cache_wrapper):
            out.append(f"{module_name}.{n}")
    return out


# --------------------------------------------------------------------------- helpers

def A(*shape, seed=0):
    """A small float64 array of standard normals."""
    return np.random.default_rng(seed).standard_normal(shape)


def labels(*vals):
    return np.array(vals, dtype=np.int64)


def tiny_model(d_in=3, d_out=2, dropout=0.0):
    """A fresh copy of a small torch MLP (training calls change their model: never share one)."""
    return copy.deepcopy(_tiny_model(d_in, d_out, dropout))


@functools.cache
def _tiny_model(d_in, d_out, dropout):
    from nnbasics.lab.models import MLPConfig, build_mlp
    return build_mlp(MLPConfig(d_in=d_in, hidden=(4,), d_out=d_out, dropout=dropout, seed=0))


def hw_roof():
    from nnbasics.lab.hardware import roofline
    return roofline(10.0, 5.0)


def tiny_params(sizes=(3, 4, 2)):
    from nnbasics.core.mlp import init_params
    return init_params(list(sizes), rng=0)


@dataclass
class Case:
    """One registered valid call and the arguments the sweep breaks."""

    make: Callable[[], dict]  # kwargs of a valid call (built fresh for every test)
    arrays: tuple = ()  # array arguments to mutate
    mismatch: dict = field(default_factory=dict)  # array arg -> axis to drop one entry along
    ranges: dict = field(default_factory=dict)  # arg -> list of bad values
    skip: dict = field(default_factory=dict)  # "arg:mutation" or "mutation" -> reason
    # tests/test_fuzz.py (issue 21: finite in, finite out or a clear error) fuzzes every call here:
    fuzz: int = 20  # hypothesis examples; 0 = not fuzzed (fuzz_reason then says why)
    fuzz_reason: str = ""  # why a call is fuzzed lightly or not at all
    out_dtype: str = ""  # float results keep the inputs' float dtype, or may be this one (the docstring says so)
    dtype_of: str = ""  # with mixed float32/float64 inputs: the argument whose dtype every float result has
    nonneg: tuple = ()  # values that can only be >= 0: "v", "state.running_var", "cache.inv_std"
    nonfinite_ok: str = ""  # why NaN/inf can be a documented result (e.g. "inf: no positive margin")


ELEMENTWISE = {"ndim": "elementwise: accepts any shape", "scalar": "elementwise: accepts scalars",
               "empty": "elementwise: an empty array maps to an empty array (no NaN)"}
ANY_LEADING = {"ndim": "accepts any leading (batch) axes"}


def elementwise(**extra):
    return Case(lambda: {"x": A(2, 3), **extra}, arrays=("x",), skip=dict(ELEMENTWISE))


def _backward_case(forward, fwd_kwargs, *, dname="dout", cname="cache"):
    """A backward call: run ``forward(**fwd_kwargs())``, then pass an upstream gradient and its cache."""
    def make():
        out, cache = forward(**fwd_kwargs())
        return {dname: A(*np.shape(out), seed=5), cname: cache}
    return Case(make, arrays=(dname,), mismatch={dname: -1})


# --------------------------------------------------------------------------- registry

def _registry() -> dict[str, Case]:  # a long table, on purpose
    from nnbasics import data
    from nnbasics.core import (
        attention,
        conv,
        dropout,
        embeddings,
        layers,
        mlp,
        norm,
        recurrent,
        transformer,
    )
    from nnbasics.experiments import (
        nb09_regularization,
        nb12_beyond_mlp,
    )
    from nnbasics.lab import models, train

    R: dict[str, Case] = {}

    # activations ----------------------------------------------------------------------------
    for n in ("sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu",
              "relu_derivative", "gelu", "gelu_derivative", "gelu_tanh", "gelu_tanh_derivative",
              "silu", "silu_derivative", "selu", "selu_derivative"):
        R[f"core.activations.{n}"] = elementwise()
    for n in ("leaky_relu", "leaky_relu_derivative"):
        R[f"core.activations.{n}"] = Case(lambda: {"x": A(2, 3), "alpha": 0.01}, arrays=("x",),
                                     ranges={"alpha": [np.nan, "a"]}, skip=dict(ELEMENTWISE))
    for n in ("elu", "elu_derivative"):
        R[f"core.activations.{n}"] = Case(lambda: {"x": A(2, 3), "alpha": 1.0}, arrays=("x",),
                                     ranges={"alpha": [np.inf, "a"]}, skip=dict(ELEMENTWISE))
    for n in ("prelu", "prelu_derivative"):
        R[f"core.activations.{n}"] = Case(lambda: {"x": A(2, 3), "alpha": np.full(3, 0.25)},
                                     arrays=("x", "alpha"), mismatch={"alpha": 0},
                                     skip={**ANY_LEADING, "alpha:scalar": "a scalar alpha is shared",
                                           "alpha:broadcast": "a (1,) alpha is one slope for every channel",
                                           "x:scalar": "elementwise with a scalar alpha",
                                           "x:empty": ELEMENTWISE["empty"]})
    R["core.activations.prelu_alpha_grad"] = Case(
        lambda: {"x": A(2, 3), "alpha": np.full(3, 0.25), "dout": A(2, 3, seed=1)},
        arrays=("x", "alpha", "dout"), mismatch={"alpha": 0, "dout": 1},
        skip={**ANY_LEADING, "alpha:scalar": "a scalar alpha is shared",
              "alpha:broadcast": "a (1,) alpha is one slope for every channel",
              "x:scalar": "elementwise with a scalar alpha", "dout:scalar": "broadcast like x"})
    R["core.activations.apply"] = Case(lambda: {"name": "relu", "x": A(2, 3)}, arrays=("x",),
                                  ranges={"name": ["nope", 3]}, skip=dict(ELEMENTWISE))
    R["core.activations.derivative"] = Case(lambda: {"name": "tanh", "x": A(2, 3)}, arrays=("x",),
                                       ranges={"name": ["nope"]}, skip=dict(ELEMENTWISE))
    R["experiments.nb04_activations.gaussian_response"] = Case(
        lambda: {"name": "tanh", "scale": 1.0, "n": 50, "rng": 0},
        ranges={"name": ["nope"], "scale": [-1.0, np.nan], "n": [0, 2.5]})
    R["experiments.nb04_activations.zigzag_descent"] = Case(
        lambda: {"inputs": "centred", "n": 10, "steps": 5, "w_star": np.array([1.0, -1.0]), "w0": np.zeros(2)},
        arrays=("w_star", "w0"),
        ranges={"inputs": ["nope"], "n": [1], "steps": [0], "step": [0.0, np.nan], "tol": [0.0, 1.0],
                "w_star": [(1.0,)], "w0": [(0.0, 0.0, 0.0)]}, out_dtype="float64")
    R["lab.diagnostics.layer_outputs"] = Case(lambda: {"model": tiny_model(), "X": A(4, 3)}, arrays=("X",), out_dtype="float32",
                                              mismatch={"X": 1}, ranges={"kind": ["nope"]})
    R["lab.diagnostics.dead_fraction"] = Case(lambda: {"h": A(4, 3)}, arrays=("h",))
    R["lab.diagnostics.dead_unit_fraction"] = Case(
        lambda: {"model": tiny_model(), "X": A(4, 3)}, arrays=("X",), mismatch={"X": 1})

    # attention -----------------------------------------------------------------------------
    R["core.attention.causal_mask"] = Case(lambda: {"Lq": 3, "Lk": 4}, ranges={"Lq": [0, 2.5], "Lk": [0]})
    R["core.attention.attention_scores"] = Case(
        lambda: {"q": A(3, 4), "k": A(5, 4, seed=1)}, arrays=("q", "k"), mismatch={"k": 1},
        ranges={"scale": [np.nan, 0.0]}, skip=dict(ANY_LEADING))
    R["core.attention.attention_forward"] = Case(
        lambda: {"q": A(3, 4), "k": A(5, 4, seed=1), "v": A(5, 2, seed=2)},
        arrays=("q", "k", "v"), mismatch={"k": 1, "v": 0},
        ranges={"scale": [np.inf], "mask": [np.ones((2, 2), bool)]}, skip=dict(ANY_LEADING))
    R["core.attention.attention_backward"] = _backward_case(
        attention.attention_forward, lambda: {"q": A(3, 4), "k": A(5, 4, seed=1), "v": A(5, 2, seed=2)})
    R["core.attention.self_attention_projections"] = Case(lambda: {"D": 4, "d": 2, "rng": 0},
                                                     ranges={"D": [0], "d": [0, 1.5]})

    # conv ----------------------------------------------------------------------------------
    R["core.conv.output_length"] = Case(lambda: {"n": 8, "k": 3, "stride": 1, "padding": 0},
                                   ranges={"n": [0], "k": [0, 20], "stride": [0], "padding": [-1]})
    R["core.conv.im2col_1d"] = Case(lambda: {"x": A(2, 3, 8), "k": 3}, arrays=("x",),
                               ranges={"k": [0, 20], "stride": [0], "padding": [-1]})
    R["core.conv.conv1d_forward"] = Case(
        lambda: {"x": A(2, 3, 8), "w": A(4, 3, 3, seed=1), "b": A(4, seed=2)},
        arrays=("x", "w", "b"), mismatch={"w": 1, "b": 0}, ranges={"stride": [0], "padding": [-1]})
    R["core.conv.im2col_2d"] = Case(lambda: {"x": A(2, 3, 5, 5), "kh": 3, "kw": 3}, arrays=("x",),
                               ranges={"kh": [0, 9], "kw": [0], "stride": [0], "padding": [-1]})
    R["core.conv.col2im_2d"] = Case(
        lambda: {"cols": conv.im2col_2d(A(2, 3, 5, 5), 3, 3), "x_shape": (2, 3, 5, 5), "kh": 3, "kw": 3},
        arrays=("cols",), mismatch={"cols": 0}, ranges={"x_shape": [(2, 3, 5), "abc"], "kh": [0]})
    R["core.conv.conv2d_forward"] = Case(
        lambda: {"x": A(2, 3, 5, 5), "w": A(4, 3, 3, 3, seed=1), "b": A(4, seed=2)},
        arrays=("x", "w", "b"), mismatch={"w": 1, "b": 0}, ranges={"stride": [0], "padding": [-1]})
    R["core.conv.conv2d_backward"] = _backward_case(
        conv.conv2d_forward, lambda: {"x": A(2, 3, 5, 5), "w": A(4, 3, 3, 3, seed=1), "b": A(4, seed=2)})
    R["core.attention.sinusoidal_positions"] = Case(lambda: {"L": 3, "D": 4},
                                                    ranges={"L": [0, 2.5], "D": [0], "base": [1.0, np.nan]})
    # transformer ---------------------------------------------------------------------------
    R["core.transformer.split_heads"] = Case(lambda: {"x": A(2, 3, 4), "n_heads": 2}, arrays=("x",),
                                             ranges={"n_heads": [0, 3]})
    R["core.transformer.merge_heads"] = Case(lambda: {"x": A(2, 2, 3, 2)}, arrays=("x",))
    R["core.transformer.mha_params"] = Case(lambda: {"D": 4, "n_heads": 2, "rng": 0},
                                            ranges={"D": [0], "n_heads": [0, 3], "out_scale": [-1.0],
                                                    "rng": [None]})
    R["core.transformer.multi_head_attention_forward"] = Case(
        lambda: {"x_q": A(2, 3, 4), "x_kv": A(2, 5, 4, seed=1), "params": transformer.mha_params(4, 2, rng=0),
                 "n_heads": 2},
        arrays=("x_q", "x_kv"), mismatch={"x_q": -1, "x_kv": -1}, ranges={"n_heads": [0, 3], "params": ["abc", {}]})
    R["core.transformer.feed_forward"] = Case(
        lambda: {"x": A(2, 3, 4), "W1": A(4, 5), "b1": A(5), "W2": A(5, 4), "b2": A(4)},
        arrays=("x", "W1", "b1", "W2", "b2"), mismatch={"W1": 0, "b1": 0, "W2": 1, "b2": 0},
        ranges={"activation": ["tanh"]})
    R["core.transformer.transformer_block_params"] = Case(lambda: {"D": 4, "n_heads": 2, "d_ff": 8, "rng": 0},
                                                          ranges={"d_ff": [0], "n_heads": [3], "rng": [None]})
    R["core.transformer.transformer_block_forward"] = Case(
        lambda: {"x": A(2, 3, 4), "params": transformer.transformer_block_params(4, 2, 8, rng=0), "n_heads": 2},
        arrays=("x",), mismatch={"x": -1},
        ranges={"n_heads": [0, 3], "activation": ["tanh"], "eps": [0.0], "params": ["abc"]},
        skip={"x:broadcast": "x may be (L, D) or (N, L, D): without the batch axis it is still valid"})
    R["core.conv.maxpool2d_forward"] = Case(lambda: {"x": A(1, 2, 4, 4), "k": 2}, arrays=("x",),
                                            ranges={"k": [0, 5], "stride": [0]})
    R["core.conv.maxpool2d_backward"] = _backward_case(conv.maxpool2d_forward, lambda: {"x": A(1, 2, 4, 4), "k": 2})
    R["core.conv.receptive_field"] = Case(lambda: {"kernels": [3, 2], "strides": [1, 2]},
                                          ranges={"kernels": [[], [0], "ab"], "strides": [[1], [0]]})
    R["experiments.nb12_beyond_mlp.gradient_footprint"] = Case(lambda: {"kernels": [3, 2], "strides": [1, 2]},
                                                               ranges={"kernels": [[0]], "n": [0, 2]})
    R["experiments.nb12_beyond_mlp.permutation_check"] = Case(lambda: {"L": 3, "D": 4},
                                                              ranges={"L": [1], "rng": [None]})
    R["experiments.nb12_beyond_mlp.two_head_patterns"] = Case(
        lambda: {"tokens": [0, 1, 0], "n_vocab": 2},
        ranges={"tokens": [[0], [0, 2], [[0, 1]], [0.5, 1.0]], "n_vocab": [0], "strength": [0.0, np.nan]})
    R["experiments.nb12_beyond_mlp.residual_branch_ratio"] = Case(
        lambda: {"L": 3, "D": 4, "seeds": 1}, ranges={"out_scale": [-1.0], "seeds": [0], "rng": [None]})
    R["lab.models.build_seeded"] = Case(lambda: {"factory": lambda: tiny_model(), "seed": 0},
                                        ranges={"seed": [-1, 1.5], "factory": [3]})
    R["core.conv.parameter_counts"] = Case(
        lambda: {"in_shape": (3, 8, 8), "out_channels": 4, "kernel": 3},
        ranges={"in_shape": [(0, 8, 8), (3,), "abc"], "out_channels": [0], "kernel": [0, 2.5]})
    R["experiments.nb12_beyond_mlp.build_tiny_cnn"] = Case(lambda: {"n_classes": 3, "channels": 2, "side": 8},
                                    ranges={"n_classes": [0], "channels": [0], "side": [0]})

    # data ----------------------------------------------------------------------------------
    R["data.grid"] = Case(lambda: {"X": A(5, 2), "steps": 4}, arrays=("X",), ranges={"steps": [1, 2.5], "margin": [np.nan]})
    R["data.logic_gate"] = Case(lambda: {"name": "and"}, ranges={"name": ["nope", 1]})
    R["data.separable"] = Case(lambda: {"n": 10, "rng": 0}, ranges={"n": [0, 2.5], "margin": [-1.0, np.nan], "rng": [None]})
    R["data.blobs"] = Case(lambda: {"n": 10, "rng": 0},
                           ranges={"n": [0], "std": [-1.0], "n_classes": [0], "separation": [np.nan]})
    R["data.spirals"] = Case(lambda: {"n": 10, "rng": 0},
                             ranges={"n": [0], "n_classes": [0], "noise": [-0.1], "turns": [np.inf]})
    R["data.moons"] = Case(lambda: {"n": 10, "rng": 0}, ranges={"n": [0], "noise": [-1.0]})
    R["data.circles"] = Case(lambda: {"n": 10, "rng": 0}, ranges={"n": [0], "noise": [-1.0], "factor": [1.5, 0.0]})
    R["data.digits"] = Case(lambda: {"rng": 0}, ranges={"val_fraction": [0.0, 1.0], "rng": [None]},
                            fuzz=3, fuzz_reason="loads the bundled digits (about 0.5 s a call)")
    R["data.breast_cancer"] = Case(lambda: {"rng": 0}, ranges={"val_fraction": [0.0, 1.0], "rng": [None]},
                                   fuzz=3, fuzz_reason="loads the bundled breast-cancer table")
    R["data.train_val_split"] = Case(
        lambda: {"X": A(8, 2), "y": labels(0, 1, 0, 1, 0, 1, 0, 1), "val_fraction": 0.25, "rng": 0},
        arrays=("X", "y"), mismatch={"y": 0}, ranges={"val_fraction": [0.0, 1.0, -0.5]})
    R["data.standardize"] = Case(lambda: {"X_train": A(5, 2)}, arrays=("X_train",))

    # debug ---------------------------------------------------------------------------------
    R["lab.debug.overfit_small_batch"] = Case(
        lambda: {"model": tiny_model(), "X": A(4, 3), "y": labels(0, 1, 0, 1), "steps": 2},
        arrays=("X", "y"), mismatch={"X": 1, "y": 0},
        ranges={"steps": [0], "lr": [0.0, -1.0], "target_loss": [-1.0]},
        fuzz=5, fuzz_reason="trains a model (about 0.15 s a call): fuzzed lightly")

    # diagnostics ---------------------------------------------------------------------------
    def model_xy():
        return {"model": tiny_model(), "X": A(4, 3), "y": labels(0, 1, 0, 1)}
    for n, rng_ in (("layer_grad_norms", {}), ("unit_grad_norms", {}), ("layer_stats", {"saturation": [0.0, 1.5]}),
                    ("layer_histograms", {"bins": [0]}), ("jacobian_chain", {})):
        R[f"lab.diagnostics.{n}"] = Case(model_xy, arrays=("X", "y"), mismatch={"X": 1, "y": 0},
                                     ranges={"loss": ["nope"], **rng_}, out_dtype="float64", fuzz=6)
    R["lab.diagnostics.layer_grad_norms"].nonfinite_ok = "documented: inf/NaN show where the network overflows (notebook 05's NaN hunt)"
    R["lab.diagnostics.layer_stats"].nonfinite_ok = ("documented: NaN where a statistic does not apply "
                                                     "(saturation of a ReLU layer); inf/NaN show where the network overflows (notebook 05's NaN hunt)")
    R["lab.diagnostics.first_nonfinite"] = Case(
        model_xy, arrays=("X", "y"), mismatch={"X": 1, "y": 0}, ranges={"loss": ["nope"]},
        skip={"X:nan": "finds where NaN/inf appear", "X:inf": "finds where NaN/inf appear"})
    R["lab.diagnostics.update_ratios"] = Case(
        lambda: {**model_xy(), "lr": 0.1}, arrays=("X", "y"), mismatch={"X": 1, "y": 0},
        ranges={"lr": [0.0, -1.0], "optimizer": ["nope"]}, out_dtype="float64", fuzz=6)
    R["lab.diagnostics.sgd_steps"] = Case(
        lambda: {**model_xy(), "lr": 0.1, "steps": 2}, arrays=("X", "y"), mismatch={"X": 1, "y": 0},
        ranges={"lr": [-1.0], "steps": [0], "max_norm": [0.0]})
    R["core.gradflow.clip_grad_norm"] = Case(
        lambda: {"grads": [A(2, 3), A(3, seed=1)], "max_norm": 1.0},
        ranges={"max_norm": [0.0, -1.0, np.nan], "eps": [-1.0], "grads": ["abc", [np.array([np.nan])]]},
        skip={"grads:broadcast": "one gradient per parameter, of any shape"})
    R["core.gradflow.clip_grad_value"] = Case(
        lambda: {"grads": [A(2, 3), A(3, seed=1)], "clip_value": 1.0},
        ranges={"clip_value": [0.0, -1.0, np.nan], "grads": ["abc", [], [np.array([np.nan])]]},
        skip={"grads:broadcast": "one gradient per parameter, of any shape"})
    R["core.gradflow.recurrent_jacobian_norms"] = Case(
        lambda: {"W": A(3, 3), "T": 2, "h0": A(3, seed=1), "b": A(3, seed=2)},
        arrays=("W", "h0", "b"), mismatch={"W": 1, "h0": 0, "b": 0},
        ranges={"T": [0, 1.5], "activation": ["nope"]}, out_dtype="float64")
    R["experiments.nb05_gradients.batch"] = Case(lambda: {"seed": 1, "n": 4}, ranges={"seed": [1.5], "n": [0]})
    for n in ("sigmoid_shrink", "remedy_profiles"):
        R[f"experiments.nb05_gradients.{n}"] = Case(lambda: {"depth": 2, "width": 4},
                                                   ranges={"depth": [0, 2.5], "width": [0]})
    R["experiments.nb05_gradients.exploding_growth"] = Case(
        lambda: {"depth": 2, "width": 4}, ranges={"depth": [0], "scale": [0.0, np.nan]})
    R["experiments.nb05_gradients.exploding_gradients"] = Case(
        lambda: {"depth": 2}, ranges={"depth": [0], "scale": [-1.0]})
    R["experiments.nb05_gradients.bn_growth_prediction"] = Case(lambda: {"activation": "tanh"},
                                                               ranges={"activation": ["nope", 1]})
    R["experiments.nb05_gradients.batchnorm_gradient_growth"] = Case(
        lambda: {"depth": 2, "width": 4, "n": 8}, ranges={"activation": ["nope"], "n": [1], "depth": [0]})
    R["experiments.nb05_gradients.clipping_directions"] = Case(
        lambda: {}, ranges={"max_norm": [0.0], "clip_value": [-1.0, np.nan]})
    R["experiments.nb05_gradients.clipping_run"] = Case(
        lambda: {"max_norm": 1.0, "steps": 1}, ranges={"max_norm": [0.0], "steps": [0], "lr": [-1.0]})
    R["experiments.nb05_gradients.tanh_health"] = Case(lambda: {"depth": 2, "width": 4},
                                                      ranges={"depth": [0], "scale": [-1.0]})
    R["experiments.nb05_gradients.update_ratio_study"] = Case(lambda: {"steps": 1}, ranges={"steps": [0]})
    R["core.gradflow.sigmoid_bound"] = Case(lambda: {"n_layers": 3}, ranges={"n_layers": [-1, 2.5]})
    R["core.gradflow.chain_grad"] = Case(lambda: {"x": A(4), "weights": A(3, seed=1)},
                                       arrays=("x", "weights"), ranges={"activation": ["nope"]}, out_dtype="float64")

    # dropout -------------------------------------------------------------------------------
    R["core.dropout.dropout_mask"] = Case(lambda: {"shape": (2, 3), "p": 0.5, "rng": 0},
                                     ranges={"p": [1.0, -0.1], "shape": [(-1, 2), "ab"], "rng": [None]})
    R["core.dropout.dropout_forward"] = Case(lambda: {"x": A(2, 3), "p": 0.5, "train": True, "rng": 0},
                                        arrays=("x",), ranges={"p": [1.0, -0.1, np.nan]},
                                        skip={**ANY_LEADING, "scalar": "elementwise mask: a scalar is fine"})
    R["core.dropout.dropout_backward"] = _backward_case(
        dropout.dropout_forward, lambda: {"x": A(2, 3), "p": 0.5, "train": True, "rng": 0})
    R["core.dropout.spatial_dropout_forward"] = Case(lambda: {"x": A(2, 3, 4, 4), "p": 0.5, "train": True, "rng": 0},
                                                 arrays=("x",), ranges={"p": [1.0, -0.1], "train": ["yes"]},
                                                 skip={"x:ndim": "accepts (N, C) plus 1 to 3 spatial axes"})
    R["core.dropout.spatial_dropout_backward"] = Case(
        lambda: {"dout": A(2, 3, 4, 4, seed=5),
                 "cache": dropout.spatial_dropout_forward(A(2, 3, 4, 4), 0.5, train=True, rng=0)[1]},
        arrays=("dout",), mismatch={"dout": 1}, ranges={"cache": [None]})
    R["core.dropout.dropout_linear_penalty"] = Case(lambda: {"X": A(5, 3), "w": A(3, seed=1), "p": 0.3},
                                                arrays=("X", "w"), mismatch={"w": 0}, ranges={"p": [1.0, -0.5]})
    R["core.dropout.dropout_ridge_solution"] = Case(lambda: {"X": A(5, 3), "y": A(5, seed=1), "p": 0.3},
                                                arrays=("X", "y"), mismatch={"y": 0}, ranges={"p": [1.0]})
    R["experiments.nb08_dropout.dropout_mse_monte_carlo"] = Case(
        lambda: {"X": A(5, 3), "y": A(5, seed=1), "w": A(3, seed=2), "p": 0.3, "draws": 3, "rng": 0},
        arrays=("X", "y", "w"), mismatch={"y": 0, "w": 0}, ranges={"p": [1.0], "draws": [1], "rng": [None]})
    R["experiments.nb08_dropout.dropout_linear_regression"] = Case(
        lambda: {"X": A(5, 3), "y": A(5, seed=1), "p": 0.3, "steps": 4, "rng": 0},
        arrays=("X", "y"), mismatch={"y": 0}, ranges={"p": [1.0], "lr": [0.0], "steps": [1]})
    R["experiments.nb08_dropout.dropout_bn_variance_shift"] = Case(
        lambda: {"x": A(10, 3), "p": 0.3, "rng": 0, "batch_size": 4, "steps": 2}, arrays=("x",),
        ranges={"p": [1.0], "batch_size": [1, 50], "steps": [0], "momentum": [0.0, 1.5]})
    R["experiments.nb08_dropout.smooth_feature_maps"] = Case(lambda: {"N": 1, "C": 2, "H": 4, "W": 4, "rng": 0},
                                                        ranges={"N": [0], "H": [0], "passes": [-1], "rng": [None]})
    R["experiments.nb08_dropout.spatial_dropout_information"] = Case(lambda: {"x": A(1, 2, 4, 4), "p": 0.5, "rng": 0},
                                                                arrays=("x",), ranges={"p": [1.0]})
    R["experiments.nb08_dropout.far_points"] = Case(lambda: {"X": A(4, 2), "rng": 0}, arrays=("X",),
                                               ranges={"radius": [0.0], "n": [0]})
    R["experiments.nb08_dropout.noisy_digits"] = Case(lambda: {"n_train": 20}, ranges={
        "n_train": [5, 10_000], "noise": [-0.1, 1.5]})
    R["experiments.nb08_dropout.scaling_mismatch"] = Case(lambda: {"x": A(3, 4), "p": 0.5, "rng": 0, "draws": 5},
                                         arrays=("x",), ranges={"p": [1.0, -0.1], "draws": [0]})
    R["experiments.nb08_dropout.small_noisy_data"] = Case(lambda: {"n_train": 10, "n_val": 10},
                                         ranges={"n_train": [0], "n_val": [0], "noise": [-1.0]})
    R["experiments.nb08_dropout.mc_dropout_predict"] = Case(
        lambda: {"model": tiny_model(dropout=0.5), "X": A(4, 3), "samples": 3},
        arrays=("X",), mismatch={"X": 1}, ranges={"samples": [0]}, out_dtype="float64", fuzz=6)

    # embeddings ----------------------------------------------------------------------------
    R["core.embeddings.embedding_forward"] = Case(
        lambda: {"ids": labels(0, 2, 1), "table": A(3, 2)}, arrays=("table",),
        ranges={"ids": [labels(0, 3), np.array([0.5, 1.0]), "ab", labels(-1, 0)]},
        skip={"table:ndim": "-"})
    R["core.embeddings.embedding_backward"] = _backward_case(
        embeddings.embedding_forward, lambda: {"ids": labels(0, 2, 1), "table": A(3, 2)})
    R["core.embeddings.embedding_backward"].mismatch = {"dout": 0}  # E comes from dout itself
    R["experiments.nb12_beyond_mlp.synthetic_ratings"] = Case(
        lambda: {"n_users": 6, "n_items": 5, "rng": 0},
        ranges={"n_users": [0], "rank": [0], "density": [0.0, 1.5], "noise": [-1.0], "val_fraction": [1.0]})
    R["experiments.nb12_beyond_mlp.train_recommender"] = Case(
        lambda: {"data": nb12_beyond_mlp.synthetic_ratings(6, 5, rng=0), "epochs": 1, "batch_size": 4},
        ranges={"dim": [0], "epochs": [0], "lr": [0.0, -1.0], "batch_size": [0], "weight_decay": [-1.0],
                "data": ["abc"]}, out_dtype="float64")
    R["experiments.nb12_beyond_mlp.predict_ratings"] = Case(
        lambda: {"users": labels(0, 1), "items": labels(1, 2), "user_table": A(3, 2),
                 "item_table": A(4, 2, seed=1), "user_bias": A(3, seed=2), "item_bias": A(4, seed=3),
                 "mean": 3.0},
        arrays=("user_table", "item_table", "user_bias", "item_bias"),
        mismatch={"item_table": 1, "user_bias": 0, "item_bias": 0},
        ranges={"users": [labels(0, 5)], "items": [labels(0, 9)], "mean": [np.nan]})

    # gradcheck -----------------------------------------------------------------------------
    def numgrad_kwargs():
        x = A(3)
        return {"f": lambda: float(np.sum(x ** 2)), "x": x}
    R["core.gradcheck.numerical_gradient"] = Case(numgrad_kwargs, ranges={"h": [0.0, -1.0], "x": ["abc"]},
                                                  skip={"x:broadcast": "any shape"})
    R["core.gradcheck.relative_error"] = Case(lambda: {"a": A(3), "b": A(3, seed=1)}, arrays=("a", "b"),
                                         mismatch={"b": 0}, ranges={"eps": [0.0, -1.0]},
                                         skip={"a:ndim": "any shape (compared elementwise)",
                                               "b:ndim": "any shape (compared elementwise)",
                                               "a:scalar": "scalars are fine", "b:scalar": "scalars are fine"})

    def cg_kwargs():
        x = A(3)
        return {"f": lambda: float(np.sum(x ** 2)), "params": {"x": x}, "grads": {"x": 2 * x},
                "raise_on_fail": False}
    R["core.gradcheck.check_gradients"] = Case(cg_kwargs, ranges={"h": [0.0], "tol": [-1.0], "params": ["abc"]})
    R["core.gradcheck.check_layer"] = Case(
        lambda: {"forward": layers.relu_forward, "backward": layers.relu_backward, "inputs": {"x": A(2, 3)},
                 "raise_on_fail": False},
        ranges={"h": [0.0], "tol": [0.0], "inputs": ["abc"]}, skip={"inputs:broadcast": "inputs of any shape"})

    # hardware ------------------------------------------------------------------------------
    for n in ("dense_flops", "dense_bytes", "arithmetic_intensity"):
        R[f"lab.hardware.{n}"] = Case(lambda: {"B": 2, "D": 3, "H": 4}, ranges={"B": [0], "D": [-1], "H": [2.5]})
    R["lab.hardware.dense_bytes"].ranges["dtype"] = ["float7"]
    R["lab.hardware.time_fn"] = Case(lambda: {"fn": lambda: None, "warmup": 0, "repeats": 2},
                                 ranges={"repeats": [0], "warmup": [-1], "fn": [3], "device": ["tpu"]})
    R["lab.hardware.wall_and_cpu"] = Case(lambda: {"fn": lambda: None, "warmup": 0, "repeats": 2},
                                       ranges={"repeats": [0, 1.5], "warmup": [-1], "fn": [3]})
    R["lab.hardware.device_name"] = Case(lambda: {"device": "cpu"}, ranges={"device": ["tpu", 3]})
    R["lab.hardware.threads"] = Case(lambda: {"n": 1}, ranges={"n": [0, 1.5]})
    R["lab.hardware.matmul_gflops"] = Case(lambda: {"n": 8, "repeats": 1},
                                       ranges={"n": [0], "repeats": [0], "dtype": ["float7"], "B": [0]})
    R["lab.hardware.measure_bandwidth"] = Case(lambda: {"n_elements": 1000, "repeats": 1},
                                               ranges={"n_elements": [0], "repeats": [0], "device": ["tpu"]})
    R["lab.hardware.dense_cost"] = Case(lambda: {"B": 2, "D": 3, "H": 4}, ranges={"B": [0], "dtype": ["float7"]})
    R["lab.hardware.conv2d_cost"] = Case(lambda: {"N": 1, "C": 2, "H": 5, "W": 5, "F": 3, "k": 3},
                                         ranges={"N": [0], "C": [0], "F": [-1], "k": [6], "stride": [0],
                                                 "padding": [-1], "dtype": ["float7"]})
    R["lab.hardware.attention_cost"] = Case(lambda: {"L": 4, "d": 8, "n_heads": 2},
                                            ranges={"L": [0], "d": [0], "n_heads": [0, 3], "B": [0],
                                                    "materialize": ["yes"], "dtype": ["float7"]})
    R["lab.hardware.cache_sizes"] = Case(lambda: {}, ranges={"root": [3]})
    R["lab.hardware.cpu_flags"] = Case(lambda: {}, ranges={"path": [3]})
    R["lab.hardware.native_bf16"] = Case(lambda: {"flags": {"avx2"}}, ranges={"flags": ["avx512_bf16", [3]]})
    R["lab.hardware.default_timer"] = Case(lambda: {"device": "cpu"}, ranges={"device": ["tpu"]})
    R["lab.hardware.default_peak_n"] = Case(lambda: {"device": "cpu"}, ranges={"device": ["tpu", 3], "dtype": ["int8", 3]})
    R["lab.hardware.out_of_cache_elements"] = Case(lambda: {"factor": 1}, ranges={"factor": [0], "minimum": [0]})
    R["lab.hardware.checkpoint_memory_sweep"] = Case(lambda: {"depth": 2, "width": 3, "B": 2, "segments": (1, 2)},
                                                     ranges={"depth": [1], "width": [0], "B": [0],
                                                             "segments": [(0,), (9,)]})
    R["core.quantize.quantize_symmetric"] = Case(lambda: {"w": A(3, 2)}, arrays=("w",), out_dtype="float64")
    R["core.quantize.dequantize"] = Case(lambda: {"q": np.ones((3, 2), np.int8), "scale": np.ones(2)},
                                         arrays=("scale",), mismatch={"scale": 0}, ranges={"q": [A(3, 2), "abc"]},
                                         out_dtype="float64")
    R["core.quantize.int8_matmul"] = Case(lambda: {"x": A(2, 3), "q": np.ones((3, 2), np.int8), "scale": np.ones(2)},
                                          arrays=("x", "scale"), mismatch={"x": 1, "scale": 0}, out_dtype="float64")
    R["experiments.nb11_hardware.out_of_cache_width"] = Case(lambda: {}, ranges={"dtype": ["float7"], "factor": [0]})
    R["experiments.nb11_hardware.dense_points"] = Case(lambda: {"batch_sizes": (1, 2), "n": 8, "repeats": 1},
                                                       ranges={"batch_sizes": [(), (0,)], "n": [0], "device": ["tpu"]})
    R["experiments.nb11_hardware.compute_bound_batch"] = Case(
        lambda: {"roof": hw_roof(), "D": 8, "H": 8}, ranges={"roof": [3], "D": [0], "dtype": ["float7"]})
    R["experiments.nb11_hardware.bandwidth_vs_size"] = Case(lambda: {"array_bytes": (4096,), "repeats": 1},
                                                            ranges={"array_bytes": [(0,), ("a",)], "repeats": [0]})
    R["lab.hardware.torch_call_cost"] = Case(lambda: {"calls": 2, "repeats": 1},
                                            ranges={"n_elements": [0], "calls": [0, 1.5], "repeats": [0]})
    R["experiments.nb11_hardware.roofline_report"] = Case(
        lambda: {"batch_sizes": (1,), "n": 8, "peak_n": 8, "n_elements": 1000, "repeats": 1},
        ranges={"device": ["tpu"], "batch_sizes": [(0,)], "n": [0], "repeats": [0]})
    R["lab.hardware.roofline"] = Case(lambda: {"peak_gflops": 10.0, "bandwidth_gbs": 5.0},
                                  ranges={"peak_gflops": [0.0, -1.0], "bandwidth_gbs": [np.nan]})
    R["lab.hardware.batch_sweep"] = Case(lambda: {"batch_sizes": (1, 2), "D": 4, "H": 4, "repeats": 1},
                                     ranges={"batch_sizes": [(0, 2), ()], "D": [0], "repeats": [0]})
    R["lab.hardware.dtype_compare"] = Case(lambda: {"n": 8, "dtypes": ("float32",), "repeats": 1},
                                       ranges={"n": [0], "dtypes": [("float7",)], "repeats": [0]})
    R["lab.hardware.underflow_demo"] = Case(lambda: {"grads": (1e-3, 1e-9), "scale": 1024.0},
                                        ranges={"scale": [0.0, np.inf], "grads": ["abc", (np.nan,)]})
    R["lab.hardware.training_memory_estimate"] = Case(
        lambda: {"n_params": 100, "activation_elements": 50},
        ranges={"n_params": [-1], "activation_elements": [-1], "optimizer": ["lamb"], "dtype": ["float7"]})
    R["lab.hardware.measure_numpy_training_peak"] = Case(lambda: {"B": 4, "D": 4, "H": 4, "C": 2},
                                                     ranges={"B": [0], "C": [0]})
    R["lab.hardware.checkpoint_compare"] = Case(
        lambda: {"depth": 2, "width": 4, "B": 2, "segments": 2, "repeats": 1},
        ranges={"depth": [0], "segments": [0], "repeats": [0]})
    R["lab.hardware.recomputed_fraction"] = Case(lambda: {"model": tiny_model(), "segments": 2},
                                                 ranges={"segments": [0, 99]})
    R["lab.hardware.mlp_sizes"] = Case(lambda: {"B": 2, "D": 3, "H": 4, "C": 2}, ranges={"B": [0], "C": [-1]})

    # init ----------------------------------------------------------------------------------
    bad_shapes = [(0, 3), (-1, 2), "ab"]
    R["core.init.zeros"] = Case(lambda: {"shape": (2, 3)}, ranges={"shape": bad_shapes})
    R["core.init.constant"] = Case(lambda: {"shape": (2, 3), "value": 0.5},
                              ranges={"shape": bad_shapes, "value": [np.nan]})
    R["core.init.normal"] = Case(lambda: {"shape": (2, 3), "std": 0.1, "rng": 0},
                            ranges={"shape": bad_shapes, "std": [-1.0], "rng": [None]})
    for n in ("xavier_uniform", "xavier_normal"):
        R[f"core.init.{n}"] = Case(lambda: {"shape": (2, 3), "rng": 0},
                              ranges={"shape": bad_shapes + [(3,)], "gain": [-1.0, np.nan]})
    for n in ("he_normal", "he_uniform"):
        R[f"core.init.{n}"] = Case(lambda: {"shape": (2, 3), "rng": 0},
                              ranges={"shape": bad_shapes + [(3,)], "mode": ["fan_avg"]})
    R["core.init.orthogonal"] = Case(lambda: {"shape": (2, 3), "rng": 0},
                                     ranges={"shape": bad_shapes + [(3,)], "gain": [-1.0, np.nan], "rng": [None]})
    R["core.init.gain"] = Case(lambda: {"nonlinearity": "leaky_relu", "param": 0.2},
                               ranges={"nonlinearity": ["nope", 3], "param": [np.nan, "a"]})
    R["experiments.nb06_init.signal_propagation"] = Case(
        lambda: {"widths": (4, 3, 2), "n": 2}, ranges={"widths": [(4,), (4, 0), "ab"], "activation": ["nope"],
                                                       "mode": ["fan_avg"], "n": [0], "rng": [None]})
    R["experiments.nb06_init.jacobian_singular_values"] = Case(
        lambda: {"depth": 2, "width": 3}, ranges={"depth": [0], "width": [0], "activation": ["nope"],
                                                  "scheme": ["nope"], "gain": [-1.0], "input_std": [0.0, np.nan]})
    R["experiments.nb06_init.log_rms_walk"] = Case(
        lambda: {"width": 4, "depth": 2, "n": 2, "networks": 1},
        ranges={"width": [0], "depth": [0], "networks": [0], "first_seed": [-1], "n": [0]})
    R["core.init.init_weights"] = Case(lambda: {"scheme": "he_normal", "shape": (2, 3), "rng": 0},
                                  ranges={"scheme": ["nope"], "shape": bad_shapes})
    R["experiments.nb06_init.activation_stats"] = Case(lambda: {"depth": 2, "width": 4, "n": 8, "n_bins": 5},
                                      ranges={"depth": [0], "width": [0], "activation": ["nope"],
                                              "scheme": ["nope"], "n": [0], "n_bins": [0],
                                              "input_std": [-1.0], "x": [np.full((8, 4), np.nan), "ab"],
                                              "gain": [-1.0, np.nan]})

    # layers --------------------------------------------------------------------------------
    R["core.layers.dense_forward"] = Case(lambda: {"x": A(2, 3), "w": A(3, 4, seed=1), "b": A(4, seed=2)},
                                     arrays=("x", "w", "b"), mismatch={"w": 0, "b": 0})
    R["core.layers.dense_backward"] = _backward_case(
        layers.dense_forward, lambda: {"x": A(2, 3), "w": A(3, 4, seed=1), "b": A(4, seed=2)})
    for n in ("relu", "sigmoid", "tanh"):
        fwd = getattr(layers, f"{n}_forward")
        R[f"core.layers.{n}_forward"] = Case(lambda: {"x": A(2, 3)}, arrays=("x",), skip=dict(ELEMENTWISE))
        R[f"core.layers.{n}_backward"] = _backward_case(fwd, lambda: {"x": A(2, 3)})

    # losses --------------------------------------------------------------------------------
    for n in ("logsumexp", "softmax", "log_softmax", "naive_softmax"):
        a = "x" if n == "logsumexp" else "logits"
        R[f"core.losses.{n}"] = Case(lambda a=a: {a: A(2, 3)}, arrays=(a,),
                                ranges={"axis": [5, 1.5]}, skip=dict(ANY_LEADING))
    R["core.losses.naive_softmax"].skip.update({"logits:inf": "demonstrates overflow to NaN on purpose"})
    R["core.losses.naive_softmax"].fuzz = 0
    R["core.losses.naive_softmax"].fuzz_reason = "demonstrates overflow to NaN on purpose"
    for n in ("mse", "mae"):
        R[f"core.losses.{n}"] = Case(lambda: {"pred": A(4, 2), "target": A(4, 2, seed=1)},
                                arrays=("pred", "target"), mismatch={"target": 0}, skip=dict(ANY_LEADING))
    R["core.losses.huber"] = Case(lambda: {"pred": A(4, 2), "target": A(4, 2, seed=1), "delta": 1.0},
                             arrays=("pred", "target"), mismatch={"target": 0},
                             ranges={"delta": [0.0, -1.0, np.nan]}, skip=dict(ANY_LEADING))
    R["core.losses.gaussian_nll"] = Case(lambda: {"pred": A(4, 2), "target": A(4, 2, seed=1), "sigma": 0.5},
                                    arrays=("pred", "target"), mismatch={"target": 0},
                                    ranges={"sigma": [0.0, -1.0, np.nan, "a"]}, skip=dict(ANY_LEADING))
    R["core.losses.bce_with_logits"] = Case(lambda: {"logits": A(4), "y": np.array([0.0, 1.0, 1.0, 0.0])},
                                       arrays=("logits", "y"), mismatch={"y": 0},
                                       ranges={"y": [np.array([0.0, 2.0, 1.0, 0.0])]}, skip=dict(ANY_LEADING))
    R["core.losses.softmax_cross_entropy"] = Case(lambda: {"logits": A(4, 3), "y": labels(0, 2, 1, 0)},
                                             arrays=("logits", "y"), mismatch={"y": 0},
                                             ranges={"y": [labels(0, 3, 1, 0), labels(0, -1, 1, 0)]})
    for n in ("multilabel_bce_with_logits", "multilabel_bce"):
        R[f"core.losses.{n}"] = Case(lambda: {"logits": A(4, 3), "Y": np.eye(4, 3)},
                                arrays=("logits", "Y"), mismatch={"Y": 1},
                                ranges={"Y": [np.full((4, 3), 2.0)]})

    # metrics -------------------------------------------------------------------------------
    R["core.metrics.accuracy"] = Case(lambda: {"y_true": labels(0, 1, 1), "y_pred": labels(0, 1, 0)},
                                 arrays=("y_true", "y_pred"), mismatch={"y_pred": 0})
    for n in ("confusion_matrix", "precision_recall_f1"):
        R[f"core.metrics.{n}"] = Case(lambda: {"y_true": labels(0, 1, 2), "y_pred": labels(0, 1, 1), "n_classes": 3},
                                 arrays=("y_true", "y_pred"), mismatch={"y_pred": 0},
                                 ranges={"n_classes": [0, 2.5]})
    for n in ("precision_recall_curve", "average_precision"):
        R[f"core.metrics.{n}"] = Case(lambda: {"y_true": labels(0, 1, 1, 0), "scores": A(4)},
                                 arrays=("y_true", "scores"), mismatch={"scores": 0},
                                 ranges={"y_true": [labels(0, 2, 1, 0)]},
                                 skip={"shape": "one point per distinct score: the length depends on the values"})
    R["core.metrics.precision_recall_curve"].out_dtype = "float64"
    for n in ("roc_curve", "roc_auc"):
        R[f"core.metrics.{n}"] = Case(lambda: {"y_true": labels(0, 1, 1, 0), "scores": A(4)},
                                      arrays=("y_true", "scores"), mismatch={"scores": 0},
                                      ranges={"y_true": [labels(1, 1, 1, 1), labels(0, 2, 1, 0)]},
                                      skip={"shape": "one point per distinct score: the length depends on the values"})
    R["core.metrics.roc_curve"].out_dtype = "float64"  # rates are ratios of counts
    for n in ("reliability", "expected_calibration_error"):
        R[f"core.metrics.{n}"] = Case(lambda: {"y_true": labels(0, 1, 2), "probs": np.full((3, 3), 1 / 3)},
                                      arrays=("y_true", "probs"), mismatch={"probs": 0},
                                      ranges={"n_bins": [0], "probs": [np.eye(3) * 2], "y_true": [labels(0, 1, 3)]},
                                      out_dtype="float64")
    R["core.metrics.reliability"].nonfinite_ok = "NaN marks an empty confidence bin (documented)"
    R["core.metrics.fit_temperature"] = Case(lambda: {"logits": A(4, 3), "y_true": labels(0, 1, 2, 0)},
                                             arrays=("logits", "y_true"), mismatch={"y_true": 0},
                                             ranges={"lo": [0.0], "hi": [0.01], "steps": [1]})
    R["lab.debug.initial_loss"] = Case(lambda: {"model": tiny_model(), "X": A(4, 3), "y": labels(0, 1, 0, 1)},
                                       arrays=("X", "y"), mismatch={"X": 1, "y": 0},
                                       ranges={"model": ["abc"], "y": [labels(0, 1, 0, 7)]})
    R["lab.debug.feature_skew"] = Case(lambda: {"reference": A(5, 2), "served": A(4, 2, seed=1)},
                                       arrays=("reference", "served"), mismatch={"served": 1},
                                       ranges={"max_shift": [-1.0], "std_range": [(0.0, 2.0)]}, out_dtype="float64")
    R["experiments.nb10_debugging.rare_positives"] = Case(lambda: {"n_neg": 5, "n_pos": 2, "rng": 0},
                                                          ranges={"n_neg": [0], "n_pos": [0]})
    R["experiments.nb10_debugging.prevalence_sweep"] = Case(lambda: {"rates": (0.5,), "n_pos": 5},
                                                            ranges={"rates": [(0.0,), (1.0,)], "n_pos": [0]})
    R["experiments.nb10_debugging.ap_spread"] = Case(lambda: {"n_pos": (2,), "draws": 2},
                                                     ranges={"n_pos": [(0,)], "draws": [1], "rate": [0.0, 1e-9]})
    R["core.metrics.chance_average_precision"] = Case(lambda: {"y_true": labels(0, 1, 1, 0)}, arrays=("y_true",),
                                                 ranges={"y_true": [labels(0, 2, 1, 0)]})

    # mlp -----------------------------------------------------------------------------------
    R["core.mlp.n_layers"] = Case(lambda: {"params": tiny_params()},
                                  ranges={"params": ["abc", {}, {"W1": A(3, 4), "b1": A(4), "b2": A(2)}]},
                                  skip={"params:state": "counts the keys; the functions that compute check the values"})
    R["core.mlp.init_params"] = Case(lambda: {"sizes": [3, 4, 2], "rng": 0},
                                ranges={"sizes": [[3], [3, 0, 2], "ab"], "scale": ["nope"], "rng": [None]})
    for q in ("core.mlp.forward", "core.mlp.predict_proba", "core.mlp.predict",
              "experiments.nb03_backprop.memory_report", "core.mlp.two_layer_forward"):
        R[q] = Case(lambda: {"X": A(5, 3), "params": tiny_params()}, arrays=("X",),
                             mismatch={"X": 1}, ranges={"activation": ["nope"], "params": ["abc", {}]})
    R["core.mlp.backward"] = Case(
        lambda: (lambda out: {"dlogits": A(*out[0].shape, seed=3), "caches": out[1]})(
            mlp.forward(A(5, 3), tiny_params())),
        arrays=("dlogits",), mismatch={"dlogits": 1}, ranges={"activation": ["nope"]})
    for n in ("loss_and_grads", "accuracy"):
        R[f"core.mlp.{n}"] = Case(lambda: {"X": A(4, 3), "y": labels(0, 1, 1, 0), "params": tiny_params()},
                             arrays=("X", "y"), mismatch={"X": 1, "y": 0},
                             ranges={"y": [labels(0, 1, 2, 0)], "activation": ["nope"]})

    def two_layer_bwd():
        p = tiny_params()
        _, cache = mlp.two_layer_forward(A(4, 3), p)
        return {"Y": np.eye(2)[[0, 1, 1, 0]], "cache": cache, "params": p}
    R["core.mlp.two_layer_backward"] = Case(two_layer_bwd, arrays=("Y",), mismatch={"Y": 0},
                                       ranges={"activation": ["nope"]})
    for q in ("core.mlp.train", "experiments.nb03_backprop.train_torch"):
        R[q] = Case(
            lambda: {"X": A(8, 3), "y": labels(0, 1) .repeat(4), "hidden": (4,), "epochs": 1,
                     "batch_size": 4, "rng": 0},
            arrays=("X", "y"), mismatch={"X": 0, "y": 0},
            ranges={"lr": [0.0, -1.0, np.nan], "epochs": [0], "batch_size": [0], "hidden": [(0,)],
                    "n_classes": [1], "activation": ["nope"], "X_val": [A(3, 2)], "rng": [None]},
            out_dtype="float64", fuzz=8)
    R["lab.models.torch_model_from_params"] = Case(lambda: {"params": tiny_params()},
                                            ranges={"params": ["abc", {}], "activation": ["nope"]},
                                            skip={"params:broadcast": "W1's first axis is free: it sets the input width D"})
    R["experiments.nb02_mlp_forward.worked_example"] = Case(lambda: {"x": np.array([0.5, 1.2, -0.7])}, arrays=("x",),
                                                            ranges={"activation": ["nope"], "x": [np.ones(4)]},
                                                            out_dtype="float64")
    R["experiments.nb02_mlp_forward.linear_collapse"] = Case(lambda: {"rng": 0, "n": 3}, ranges={"n": [0], "sizes": [(2,), (2, 0, 3)]})
    R["experiments.nb02_mlp_forward.loss_at_init"] = Case(
        lambda: {"last_layer_scales": np.array([0.5, 1.0]), "rng": 0, "hidden": 4}, arrays=("last_layer_scales",),
        ranges={"last_layer_scales": [np.array([0.0, 1.0]), np.array([-1.0])], "hidden": [0], "rng": ["abc"]},
        out_dtype="float64")
    R["experiments.nb02_mlp_forward.universal_approximation"] = Case(lambda: {"width": 4, "n": 20},
                                            ranges={"width": [0], "target": ["nope"], "n": [0], "ridge": [-1.0]})
    R["experiments.nb03_backprop.tiny_network_trace"] = Case(lambda: {}, ranges={"x1": [np.nan, "a"], "y": [np.inf]})
    R["experiments.nb03_backprop.autodiff_cost"] = Case(lambda: {"sizes": (3, 4, 2), "batch": 8},
                                  ranges={"batch": [0], "sizes": [(3,), (3, -1, 2)]})
    R["experiments.nb03_backprop.gate_graph_trace"] = Case(lambda: {}, ranges={"x": [np.nan, "a"], "w": [np.inf]})
    R["experiments.nb03_backprop.dense_jacobian"] = Case(lambda: {"N": 2, "D": 2, "H": 3},
                                  ranges={"N": [0, 1.5, 1000], "D": [0], "H": [-1], "rng": ["abc"]})
    R["experiments.nb03_backprop.forward_mode_gradient"] = Case(
        lambda: {"X": A(4, 3), "y": labels(0, 1, 1, 0), "params": tiny_params()}, arrays=("X", "y"),
        mismatch={"X": 1, "y": 0}, ranges={"activation": ["nope"], "y": [labels(0, 1, 2, 0)],
                                           "params": [tiny_params((3, 4, 1))]}, out_dtype="float64")
    R["experiments.nb03_backprop.time_forward_backward"] = Case(
        lambda: {"sizes": (3, 4, 2), "batch": 4, "repeats": 1, "rounds": 1},
        ranges={"sizes": [(3,)], "batch": [0], "repeats": [0], "rounds": [1.5], "rng": ["abc"]})

    # models --------------------------------------------------------------------------------
    R["lab.models.check_input"] = Case(lambda: {"model": tiny_model(), "X": A(4, 3)}, arrays=("X",),
                                   mismatch={"X": 1}, ranges={"model": ["abc"]},
                                   skip={"ndim": "only the features of 2-D inputs are checked (conv models: 4-D)",
                                         "scalar": "only the features of 2-D inputs are checked",
                                         "X:broadcast": "only the features of 2-D inputs are checked"})
    R["lab.models.build_mlp"] = Case(lambda: {"cfg": models.MLPConfig(d_in=3, hidden=(4,), d_out=2)},
                                 ranges={"cfg": ["abc", None]})

    # norm ----------------------------------------------------------------------------------
    R["core.norm.batchnorm_forward"] = Case(
        lambda: {"x": A(4, 3), "gamma": np.ones(3), "beta": np.zeros(3),
                 "state": norm.BatchNormState(A(3, seed=3), np.full(3, 2.0), 4)},
        arrays=("x", "gamma", "beta"), mismatch={"gamma": 0, "beta": 0},
        ranges={"momentum": [-0.1, 1.5], "eps": [0.0, -1.0],
                "state": ["abc", norm.BatchNormState(np.zeros(3), -np.ones(3), 0),
                          norm.BatchNormState(np.zeros(3), np.ones(3), -1)]},
        nonneg=("state.running_var",))
    R["core.norm.batchnorm_backward"] = _backward_case(
        norm.batchnorm_forward, lambda: {"x": A(4, 3), "gamma": np.ones(3), "beta": np.zeros(3)})
    R["core.norm.layernorm_forward"] = Case(
        lambda: {"x": A(4, 3), "gamma": np.ones(3), "beta": np.zeros(3)},
        arrays=("x", "gamma", "beta"), mismatch={"gamma": 0, "beta": 0}, ranges={"eps": [0.0, -1.0]},
        skip={"x:ndim": "normalizes the last axis; any leading axes"})
    R["core.norm.layernorm_backward"] = _backward_case(
        norm.layernorm_forward, lambda: {"x": A(4, 3), "gamma": np.ones(3), "beta": np.zeros(3)})
    R["core.norm.batchnorm2d_forward"] = Case(
        lambda: {"x": A(2, 3, 4, 4), "gamma": np.ones(3), "beta": np.zeros(3)},
        arrays=("x", "gamma", "beta"), mismatch={"gamma": 0, "beta": 0},
        ranges={"momentum": [-0.1, 1.5], "eps": [0.0]})
    R["core.norm.batchnorm2d_backward"] = Case(
        lambda: {"dout": A(2, 3, 4, 4, seed=5),
                 "cache": norm.batchnorm2d_forward(A(2, 3, 4, 4), np.ones(3), np.zeros(3))[1]},
        arrays=("dout",), mismatch={"dout": -1}, ranges={"cache": [None, "abc"]})
    R["core.norm.groupnorm_forward"] = Case(
        lambda: {"x": A(2, 4, 3), "gamma": np.ones(4), "beta": np.zeros(4), "groups": 2},
        arrays=("x", "gamma", "beta"), mismatch={"gamma": 0, "beta": 0},
        ranges={"groups": [0, 3, 2.5], "eps": [0.0]})
    R["core.norm.groupnorm_backward"] = _backward_case(
        norm.groupnorm_forward, lambda: {"x": A(2, 4, 3), "gamma": np.ones(4), "beta": np.zeros(4), "groups": 2})
    R["core.norm.groupnorm_backward"].nonneg = ("cache.inv_std",)
    R["core.norm.rmsnorm_forward"] = Case(
        lambda: {"x": A(4, 3), "gamma": np.ones(3)}, arrays=("x", "gamma"), mismatch={"gamma": 0},
        ranges={"eps": [0.0, -1.0]}, skip={"x:ndim": "normalizes the last axis; any leading axes"})
    R["core.norm.rmsnorm_backward"] = _backward_case(norm.rmsnorm_forward, lambda: {"x": A(4, 3), "gamma": np.ones(3)})
    R["core.norm.rmsnorm_backward"].nonneg = ("cache.inv_rms",)
    R["core.norm.normalization_sets"] = Case(lambda: {"kind": "group", "N": 2, "C": 4, "groups": 2},
                                             ranges={"kind": ["nope"], "N": [0], "C": [0, 2.5], "groups": [3, 0]})
    R["core.norm.ema_half_life"] = Case(lambda: {"momentum": 0.1},
                                        ranges={"momentum": [0.0, 1.0, np.nan], "convention": ["jax"]})
    R["experiments.nb07_norm.batch_size_noise"] = Case(
        lambda: {"x_sample": A(3), "population": A(6, 3, seed=1), "batch_sizes": (2, 4), "draws": 3, "rng": 0},
        arrays=("x_sample", "population"), mismatch={"population": 1},
        ranges={"batch_sizes": [(1, 2), (2, 50)], "draws": [0], "eps": [0.0]}, out_dtype="float64")

    # optim ---------------------------------------------------------------------------------
    R["core.optim.sgd_step"] = Case(lambda: {"p": A(3), "g": A(3, seed=1), "buf": A(3, seed=2), "lr": 0.1,
                                             "momentum": 0.9},
                               arrays=("p", "g", "buf"), mismatch={"g": 0, "buf": 0}, dtype_of="p", fuzz=40,
                               ranges={"lr": [-1.0, np.nan], "momentum": [-0.1, 1.5],
                                       "weight_decay": [-1.0], "dampening": [2.0]},
                               skip={"p:ndim": "parameters of any shape", "g:ndim": "parameters of any shape",
                                     "p:scalar": "parameters of any shape", "g:scalar": "parameters of any shape"})
    # eps = 0 is allowed on purpose (tests/test_optim.py shows the first step is exactly ±lr)
    for n in ("adam_step", "adamw_step"):
        R[f"core.optim.{n}"] = Case(
            lambda: {"p": A(3), "g": A(3, seed=1), "m": np.zeros(3), "v": np.zeros(3), "t": 1},
            arrays=("p", "g", "m", "v"), mismatch={"g": 0, "m": 0, "v": 0},
            ranges={"t": [0, 1.5], "lr": [-1.0], "eps": [-1.0], "betas": [(1.0, 0.999), (0.9,)],
                    "weight_decay": [-1.0], "v": [-np.ones(3)]},
            skip={f"{a}:{m}": "parameters of any shape" for a in "pg" for m in ("ndim", "scalar")},
            nonneg=("v",), dtype_of="p", fuzz=40)
    R["core.optim.rmsprop_step"] = Case(
        lambda: {"p": A(3), "g": A(3, seed=1), "v": np.zeros(3)}, arrays=("p", "g", "v"), mismatch={"g": 0, "v": 0},
        ranges={"lr": [-1.0], "alpha": [1.5, -0.1], "eps": [-1.0], "weight_decay": [-1.0], "v": [-np.ones(3)]},
        skip={f"{a}:{m}": "parameters of any shape" for a in "pgv" for m in ("ndim", "scalar")},
        nonneg=("v",), dtype_of="p")
    R["core.optim.adagrad_step"] = Case(
        lambda: {"p": A(3), "g": A(3, seed=1), "s": np.zeros(3), "t": 1}, arrays=("p", "g", "s"),
        mismatch={"g": 0, "s": 0},
        ranges={"t": [0], "lr": [-1.0], "lr_decay": [-1.0], "eps": [-1.0], "s": [-np.ones(3)]},
        skip={f"{a}:{m}": "parameters of any shape" for a in "pgs" for m in ("ndim", "scalar")},
        nonneg=("s",), dtype_of="p")
    R["core.optim.make"] = Case(lambda: {"name": "sgd", "lr": 0.1},
                           ranges={"name": ["nope"], "lr": [-1.0], "weight_decay": [-1.0]})
    R["core.optim.step_lr"] = Case(lambda: {"step": 3, "base_lr": 0.1, "step_size": 2},
                              ranges={"step": [-1], "base_lr": [-1.0], "step_size": [0], "gamma": [-0.5]})
    R["core.optim.cosine_lr"] = Case(lambda: {"step": 3, "base_lr": 0.1, "total_steps": 10},
                                ranges={"step": [-1], "base_lr": [-1.0], "total_steps": [0], "min_lr": [-1.0, 1.0]})
    R["core.optim.warmup_lr"] = Case(lambda: {"step": 3, "base_lr": 0.1, "warmup_steps": 5},
                                ranges={"step": [-1], "warmup_steps": [-1], "start_factor": [-0.5, 1.5]})
    R["core.optim.warmup_cosine_lr"] = Case(lambda: {"step": 3, "base_lr": 0.1, "warmup_steps": 2, "total_steps": 10},
                                       ranges={"step": [-1], "warmup_steps": [-1], "total_steps": [0],
                                               "min_lr": [-1.0], "start_factor": [1.5]})
    R["core.optim.schedule"] = Case(lambda: {"name": "cosine", "steps": 10},
                               ranges={"name": ["nope"], "steps": [0], "base_lr": [-1.0]})
    for n in ("surface_value", "surface_grad"):
        R[f"experiments.nb09_regularization.{n}"] = Case(lambda: {"name": "rosenbrock", "xy": A(2)}, arrays=("xy",),
                               ranges={"name": ["nope"], "xy": [A(3)]},
                               skip={"xy:ndim": "a point (2,) or a batch (..., 2)"})
    R["experiments.nb09_regularization.surface_grid"] = Case(lambda: {"name": "quadratic", "steps": 10},
                                   ranges={"name": ["nope"], "steps": [0, 1]})
    R["experiments.nb09_regularization.optimizer_race"] = Case(lambda: {"steps": 3},
                                     ranges={"surface": ["nope"], "lr": [0.0, -1.0], "steps": [0],
                                             "optimizers": [("nope",)], "start": [A(3), "ab"]})
    R["experiments.nb09_regularization.lr_sweep"] = Case(lambda: {"lrs": np.array([0.01, 0.1]), "steps": 3}, arrays=("lrs",),
                               ranges={"lrs": [np.array([0.0, 0.1])], "surface": ["nope"],
                                       "optimizer": ["nope"], "steps": [0]}, out_dtype="float64",
                               nonfinite_ok="documented: final_loss is inf for a run that diverged",
                               skip={"shape": "a diverging run's curve stops early"})

    # perceptron ----------------------------------------------------------------------------
    X4, y4 = data.logic_gate("and")
    R["core.perceptron.mistake_bound"] = Case(lambda: {"X": X4.copy(), "w_star": np.array([1.0, 1.0]), "b_star": -1.5},
                                         arrays=("X", "w_star"), mismatch={"w_star": 0},
                                         ranges={"b_star": [np.nan]},
                                         nonfinite_ok="inf: (w_star, b_star) does not separate X with a positive margin")
    for n in ("net_input", "predict"):
        R[f"core.perceptron.{n}"] = Case(lambda: {"X": X4.copy(), "w": np.array([1.0, 1.0]), "b": -1.5},
                                    arrays=("X", "w"), mismatch={"w": 0}, ranges={"b": [np.nan, "a"]})
    R["core.perceptron.step"] = Case(lambda: {"z": A(4)}, arrays=("z",), skip=dict(ELEMENTWISE))
    R["core.perceptron.accuracy"] = Case(lambda: {"X": X4.copy(), "y": y4.copy(), "w": np.array([1.0, 1.0]), "b": -1.5},
                                    arrays=("X", "y", "w"), mismatch={"w": 0, "y": 0},
                                    ranges={"y": [np.array([0, 1, 2, 1])]})
    R["core.perceptron.update"] = Case(lambda: {"w": np.array([1.0, 1.0]), "b": 0.0, "x": np.array([1.0, 0.0]), "y": 1},
                                  arrays=("w", "x"), mismatch={"x": 0},
                                  ranges={"y": [2, 0.5], "lr": [0.0, -1.0], "b": [np.nan]})
    R["core.perceptron.train"] = Case(lambda: {"X": X4.copy(), "y": y4.copy(), "epochs": 2},
                                 arrays=("X", "y"), mismatch={"y": 0},
                                 ranges={"lr": [0.0, -1.0], "epochs": [0], "w0": [np.ones(3)], "b0": [np.nan],
                                         "pocket": ["yes", 1]})
    R["experiments.nb01_perceptron.shifted_margin_demo"] = Case(
        lambda: {"n": 4, "shift": 1.0, "rng": 0, "epochs": 50},
        ranges={"n": [1, 2.5], "shift": [-1.0, np.nan, 1e4], "epochs": [0], "rng": ["abc"]})
    R["core.perceptron.two_layer_predict"] = Case(
        lambda: {"X": X4.copy(), **__import__("nnbasics.core.perceptron", fromlist=["x"]).xor_network_weights()},
        arrays=("X", "W1", "b1", "w2"), mismatch={"X": 1, "W1": 1, "b1": 0, "w2": 0},
        ranges={"b2": [np.nan, "a"]})
    R["core.perceptron.boundary_line"] = Case(lambda: {"w": np.array([1.0, 1.0]), "b": -1.5, "xlim": (-1.0, 2.0)},
                                         arrays=("w",), ranges={"xlim": [(2.0, -1.0), (np.nan, 1.0), "ab"]},
                                         out_dtype="float64", skip={"shape": "empty arrays when w = 0 (no boundary)"})

    # recurrent -----------------------------------------------------------------------------
    D, H, N, T = 3, 4, 2, 3

    def lstm_cell():
        W, U, b = recurrent.init_lstm(D, H, rng=0)
        return {"x": A(N, D), "h": A(N, H, seed=1), "c": A(N, H, seed=2), "W": W, "U": U, "b": b}

    def rnn_cell():
        W, U, b = recurrent.init_rnn(D, H, rng=0)
        return {"x": A(N, D), "h": A(N, H, seed=1), "W": W, "U": U, "b": b}

    def seq(cell):
        kw = cell()
        kw["xs"] = A(T, N, D)
        kw["h0"] = kw.pop("h")
        if "c" in kw:
            kw["c0"] = kw.pop("c")
        del kw["x"]
        return kw

    R["core.recurrent.lstm_cell_forward"] = Case(lstm_cell, arrays=("x", "h", "c", "W", "U", "b"),
                                            mismatch={"x": 1, "h": 1, "c": 0, "W": 0, "U": 0, "b": 0})
    R["core.recurrent.rnn_cell_forward"] = Case(rnn_cell, arrays=("x", "h", "W", "U", "b"),
                                           mismatch={"x": 1, "h": 1, "W": 0, "U": 0, "b": 0})
    R["core.recurrent.lstm_forward"] = Case(lambda: seq(lstm_cell), arrays=("xs", "h0", "c0", "W", "U", "b"),
                                       mismatch={"xs": 2, "h0": 1, "c0": 0, "W": 0, "U": 0, "b": 0})
    R["core.recurrent.rnn_forward"] = Case(lambda: seq(rnn_cell), arrays=("xs", "h0", "W", "U", "b"),
                                      mismatch={"xs": 2, "h0": 1, "W": 0, "U": 0, "b": 0})

    def lstm_cell_bwd():
        (h, c), cache = (lambda o: ((o[0], o[1]), o[2]))(recurrent.lstm_cell_forward(**lstm_cell()))
        return {"dh_new": A(*h.shape, seed=7), "dc_new": A(*c.shape, seed=8), "cache": cache}
    R["core.recurrent.lstm_cell_backward"] = Case(lstm_cell_bwd, arrays=("dh_new", "dc_new"),
                                             mismatch={"dh_new": 1, "dc_new": 0})
    R["core.recurrent.rnn_cell_backward"] = _backward_case(recurrent.rnn_cell_forward, rnn_cell,
                                                      dname="dh_new")

    def seq_bwd(fwd, cell):
        out = fwd(**seq(cell))
        hs, caches = out[0], out[-1]
        return {"dhs": A(*np.shape(hs), seed=9), "caches": caches}
    R["core.recurrent.lstm_backward"] = Case(lambda: seq_bwd(recurrent.lstm_forward, lstm_cell),
                                        arrays=("dhs",), mismatch={"dhs": 0})
    R["core.recurrent.rnn_backward"] = Case(lambda: seq_bwd(recurrent.rnn_forward, rnn_cell),
                                       arrays=("dhs",), mismatch={"dhs": 0})
    R["core.recurrent.init_lstm"] = Case(lambda: {"D": D, "H": H, "rng": 0},
                                    ranges={"D": [0], "H": [0, 2.5], "forget_bias": [np.nan], "rng": [None]})
    R["core.recurrent.init_rnn"] = Case(lambda: {"D": D, "H": H, "rng": 0},
                                   ranges={"D": [0], "H": [0], "gain": [-1.0, np.nan], "rng": [None]})
    R["experiments.nb12_beyond_mlp.gradient_through_time"] = Case(lambda: {"T": 3, "D": 2, "H": 3, "N": 2, "seeds": 1},
                                                ranges={"T": [0], "H": [0], "seeds": [0], "rnn_gain": [np.nan]})

    # regularization ------------------------------------------------------------------------
    for n in ("l2_penalty", "l2_penalty_grad"):
        R[f"core.regularization.{n}"] = Case(lambda: {"params": [A(2, 3), A(3, seed=1)], "lam": 0.1},
                                        ranges={"lam": [-1.0, np.nan], "params": ["abc", [np.array([np.nan])]]},
                                        skip={"params:broadcast": "parameters of any shapes"})
    R["experiments.nb09_regularization.compare_l2_and_decoupled"] = Case(
        lambda: {"steps": 3}, ranges={"optimizer": ["nope"], "lam": [-1.0], "lr": [0.0], "steps": [0]})
    for n in ("l1_penalty", "l1_penalty_grad"):
        R[f"core.regularization.{n}"] = Case(lambda: {"params": [A(2, 3), A(3, seed=1)], "lam": 0.1},
                                             ranges={"lam": [-1.0, np.nan], "params": ["abc"]},
                                             skip={"params:broadcast": "parameters of any shapes"})
    R["core.regularization.soft_threshold"] = Case(lambda: {"w": A(2, 3), "t": 0.5}, arrays=("w",),
                                                   ranges={"t": [-0.1, np.nan, "abc"]}, skip=dict(ELEMENTWISE))
    R["core.regularization.lasso_ista"] = Case(lambda: {"Phi": A(5, 3), "y": A(5, seed=1), "lam": 0.1, "steps": 3},
                                               arrays=("Phi", "y"), mismatch={"y": 0},
                                               ranges={"lam": [-1.0], "steps": [0], "tol": [-1.0], "w0": [A(4)]})
    R["experiments.nb09_regularization.sparse_regression"] = Case(lambda: {"rng": 0},
                                                                  ranges={"n": [1], "d": [2], "noise": [-1.0]})
    R["experiments.nb09_regularization.sparsity_path"] = Case(
        lambda: {"X": A(5, 3), "y": A(5, seed=1), "lams": np.array([0.1, 1.0]), "steps": 3},
        arrays=("X", "y", "lams"), ranges={"steps": [0], "lams": [np.array([-1.0])]})
    R["core.regularization.smooth_targets"] = Case(lambda: {"y": labels(0, 2, 1), "n_classes": 3, "eps": 0.1},
                                              arrays=("y",), ranges={"eps": [-0.1, 1.5], "n_classes": [0]})
    for n in ("smoothed_cross_entropy", "smoothed_cross_entropy_grad"):
        R[f"core.regularization.{n}"] = Case(lambda: {"logits": A(3, 3), "y": labels(0, 2, 1)},
                                        arrays=("logits", "y"), mismatch={"y": 0},
                                        ranges={"eps": [-0.1, 1.5], "y": [labels(0, 3, 1)]})
    R["core.regularization.mixup"] = Case(lambda: {"X": A(4, 2), "Y": np.eye(4, 3), "rng": 0},
                                     arrays=("X", "Y"), mismatch={"Y": 0}, ranges={"alpha": [0.0, -1.0], "rng": [None]})
    R["core.regularization.add_noise"] = Case(lambda: {"X": A(4, 2), "sigma": 0.1, "rng": 0}, arrays=("X",),
                                         ranges={"sigma": [-1.0, np.nan]}, skip=dict(ANY_LEADING))
    R["core.regularization.rotate"] = Case(lambda: {"X": A(4, 2), "degrees": 30.0}, arrays=("X",),
                                      ranges={"degrees": [np.nan, A(3)]})
    R["core.regularization.augment_2d"] = Case(lambda: {"X": A(4, 2), "y": labels(0, 1, 1, 0), "rng": 0},
                                          arrays=("X", "y"), mismatch={"y": 0},
                                          ranges={"copies": [-1], "noise": [-1.0], "max_degrees": [np.nan]})
    R["experiments.nb09_regularization.target_function"] = Case(lambda: {"x": A(5)}, arrays=("x",), skip=dict(ELEMENTWISE))
    R["experiments.nb09_regularization.make_regression_1d"] = Case(lambda: {"n_train": 5, "n_val": 5, "rng": 0},
                                                  ranges={"n_train": [0], "n_val": [0], "noise": [-1.0]})
    R["core.regularization.poly_features"] = Case(lambda: {"x": A(5), "degree": 3}, arrays=("x",),
                                             ranges={"degree": [-1, 2.5]})
    R["core.regularization.ridge_fit"] = Case(lambda: {"Phi": A(5, 3), "y": A(5, seed=1), "lam": 0.1},
                                         arrays=("Phi", "y"), mismatch={"y": 0}, ranges={"lam": [-1.0]})

    def reg_data():
        return nb09_regularization.make_regression_1d(n_train=6, n_val=6, rng=0)
    R["experiments.nb09_regularization.capacity_fit"] = Case(lambda: {"degree": 2, "lam": 0.0, "data": reg_data(), "n_grid": 5},
                                            out_dtype="float64",
                                            ranges={"degree": [-1], "lam": [-1.0], "n_grid": [0],
                                                    "data": ["abc", {}]})
    R["experiments.nb09_regularization.capacity_sweep"] = Case(lambda: {"degrees": [1, 2], "lams": [0.0, 0.1], "data": reg_data()},
                                              ranges={"degrees": [[-1]], "lams": [[-1.0], [np.nan]],
                                                      "data": ["abc"]})

    # runtime -------------------------------------------------------------------------------
    R["lab.runtime.threads"] = Case(lambda: {"n": 1}, ranges={"n": [0, 1.5]})
    R["lab.runtime.blas_threads"] = Case(lambda: {"n": 1}, ranges={"n": [0, "a"]})

    # train ---------------------------------------------------------------------------------
    def fit_kwargs():
        return {"model": tiny_model(), "X_train": A(8, 3), "y_train": labels(0, 1).repeat(4),
                "X_val": A(4, 3, seed=1), "y_val": labels(0, 1, 0, 1),
                "cfg": train.TrainConfig(epochs=1, batch_size=4)}
    R["lab.train.fit"] = Case(fit_kwargs, arrays=("X_train", "y_train", "X_val", "y_val"),
                          mismatch={"X_train": 1, "y_train": 0, "X_val": 1, "y_val": 0},
                          ranges={"cfg": ["abc"], "y_train": [labels(0, 5).repeat(4)]})
    R["lab.train.evaluate"] = Case(lambda: {"model": tiny_model(), "X": A(4, 3), "y": labels(0, 1, 0, 1)},
                               arrays=("X", "y"), mismatch={"X": 1, "y": 0},
                               ranges={"loss": ["nope"], "y": [labels(0, 5, 0, 1)]})
    return R


# Classes/dataclasses covered via their constructors (range parameters only).
def _constructors() -> dict[str, Case]:
    return {
        "lab.models.MLPConfig": Case(lambda: {"d_in": 3}, ranges={
            "d_in": [0], "hidden": [(0,), "ab"], "d_out": [0], "activation": ["nope"], "norm": ["nope"],
            "dropout": [1.0, -0.1], "init": ["nope"], "init_scale": [-1.0, np.nan]}),
        "lab.train.TrainConfig": Case(lambda: {}, ranges={
            "epochs": [0, 2.5], "batch_size": [0], "lr": [0.0, -1.0, np.nan, 1e100], "optimizer": ["nope"],
            "momentum": [-0.1, 1.5], "weight_decay": [-1.0], "loss": ["nope"], "clip_grad_norm": [0.0, -1.0],
            "patience": [0]}),
        "lab.train.EarlyStopping": Case(lambda: {"patience": 2}, ranges={"patience": [0, 1.5], "min_delta": [-1.0]}),
        "core.optim.SGD": Case(lambda: {"lr": 0.1}, ranges={"lr": [-1.0], "momentum": [-0.1, 1.5],
                                                       "weight_decay": [-1.0]}),
        "core.optim.Adam": Case(lambda: {}, ranges={"lr": [-1.0], "betas": [(1.0, 0.9)], "eps": [-1.0]}),
        "core.optim.AdamW": Case(lambda: {}, ranges={"lr": [-1.0], "betas": [(0.9, 1.5)], "weight_decay": [-1.0]}),
        "core.optim.RMSprop": Case(lambda: {}, ranges={"lr": [-1.0], "alpha": [1.5], "eps": [-1.0], "weight_decay": [-1.0]}),
        "core.optim.Adagrad": Case(lambda: {}, ranges={"lr": [-1.0], "lr_decay": [-1.0], "eps": [-1.0]}),
        "core.optim.ReduceLROnPlateau": Case(lambda: {"lr": 0.1}, ranges={
            "lr": [0.0], "factor": [1.0, 0.0], "patience": [-1], "threshold": [-1.0], "cooldown": [-1], "min_lr": [-1.0]}),
    }


EXEMPT = {
    **{f"core.kernels.{n}": "an unchecked kernel by design: the public functions that call it validate"
       for n in __import__("nnbasics.core.kernels", fromlist=["x"]).__all__ if n != "ACTIVATIONS"},
    "core.perceptron.xor_network_weights": "no arguments",
    "experiments.nb01_perceptron.fit_torch_xor": "trains a whole model",
    "core.mlp.check_training_args": "it IS train()'s validation; swept through core.mlp.train",
    "core.mlp.check_params": "it IS forward()'s validation of params; swept through core.mlp.forward",
    "core.activations.properties_table": "no arguments",
    "experiments.nb04_activations.dying_relu_experiment": "trains a whole model; its settings go through TrainConfig/MLPConfig",
    "experiments.nb04_activations.relu_vs_sigmoid": "trains whole models; covered by TrainConfig/MLPConfig validation",
    "data.xor": "no arguments",
    "lab.debug.run_bug": "trains a whole model (a bug-zoo run); only a name argument",
    "lab.debug.diagnose": "takes a History/ZooRun, no array arguments",
    "lab.debug.loss_curve_summary": "takes a ZooRun, no array arguments",
    "experiments.nb10_debugging.mode_accuracies": "takes a ZooRun, no array arguments",
    "experiments.nb10_debugging.imbalance_metrics": "trains a whole model (a bug-zoo run); only a seed",
    "experiments.nb10_debugging.calibration_experiment": "trains a whole model; only a seed",
    "experiments.nb10_debugging.serving_skew": "trains a whole model; only a seed",
    "experiments.nb08_dropout.dropout_run": "trains a whole model (lru-cached experiment)",
    "experiments.nb08_dropout.dropout_experiment": "trains several whole models; forwards to dropout_run",
    "experiments.nb08_dropout.unscaled_eval_penalty": "needs a trained DropoutRun (training)",
    "experiments.nb08_dropout.label_noise_experiment": "trains whole models",
    "lab.hardware.gpu_available": "no arguments",
    "lab.hardware.measure_roofline": "measures the machine (seconds, lru-cached); covered by roofline()",
    "lab.hardware.saved_activation_bytes": "takes a callable; no array or range arguments",
    "lab.hardware.quantize_compare": "trains a whole model",
    "lab.hardware.transfer_seconds": "GPU only (returns None on CPU)",
    "lab.hardware.measure_torch_training_peak_cuda": "GPU only",
    "experiments.nb06_init.symmetry_experiment": "trains a whole model",
    "experiments.nb06_init.init_training_curves": "trains whole models; its names are checked (tests/test_init.py)",
    "lab.models.linear_layers": "takes a torch model, no array arguments",
    "lab.models.count_parameters": "takes a torch model, no array arguments",
    "experiments.nb07_norm.forgotten_eval": "trains a whole model",
    "experiments.nb07_norm.compare_norms": "trains whole models",
    "experiments.nb07_norm.covariate_shift_experiment": "trains whole models",
    "experiments.nb09_regularization.quadratic_max_stable_lr": "no arguments",
    "experiments.nb09_regularization.lr_experiment": "trains whole models",
    "experiments.nb09_regularization.schedule_experiment": "trains whole models",
    "experiments.nb09_regularization.batch_size_experiment": "trains whole models",
    "lab.models.weights_from_torch": "takes a torch module, no array arguments",
    "lab.models.mha_params_from_torch": "takes a torch module, no array arguments",
    "lab.models.transformer_params_from_torch": "takes a torch module, no array arguments",
    "experiments.nb12_beyond_mlp.cnn_vs_mlp": "trains whole models; covered by TrainConfig/MLPConfig validation",
    "experiments.nb12_beyond_mlp.tabular_comparison": "trains whole models (trees and MLPs)",
    "experiments.nb09_regularization.mlp_capacity": "trains whole models",
    "experiments.nb09_regularization.early_stopping_experiment": "trains a whole model",
    "lab.runtime.one_thread": "context manager, no arguments",
    "lab.train.make_optimizer": "builds a torch optimizer from TrainConfig; covered by TrainConfig validation",
}

REGISTRY = _registry()
VALID_CALLS = {**REGISTRY, **_constructors()}


def _resolve(qualname: str):
    module_name, attr = qualname.rsplit(".", 1)
    return getattr(mod(module_name), attr)


# --------------------------------------------------------------------------- mutations

ARRAY_MUTATIONS = ("ndim", "scalar", "empty", "nan", "inf", "string", "complex")


def mutate(value, mutation: str, axis: int | None = None):
    arr = np.asarray(value)
    if mutation == "ndim":
        return arr[None]
    if mutation == "scalar":
        return np.float64(0.5)
    if mutation == "empty":
        return np.empty((0,) + arr.shape[1:], dtype=arr.dtype)
    if mutation in ("nan", "inf"):
        out = arr.astype(np.float64).copy()
        out.flat[0] = np.nan if mutation == "nan" else np.inf
        return out
    if mutation == "string":
        return "abc"
    if mutation == "complex":
        return arr + 1j
    if mutation == "mismatch":
        return np.delete(arr, -1, axis=axis)
    raise AssertionError(mutation)


def _call(fn, kwargs):
    out = fn(**kwargs)
    if isinstance(out, contextlib.AbstractContextManager) or hasattr(out, "__enter__"):
        with out:
            pass
    return out


def _params():
    out = []
    for qual, case in VALID_CALLS.items():
        for arg in case.arrays:
            for m in ARRAY_MUTATIONS:
                out.append((qual, arg, m, None))
        for arg, axis in case.mismatch.items():
            out.append((qual, arg, "mismatch", axis))
        for arg, bad in case.ranges.items():
            for i, value in enumerate(bad):
                out.append((qual, arg, f"range{i}:{_short(value)}", i))
    return [pytest.param(*p, id=f"{p[0]}-{p[1]}-{p[2]}") for p in out]


def _short(value) -> str:
    """A short label for a bad value in a test id (arrays by shape)."""
    if isinstance(value, np.ndarray):
        return f"array{value.shape}"
    text = repr(value)
    return text if len(text) <= 20 else text[:17] + "..."


def _skip_reason(case: Case, arg: str, mutation: str) -> str | None:
    return case.skip.get(f"{arg}:{mutation}") or (case.skip.get(mutation) if arg in case.arrays else None)


def _names(arg: str, msg: str) -> bool:
    """Whether ``msg`` names ``arg`` as a whole word (case-sensitive; ``betas[0]`` names betas)."""
    return re.search(rf"(?<![\w]){re.escape(arg)}(?![\w])", msg) is not None


def leaves(value, path: str = "result"):
    """Yield ``(path, leaf)`` for every array (torch tensors as numpy) and float inside ``value``.

    Tuples, lists, dicts and dataclasses are walked, so a path reads like the code that reaches
    the leaf: ``result[0]``, ``cache.state.running_var``, ``params['W1']``, ``caches[1][0][0]``.
    Arrays are yielded as ndarrays, floats as they are (a Python float has no dtype to keep).
    """
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        yield path, value.detach().cpu().numpy()
    elif isinstance(value, (np.ndarray, np.floating, float)):
        yield path, value
    elif isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            yield from leaves(v, f"{path}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, f"{path}[{k!r}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from leaves(getattr(value, f.name), f"{path}.{f.name}")


def nonfinite_leaves(value, path: str = "result") -> list[str]:
    """Paths of the float leaves of ``value`` that hold a NaN or an inf."""
    return [p for p, leaf in leaves(value, path)
            if np.issubdtype(np.asarray(leaf).dtype, np.floating) and not np.all(np.isfinite(leaf))]


# --------------------------------------------------------------------------- tests

@pytest.mark.parametrize("qual", sorted(VALID_CALLS))
def test_valid_call_succeeds(qual):
    _call(_resolve(qual), VALID_CALLS[qual].make())


@pytest.mark.parametrize(("qual", "arg", "mutation", "extra"), _params())
def test_bad_input_raises_clear_error(qual, arg, mutation, extra):
    case = VALID_CALLS[qual]
    reason = _skip_reason(case, arg, mutation)
    if reason:
        pytest.skip(reason)
    kwargs = case.make()
    if mutation.startswith("range"):
        kwargs[arg] = case.ranges[arg][extra]
        shown = repr(kwargs[arg])
    else:
        kwargs[arg] = mutate(kwargs[arg], mutation, extra)
        shown = mutation
    fn = _resolve(qual)
    try:
        out = _call(fn, kwargs)
    except (ValueError, TypeError) as err:
        msg = str(err)
        # a shape mismatch may be reported from either side: naming a partner array is fine
        names = (arg,) + (tuple(case.arrays) if mutation == "mismatch" else ())
        assert any(_names(n, msg) for n in names), (
            f"{qual}({arg}={shown}) raised {type(err).__name__} without naming {' or '.join(names)}: {msg}")
        return
    except Exception as err:  # noqa: BLE001 - anything else is a deep traceback
        pytest.fail(f"{qual}({arg}={shown}) raised {type(err).__name__} (want ValueError/TypeError "
                    f"naming {arg!r}): {err}")
    detail = "returned NaN/inf" if nonfinite_leaves(out) else "returned without an error"
    pytest.fail(f"{qual}({arg}={shown}) {detail}; want ValueError/TypeError naming {arg!r}")


def test_every_public_function_is_swept_or_exempt():
    missing, stale = [], []
    public = {q for m in compute_modules() for q in public_functions(m)}
    for q in sorted(public):
        if q not in VALID_CALLS and q not in EXEMPT:
            missing.append(q)
    for q in list(VALID_CALLS) + list(EXEMPT):
        module_name, attr = q.rsplit(".", 1)
        if module_name not in compute_modules() or not hasattr(mod(module_name), attr):
            stale.append(q)
    assert not missing, ("public functions neither in VALID_CALLS nor EXEMPT (add a valid call or an "
                         f"exemption with a reason): {missing}")
    assert all(EXEMPT.values()), "every exemption needs a reason"
    assert not stale, f"registry names that no longer exist: {stale}"


def test_registry_and_exempt_do_not_overlap():
    assert not set(REGISTRY) & set(EXEMPT)
