"""Per-layer diagnostics of a torch MLP: gradient flow, activation health, NaN hunting, clipping.

Backpropagation multiplies one local Jacobian per layer,

    dL/dh_0 = J_1^T J_2^T ... J_L^T dL/dh_L,   J_l = diag(f'(z_l)) W_l,

so ``||dL/dh_0|| <= prod_l (max|f'| * ||W_l||_2) * ||dL/dh_L||``: with sigmoid
(max f' = 0.25) and ``||W_l||_2 <= 1`` the gradient shrinks by at least 0.25^L (vanishing),
with large weights it can grow geometrically (exploding). The functions here *measure* this
on a real network, one forward and one backward pass at a time, with forward hooks
(nothing is plotted here; the notebooks and widgets plot what these return).

Shape vocabulary: N batch, D input features, H hidden, C outputs, L linear layers.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from nnbasics._validate import (
    as_float_array,
    as_labels,
    check_choice,
    check_float,
    check_int,
    check_same_rows,
    finite_output,
)
from nnbasics.core.gradflow import MAX_SLOPE, clip_grad_norm
from nnbasics.lab.runtime import one_thread

__all__ = [
    "layer_outputs", "dead_fraction", "dead_unit_fraction",'LOSSES', 'layer_grad_norms', 'unit_grad_norms', 'LayerStats', 'layer_stats', 'LayerHistograms', 'layer_histograms', 'NonFinite', 'first_nonfinite', 'update_ratios', 'sgd_steps', 'ChainBound', 'jacobian_chain']


LOSSES = ("cross_entropy", "mse")


def _activation_types() -> dict:
    import torch.nn as nn

    return {nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.ReLU: "relu", nn.LeakyReLU: "leaky_relu",
            nn.ELU: "elu", nn.GELU: "gelu", nn.Identity: "identity"}


def _check_model(model):
    import torch.nn as nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    params = list(model.parameters())
    if not params:
        raise ValueError("model has no parameters")
    from nnbasics.lab.models import linear_layers

    if not linear_layers(model):
        raise ValueError("model has no nn.Linear layers to diagnose")
    return params[0].dtype


def _inputs(model, X, y, loss):
    """Validate (X, y, loss) and return torch tensors in the model's dtype."""
    import torch

    from nnbasics.lab.models import check_input

    dtype = _check_model(model)
    check_choice(loss, "loss", LOSSES)
    X = as_float_array(X, "X", ndim=2)
    check_input(model, X, "X")
    Xt = torch.as_tensor(X).to(dtype)
    if loss == "cross_entropy":
        y = as_labels(y, "y", n_samples=X.shape[0])
        yt = torch.as_tensor(y)
    else:
        y = as_float_array(y, "y", ndim=(1, 2))
        check_same_rows(X, "X", y, "y")
        yt = torch.as_tensor(y).to(dtype)
    return Xt, yt


def _loss_value(out, yt, loss: str):
    import torch.nn.functional as F

    if loss == "cross_entropy":
        if int(yt.max()) >= out.shape[1]:
            raise ValueError(f"y must be < C={out.shape[1]} (the model's outputs), got maximum {int(yt.max())}")
        return F.cross_entropy(out, yt)
    target = yt.reshape(out.shape[0], -1)
    if target.shape != out.shape:
        raise ValueError(f"y has shape {tuple(yt.shape)} but the model outputs {tuple(out.shape)}")
    return F.mse_loss(out, target)


