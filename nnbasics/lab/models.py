"""Small torch models shared by the notebooks: one configurable MLP builder.

Notebooks that study one ingredient (activation, init, normalization, dropout,
residual connections) build the same MLP with that ingredient switched, so the
comparison is fair and the code is written once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbasics._validate import as_float_array, check_choice, check_float, check_int
from nnbasics.core.mlp import HIDDEN_ACTIVATIONS, check_params

__all__ = ["MLPConfig", "ACTIVATIONS", "NORMS", "INITS", "build_mlp", "linear_layers", "count_parameters",
           "check_input", "mha_params_from_torch", "transformer_params_from_torch", "build_seeded"]

ACTIVATIONS = ("relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid", "identity")
NORMS = ("none", "batch", "layer")
INITS = ("default", "he", "xavier", "normal", "zeros", "orthogonal")


@dataclass(frozen=True)
class MLPConfig:
    """Settings for :func:`build_mlp`.

    Attributes
    ----------
    d_in : int
        Input features D.
    hidden : tuple of int
        Hidden widths, e.g. ``(64, 64)``; depth L = len(hidden) + 1 linear layers.
    d_out : int
        Outputs (C classes, or 1).
    activation : str
        One of :data:`ACTIVATIONS`, used after every hidden linear layer.
    norm : str
        ``"none"``, ``"batch"`` (BatchNorm1d) or ``"layer"`` (LayerNorm), before the activation.
    dropout : float
        Dropout probability after each hidden activation (0 disables).
    residual : bool
        Add skip connections x + f(x) around hidden blocks whose in and out widths match.
    init : str
        ``"default"`` (torch's), ``"he"``, ``"xavier"``, ``"normal"`` (std = ``init_scale``),
        ``"zeros"`` or ``"orthogonal"`` (every singular value equal to the activation's gain,
        :func:`nnbasics.core.init.gain`: sqrt 2 for the ReLU family, 5/3 for tanh, 1 otherwise).
    init_scale : float
        Multiplies the init's standard deviation (1.0 = the scheme as published).
    seed : int
        Seeds a local ``torch.Generator`` for the weights (no global seeding).
    """

    d_in: int
    hidden: tuple = (64,)
    d_out: int = 1
    activation: str = "relu"
    norm: str = "none"
    dropout: float = 0.0
    residual: bool = False
    init: str = "default"
    init_scale: float = 1.0
    seed: int = 0

    def __post_init__(self):
        check_int(self.d_in, "d_in", minimum=1)
        check_int(self.d_out, "d_out", minimum=1)
        if not isinstance(self.hidden, (tuple, list)):
            raise TypeError(f"hidden must be a tuple of widths, got {type(self.hidden).__name__}")
        for i, h in enumerate(self.hidden):
            check_int(h, f"hidden[{i}]", minimum=1)
        check_choice(self.activation, "activation", ACTIVATIONS)
        check_choice(self.norm, "norm", NORMS)
        check_choice(self.init, "init", INITS)
        check_float(self.dropout, "dropout", minimum=0.0, maximum=1.0, max_inclusive=False)
        check_float(self.init_scale, "init_scale", minimum=0.0)
        check_int(self.seed, "seed")


def _activation(name: str):
    import torch.nn as nn

    return {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "gelu": nn.GELU,
            "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "identity": nn.Identity}[name]()


def _make_block(cfg: MLPConfig, d_in: int, d_out: int):
    import torch.nn as nn

    layers = [nn.Linear(d_in, d_out)]
    if cfg.norm == "batch":
        layers.append(nn.BatchNorm1d(d_out))
    elif cfg.norm == "layer":
        layers.append(nn.LayerNorm(d_out))
    layers.append(_activation(cfg.activation))
    if cfg.dropout > 0:
        layers.append(nn.Dropout(cfg.dropout))
    return nn.Sequential(*layers)


def _residual_class():
    import torch.nn as nn

    class Residual(nn.Module):
        """x + block(x): the identity path carries the signal and the gradient past the block."""

        def __init__(self, block):
            super().__init__()
            self.block = block

        def forward(self, x):
            return x + self.block(x)

    return Residual


def _gain(activation: str) -> float:
    """The orthogonal init's gain for a hidden activation (ReLU-like ones share ReLU's sqrt 2)."""
    from nnbasics.core.init import gain

    if activation in ("relu", "elu", "gelu"):
        return gain("relu")
    if activation == "identity":
        return gain("linear")
    return gain(activation)


def _init_(model, cfg: MLPConfig, generator) -> None:
    import torch
    import torch.nn as nn

    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for m in linears:
            fan_out, fan_in = m.weight.shape
            if cfg.init == "default":
                bound = 1.0 / fan_in**0.5  # torch's nn.Linear default (kaiming_uniform with a=sqrt(5))
                m.weight.uniform_(-bound, bound, generator=generator)
                m.bias.uniform_(-bound, bound, generator=generator)
                m.weight.mul_(cfg.init_scale)
                continue
            if cfg.init == "zeros":
                m.weight.zero_()
            elif cfg.init == "normal":
                m.weight.normal_(0.0, cfg.init_scale, generator=generator)
            elif cfg.init == "orthogonal":
                torch.nn.init.orthogonal_(m.weight, gain=cfg.init_scale * _gain(cfg.activation),
                                          generator=generator)
            else:
                var = 2.0 / fan_in if cfg.init == "he" else 2.0 / (fan_in + fan_out)
                m.weight.normal_(0.0, cfg.init_scale * var**0.5, generator=generator)
            m.bias.zero_()


def build_mlp(cfg: MLPConfig, *, dtype=None):
    """Build the MLP described by ``cfg`` as a ``torch.nn.Sequential``.

    Shapes: input (N, D) -> hidden (N, H_i) ... -> output (N, d_out) logits (no output activation:
    losses take logits).

    Parameters
    ----------
    cfg : MLPConfig
    dtype : torch.dtype, optional
        e.g. ``torch.float64`` for gradient checks; default float32.

    Returns
    -------
    torch.nn.Sequential
        Hidden blocks followed by the output ``Linear``.
    """
    import torch
    import torch.nn as nn

    if not isinstance(cfg, MLPConfig):
        raise TypeError(f"cfg must be an MLPConfig, got {type(cfg).__name__}")
    widths = [cfg.d_in, *cfg.hidden]
    Residual = _residual_class()
    blocks = []
    for d_in, d_out in zip(widths[:-1], widths[1:]):
        block = _make_block(cfg, d_in, d_out)
        blocks.append(Residual(block) if cfg.residual and d_in == d_out else block)
    model = nn.Sequential(*blocks, nn.Linear(widths[-1], cfg.d_out))
    _init_(model, cfg, torch.Generator().manual_seed(cfg.seed))
    if dtype is not None:
        model = model.to(dtype)
    return model


def linear_layers(model) -> list:
    """The ``nn.Linear`` modules of a model, in order (for per-layer statistics)."""
    import torch.nn as nn

    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def check_input(model, X, name: str = "X") -> None:
    """Check that ``X`` (N, D) is finite, fits the model's dtype and has the D features the
    model's first layer expects.

    Raises ``ValueError`` naming ``name`` instead of torch's "mat1 and mat2 shapes cannot be
    multiplied" from deep inside the forward pass, or a silent inf when X is converted to a
    float32 model. Models whose first layer is not ``nn.Linear`` (e.g. convolutions) and
    inputs that are not 2-D are left to the model.
    """
    import torch
    import torch.nn as nn

    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    X = as_float_array(X, name)
    dtype = next((p.dtype for p in model.parameters() if p.is_floating_point()), torch.float32)
    biggest = torch.finfo(dtype).max
    if X.size and np.max(np.abs(X)) > biggest:
        raise ValueError(f"{name} has values up to {np.max(np.abs(X)):.1e}, beyond the largest {dtype} "
                         f"({biggest:.1e}) of the model's weights; scale the inputs")
    shape = X.shape
    for m in model.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Embedding, nn.RNNBase, nn.Unflatten)):
            return
        if isinstance(m, nn.Linear):
            if len(shape) == 2 and shape[1] != m.in_features:
                raise ValueError(f"{name} has shape {shape} but the model's first layer expects "
                                 f"D={m.in_features} features")
            return


def count_parameters(model) -> int:
    """Number of trainable scalars in a torch module."""
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad))


# --------------------------------------------------------------------------- the same net in torch
def torch_model_from_params(params: dict, activation: str = "relu", dtype=None):
    """A ``nnbasics.lab.models.build_mlp`` network holding exactly these numpy weights.

    torch's ``nn.Linear`` stores W transposed (out, in); this copies ``W{l}.T``.
    """
    import torch

    from nnbasics.lab.models import MLPConfig, build_mlp

    check_choice(activation, "activation", HIDDEN_ACTIVATIONS)
    if not isinstance(params, dict) or "W1" not in params:
        raise TypeError("params must be a dict with keys W1, b1, ..., as made by init_params")
    L = check_params(params, np.shape(params["W1"])[0])
    sizes = [params["W1"].shape[0]] + [params[f"W{i}"].shape[1] for i in range(1, L + 1)]
    model = build_mlp(MLPConfig(d_in=sizes[0], hidden=tuple(sizes[1:-1]), d_out=sizes[-1],
                                activation=activation), dtype=dtype or torch.float64)
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for i, lin in enumerate(linears, start=1):
            lin.weight.copy_(torch.as_tensor(params[f"W{i}"].T))
            lin.bias.copy_(torch.as_tensor(params[f"b{i}"]))
    return model


def weights_from_torch(module) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Copy a ``torch.nn.LSTMCell``/``RNNCell`` (or one-layer ``LSTM``/``RNN``) into (W, U, b).

    torch stores ``weight_ih`` (4H, D) and ``weight_hh`` (4H, H) row-blocked in gate order
    i, f, g, o and keeps two biases; here W = weight_ih^T (D, 4H), U = weight_hh^T (H, 4H),
    b = bias_ih + bias_hh (4H,).
    """
    suffix = "" if hasattr(module, "weight_ih") else "_l0"
    if not hasattr(module, "weight_ih" + suffix):
        raise TypeError(f"module must be a torch LSTMCell/RNNCell/LSTM/RNN, got {type(module).__name__}")
    W = getattr(module, "weight_ih" + suffix).detach().double().numpy().T.copy()
    U = getattr(module, "weight_hh" + suffix).detach().double().numpy().T.copy()
    b_ih = getattr(module, "bias_ih" + suffix, None)
    b_hh = getattr(module, "bias_hh" + suffix, None)
    b = np.zeros(U.shape[1])
    for bias in (b_ih, b_hh):
        if bias is not None:
            b = b + bias.detach().double().numpy()
    return W, U, b


