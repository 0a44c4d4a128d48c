"""The LSTM cell (Hochreiter & Schmidhuber, 1997) and a plain tanh RNN, forward and backward in numpy.

One LSTM step, with gates stacked in torch's order (i, f, g, o):
a = x W + h U + b;  i, f, o = sigmoid(a_i, a_f, a_o);  g = tanh(a_g);
c' = f * c + i * g;  h' = o * tanh(c').

The cell state c' = f * c + ... is an (almost) additive path: dc/dc_prev = f, so the gradient
reaching early time steps is multiplied by forget gates (near 1 when the cell keeps its memory)
instead of by W^T diag(1 - h^2) at every step as in a tanh RNN.
"""

from __future__ import annotations

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_float,
    check_int,
    check_rng,
    check_shapes,
    check_state,
    finite_output,
)
from nnbasics.core.kernels import sigmoid

__all__ = ['GATES', 'lstm_cell_forward', 'lstm_cell_backward', 'lstm_forward', 'lstm_backward', 'rnn_cell_forward', 'rnn_cell_backward', 'rnn_forward', 'rnn_backward', 'init_lstm', 'init_rnn']


#: torch.nn.LSTM/LSTMCell stack the four gate blocks of weight_ih/weight_hh/bias in this order.
GATES = ("i", "f", "g", "o")


