"""Activation functions as pure elementwise numpy functions, each with its derivative.

For every activation ``f`` there is ``f(x)`` and ``f_derivative(x)`` = df/dx, both of
the same shape as ``x``; :data:`INFO` holds a table of their properties. Softmax is not
elementwise: it lives with the losses (``nnbasics.core.losses.softmax``).

Two torch experiments measure what the properties mean in training:
:func:`dying_relu_experiment` (dead units after a too-large learning rate) and
:func:`relu_vs_sigmoid` (gradient magnitude and sparsity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnbasics._validate import as_float_array, check_choice, check_float, finite_output
from nnbasics.core import kernels

__all__ = ['sigmoid', 'sigmoid_derivative', 'tanh', 'tanh_derivative', 'relu', 'relu_derivative', 'leaky_relu', 'leaky_relu_derivative', 'prelu', 'prelu_derivative', 'prelu_alpha_grad', 'elu', 'elu_derivative', 'gelu', 'gelu_derivative', 'gelu_tanh', 'gelu_tanh_derivative', 'ActivationInfo', 'NAMES', 'INFO', 'apply', 'derivative', 'properties_table']


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


_GELU_C = 0.044715


_erf = np.vectorize(math.erf, otypes=[np.float64])


def _x(x) -> np.ndarray:
    return as_float_array(x, "x", allow_empty=True)


def _alpha(alpha, name: str = "alpha") -> float:
    return check_float(alpha, name, minimum=0.0)


def sigmoid(x) -> np.ndarray:
    """Logistic sigmoid, numerically stable for large |x|.

    sigma(x) = 1 / (1 + e^{-x}); computed as e^{-|x|}-based branches so no exp overflows.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    ndarray, same shape as ``x``, values in (0, 1)
    """
    return kernels.sigmoid(_x(x))


def sigmoid_derivative(x) -> np.ndarray:
    """sigma'(x) = sigma(x) (1 - sigma(x)); at most 0.25 (at x = 0). Same shape as ``x``."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x) -> np.ndarray:
    """Hyperbolic tangent tanh(x) = 2 sigma(2x) - 1, values in (-1, 1); same shape as ``x``."""
    return np.tanh(_x(x))


def tanh_derivative(x) -> np.ndarray:
    """tanh'(x) = 1 - tanh(x)^2; at most 1 (at x = 0). Same shape as ``x``."""
    t = tanh(x)
    return 1.0 - t * t


def relu(x) -> np.ndarray:
    """ReLU(x) = max(0, x). Same shape as ``x``."""
    x = _x(x)
    return np.maximum(x, 0).astype(x.dtype, copy=False)


def relu_derivative(x) -> np.ndarray:
    """ReLU'(x) = 1 if x > 0 else 0 (0 at x = 0, like torch). Same shape as ``x``."""
    x = _x(x)
    return (x > 0).astype(x.dtype)


@finite_output("alpha * x overflows: alpha or x too large for the dtype of x; use smaller values")
def leaky_relu(x, alpha: float = 0.01) -> np.ndarray:
    """Leaky ReLU: x if x > 0 else alpha x (alpha >= 0 a fixed slope). Same shape as ``x``."""
    x, alpha = _x(x), _alpha(alpha)
    return np.where(x > 0, x, alpha * x).astype(x.dtype, copy=False)


@finite_output("alpha * x overflows: alpha or x too large for the dtype of x; use smaller values")
def leaky_relu_derivative(x, alpha: float = 0.01) -> np.ndarray:
    """1 if x > 0 else alpha (alpha at x = 0, like torch): never exactly 0 for alpha > 0."""
    x, alpha = _x(x), _alpha(alpha)
    return np.where(x > 0, 1.0, alpha).astype(x.dtype)


def _prelu_alpha(alpha, x: np.ndarray) -> np.ndarray:
    a = as_float_array(alpha, "alpha", ndim=(0, 1))
    if a.ndim == 1 and x.ndim >= 2 and a.shape[0] not in (1, x.shape[1]):
        raise ValueError(f"alpha has {a.shape[0]} slopes but x has C={x.shape[1]} channels "
                         "(axis 1); expected 1 or C")
    if a.ndim == 1 and x.ndim < 2 and a.shape[0] != 1:
        raise ValueError(f"a per-channel alpha (shape {a.shape}) needs x with a channel axis 1, "
                         f"got x of shape {x.shape}")
    if a.ndim == 1 and x.ndim >= 2:  # broadcast along axis 1, like torch's PReLU
        a = a.reshape((1, -1) + (1,) * (x.ndim - 2))
    elif a.ndim == 1:
        a = a.reshape(())
    return a


