"""Activation functions as pure elementwise numpy functions, each with its derivative.

For every activation ``f`` there is ``f(x)`` and ``f_derivative(x)`` = df/dx, both of
the same shape as ``x``; :data:`INFO` holds a table of their properties. Softmax is not
elementwise: it lives with the losses (``nnbasics.losses.softmax``).

Two torch experiments measure what the properties mean in training:
:func:`dying_relu_experiment` (dead units after a too-large learning rate) and
:func:`relu_vs_sigmoid` (gradient magnitude and sparsity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnbasics._validate import as_float_array, check_choice, check_float, check_int, check_rng
from nnbasics.runtime import one_thread

__all__ = [
    "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
    "leaky_relu", "leaky_relu_derivative", "prelu", "prelu_derivative", "prelu_alpha_grad",
    "elu", "elu_derivative", "gelu", "gelu_derivative", "gelu_tanh", "gelu_tanh_derivative",
    "NAMES", "ActivationInfo", "INFO", "apply", "derivative", "properties_table",
    "gaussian_response", "dead_unit_fraction", "DyingReluResult", "dying_relu_experiment",
    "relu_vs_sigmoid",
]

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715
_erf = np.vectorize(math.erf, otypes=[np.float64])


def _x(x) -> np.ndarray:
    return as_float_array(x, "x", allow_empty=True)


def _alpha(alpha, name: str = "alpha") -> float:
    return check_float(alpha, name, minimum=0.0)


# --------------------------------------------------------------------------- sigmoid, tanh

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
    x = _x(x)
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


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


# --------------------------------------------------------------------------- ReLU family

def relu(x) -> np.ndarray:
    """ReLU(x) = max(0, x). Same shape as ``x``."""
    x = _x(x)
    return np.maximum(x, 0).astype(x.dtype, copy=False)


def relu_derivative(x) -> np.ndarray:
    """ReLU'(x) = 1 if x > 0 else 0 (0 at x = 0, like torch). Same shape as ``x``."""
    x = _x(x)
    return (x > 0).astype(x.dtype)


def leaky_relu(x, alpha: float = 0.01) -> np.ndarray:
    """Leaky ReLU: x if x > 0 else alpha x (alpha >= 0 a fixed slope). Same shape as ``x``."""
    x, alpha = _x(x), _alpha(alpha)
    return np.where(x > 0, x, alpha * x).astype(x.dtype, copy=False)


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


def prelu_derivative(x, alpha) -> np.ndarray:
    """df/dx of :func:`prelu`: 1 if x > 0 else alpha. Same shape as ``x``."""
    x = _x(x)
    a = _prelu_alpha(alpha, x)
    return np.broadcast_to(np.where(x > 0, 1.0, a), x.shape).astype(x.dtype)


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


def elu(x, alpha: float = 1.0) -> np.ndarray:
    """ELU (Clevert et al., 2015): x if x > 0 else alpha (e^x - 1); smooth, mean closer to 0."""
    x, alpha = _x(x), _alpha(alpha)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)


def elu_derivative(x, alpha: float = 1.0) -> np.ndarray:
    """1 if x > 0 else alpha e^x (alpha at x = 0, like torch). Same shape as ``x``."""
    x, alpha = _x(x), _alpha(alpha)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype)


# --------------------------------------------------------------------------- GELU

def _phi(x):  # standard normal density
    return np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _Phi(x):  # standard normal CDF, exact via erf
    return 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))


def gelu(x) -> np.ndarray:
    """Exact GELU (Hendrycks & Gimpel, 2016): x Phi(x), Phi the standard normal CDF.

    GELU(x) = 0.5 x (1 + erf(x / sqrt 2)); same shape as ``x``.
    """
    x = _x(x)
    return (x * _Phi(x)).astype(x.dtype, copy=False)


def gelu_derivative(x) -> np.ndarray:
    """GELU'(x) = Phi(x) + x phi(x), phi the standard normal density. Same shape as ``x``."""
    x = _x(x)
    return (_Phi(x) + x * _phi(x)).astype(x.dtype, copy=False)


def gelu_tanh(x) -> np.ndarray:
    """The tanh approximation of GELU (used by BERT/GPT-2).

    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); same shape as ``x``.
    """
    x = _x(x)
    t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x**3))
    return 0.5 * x * (1.0 + t)


def gelu_tanh_derivative(x) -> np.ndarray:
    """d/dx of :func:`gelu_tanh`: 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3c x^2)."""
    x = _x(x)
    t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x**3))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _SQRT_2_OVER_PI * (1.0 + 3 * _GELU_C * x * x)