def _check_cell(x, h, c, W, U, b, n_gates: int, names=("x", "h", "c")):
    xn, hn, cn = names
    x = as_float_array(x, xn, ndim=2)
    h = as_float_array(h, hn, ndim=2)
    W = as_float_array(W, "W", ndim=2)
    U = as_float_array(U, "U", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    n, d = x.shape
    hid = h.shape[1]
    if h.shape[0] != n:
        raise ValueError(f"{xn} has N={n} rows but {hn} has N={h.shape[0]}")
    if W.shape != (d, n_gates * hid):
        raise ValueError(f"W must have shape (D, {n_gates}H) = ({d}, {n_gates * hid}) "
                         f"(D={d} from {xn}, H={hid} from {hn}), got {W.shape}")
    if U.shape != (hid, n_gates * hid):
        raise ValueError(f"U must have shape (H, {n_gates}H) = ({hid}, {n_gates * hid}) "
                         f"(H={hid} from {hn}), got {U.shape}")
    if b.shape != (n_gates * hid,):
        raise ValueError(f"b must have shape ({n_gates}H,) = ({n_gates * hid},) (H={hid} from {hn}), "
                         f"got {b.shape}")
    if c is not None:
        c = as_float_array(c, cn, ndim=2)
        if c.shape != h.shape:
            raise ValueError(f"{cn} must have the shape of {hn} {h.shape}, got {c.shape}")
    return x, h, c, W, U, b


@finite_output("x W + h U + b overflows: the inputs or weights are too large; scale them")
def lstm_cell_forward(x, h, c, W, U, b):
    """One LSTM step.

    Math: a = xW + hU + b; i, f, o = sigma(.), g = tanh(.); c' = f c + i g; h' = o tanh(c').

    Parameters
    ----------
    x : array_like, shape (N, D)
        Inputs at this time step.
    h, c : array_like, shape (N, H)
        Previous hidden state and cell state.
    W : array_like, shape (D, 4H)
        Input weights, gate blocks in torch's order i, f, g, o (``weight_ih.T``).
    U : array_like, shape (H, 4H)
        Recurrent weights, same block order (``weight_hh.T``).
    b : array_like, shape (4H,)
        Bias (torch's ``bias_ih + bias_hh``).

    Returns
    -------
    h_new, c_new : ndarray, shape (N, H)
    cache : tuple
        For :func:`lstm_cell_backward`.
    """
    x, h, c, W, U, b = _check_cell(x, h, c, W, U, b, 4)
    hid = h.shape[1]
    a = x @ W + h @ U + b  # (N, 4H)
    i = sigmoid(a[:, :hid])  # (N, H) input gate
    f = sigmoid(a[:, hid:2 * hid])  # (N, H) forget gate
    g = np.tanh(a[:, 2 * hid:3 * hid])  # (N, H) candidate
    o = sigmoid(a[:, 3 * hid:])  # (N, H) output gate
    c_new = f * c + i * g  # (N, H)
    tc = np.tanh(c_new)
    h_new = o * tc  # (N, H)
    cache = (x, h, c, W, U, i, f, g, o, tc)
    return h_new, c_new, cache


@finite_output("the gradient overflows: the upstream gradient or the cached weights are too large; scale the loss")
def lstm_cell_backward(dh_new, dc_new, cache):
    """Backward pass of :func:`lstm_cell_forward`.

    Math: dc = dc' + dh' o (1 - tanh^2 c'); da = [dc g i(1-i), dc c f(1-f), dc i (1-g^2), dh' tanh c' o(1-o)].

    Parameters
    ----------
    dh_new, dc_new : array_like, shape (N, H)
        Upstream gradients w.r.t. h' and c' (pass zeros for a path that is not used).
    cache : tuple
        From :func:`lstm_cell_forward`.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dh, dc : ndarray, shape (N, H)
        Gradients w.r.t. the previous hidden and cell states.
    dW : ndarray, shape (D, 4H)
    dU : ndarray, shape (H, 4H)
    db : ndarray, shape (4H,)
    """
    x, h, c, W, U, i, f, g, o, tc = _check_cell_cache(cache, "cache", 4)
    dh_new = as_float_array(dh_new, "dh_new", ndim=2)
    dc_new = as_float_array(dc_new, "dc_new", ndim=2)
    for name, arr in (("dh_new", dh_new), ("dc_new", dc_new)):
        if arr.shape != h.shape:
            raise ValueError(f"{name} must have shape (N, H) = {h.shape}, got {arr.shape}")
    dc_total = dc_new + dh_new * o * (1.0 - tc ** 2)  # (N, H)
    da = np.concatenate([
        dc_total * g * i * (1.0 - i),  # input gate
        dc_total * c * f * (1.0 - f),  # forget gate
        dc_total * i * (1.0 - g ** 2),  # candidate
        dh_new * tc * o * (1.0 - o),  # output gate
    ], axis=1)  # (N, 4H)
    dx = da @ W.T  # (N, D)
    dh = da @ U.T  # (N, H)
    dc = dc_total * f  # (N, H): the cell-state highway
    dW = x.T @ da  # (D, 4H)
    dU = h.T @ da  # (H, 4H)
    db = da.sum(axis=0)  # (4H,)
    return dx, dh, dc, dW, dU, db


def _check_cell_cache(cache, name: str, n_gates: int) -> tuple:
    """A cell cache from :func:`lstm_cell_forward` (4 gates) or :func:`rnn_cell_forward` (1), checked:
    finite, every array of the shape its role needs."""
    producer = "lstm_cell_forward" if n_gates == 4 else "rnn_cell_forward"
    roles = ("x", "h", "c", "W", "U", "i", "f", "g", "o", "tc") if n_gates == 4 else ("x", "h", "W", "U", "h_new")
    cache = check_state(cache, name, tuple, producer, length=len(roles))
    dims = {"x": "N D", "W": "D G", "U": "H G"}
    check_shapes(*((f"{name}[{k}] ({role})", arr, dims.get(role, "N H"))
                   for k, (role, arr) in enumerate(zip(roles, cache))))
    H, G = np.shape(cache[1])[1], np.shape(cache[roles.index("W")])[1]
    if G != n_gates * H:
        raise ValueError(f"{name} holds W with {G} columns but h has H={H}: {producer} needs {n_gates}H")
    return cache


def _check_seq_caches(dhs: np.ndarray, caches, n_gates: int) -> list:
    """The per-step caches of a sequence, checked, and dhs (T, N, H) matching them."""
    producer = "lstm_forward" if n_gates == 4 else "rnn_forward"
    check_state(caches, "caches", list, producer)
    if dhs.shape[0] != len(caches):
        raise ValueError(f"dhs has T={dhs.shape[0]} steps but the cache has {len(caches)}")
    for t, cache in enumerate(caches):
        _check_cell_cache(cache, f"caches[{t}]", n_gates)
        check_shapes((f"dhs[{t}]", dhs[t], "N H"), (f"caches[{t}][1] (h)", cache[1], "N H"))
    return caches


def _check_seq(xs, h0):
    xs = as_float_array(xs, "xs", ndim=3)
    h0 = as_float_array(h0, "h0", ndim=2)
    if xs.shape[1] != h0.shape[0]:
        raise ValueError(f"xs has N={xs.shape[1]} sequences but h0 has N={h0.shape[0]} rows")
    return xs, h0


@finite_output("x W + h U + b overflows: the inputs or weights are too large; scale them")
def lstm_forward(xs, h0, c0, W, U, b):
    """Unroll :func:`lstm_cell_forward` over a sequence (the same W, U, b at every step).

    Parameters
    ----------
    xs : array_like, shape (T, N, D)
        Time-major inputs, like ``torch.nn.LSTM`` without ``batch_first``.
    h0, c0 : array_like, shape (N, H)
    W, U, b : as in :func:`lstm_cell_forward`

    Returns
    -------
    hs : ndarray, shape (T, N, H)
        Hidden state after every step.
    cs : ndarray, shape (T, N, H)
        Cell state after every step.
    cache : list
        One cell cache per step, for :func:`lstm_backward`.
    """
    xs, h = _check_seq(xs, h0)
    c = as_float_array(c0, "c0", ndim=2)
    _check_cell(xs[0], h, c, W, U, b, 4, ("xs", "h0", "c0"))
    hs, cs, caches = [], [], []
    for t in range(xs.shape[0]):
        h, c, cache = lstm_cell_forward(xs[t], h, c, W, U, b)
        hs.append(h)
        cs.append(c)
        caches.append(cache)
    return np.stack(hs), np.stack(cs), caches


@finite_output("the gradient overflows: the upstream gradient or the cached weights are too large; scale the loss")
def lstm_backward(dhs, caches):
    """Backpropagation through time for :func:`lstm_forward`.

    Parameters
    ----------
    dhs : array_like, shape (T, N, H)
        Gradient of the loss w.r.t. every hidden state (zeros where a step has no loss).
    caches : list
        From :func:`lstm_forward`.

    Returns
    -------
    dxs : ndarray, shape (T, N, D)
    dh0, dc0 : ndarray, shape (N, H)
    dW : ndarray, shape (D, 4H)
    dU : ndarray, shape (H, 4H)
    db : ndarray, shape (4H,)
    """
    dhs = as_float_array(dhs, "dhs", ndim=3)
    _check_seq_caches(dhs, caches, 4)
    x0, h0, _c, W, U = caches[0][:5]
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros(U.shape[1], dtype=U.dtype)
    dh = np.zeros_like(dhs[0])
    dc = np.zeros_like(dhs[0])
    dxs = np.zeros((dhs.shape[0], *x0.shape), dtype=np.result_type(dhs, W))
    for t in reversed(range(dhs.shape[0])):
        dxs[t], dh, dc, dW_t, dU_t, db_t = lstm_cell_backward(dhs[t] + dh, dc, caches[t])
        dW += dW_t
        dU += dU_t
        db += db_t
    return dxs, dh, dc, dW, dU, db


@finite_output("x W + h U + b overflows: the inputs or weights are too large; scale them")
def rnn_cell_forward(x, h, W, U, b):
    """One step of a plain (Elman) RNN: h' = tanh(x W + h U + b).

    Parameters
    ----------
    x : array_like, shape (N, D)
    h : array_like, shape (N, H)
    W : array_like, shape (D, H)
    U : array_like, shape (H, H)
    b : array_like, shape (H,)

    Returns
    -------
    h_new : ndarray, shape (N, H)
    cache : tuple
    """
    x, h, _c, W, U, b = _check_cell(x, h, None, W, U, b, 1)
    h_new = np.tanh(x @ W + h @ U + b)  # (N, H)
    return h_new, (x, h, W, U, h_new)


@finite_output("the gradient overflows: the upstream gradient or the cached weights are too large; scale the loss")
def rnn_cell_backward(dh_new, cache):
    """Backward of :func:`rnn_cell_forward`: da = dh' (1 - h'^2); dh = da U^T.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dh : ndarray, shape (N, H)
    dW : ndarray, shape (D, H)
    dU : ndarray, shape (H, H)
    db : ndarray, shape (H,)
    """
    x, h, W, U, h_new = _check_cell_cache(cache, "cache", 1)
    dh_new = as_float_array(dh_new, "dh_new", ndim=2)
    if dh_new.shape != h_new.shape:
        raise ValueError(f"dh_new must have shape (N, H) = {h_new.shape}, got {dh_new.shape}")
    da = dh_new * (1.0 - h_new ** 2)  # (N, H)
    return da @ W.T, da @ U.T, x.T @ da, h.T @ da, da.sum(axis=0)


@finite_output("x W + h U + b overflows: the inputs or weights are too large; scale them")
def rnn_forward(xs, h0, W, U, b):
    """Unroll :func:`rnn_cell_forward`: xs (T, N, D), h0 (N, H) -> hs (T, N, H), caches."""
    xs, h = _check_seq(xs, h0)
    _check_cell(xs[0], h, None, W, U, b, 1, ("xs", "h0", "c0"))
    hs, caches = [], []
    for t in range(xs.shape[0]):
        h, cache = rnn_cell_forward(xs[t], h, W, U, b)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs), caches