def _np(t) -> np.ndarray:
    return t.detach().double().numpy().copy()


def mha_params_from_torch(mha) -> dict:
    """Copy a ``torch.nn.MultiheadAttention`` into the dict of :mod:`nnbasics.core.transformer`.

    torch keeps one ``in_proj_weight`` (3D, D) = [Wq; Wk; Wv] applied as x @ W^T, so
    Wq = in_proj_weight[:D]^T (D, D), and likewise for Wk, Wv; Wo = out_proj.weight^T.
    """
    import torch

    if not isinstance(mha, torch.nn.MultiheadAttention) or mha.in_proj_weight is None:
        raise TypeError(f"mha must be a torch.nn.MultiheadAttention with equal q/k/v sizes, got {type(mha).__name__}")
    D = mha.embed_dim
    W = _np(mha.in_proj_weight)  # (3D, D)
    b = _np(mha.in_proj_bias) if mha.in_proj_bias is not None else np.zeros(3 * D)
    bo = _np(mha.out_proj.bias) if mha.out_proj.bias is not None else np.zeros(D)
    return {"Wq": W[:D].T.copy(), "Wk": W[D:2 * D].T.copy(), "Wv": W[2 * D:].T.copy(),
            "Wo": _np(mha.out_proj.weight).T.copy(),
            "bq": b[:D], "bk": b[D:2 * D], "bv": b[2 * D:], "bo": bo}