@finite_output("alpha * x overflows: alpha or x too large for the dtype of x; use smaller values")
def prelu(x, alpha) -> np.ndarray:
    """Parametric ReLU (He et al., 2015): x if x > 0 else alpha x, with alpha *learned*.

    Parameters
    ----------
    x : array_like, shape (N, C, ...) or any shape when alpha is a scalar
    alpha : float or array_like, shape (1,) or (C,)
        One slope shared by all channels, or one per channel (axis 1).

    Returns
    -------
    ndarray, same shape as ``x``
    """
    x = _x(x)
    a = _prelu_alpha(alpha, x)
    return np.where(x > 0, x, a * x).astype(x.dtype, copy=False)


@finite_output("alpha * x overflows: alpha or x too large for the dtype of x; use smaller values")
def prelu_derivative(x, alpha) -> np.ndarray:
    """df/dx of :func:`prelu`: 1 if x > 0 else alpha. Same shape as ``x``."""
    x = _x(x)
    a = _prelu_alpha(alpha, x)
    return np.broadcast_to(np.where(x > 0, 1.0, a), x.shape).astype(x.dtype)


@finite_output("the sum of x * dout overflows: x or dout too large; scale them")
def prelu_alpha_grad(x, alpha, dout=None) -> np.ndarray:
    """Gradient of sum(dout * prelu(x, alpha)) with respect to alpha.

    df/dalpha = 0 if x > 0 else x, summed over every axis that alpha is broadcast along.

    Parameters
    ----------
    x : array_like, shape (N, C, ...)
    alpha : float or array_like, shape (1,) or (C,)
    dout : array_like, same shape as ``x``, optional (default ones)

    Returns
    -------
    ndarray, the shape of ``alpha`` (a 0-d array for a scalar alpha)
    """
    x = _x(x)
    a_in = as_float_array(alpha, "alpha", ndim=(0, 1))
    _prelu_alpha(alpha, x)
    dout = np.ones_like(x) if dout is None else as_float_array(dout, "dout")
    if dout.shape != x.shape:
        raise ValueError(f"dout has shape {dout.shape} but x has shape {x.shape}")
    g = np.where(x > 0, 0.0, x) * dout
    if a_in.ndim == 1 and a_in.shape[0] > 1:
        axes = tuple(i for i in range(x.ndim) if i != 1)
        return g.sum(axis=axes)  # (C,)
    return np.asarray(g.sum()).reshape(a_in.shape)


@finite_output("alpha * x overflows: alpha or x too large for the dtype of x; use smaller values")
def elu(x, alpha: float = 1.0) -> np.ndarray:
    """ELU (Clevert et al., 2015): x if x > 0 else alpha (e^x - 1); smooth, mean closer to 0."""
    x, alpha = _x(x), _alpha(alpha)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)


@finite_output("alpha * x overflows: alpha or x too large for the dtype of x; use smaller values")
def elu_derivative(x, alpha: float = 1.0) -> np.ndarray:
    """1 if x > 0 else alpha e^x (alpha at x = 0, like torch). Same shape as ``x``."""
    x, alpha = _x(x), _alpha(alpha)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype)


def _phi(x):  # standard normal density
    return np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _Phi(x):  # standard normal CDF, exact via erf
    return 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))


@finite_output("x overflows in the formula; scale the inputs")
def gelu(x) -> np.ndarray:
    """Exact GELU (Hendrycks & Gimpel, 2016): x Phi(x), Phi the standard normal CDF.

    GELU(x) = 0.5 x (1 + erf(x / sqrt 2)); same shape as ``x``.
    """
    x = _x(x)
    return (x * _Phi(x)).astype(x.dtype, copy=False)


@finite_output("x overflows in the formula; scale the inputs")
def gelu_derivative(x) -> np.ndarray:
    """GELU'(x) = Phi(x) + x phi(x), phi the standard normal density. Same shape as ``x``."""
    x = _x(x)
    return (_Phi(x) + x * _phi(x)).astype(x.dtype, copy=False)


@finite_output("x overflows in the formula; scale the inputs")
def gelu_tanh(x) -> np.ndarray:
    """The tanh approximation of GELU (used by BERT/GPT-2).

    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); same shape as ``x``.
    """
    x = _x(x)
    t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x**3))
    return 0.5 * x * (1.0 + t)


def gelu_tanh_derivative(x) -> np.ndarray:
    """d/dx of :func:`gelu_tanh`: 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3c x^2)."""
    x = np.clip(_x(x), -30.0, 30.0)  # beyond |x| = 30, t = ±1 exactly: the derivative is exactly 0 or 1
    t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x**3))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _SQRT_2_OVER_PI * (1.0 + 3 * _GELU_C * x * x)