def layer_outputs(model, X, kind: str = "activation") -> list[np.ndarray]:
    """What every hidden layer outputs on ``X``, captured with forward hooks (the one capture helper).

    The model runs in eval mode without gradients; its mode is restored afterwards.

    Parameters
    ----------
    model : torch.nn.Module
    X : array_like, shape (N, D)
    kind : {"activation", "linear"}
        ``"activation"``: the output h_l of every activation module (ReLU, Tanh, ...);
        ``"linear"``: the pre-activation z_l of every hidden ``nn.Linear`` (the output layer
        excluded).

    Returns
    -------
    list of ndarray, each (N, H_l), first layer first
        In the model's dtype (float32 for ``build_mlp``'s default), whatever X's dtype.
    """
    import torch

    from nnbasics.lab.models import check_input, linear_layers

    dtype = _check_model(model)
    check_choice(kind, "kind", ("activation", "linear"))
    X = as_float_array(X, "X", ndim=2)
    check_input(model, X, "X")
    types = _activation_types()
    modules = (linear_layers(model)[:-1] if kind == "linear"
               else [m for m in model.modules() if type(m) in types])
    store = []
    was_training = model.training
    try:
        model.eval()
        with _forward_hooks(modules, lambda m, i, o: store.append(o.detach())), torch.no_grad(), one_thread():
            model(torch.as_tensor(X).to(dtype))
    finally:
        model.train(was_training)
    return [s.cpu().numpy() for s in store]


@contextmanager
def _forward_hooks(modules, hook):
    """Call ``hook(module, inputs, output)`` after each of ``modules`` runs, inside the block only.

    The one way this module watches a forward pass: the hooks are removed on the way out,
    even when the forward pass raises, so a model is never left instrumented.
    """
    handles = [m.register_forward_hook(hook) for m in modules]
    try:
        yield
    finally:
        for h in handles:
            h.remove()


def dead_fraction(h) -> float:
    """Fraction of units (columns of ``h`` (N, H)) that are <= 0 for every row: dead ReLU units.

    Applied to pre-activations z it counts units whose ReLU outputs 0 (and passes back a zero
    gradient) on all N inputs; applied to ReLU outputs, units that are exactly 0 everywhere.
    """
    return _dead(as_float_array(h, "h", ndim=2))


def _dead(h: np.ndarray) -> float:
    """Unchecked :func:`dead_fraction` (layer_stats reports overflowed layers, NaN included)."""
    return float(np.mean(np.all(h <= 0, axis=0)))


def dead_unit_fraction(model, X) -> list[float]:
    """Per hidden layer, the fraction of units whose pre-activation is <= 0 on *every* row of X.

    For ReLU such a unit outputs 0 and passes back a zero gradient for all data: it is dead,
    and only a change in the layers below can revive it. (Leaky ReLU/ELU units in that region
    still pass a gradient alpha or alpha e^z.)

    Parameters
    ----------
    model : torch.nn.Module
    X : array_like, shape (N, D)

    Returns
    -------
    list of float, one per hidden layer
    """
    return [dead_fraction(z) for z in layer_outputs(model, X, kind="linear")]


def _forward_backward(model, X, y, loss: str, *, input_grad: bool = False) -> dict:
    """One forward and backward pass; hooks record every activation module's output.

    Returns a dict of numpy arrays: ``loss``, ``weight_grads`` (list of (H_out, H_in)),
    ``weights``, ``acts`` (list of (N, H)), ``act_grads`` (list of (N, H)), ``act_names``,
    ``input_grad`` ((N, D) or None). Uses ``torch.autograd.grad``: no ``.grad`` is touched.
    """
    import torch

    from nnbasics.lab.models import linear_layers

    Xt, yt = _inputs(model, X, y, loss)
    if input_grad:
        Xt.requires_grad_(True)
    types = _activation_types()
    modules = [m for m in model.modules() if type(m) in types]
    names = [types[type(m)] for m in modules]
    acts = []
    with one_thread():
        with _forward_hooks(modules, lambda m, i, o: acts.append(o)):
            out = model(Xt)  # (N, C)
            value = _loss_value(out, yt, loss)
        linears = linear_layers(model)
        weights = [m.weight for m in linears]
        targets = weights + [a for a in acts if a.requires_grad] + ([Xt] if input_grad else [])
        grads = torch.autograd.grad(value, targets, allow_unused=True)
    n_w = len(weights)
    act_grads, k = [], n_w
    for a in acts:
        if a.requires_grad:
            g = grads[k]
            k += 1
        else:
            g = None
        act_grads.append(torch.zeros_like(a) if g is None else g)

    def np_(t):
        return t.detach().cpu().numpy()

    return {"loss": float(value.detach()), "weights": [np_(w) for w in weights],
            "weight_grads": [np_(g) if g is not None else np.zeros(tuple(w.shape)) for g, w in zip(grads[:n_w], weights)],
            "acts": [np_(a) for a in acts], "act_grads": [np_(g) for g in act_grads], "act_names": names,
            "input_grad": np_(grads[-1]) if input_grad else None}