# --------------------------------------------------------------------------- the table


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
    row of logits) and is implemented as ``nnbasics.losses.softmax``.
    """
    rows = [{k: getattr(info, k) for k in ("name", "output_range", "zero_centred", "cost",
                                           "saturates", "typical_use")} for info in INFO.values()]
    rows.append({"name": "softmax", "output_range": "(0, 1), rows sum to 1", "zero_centred": False,
                 "cost": "exp + row sum", "saturates": "when one logit dominates",
                 "typical_use": "multi-class output (nnbasics.losses.softmax)"})
    return rows


def gaussian_response(name: str, scale: float, *, n: int = 20000, rng=0, **params) -> dict:
    """Push Gaussian inputs x ~ N(0, scale^2) through an activation and summarise the outputs.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    scale : float > 0
        Standard deviation of the inputs.
    n : int
        Number of samples.
    rng : numpy Generator or int

    Returns
    -------
    dict
        ``x`` (n,), ``y`` (n,) outputs, ``mean``, ``std`` of y, ``mean_abs_grad`` = E|f'(x)|,
        ``frac_zero_grad`` (fraction with |f'| < 1e-3: saturated or dead).
    """
    check_choice(name, "name", NAMES)
    scale = check_float(scale, "scale", minimum=0.0, min_inclusive=False)
    n = check_int(n, "n", minimum=2)
    x = scale * check_rng(rng).standard_normal(n)
    y = apply(name, x, **params)
    g = derivative(name, x, **params)
    return {"x": x, "y": y, "mean": float(y.mean()), "std": float(y.std()),
            "mean_abs_grad": float(np.abs(g).mean()),
            "frac_zero_grad": float(np.mean(np.abs(g) < 1e-3))}


# --------------------------------------------------------------------------- experiments (torch)


def _hidden_preactivations(model, X):
    """Pre-activations (outputs of each hidden nn.Linear) of a build_mlp model on X (N, D)."""
    import torch

    from nnbasics.models import linear_layers

    layers = linear_layers(model)[:-1]  # the last Linear is the output layer
    store = []
    hooks = [m.register_forward_hook(lambda m, i, o: store.append(o.detach())) for m in layers]
    try:
        dtype = next(model.parameters()).dtype
        with torch.no_grad():
            model.eval()
            model(torch.as_tensor(X, dtype=dtype))
    finally:
        for h in hooks:
            h.remove()
    return [s.numpy() for s in store]


def dead_unit_fraction(model, X) -> list[float]:
    """Per hidden layer, the fraction of units whose pre-activation is <= 0 on *every* input.

    For ReLU such a unit outputs 0 and passes back a zero gradient for all data: it is dead
    and no gradient step can revive it. (Leaky ReLU/ELU units in that region still pass a
    gradient alpha or alpha e^x.)

    Parameters
    ----------
    model : torch.nn.Module
        An MLP from :func:`nnbasics.models.build_mlp`.
    X : array_like, shape (N, D)

    Returns
    -------
    list of float, one per hidden layer
    """
    X = as_float_array(X, "X", ndim=2)
    from nnbasics.models import check_input

    check_input(model, X, "X")
    return [float(np.mean(np.all(z <= 0, axis=0))) for z in _hidden_preactivations(model, X)]


@dataclass(frozen=True)
class DyingReluResult:
    """What :func:`dying_relu_experiment` measured for one activation.

    Attributes
    ----------
    activation : str
    lr : float
    dead_before, dead_after : list of float
        Per hidden layer, the fraction of units with pre-activation <= 0 on all inputs.
    dead_grad_after : float
        Fraction of all hidden units whose gradient f'(z) is exactly 0 on every input after
        training (truly dead: they will never learn again).
    train_loss : list of float
    final_accuracy : float
    """

    activation: str
    lr: float
    dead_before: list
    dead_after: list
    dead_grad_after: float
    train_loss: list
    final_accuracy: float


def dying_relu_experiment(activation: str = "relu", *, lr: float = 0.5, epochs: int = 10,
                          hidden=(32, 32, 32), n: int = 200, batch_size: int = 50,
                          optimizer: str = "adam", seed: int = 0) -> DyingReluResult:
    """Train a small MLP on two moons and count the units that died.

    Parameters
    ----------
    activation : {"relu", "leaky_relu", "elu"}
    lr : float > 0
        Learning rate; a too-large one knocks ReLU units into the all-negative region.
    epochs : int
    hidden : tuple of int
    n : int
        Number of two-moons points.
    batch_size : int
    optimizer : {"adam", "sgd", "adamw"}
    seed : int
        Seeds the data, the weights and the batch order.

    Returns
    -------
    DyingReluResult
    """
    from nnbasics import data

    check_choice(activation, "activation", ("relu", "leaky_relu", "elu"))
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    n = check_int(n, "n", minimum=4)
    X, y = data.moons(n, rng=seed, noise=0.15)
    (X,) = data.standardize(X)
    with one_thread():
        return _dying_relu(X, y, activation, lr, epochs, tuple(hidden), batch_size, optimizer, seed)


def _dying_relu(X, y, activation, lr, epochs, hidden, batch_size, optimizer, seed):
    from nnbasics.models import MLPConfig, build_mlp
    from nnbasics.train import TrainConfig, evaluate, fit

    model = build_mlp(MLPConfig(d_in=2, hidden=hidden, d_out=2, activation=activation,
                                init="he", seed=seed))
    before = dead_unit_fraction(model, X)
    hist = fit(model, X, y, cfg=TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr,
                                            optimizer=optimizer, seed=seed))
    if hist.diverged:  # NaN weights: nothing left to count
        nan = [float("nan")] * len(before)
        return DyingReluResult(activation, lr, before, nan, float("nan"), hist.train_loss,
                               float("nan"))
    after = dead_unit_fraction(model, X)
    zs = _hidden_preactivations(model, X)
    grads = [np.asarray(derivative(activation, z)) for z in zs]
    dead_grad = float(np.mean(np.concatenate([np.all(g == 0, axis=0) for g in grads])))
    _, acc = evaluate(model, X, y)
    return DyingReluResult(activation, lr, before, after, dead_grad, hist.train_loss, float(acc))


def relu_vs_sigmoid(*, depth: int = 6, width: int = 32, epochs: int = 15, lr: float = 0.05,
                    n: int = 200, seed: int = 0, activations=("sigmoid", "relu")) -> dict:
    """Same MLP, same data, same SGD budget: how fast does each activation learn, and why?

    For each activation, measured at initialisation: the gradient norm of every linear
    layer's weights on the full batch and the sparsity (fraction of exactly-zero hidden
    activations); then the training loss per epoch.

    Parameters
    ----------
    depth : int
        Number of hidden layers.
    width : int
        Hidden width H.
    epochs : int
    lr : float
        SGD (momentum 0.9) learning rate.
    n : int
        Number of spiral points.
    seed : int
    activations : tuple of str
        Names from :data:`nnbasics.models.ACTIVATIONS`.

    Returns
    -------
    dict
        name -> {"grad_norms": (depth + 1,) array, first layer first, "sparsity": float,
        "train_loss": list, "accuracy": float}
    """
    from nnbasics import data

    depth = check_int(depth, "depth", minimum=1)
    width = check_int(width, "width", minimum=1)
    n = check_int(n, "n", minimum=4)
    X, y = data.spirals(n, rng=seed, noise=0.1)
    out = {}
    with one_thread():
        for act in activations:
            out[act] = _train_and_probe(X, y, act, depth, width, epochs, lr, seed)
    return out


def _train_and_probe(X, y, act, depth, width, epochs, lr, seed) -> dict:
    import torch
    import torch.nn.functional as F

    from nnbasics.models import MLPConfig, build_mlp, linear_layers
    from nnbasics.train import TrainConfig, evaluate, fit

    model = build_mlp(MLPConfig(d_in=2, hidden=(width,) * depth, d_out=2, activation=act,
                                init="xavier", seed=seed))
    Xt, yt = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y)
    loss = F.cross_entropy(model(Xt), yt)
    loss.backward()
    norms = np.array([float(m.weight.grad.norm()) for m in linear_layers(model)])
    model.zero_grad()
    acts = _post_activations(model, X)
    sparsity = float(np.mean(np.concatenate([(a == 0).ravel() for a in acts])))
    hist = fit(model, X, y, cfg=TrainConfig(epochs=epochs, batch_size=50, lr=lr,
                                            optimizer="sgd", momentum=0.9, seed=seed))
    return {"grad_norms": norms, "sparsity": sparsity, "train_loss": hist.train_loss,
            "accuracy": float(evaluate(model, X, y)[1])}


def _post_activations(model, X):
    """Hidden activations (outputs of each hidden block) of a build_mlp model on X (N, D)."""
    import torch

    store = []
    blocks = list(model)[:-1]
    hooks = [b.register_forward_hook(lambda m, i, o: store.append(o.detach())) for b in blocks]
    try:
        with torch.no_grad():
            model(torch.as_tensor(X, dtype=next(model.parameters()).dtype))
    finally:
        for h in hooks:
            h.remove()
    return [s.numpy() for s in store]