@dataclass(frozen=True)
class ActivationInfo:
    """One row of the activation zoo.

    Attributes
    ----------
    name : str
    formula : str
        LaTeX for f(x).
    derivative_formula : str
        LaTeX for f'(x).
    output_range : str
    zero_centred : bool
        Whether outputs for zero-mean inputs have (roughly) zero mean.
    cost : str
        Relative cost per element: "cheap" (compare/multiply), "exp" or "erf/tanh".
    saturates : str
        Where f' goes to 0 ("both sides", "left", "never").
    typical_use : str
    """

    name: str
    formula: str
    derivative_formula: str
    output_range: str
    zero_centred: bool
    cost: str
    saturates: str
    typical_use: str


NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "gelu", "gelu_tanh")


INFO = {
    "sigmoid": ActivationInfo("sigmoid", r"\sigma(x)=\frac{1}{1+e^{-x}}",
                              r"\sigma(x)(1-\sigma(x)) \le \tfrac14", "(0, 1)", False, "exp",
                              "both sides", "binary output (probability), gates in LSTM/GRU"),
    "tanh": ActivationInfo("tanh", r"\tanh x = 2\sigma(2x)-1", r"1-\tanh^2 x \le 1", "(-1, 1)",
                           True, "exp", "both sides", "RNN hidden state, bounded outputs in [-1, 1]"),
    "relu": ActivationInfo("relu", r"\max(0, x)", r"\mathbb{1}[x>0]", "[0, inf)", False, "cheap",
                           "left (exactly 0)", "default hidden layer of MLPs and CNNs"),
    "leaky_relu": ActivationInfo("leaky_relu", r"x \text{ if } x>0 \text{ else } \alpha x",
                                 r"1 \text{ or } \alpha", "(-inf, inf)", False, "cheap", "never",
                                 "hidden layers when ReLU units die (GANs)"),
    "prelu": ActivationInfo("prelu", r"x \text{ if } x>0 \text{ else } a x,\ a \text{ learned}",
                            r"1 \text{ or } a", "(-inf, inf)", False, "cheap", "never",
                            "hidden layers of deep CNNs (He et al., 2015)"),
    "elu": ActivationInfo("elu", r"x \text{ if } x>0 \text{ else } \alpha(e^x-1)",
                          r"1 \text{ or } \alpha e^x", "(-alpha, inf)", True, "exp",
                          "left (slowly)", "hidden layers; smoother, mean closer to 0"),
    "gelu": ActivationInfo("gelu", r"x\,\Phi(x)", r"\Phi(x)+x\,\varphi(x)", "[-0.17, inf)", False,
                           "erf/tanh", "left (slowly)", "transformer feed-forward hidden layers"),
    "gelu_tanh": ActivationInfo("gelu_tanh",
                                r"\tfrac12 x(1+\tanh(\sqrt{2/\pi}(x+0.044715x^3)))",
                                r"\text{see source}", "[-0.17, inf)", False, "erf/tanh",
                                "left (slowly)", "GELU in BERT/GPT-2 (faster approximation)"),
}


_FUNCS = {
    "sigmoid": (sigmoid, sigmoid_derivative), "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative), "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "prelu": (lambda x, alpha=0.25: prelu(x, alpha), lambda x, alpha=0.25: prelu_derivative(x, alpha)),
    "elu": (elu, elu_derivative), "gelu": (gelu, gelu_derivative),
    "gelu_tanh": (gelu_tanh, gelu_tanh_derivative),
}


def apply(name: str, x, **params) -> np.ndarray:
    """f(x) for the activation called ``name`` (one of :data:`NAMES`); params e.g. ``alpha``."""
    check_choice(name, "name", NAMES)
    return _FUNCS[name][0](x, **params)


def derivative(name: str, x, **params) -> np.ndarray:
    """f'(x) for the activation called ``name`` (one of :data:`NAMES`)."""
    check_choice(name, "name", NAMES)
    return _FUNCS[name][1](x, **params)


def properties_table() -> list[dict]:
    """The zoo as rows of plain values (for a pandas DataFrame or a Markdown table).

    Softmax is included for completeness: it is not elementwise (it normalises a whole
    row of logits) and is implemented as ``nnbasics.core.losses.softmax``.
    """
    rows = [{k: getattr(info, k) for k in ("name", "output_range", "zero_centred", "cost",
                                           "saturates", "typical_use")} for info in INFO.values()]
    rows.append({"name": "softmax", "output_range": "(0, 1), rows sum to 1", "zero_centred": False,
                 "cost": "exp + row sum", "saturates": "when one logit dominates",
                 "typical_use": "multi-class output (nnbasics.core.losses.softmax)"})
    return rows