def layer_grad_norms(model, X, y, loss: str = "cross_entropy") -> np.ndarray:
    """Frobenius norm of the loss gradient of every ``nn.Linear`` weight, first layer first.

    One forward and one backward pass on the batch; the model's parameters and their
    ``.grad`` are left untouched (BatchNorm running statistics do update in train mode).

    .. math:: g_l = \\lVert \\partial \\mathcal{L} / \\partial W_l \\rVert_F

    Parameters
    ----------
    model : torch.nn.Module
        e.g. from :func:`nnbasics.lab.models.build_mlp`; every ``nn.Linear`` counts as a layer.
    X : array_like, shape (N, D)
    y : array_like, shape (N,)
        Integer labels for ``loss="cross_entropy"``; targets (N,) or (N, C) for ``"mse"``.
    loss : {"cross_entropy", "mse"}

    Returns
    -------
    ndarray, shape (L,)
        Gradient norm per linear layer (float64). Vanishing gradients: the first entries
        are orders of magnitude below the last; exploding: the reverse. May hold inf/NaN
        when the network overflows (see :func:`first_nonfinite`).
    """
    fb = _forward_backward(model, X, y, loss)
    return np.array([np.linalg.norm(g.astype(np.float64)) for g in fb["weight_grads"]])


def unit_grad_norms(model, X, y, loss: str = "cross_entropy") -> list[np.ndarray]:
    """Per unit of every ``nn.Linear`` layer, the norm of the loss gradient of its incoming weights.

    Row j of a torch weight (H_out, H_in) holds unit j's incoming weights; its gradient is
    zero exactly when no example sends a gradient through that unit (a dead ReLU unit).

    .. math:: g_{l,j} = \\lVert \\partial \\mathcal{L} / \\partial W_l[j, :] \\rVert_2

    Parameters
    ----------
    model : torch.nn.Module
    X : array_like, shape (N, D)
    y : array_like, shape (N,)
    loss : {"cross_entropy", "mse"}

    Returns
    -------
    list of ndarray, each (H_l,), first layer first (float64)
    """
    fb = _forward_backward(model, X, y, loss)
    return [np.linalg.norm(g.astype(np.float64).reshape(g.shape[0], -1), axis=1) for g in fb["weight_grads"]]


@dataclass(frozen=True)
class LayerStats:
    """Per-layer statistics of one forward + backward pass (see :func:`layer_stats`).

    Attributes
    ----------
    loss : float
    grad_norms : ndarray, shape (L,)
        ``||dL/dW_l||_F`` for each linear layer, first layer first.
    weight_norms : ndarray, shape (L,)
        ``||W_l||_F``.
    activation : tuple of str
        The activation of each hidden layer (length L - 1 for an MLP).
    act_mean, act_std : ndarray, shape (L - 1,)
        Mean and standard deviation of each activation output over batch and units (NaN for
        a layer that overflowed to inf/NaN).
    act_grad_norms : ndarray, shape (L - 1,)
        ``||dL/dh_l||_F`` of each activation output h_l (N, H).
    saturated : ndarray, shape (L - 1,)
        Fraction of tanh/sigmoid outputs in the flat tails (``|tanh| > threshold``,
        ``|2 sigmoid - 1| > threshold``); NaN for other activations.
    dead : ndarray, shape (L - 1,)
        Fraction of ReLU units that output 0 for every example in the batch (they get no
        gradient at all); NaN for other activations.
    """

    loss: float
    grad_norms: np.ndarray
    weight_norms: np.ndarray
    activation: tuple
    act_mean: np.ndarray
    act_std: np.ndarray
    act_grad_norms: np.ndarray
    saturated: np.ndarray
    dead: np.ndarray

    def as_dict(self) -> dict:
        """The fields as a plain dict (arrays are not copied)."""
        return dict(self.__dict__)


