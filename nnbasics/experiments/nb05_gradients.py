"""Notebook 05's measured demos: why gradients vanish or explode, and what each remedy changes.

Every function builds its networks and its batch from ``seed``, so the notebook's claims can
be re-measured over seeds (tests/claims). Shapes: N batch, D input features, H hidden width,
C classes, L linear layers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbasics._validate import check_choice, check_float, check_int, finite_output
from nnbasics.core import activations
from nnbasics.lab import diagnostics as dg

__all__ = ["batch", "SigmoidShrink", "sigmoid_shrink", "exploding_growth", "remedy_profiles",
           "bn_growth_prediction", "BatchNormGrowth", "batchnorm_gradient_growth", "exploding_gradients",
           "clipping_directions", "clipping_run",
           "tanh_health", "update_ratio_study"]

_D, _C = 16, 4


def batch(seed: int = 0, n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """The notebook's fixed batch: X (n, 16) standard normal, y (n,) labels in 0..3."""
    n = check_int(n, "n", minimum=1)
    rng = np.random.default_rng(check_int(seed, "seed"))
    return rng.standard_normal((n, _D)), rng.integers(0, _C, n)


def _mlp(depth: int, width: int, seed: int, **kw):
    from nnbasics.lab.models import MLPConfig, build_mlp

    depth, width = check_int(depth, "depth", minimum=1), check_int(width, "width", minimum=1)
    return build_mlp(MLPConfig(d_in=_D, hidden=(width,) * depth, d_out=_C, seed=seed, **kw))


def _growth(values: np.ndarray) -> float:
    """Median factor between consecutive entries of a positive profile."""
    return float(np.exp(np.median(np.diff(np.log(values)))))


@dataclass(frozen=True)
class SigmoidShrink:
    """Why a sigmoid MLP with torch's default init loses its gradient (see :func:`sigmoid_shrink`).

    Attributes
    ----------
    measured : float
        ``||dL/dX|| / ||dL/dh_L||`` over the L hidden layers.
    bound : float
        ``prod_l 0.25 ||W_l||_2`` (the worst case: every factor at its maximum and aligned).
    spectral_norms : ndarray, shape (L,)
    rms_slope : ndarray, shape (L,)
        Root-mean-square of sigma'(z_l) over the batch and the units of each hidden layer.
    rms_gain : ndarray, shape (L,)
        ``sqrt(fan_in Var(W_l))``: how much W_l^T stretches a *typical* vector (1/sqrt(3) for
        torch's default init, whatever the width).
    predicted : float
        ``prod_l rms_slope_l * rms_gain_l``: the typical shrink.
    first_over_last : float
        ``||dL/dW_1|| / ||dL/dW_{L+1}||`` (weight gradients, output layer last).
    """

    measured: float
    bound: float
    spectral_norms: np.ndarray
    rms_slope: np.ndarray
    rms_gain: np.ndarray
    predicted: float
    first_over_last: float


@finite_output("the gradients underflow or overflow: depth too large")
def sigmoid_shrink(*, depth: int = 10, width: int = 32, seed: int = 0) -> SigmoidShrink:
    """Measure the gradient's shrink through a deep sigmoid MLP and explain its size.

    The spectral-norm bound assumes every layer stretches the gradient by its *largest*
    singular value; a random gradient is stretched by the root-mean-square gain
    ``sqrt(fan_in Var(w))`` instead, and multiplied by sigma'(z) ~ 0.24 per layer.

    Parameters
    ----------
    depth : int
        Hidden layers L.
    width : int
    seed : int
        Seeds the batch (:func:`batch`) and the weights (torch's default init).

    Returns
    -------
    SigmoidShrink
    """
    from nnbasics.lab.models import linear_layers

    X, y = batch(seed)
    model = _mlp(depth, width, seed, activation="sigmoid")
    chain = dg.jacobian_chain(model, X, y)
    s = dg.layer_outputs(model, X)  # sigma(z_l) of each hidden layer, (N, H)
    rms_slope = np.array([np.sqrt(np.mean((a * (1 - a)) ** 2)) for a in s])
    ws = [m.weight.detach().double().numpy() for m in linear_layers(model)[:-1]]  # (H_out, H_in)
    rms_gain = np.array([np.sqrt(w.shape[1] * w.var()) for w in ws])
    g = dg.layer_grad_norms(model, X, y)
    return SigmoidShrink(chain.measured, chain.bound, chain.spectral_norms, rms_slope, rms_gain,
                         float(np.prod(rms_slope * rms_gain)), float(g[0] / g[-1]))


