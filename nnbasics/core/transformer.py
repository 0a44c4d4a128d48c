"""Multi-head attention and a complete (pre-LN) Transformer block, from pieces you already know.

Multi-head attention projects the tokens to queries, keys and values, splits the D features
into h heads of D/h features, runs scaled dot-product attention in every head independently,
concatenates the heads and projects back:

    head_j = Attention(x_q Wq[:, j], x_kv Wk[:, j], x_kv Wv[:, j])    (D/h columns each)
    MHA(x_q, x_kv) = concat_j(head_j) Wo + bo

A pre-LN Transformer block (GPT-2 and torch's ``norm_first=True``) wraps it in LayerNorm and a
residual connection, then does the same with a position-wise feed-forward sublayer:

    h = x + MHA(LN1(x), LN1(x))
    y = h + FFN(LN2(h)),   FFN(z) = act(z W1 + b1) W2 + b2

Weights use the course's column convention (x @ W); torch stores the transposes.
Forward only: the notebook checks these against torch in float64, and torch autograd
differentiates the same composition.
"""

from __future__ import annotations

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_choice,
    check_float,
    check_int,
    check_rng,
    finite_output,
)
from nnbasics.core.activations import gelu, relu
from nnbasics.core.attention import attention_forward
from nnbasics.core.norm import layernorm_forward

__all__ = ["split_heads", "merge_heads", "mha_params", "multi_head_attention_forward", "feed_forward",
           "transformer_block_params", "transformer_block_forward"]

_ACTIVATIONS = {"relu": relu, "gelu": gelu}  # gelu is the exact (erf) one, as torch's default