def layer_stats(model, X, y, loss: str = "cross_entropy", *, saturation: float = 0.97) -> LayerStats:
    """Gradient norms, activation mean/std, saturation and dead-unit fractions per layer.

    Forward hooks on the activation modules record each hidden output h_l (N, H); one
    backward pass gives ``dL/dW_l`` and ``dL/dh_l``.

    .. math:: \\text{saturated}_l = \\operatorname{mean}\\big[\\,|\\tanh(z_l)| > s\\,\\big], \\quad
              \\text{dead}_l = \\operatorname{mean}_j\\big[\\,h_{l,nj} = 0 \\;\\forall n\\,\\big]

    Parameters
    ----------
    model : torch.nn.Module
    X : array_like, shape (N, D)
    y : array_like, shape (N,)
    loss : {"cross_entropy", "mse"}
    saturation : float in (0, 1)
        Threshold s on ``|tanh|`` (and on ``|2 sigmoid - 1|``), Karpathy's 0.97 by default.

    Returns
    -------
    LayerStats
        float64 statistics, NaN where one does not apply (see the attributes).
    """
    s = check_float(saturation, "saturation", minimum=0.0, maximum=1.0, min_inclusive=False,
                    max_inclusive=False)
    fb = _forward_backward(model, X, y, loss)
    rows = [_one_layer_stats(a, g, name, s)
            for a, g, name in zip(fb["acts"], fb["act_grads"], fb["act_names"])]
    mean, std, gnorm, sat, dead = (list(col) for col in zip(*rows)) if rows else ([], [], [], [], [])
    return LayerStats(
        loss=fb["loss"],
        grad_norms=np.array([np.linalg.norm(g.astype(np.float64)) for g in fb["weight_grads"]]),
        weight_norms=np.array([np.linalg.norm(w.astype(np.float64)) for w in fb["weights"]]),
        activation=tuple(fb["act_names"]), act_mean=np.array(mean), act_std=np.array(std),
        act_grad_norms=np.array(gnorm), saturated=np.array(sat, dtype=np.float64),
        dead=np.array(dead, dtype=np.float64))


def _one_layer_stats(a, g, name: str, s: float) -> tuple[float, float, float, float, float]:
    """One hidden layer's (mean, std, gradient norm, saturated fraction, dead fraction).

    ``a`` and ``g`` are the layer's activations and their gradient (N, H); saturation is NaN
    except for tanh/sigmoid, the dead fraction NaN except for ReLU; a layer holding inf/NaN
    (an overflowed network) gets NaN moments, computed without a warning.
    """
    a64 = a.astype(np.float64).reshape(a.shape[0], -1)  # (N, H)
    gnorm = np.linalg.norm(g.astype(np.float64))
    if not np.all(np.isfinite(a64)):  # an overflowed layer: no meaningful moments
        return np.nan, np.nan, gnorm, np.nan, np.nan
    if name == "tanh":
        sat = np.mean(np.abs(a64) > s)
    elif name == "sigmoid":
        sat = np.mean(np.abs(2 * a64 - 1) > s)
    else:
        sat = np.nan
    dead = _dead(a64) if name == "relu" else np.nan
    return a64.mean(), a64.std(), gnorm, sat, dead


@dataclass(frozen=True)
class LayerHistograms:
    """Histograms of each hidden layer's activations and of their gradients.

    Attributes
    ----------
    act_edges : ndarray, shape (B + 1,)
        Bin edges shared by all layers.
    act_counts : ndarray, shape (L - 1, B)
        Counts of the activation values h_l (N * H of them per layer).
    grad_edges : ndarray, shape (B + 1,)
    grad_counts : ndarray, shape (L - 1, B)
        Counts of the gradient values dL/dh_l.
    activation : tuple of str
    """

    act_edges: np.ndarray
    act_counts: np.ndarray
    grad_edges: np.ndarray
    grad_counts: np.ndarray
    activation: tuple