@finite_output("the network overflows float32: scale too large for this depth")
def exploding_growth(*, depth: int = 20, width: int = 32, scale: float = 3.0, seed: int = 0) -> dict:
    """ReLU + He init with every weight multiplied by ``scale``: how fast do signal and gradient grow?

    Returns
    -------
    dict
        ``grad_norms`` (L,) weight-gradient norms, ``act_growth`` median factor of the activation
        std from one hidden layer to the next, ``grad_growth`` median factor of ``||dL/dh_l||``
        from one hidden layer to the one below it (backwards).
    """
    scale = check_float(scale, "scale", minimum=0.0, min_inclusive=False)
    X, y = batch(seed)
    st = dg.layer_stats(_mlp(depth, width, seed, activation="relu", init="he", init_scale=scale), X, y)
    return {"grad_norms": st.grad_norms, "act_growth": _growth(st.act_std),
            "grad_growth": _growth(st.act_grad_norms[::-1])}


#: The remedies compared in the notebook (20 hidden layers of width 32).
REMEDIES = {
    "sigmoid (baseline)": dict(activation="sigmoid"),
    "ReLU + He init": dict(activation="relu", init="he"),
    "tanh + Xavier init": dict(activation="tanh", init="xavier"),
    "sigmoid + BatchNorm": dict(activation="sigmoid", norm="batch"),
    "sigmoid + residual": dict(activation="sigmoid", residual=True),
}


@finite_output("a network overflows: depth too large")
def remedy_profiles(*, depth: int = 20, width: int = 32, seed: int = 0) -> dict:
    """Per-layer gradient flow of a deep MLP with each remedy of :data:`REMEDIES`.

    Returns
    -------
    dict
        name -> {"weight_grads": (depth + 1,) ``||dL/dW_l||``, "act_grads": (depth,)
        ``||dL/dh_l||`` of each hidden layer's output (for a residual block: the stream after
        the addition), "act_std": (depth,), "stream_rms": (depth,) root-mean-square of h_l (the
        residual stream itself for a residual network; the first block, whose widths differ, has
        no skip)}.
    """
    X, y = batch(seed)
    out = {}
    for name, kw in REMEDIES.items():
        model = _mlp(depth, width, seed, **kw)
        st = dg.layer_stats(model, X, y)
        acts = np.array(dg.layer_outputs(model, X), dtype=np.float64)  # (depth, N, H) branch outputs
        stream = np.cumsum(acts, axis=0) if kw.get("residual") else acts  # h_l = h_{l-1} + f(...)
        out[name] = {"weight_grads": st.grad_norms, "act_grads": st.act_grad_norms, "act_std": st.act_std,
                     "stream_rms": np.sqrt(np.mean(stream**2, axis=(1, 2)))}
    return out