def transformer_params_from_torch(layer) -> dict:
    """Copy a ``torch.nn.TransformerEncoderLayer`` into the dict of
    :func:`nnbasics.core.transformer.transformer_block_forward` (W1 = linear1.weight^T, ...)."""
    import torch

    if not isinstance(layer, torch.nn.TransformerEncoderLayer):
        raise TypeError(f"layer must be a torch.nn.TransformerEncoderLayer, got {type(layer).__name__}")
    p = mha_params_from_torch(layer.self_attn)
    p |= {"ln1_gamma": _np(layer.norm1.weight), "ln1_beta": _np(layer.norm1.bias),
          "ln2_gamma": _np(layer.norm2.weight), "ln2_beta": _np(layer.norm2.bias),
          "W1": _np(layer.linear1.weight).T.copy(), "b1": _np(layer.linear1.bias),
          "W2": _np(layer.linear2.weight).T.copy(), "b2": _np(layer.linear2.bias)}
    return p


def build_seeded(factory, *, seed: int):
    """``factory()`` with torch's default initialisation drawn from a forked RNG seeded with ``seed``.

    torch modules draw their initial weights from the global generator; forking it keeps the
    result reproducible without seeding (or disturbing) the caller's global state.
    """
    import torch

    if not callable(factory):
        raise TypeError(f"factory must be callable (e.g. lambda: torch.nn.LSTMCell(3, 4)), got {type(factory).__name__}")
    seed = check_int(seed, "seed", minimum=0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return factory()