def layer_histograms(model, X, y, loss: str = "cross_entropy", *, bins: int = 40) -> LayerHistograms:
    """Karpathy-style histograms: activation values and activation gradients, per hidden layer.

    Healthy layers have similar histograms at every depth; a histogram that narrows with
    depth means the signal (or gradient) is vanishing, one piling up at +-1 means tanh
    saturation, one spiking at 0 means dead ReLUs.

    Parameters
    ----------
    model : torch.nn.Module
    X : array_like, shape (N, D)
    y : array_like, shape (N,)
    loss : {"cross_entropy", "mse"}
    bins : int
        Number of bins B (edges shared across layers so the layers are comparable).

    Returns
    -------
    LayerHistograms
        Edges and counts as float64 arrays.
    """
    bins = check_int(bins, "bins", minimum=2)
    fb = _forward_backward(model, X, y, loss)
    if not fb["acts"]:
        raise ValueError("model has no activation modules to histogram")

    def hist(arrays):
        flat = [a.astype(np.float64).ravel() for a in arrays]
        finite = np.concatenate([f[np.isfinite(f)] for f in flat])
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        if hi - lo < 1e-12:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, bins + 1)
        counts = np.stack([np.histogram(f[np.isfinite(f)], bins=edges)[0] for f in flat])  # (L-1, B)
        return edges, counts

    ae, ac = hist(fb["acts"])
    ge, gc = hist(fb["act_grads"])
    return LayerHistograms(ae, ac, ge, gc, tuple(fb["act_names"]))


@dataclass(frozen=True)
class NonFinite:
    """Where a NaN or inf first appeared (see :func:`first_nonfinite`).

    Attributes
    ----------
    stage : {"forward", "loss", "backward"}
    module : str
        Qualified module name (``model.named_modules()``) or parameter name in the backward stage.
    kind : str
        Module class name (forward) or ``"parameter"`` (backward) or ``"loss"``.
    linear_index : int
        0-based index among the ``nn.Linear`` layers, or -1 when not a linear layer.
    value : str
        ``"inf"`` or ``"nan"``.
    """

    stage: str
    module: str
    kind: str
    linear_index: int
    value: str

    @property
    def message(self) -> str:
        where = f" (linear layer {self.linear_index + 1})" if self.linear_index >= 0 else ""
        return f"first {self.value} in the {self.stage} pass at {self.kind} '{self.module}'{where}"


def _nonfinite_kind(t) -> str | None:
    import torch

    if torch.isnan(t).any():
        return "nan"
    if torch.isinf(t).any():
        return "inf"
    return None


def first_nonfinite(model, X, y, loss: str = "cross_entropy") -> NonFinite | None:
    """Find the first layer whose output (forward) or gradient (backward) is NaN or inf.

    Forward: hooks on every leaf module in execution order; the first non-finite output
    is reported. If the forward pass and the loss are finite, the backward pass is checked
    from the output layer towards the input (the order backprop visits the layers).

    Parameters
    ----------
    model : torch.nn.Module
    X : array_like, shape (N, D)
        Must itself be finite (a NaN in the data is reported as a ValueError).
    y : array_like, shape (N,)
    loss : {"cross_entropy", "mse"}

    Returns
    -------
    NonFinite or None
        ``None`` when every activation, the loss and every gradient are finite.
    """
    import torch

    from nnbasics.lab.models import linear_layers

    Xt, yt = _inputs(model, X, y, loss)
    lin_index = {id(m): i for i, m in enumerate(linear_layers(model))}
    leaves = [(name, m) for name, m in model.named_modules() if not list(m.children())]
    name_of = {id(m): name for name, m in leaves}
    found: list = []

    def hook(module, inp, out):
        if not found and torch.is_tensor(out):
            kind = _nonfinite_kind(out.detach())
            if kind:
                found.append(NonFinite("forward", name_of[id(module)], type(module).__name__,
                                       lin_index.get(id(module), -1), kind))

    with one_thread(), _forward_hooks([m for _, m in leaves], hook):
        out = model(Xt)
        value = _loss_value(out, yt, loss)
    if found:
        return found[0]
    kind = _nonfinite_kind(value.detach())
    if kind:
        return NonFinite("loss", "loss", "loss", -1, kind)
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    with one_thread():
        grads = torch.autograd.grad(value, [p for _, p in named], allow_unused=True)
    owner = {}
    for mname, m in model.named_modules():
        for _, p in m.named_parameters(recurse=False):
            owner[id(p)] = (mname, m)
    for (pname, p), g in reversed(list(zip(named, grads))):
        if g is not None:
            kind = _nonfinite_kind(g)
            if kind:
                mname, m = owner[id(p)]
                return NonFinite("backward", pname, "parameter", lin_index.get(id(m), -1), kind)
    return None