def bn_growth_prediction(activation: str) -> float:
    """Per-layer growth of the backward gradient in a BatchNorm network at initialisation.

    BatchNorm divides each layer's pre-activation by its batch standard deviation, so the
    forward signal stays at unit scale; the backward pass through the next layer's weights and
    BatchNorm is then scaled by ``1 / std(f(z))`` while the activation passes back ``f'(z)``.
    For z ~ N(0, 1) the squared gradient norm is multiplied by about

    .. math:: \\lambda = \\frac{\\mathbb E[f'(z)^2]}{\\operatorname{Var} f(z)}
              \\qquad (\\text{ReLU: } \\tfrac{1/2}{1/2 - 1/(2\\pi)} = \\tfrac{\\pi}{\\pi - 1})

    per layer (Yang et al., 2019, "A mean field theory of batch normalization"): the returned
    factor for the norm is ``sqrt(lambda)`` (ReLU: 1.211; identity: exactly 1).

    Parameters
    ----------
    activation : {"relu", "tanh", "sigmoid", "gelu", "identity"}

    Returns
    -------
    float
    """
    check_choice(activation, "activation", ("relu", "tanh", "sigmoid", "gelu", "identity"))
    if activation == "identity":
        return 1.0
    edges = np.linspace(-12.0, 12.0, 240_001)  # the normal density is < 1e-31 beyond |z| = 12
    z = (edges[:-1] + edges[1:]) / 2  # midpoints: ReLU's kink at 0 falls on a cell boundary
    w = np.exp(-0.5 * z * z)
    w /= w.sum()  # quadrature weights for E[.] under N(0, 1)
    f, df = activations.apply(activation, z), activations.derivative(activation, z)
    var = w @ f**2 - (w @ f) ** 2
    return float(np.sqrt((w @ df**2) / var))


@dataclass(frozen=True)
class BatchNormGrowth:
    """A deep BatchNorm MLP at initialisation (see :func:`batchnorm_gradient_growth`).

    Attributes
    ----------
    act_grads : ndarray, shape (L,)
        ``||dL/dh_l||`` per hidden layer.
    act_std : ndarray, shape (L,)
        Standard deviation of each hidden layer's output (the forward signal).
    growth : float
        Median factor of ``||dL/dh_l||`` from one layer to the one below it.
    predicted : float
        :func:`bn_growth_prediction` for the activation.
    first_over_last : float
        ``||dL/dh_1|| / ||dL/dh_L||``.
    """

    act_grads: np.ndarray
    act_std: np.ndarray
    growth: float
    predicted: float
    first_over_last: float


@finite_output("the gradients overflow: depth too large")
def batchnorm_gradient_growth(activation: str = "relu", *, depth: int = 50, width: int = 32,
                              n: int = 256, residual: bool = False, seed: int = 0) -> BatchNormGrowth:
    """One forward + backward pass of a deep Linear-BatchNorm-activation MLP (train mode).

    Parameters
    ----------
    activation : {"relu", "tanh", "sigmoid", "gelu", "identity"}
        He init for ReLU/GELU, Xavier otherwise.
    depth : int
    width : int
    n : int
        Batch size (BatchNorm's statistics come from it).
    residual : bool
        Put each block on a residual branch, h + block(h).
    seed : int

    Returns
    -------
    BatchNormGrowth
    """
    check_choice(activation, "activation", ("relu", "tanh", "sigmoid", "gelu", "identity"))
    X, y = batch(seed, n=check_int(n, "n", minimum=2))
    init = "he" if activation in ("relu", "gelu") else "xavier"
    st = dg.layer_stats(_mlp(depth, width, seed, activation=activation, init=init, norm="batch",
                             residual=bool(residual)), X, y)
    a = st.act_grad_norms
    return BatchNormGrowth(a, st.act_std, _growth(a[::-1]), bn_growth_prediction(activation),
                           float(a[0] / a[-1]))


@finite_output("the network overflows float32: scale too large for this depth")
def exploding_gradients(*, seed: int = 0, scale: float = 3.0, depth: int = 20) -> list:
    """Every parameter's gradient (float64 numpy) of one backward pass of the exploding network
    of :func:`exploding_growth` (ReLU, He init times ``scale``), on :func:`batch`."""
    import torch

    scale = check_float(scale, "scale", minimum=0.0, min_inclusive=False)
    X, y = batch(seed)
    model = _mlp(depth, 32, seed, activation="relu", init="he", init_scale=scale)
    loss = torch.nn.functional.cross_entropy(model(torch.as_tensor(X, dtype=torch.float32)),
                                             torch.as_tensor(y))
    return [g.detach().double().numpy() for g in torch.autograd.grad(loss, list(model.parameters()))]