def split_heads(x, n_heads: int) -> np.ndarray:
    """(..., L, D) -> (..., h, L, D/h): head j gets features j*D/h .. (j+1)*D/h - 1."""
    x = as_float_array(x, "x", ndim=(2, 3))
    n_heads = check_int(n_heads, "n_heads", minimum=1)
    L, D = x.shape[-2:]
    if D % n_heads:
        raise ValueError(f"x has D={D} features, not divisible by n_heads={n_heads}")
    return np.swapaxes(x.reshape(*x.shape[:-1], n_heads, D // n_heads), -2, -3)  # (..., h, L, dh)


def merge_heads(x) -> np.ndarray:
    """(..., h, L, dh) -> (..., L, h*dh): the inverse of :func:`split_heads`."""
    x = as_float_array(x, "x", ndim=(3, 4))
    x = np.swapaxes(x, -2, -3)  # (..., L, h, dh)
    return x.reshape(*x.shape[:-2], x.shape[-2] * x.shape[-1])


def mha_params(D: int, n_heads: int, *, rng, out_scale: float = 1.0) -> dict:
    """Random multi-head attention weights: Wq, Wk, Wv, Wo (D, D) and zero biases (D,).

    Entries are N(0, 1/D) so projections keep unit-variance features; Wo is multiplied by
    ``out_scale`` (a small value makes the residual branch start small).
    """
    D = check_int(D, "D", minimum=1)
    n_heads = check_int(n_heads, "n_heads", minimum=1)
    if D % n_heads:
        raise ValueError(f"D={D} is not divisible by n_heads={n_heads}")
    out_scale = check_float(out_scale, "out_scale", minimum=0.0)
    rng = check_rng(rng)
    W = rng.standard_normal((4, D, D)) / np.sqrt(D)
    return {"Wq": W[0], "Wk": W[1], "Wv": W[2], "Wo": out_scale * W[3],
            "bq": np.zeros(D), "bk": np.zeros(D), "bv": np.zeros(D), "bo": np.zeros(D)}


def _param(params, key: str, shape: tuple, why: str = "") -> np.ndarray:
    """``params[key]`` checked (finite, exactly ``shape``; a ``None`` entry allows any size), named ``params[key]``."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    if key not in params:
        raise ValueError(f"params is missing {key!r} (expected keys: {sorted(params)} + {key!r})")
    a = as_float_array(params[key], f"params[{key!r}]")
    if len(a.shape) != len(shape) or any(want is not None and want != got for want, got in zip(shape, a.shape)):
        expected = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"params[{key!r}] has shape {a.shape}, expected {expected}{why}")
    return a


@finite_output("the projections or scores overflow: x_q, x_kv or the weights too large; scale them")
def multi_head_attention_forward(x_q, x_kv, params: dict, *, n_heads: int, causal: bool = False,
                                 mask=None):
    """Multi-head attention as ``torch.nn.MultiheadAttention`` (batch_first) computes it.

    Math: head_j = softmax(Q_j K_j^T / sqrt(D/h) + M) V_j with Q = x_q Wq + bq, K = x_kv Wk + bk,
    V = x_kv Wv + bv split into h column blocks; out = concat_j(head_j) Wo + bo.

    Parameters
    ----------
    x_q : array_like, shape (Lq, D) or (N, Lq, D)
        Tokens that ask (self-attention: the same array as ``x_kv``).
    x_kv : array_like, shape (Lk, D) or (N, Lk, D)
        Tokens that are looked at.
    params : dict
        ``Wq, Wk, Wv, Wo`` (D, D) and ``bq, bk, bv, bo`` (D,), e.g. from :func:`mha_params`.
    n_heads : int
        h; D must be divisible by h.
    causal : bool
        Query t sees keys s <= t.
    mask : array_like of bool, shape (Lq, Lk), optional
        True where attention is allowed.

    Returns
    -------
    out : ndarray, shape of x_q
    cache : dict
        ``weights`` (..., h, Lq, Lk) per head, ``heads`` (..., h, Lq, D/h).
    """
    x_q = as_float_array(x_q, "x_q", ndim=(2, 3))
    x_kv = as_float_array(x_kv, "x_kv", ndim=(2, 3))
    if x_q.ndim != x_kv.ndim or x_q.shape[:-2] != x_kv.shape[:-2] or x_q.shape[-1] != x_kv.shape[-1]:
        raise ValueError(f"x_q {x_q.shape} and x_kv {x_kv.shape} must share the batch axis and D")
    D = x_q.shape[-1]
    why = f" (x_q and x_kv have D={D} features)"
    p = {k: _param(params, k, (D, D), why) for k in ("Wq", "Wk", "Wv", "Wo")}
    p |= {k: _param(params, k, (D,), why) for k in ("bq", "bk", "bv", "bo")}
    q = split_heads(x_q @ p["Wq"] + p["bq"], n_heads)  # (..., h, Lq, dh)
    k = split_heads(x_kv @ p["Wk"] + p["bk"], n_heads)  # (..., h, Lk, dh)
    v = split_heads(x_kv @ p["Wv"] + p["bv"], n_heads)  # (..., h, Lk, dh)
    heads, att = attention_forward(q, k, v, causal=causal, mask=mask)  # scale 1/sqrt(dh)
    out = merge_heads(heads) @ p["Wo"] + p["bo"]  # (..., Lq, D)
    return out, {"weights": att[3], "heads": heads}


@finite_output("x @ W1 or the hidden layer @ W2 overflows: x or the weights too large; scale them")
def feed_forward(x, W1, b1, W2, b2, *, activation: str = "relu") -> np.ndarray:
    """Position-wise feed-forward sublayer: act(x W1 + b1) W2 + b2, the same MLP on every token.

    Shapes: x (..., L, D), W1 (D, F), b1 (F,), W2 (F, D), b2 (D,) -> (..., L, D).
    """
    x = as_float_array(x, "x", ndim=(2, 3))
    D = x.shape[-1]
    W1 = as_float_array(W1, "W1", ndim=2)
    if W1.shape[0] != D:
        raise ValueError(f"x has D={D} features but W1 expects {W1.shape[0]}")
    F = W1.shape[1]
    p = {"b1": b1, "W2": W2, "b2": b2}
    b1, W2, b2 = (_param(p, k, s) for k, s in (("b1", (F,)), ("W2", (F, D)), ("b2", (D,))))
    act = _ACTIVATIONS[check_choice(activation, "activation", tuple(_ACTIVATIONS))]
    return act(x @ W1 + b1) @ W2 + b2  # (..., L, F) -> (..., L, D)


def transformer_block_params(D: int, n_heads: int, d_ff: int, *, rng, out_scale: float = 1.0) -> dict:
    """Random weights of a pre-LN block: :func:`mha_params` plus LayerNorms (gamma 1, beta 0)
    and the feed-forward W1 (D, F) N(0, 1/D), W2 (F, D) N(0, out_scale^2/F), zero biases.

    ``out_scale`` multiplies both residual branches' last projections (Wo and W2).
    """
    D = check_int(D, "D", minimum=1)
    d_ff = check_int(d_ff, "d_ff", minimum=1)
    rng = check_rng(rng)
    p = mha_params(D, n_heads, rng=rng, out_scale=out_scale)
    p |= {"ln1_gamma": np.ones(D), "ln1_beta": np.zeros(D), "ln2_gamma": np.ones(D), "ln2_beta": np.zeros(D),
          "W1": rng.standard_normal((D, d_ff)) / np.sqrt(D), "b1": np.zeros(d_ff),
          "W2": out_scale * rng.standard_normal((d_ff, D)) / np.sqrt(d_ff), "b2": np.zeros(D)}
    return p


@finite_output("a sublayer overflows: x or the weights too large (LayerNorm itself is scale-free)")
def transformer_block_forward(x, params: dict, *, n_heads: int, causal: bool = False,
                              activation: str = "relu", eps: float = 1e-5):
    """One pre-LN Transformer block: h = x + MHA(LN1(x)); y = h + FFN(LN2(h)).

    Matches ``torch.nn.TransformerEncoderLayer(norm_first=True, dropout=0, batch_first=True)``.

    Parameters
    ----------
    x : array_like, shape (L, D) or (N, L, D)
    params : dict
        As :func:`transformer_block_params` returns.
    n_heads : int
    causal : bool
    activation : {"relu", "gelu"}
    eps : float > 0
        LayerNorm's epsilon.

    Returns
    -------
    out : ndarray, shape of x
    cache : dict
        ``weights`` (..., h, L, L), ``attention`` and ``ffn`` (the two residual branches' outputs).
    """
    x = as_float_array(x, "x", ndim=(2, 3))
    D = x.shape[-1]
    g1, b1, g2, b2 = (_param(params, k, (D,), f" (x has D={D} features)")
                      for k in ("ln1_gamma", "ln1_beta", "ln2_gamma", "ln2_beta"))
    z, _ = layernorm_forward(x, g1, b1, eps)  # (..., L, D)
    att, cache = multi_head_attention_forward(z, z, params, n_heads=n_heads, causal=causal)
    h = x + att  # residual 1
    z2, _ = layernorm_forward(h, g2, b2, eps)
    why = f" (x has D={D} features)"
    W1 = _param(params, "W1", (D, None), why)  # (D, F): checked here, so a bad one is named params['W1']
    F = W1.shape[1]
    ffn = feed_forward(z2, W1, _param(params, "b1", (F,), f" (W1 has F={F} columns)"),
                       _param(params, "W2", (F, D), f" (W1 is ({D}, {F}))"), _param(params, "b2", (D,), why),
                       activation=activation)
    return h + ffn, {"weights": cache["weights"], "attention": att, "ffn": ffn}  # residual 2