@finite_output("lr * gradient overflows: lr too large")
def update_ratios(model, X, y, lr: float, loss: str = "cross_entropy", *, optimizer: str = "sgd") -> np.ndarray:
    """Update-to-data ratio of every linear layer's weight for one optimizer step.

    The step is computed, not taken: ``model`` is not changed. Karpathy's rule of thumb:
    ``log10`` of the ratio near -3 is healthy; much lower learns too slowly, much higher
    (towards -1) changes the weights too violently.

    .. math:: r_l = \\operatorname{std}(\\Delta W_l) / \\operatorname{std}(W_l), \\qquad
              \\Delta W_l = -\\eta\\, g_l \\;\\text{(SGD)}, \\quad
              -\\eta\\, g_l / (|g_l| + 10^{-8}) \\;\\text{(Adam's first step)}

    Parameters
    ----------
    model : torch.nn.Module
    X : array_like, shape (N, D)
    y : array_like, shape (N,)
    lr : float
        Learning rate eta (> 0).
    loss : {"cross_entropy", "mse"}
    optimizer : {"sgd", "adam"}
        ``"adam"`` uses the first step of Adam (bias-corrected moments m = g, v = g^2),
        which has the same size lr for every weight whatever its gradient.

    Returns
    -------
    ndarray, shape (L,)
        r_l per linear layer, first layer first (float64).
    """
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    check_choice(optimizer, "optimizer", ("sgd", "adam"))
    fb = _forward_backward(model, X, y, loss)
    ratios = []
    for w, g in zip(fb["weights"], fb["weight_grads"]):
        w, g = w.astype(np.float64), g.astype(np.float64)  # (H_out, H_in)
        step = lr * g if optimizer == "sgd" else lr * g / (np.abs(g) + 1e-8)
        scale = w.std() if w.size > 1 else abs(float(w.ravel()[0]))
        size = step.std() if step.size > 1 else abs(float(step.ravel()[0]))
        ratios.append(size / scale if scale > 0 else np.inf)
    return np.array(ratios)


def sgd_steps(model, X, y, *, lr: float, steps: int, max_norm: float | None = None,
              loss: str = "cross_entropy") -> dict:
    """Full-batch plain SGD for a few steps, optionally with global norm clipping; trains ``model`` in place.

    A minimal loop for measuring what clipping changes (no optimizer object, no mini-batches):

    .. math:: g = \\nabla_\\theta L, \\quad
              g \\leftarrow g \\min(1, \\tau / \\lVert g \\rVert), \\quad \\theta \\leftarrow \\theta - \\eta\\, g

    Parameters
    ----------
    model : torch.nn.Module
    X : array_like, shape (N, D)
    y : array_like, shape (N,)
    lr : float
        Learning rate eta (> 0).
    steps : int
        Number of updates (>= 1). Stops early, with ``diverged=True``, at a NaN/inf loss.
    max_norm : float or None
        Clip the global gradient norm to this value with :func:`clip_grad_norm`; None: no clipping.
    loss : {"cross_entropy", "mse"}

    Returns
    -------
    dict
        ``losses`` list of float (one per step taken, before its update), ``grad_norms`` list of
        float (global norm before clipping), ``diverged`` bool.
    """
    import torch

    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    steps = check_int(steps, "steps", minimum=1)
    if max_norm is not None:
        max_norm = check_float(max_norm, "max_norm", minimum=0.0, min_inclusive=False)
    Xt, yt = _inputs(model, X, y, loss)
    params = [p for p in model.parameters() if p.requires_grad]
    losses, norms, diverged = [], [], False
    with one_thread():
        for _ in range(steps):
            value = _loss_value(model(Xt), yt, loss)
            if not torch.isfinite(value):
                diverged = True
                break
            grads = [g.detach().cpu().numpy() for g in torch.autograd.grad(value, params)]
            if not all(np.all(np.isfinite(g)) for g in grads):
                diverged = True
                break
            if max_norm is None:
                clipped, total = grads, float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in grads)))
            else:
                clipped, total = clip_grad_norm(grads, max_norm)
            losses.append(float(value.detach()))
            norms.append(total)
            with torch.no_grad():
                for p, g in zip(params, clipped):
                    p -= lr * torch.as_tensor(g, dtype=p.dtype)
    return {"losses": losses, "grad_norms": norms, "diverged": diverged}