@finite_output("the network's gradients overflow: see exploding_gradients")
def clipping_directions(*, seed: int = 0, max_norm: float = 1.0, clip_value: float = 1.0) -> dict:
    """Clip the exploding network's gradients by global norm and by value: what happens to the direction?

    Returns
    -------
    dict
        ``total`` norm before clipping, ``cos_norm`` and ``cos_value``: cosine between the
        clipped and the original gradient (all parameters as one vector), ``norm_after`` of
        each, ``frac_value_clipped``: fraction of entries cut by value clipping.
    """
    from nnbasics.core import gradflow

    grads = exploding_gradients(seed=seed)
    flat = np.concatenate([g.ravel() for g in grads])
    by_norm, total = gradflow.clip_grad_norm(grads, max_norm)
    by_value = gradflow.clip_grad_value(grads, clip_value)
    out = {"total": total, "frac_value_clipped": float(np.mean(np.abs(flat) > clip_value))}
    for name, clipped in (("norm", by_norm), ("value", by_value)):
        v = np.concatenate([g.ravel() for g in clipped])
        out[f"cos_{name}"] = float(v @ flat / (np.linalg.norm(v) * np.linalg.norm(flat)))
        out[f"norm_after_{name}"] = float(np.linalg.norm(v))
    return out


def clipping_run(max_norm: float | None, *, seed: int = 0, steps: int = 60, lr: float = 0.1) -> dict:
    """Full-batch SGD on 3-class spirals with a 10-layer ReLU MLP whose weights are 1.5x He.

    Returns :func:`nnbasics.lab.diagnostics.sgd_steps`'s dict (``losses``, ``grad_norms``,
    ``diverged``).
    """
    from nnbasics import data
    from nnbasics.lab.models import MLPConfig, build_mlp

    if max_norm is not None:
        max_norm = check_float(max_norm, "max_norm", minimum=0.0, min_inclusive=False)
    X, y = data.spirals(300, rng=check_int(seed, "seed"), n_classes=3)
    model = build_mlp(MLPConfig(d_in=2, hidden=(32,) * 10, d_out=3, activation="relu", init="he",
                                init_scale=1.5, seed=seed))
    return dg.sgd_steps(model, X, y, lr=lr, steps=steps, max_norm=max_norm)


@finite_output("the pre-activations overflow float32: scale too large")
def tanh_health(*, scale: float = 1.0, depth: int = 6, width: int = 32, seed: int = 0) -> dict:
    """Activation std and saturation per layer of a tanh MLP with Xavier init times ``scale``.

    Returns
    -------
    dict
        ``act_std`` (depth,), ``saturated`` (depth,) fraction with |tanh| > 0.97.
    """
    scale = check_float(scale, "scale", minimum=0.0, min_inclusive=False)
    X, y = batch(seed)
    st = dg.layer_stats(_mlp(depth, width, seed, activation="tanh", init="xavier", init_scale=scale), X, y)
    return {"act_std": st.act_std, "saturated": st.saturated}


def update_ratio_study(*, seed: int = 0, lrs=(1e-3, 1e-2, 1.0), steps: int = 30) -> dict:
    """Karpathy's update-to-data ratio for a 6-layer ReLU MLP (He init), and what lr = 1 does.

    Returns
    -------
    dict
        ``ratios`` {lr: (L,) std(dW)/std(W) of one SGD step}, ``grad_rms`` (L,) root-mean-square
        gradient per weight ``||dL/dW_l|| / sqrt(size)``, ``weights_per_layer`` (L,),
        ``lr1_losses`` list (full-batch SGD at lr = 1 for ``steps`` steps) and ``lr1_diverged``.
    """
    from nnbasics.lab.models import linear_layers

    X, y = batch(seed)
    model = _mlp(6, 32, seed, activation="relu", init="he")
    ratios = {lr: dg.update_ratios(model, X, y, lr=lr) for lr in lrs}
    sizes = np.array([m.weight.numel() for m in linear_layers(model)])
    rms = dg.layer_grad_norms(model, X, y) / np.sqrt(sizes)
    run = dg.sgd_steps(model, X, y, lr=1.0, steps=check_int(steps, "steps", minimum=1))
    return {"ratios": ratios, "grad_rms": rms, "weights_per_layer": sizes,
            "lr1_losses": run["losses"], "lr1_diverged": run["diverged"]}