@finite_output("the gradient overflows: the upstream gradient or the cached weights are too large; scale the loss")
def rnn_backward(dhs, caches):
    """BPTT for :func:`rnn_forward`: dhs (T, N, H) -> dxs (T, N, D), dh0 (N, H), dW, dU, db."""
    dhs = as_float_array(dhs, "dhs", ndim=3)
    _check_seq_caches(dhs, caches, 1)
    x0, _h, W, U, _hn = caches[0]
    dW, dU, db = np.zeros_like(W), np.zeros_like(U), np.zeros(U.shape[1], dtype=U.dtype)
    dh = np.zeros_like(dhs[0])
    dxs = np.zeros((dhs.shape[0], *x0.shape), dtype=np.result_type(dhs, W))
    for t in reversed(range(dhs.shape[0])):
        dxs[t], dh, dW_t, dU_t, db_t = rnn_cell_backward(dhs[t] + dh, caches[t])
        dW += dW_t
        dU += dU_t
        db += db_t
    return dxs, dh, dW, dU, db


def init_lstm(D: int, H: int, *, rng, forget_bias: float = 0.0):
    """torch's default LSTM init U(-1/sqrt(H), 1/sqrt(H)) for W (D, 4H), U (H, 4H), b (4H,),
    plus ``forget_bias`` added to the forget-gate block of b (1.0 is the common recommendation)."""
    D = check_int(D, "D", minimum=1)
    H = check_int(H, "H", minimum=1)
    forget_bias = check_float(forget_bias, "forget_bias")
    rng = check_rng(rng)
    k = 1.0 / np.sqrt(H)
    W = rng.uniform(-k, k, (D, 4 * H))
    U = rng.uniform(-k, k, (H, 4 * H))
    b = rng.uniform(-k, k, 4 * H)
    b[H:2 * H] += forget_bias
    return W, U, b


def init_rnn(D: int, H: int, *, rng, gain: float = 1.0):
    """torch's default RNN init U(-1/sqrt(H), 1/sqrt(H)), with the recurrent matrix times ``gain``."""
    D = check_int(D, "D", minimum=1)
    H = check_int(H, "H", minimum=1)
    gain = check_float(gain, "gain", minimum=0.0)
    rng = check_rng(rng)
    k = 1.0 / np.sqrt(H)
    return rng.uniform(-k, k, (D, H)), gain * rng.uniform(-k, k, (H, H)), rng.uniform(-k, k, H)