@dataclass(frozen=True)
class ChainBound:
    """The product-of-Jacobians bound checked on a real network (see :func:`jacobian_chain`).

    Attributes
    ----------
    measured : float
        ``||dL/dX||_F / ||dL/dh_last||_F``: how much the gradient shrank (or grew) from the
        last hidden layer back to the input.
    bound : float
        ``prod_l max|f'| * ||W_l||_2`` over the hidden linear layers: ``measured <= bound``.
    slope_bound : float
        ``max|f'|^(L-1)``, the part due to the activation alone (0.25^10 for 10 sigmoid layers).
    spectral_norms : ndarray, shape (L - 1,)
        ``||W_l||_2`` (largest singular value) of each hidden linear layer.
    n_factors : int
        Number of Jacobians in the product (hidden layers).
    """

    measured: float
    bound: float
    slope_bound: float
    spectral_norms: np.ndarray
    n_factors: int


def jacobian_chain(model, X, y, loss: str = "cross_entropy") -> ChainBound:
    """Measure how much the gradient shrinks from the last hidden layer to the input.

    For a plain MLP h_l = f(W_l h_{l-1} + b_l) (no normalization, no residual), each layer's
    Jacobian ``diag(f'(z_l)) W_l`` has spectral norm at most ``max|f'| ||W_l||_2``, so

    .. math:: \\lVert \\partial\\mathcal L/\\partial X \\rVert \\le
              \\prod_{l=1}^{L-1} \\max|f'|\\,\\lVert W_l \\rVert_2 \\;
              \\lVert \\partial\\mathcal L/\\partial h_{L-1} \\rVert

    Parameters
    ----------
    model : torch.nn.Module
        From :func:`nnbasics.lab.models.build_mlp` with ``norm="none"``, ``residual=False``,
        ``dropout=0`` and one activation type.
    X : array_like, shape (N, D)
    y : array_like, shape (N,)
    loss : {"cross_entropy", "mse"}

    Returns
    -------
    ChainBound
        With float64 norms.
    """
    import torch.nn as nn

    from nnbasics.lab.models import linear_layers

    _check_model(model)
    types = _activation_types()
    allowed = (nn.Sequential, nn.Linear, *types)
    odd = sorted({type(m).__name__ for m in model.modules() if not isinstance(m, allowed)})
    if odd:
        raise ValueError(f"jacobian_chain needs a plain MLP (Linear + activation), got modules {odd}")
    fb = _forward_backward(model, X, y, loss, input_grad=True)
    names = set(fb["act_names"])
    if len(names) != 1 or not fb["acts"]:
        raise ValueError(f"jacobian_chain needs exactly one activation type, got {sorted(names)}")
    slope = MAX_SLOPE[names.pop()]
    hidden = linear_layers(model)[:-1]
    spec = np.array([np.linalg.norm(m.weight.detach().double().cpu().numpy(), 2) for m in hidden])
    last = np.linalg.norm(fb["act_grads"][-1].astype(np.float64))
    first = np.linalg.norm(fb["input_grad"].astype(np.float64))
    measured = first / last if last > 0 else np.nan
    return ChainBound(measured=float(measured), bound=float(np.prod(slope * spec)),
                      slope_bound=float(slope ** len(hidden)), spectral_norms=spec, n_factors=len(hidden))
