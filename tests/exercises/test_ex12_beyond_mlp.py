"""Graded tests for notebook 12's exercises (run against --impl solutions|exercises|PATH).

Oracles: torch in float64 (nn.LSTMCell, nn.Embedding, F.scaled_dot_product_attention) and the
tested library modules ``nnbasics.core.recurrent``, ``nnbasics.core.embeddings``, ``nnbasics.core.attention``.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import attention
from nnbasics.core import embeddings
from nnbasics.core import recurrent
from nnbasics.lab import models
from nnbasics.course.grading_plugin import call_unmodified
from nnbasics.testing import assert_close

EXERCISES = {
    "12.1": {"title": "LSTM cell forward",
             "hint": "a = x @ W + h @ U + b has 4 blocks of width H in torch's order i, f, g, o: "
                     "sigmoid for i, f, o and tanh for g; c_new = f*c + i*g; h_new = o*tanh(c_new)"},
    "12.2": {"title": "embedding backward",
             "hint": "start from zeros((V, E)); every position n adds dout[n] to row ids[n]; "
                     "`dtable[ids] += dout` loses repeated ids — use np.add.at(dtable, ids, dout)"},
    "12.3": {"title": "scaled dot-product attention",
             "hint": "scores = q @ k.T / sqrt(d) with d = q.shape[1]; causal: scores above the diagonal "
                     "-> -inf; stable softmax per row (subtract the row max); out = weights @ v"},
}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("12")


# ---------------------------------------------------------------- 12.1 LSTM cell
def _torch_cell(D=3, H=4, seed=0):
    torch.manual_seed(seed)
    return torch.nn.LSTMCell(D, H).double()


def _cell_inputs(N=5, D=3, H=4, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))


def _lstm_message(h_new, x, h, c, W, U, b):
    """Recognise the usual mistake: reading the gate blocks in another order."""
    H = h.shape[1]
    blocks = {"i": slice(0, H), "f": slice(H, 2 * H), "g": slice(2 * H, 3 * H), "o": slice(3 * H, 4 * H)}
    for order in ("ifog", "igfo", "fiog", "figo", "iofg"):
        perm = np.concatenate([np.arange(4 * H)[blocks[name]] for name in order])
        inv = np.argsort(perm)
        wrong = recurrent.lstm_cell_forward(x, h, c, W[:, inv], U[:, inv], b[inv])[0]
        if np.allclose(h_new, wrong, rtol=1e-8, atol=1e-10):
            return (f"your gates look like they are read in the order {', '.join(order)}; torch stacks them "
                    "as i, f, g, o (input, forget, candidate, output)")
    return "h_new differs from torch.nn.LSTMCell"


@pytest.mark.exercise("12.1", points=2)
def test_lstm_cell_matches_torch_lstmcell(ex):
    x, h, c = _cell_inputs()
    cell = _torch_cell()
    W, U, b = models.weights_from_torch(cell)
    h_new, c_new = call_unmodified(ex.lstm_cell_forward, x, h, c, W, U, b)
    h_ref, c_ref = cell(torch.from_numpy(x), (torch.from_numpy(h), torch.from_numpy(c)))
    h_ref, c_ref = h_ref.detach().numpy(), c_ref.detach().numpy()
    if np.allclose(h_new, c_ref) and np.allclose(c_new, h_ref):
        pytest.fail("you returned (c_new, h_new); return (h_new, c_new)")
    if not np.allclose(h_new, h_ref, rtol=1e-8, atol=1e-10):
        pytest.fail(_lstm_message(np.asarray(h_new), x, h, c, W, U, b))
    assert np.max(np.abs(np.asarray(c_new) - c_ref)) < 1e-10, "c_new differs from torch.nn.LSTMCell by > 1e-10"
    assert np.max(np.abs(np.asarray(h_new) - h_ref)) < 1e-10, "h_new differs from torch.nn.LSTMCell by > 1e-10"


@pytest.mark.exercise("12.1")
def test_lstm_cell_forget_gate_keeps_memory(ex):
    """Forget gate wide open and input gate shut: the cell state must pass through unchanged."""
    x, h, c = _cell_inputs(N=2)
    W, U, b = recurrent.init_lstm(3, 4, rng=0)
    b = b.copy()
    b[:4], b[4:8] = -40.0, 40.0  # i -> 0, f -> 1
    _h_new, c_new = ex.lstm_cell_forward(x, h, c, W, U, b)
    assert_close(c_new, c, "c_new with f = 1 and i = 0 (the cell should copy c)", rtol=1e-9, atol=1e-12)


@pytest.mark.exercise("12.1")
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), N=st.integers(1, 4), D=st.integers(1, 4), H=st.integers(1, 4))
def test_lstm_cell_property_matches_library(ex, seed, N, D, H):
    rng = np.random.default_rng(seed)
    x, h, c = rng.standard_normal((N, D)), rng.standard_normal((N, H)), 3 * rng.standard_normal((N, H))
    W, U, b = recurrent.init_lstm(D, H, rng=rng)
    h_new, c_new = ex.lstm_cell_forward(x, h, c, W, U, b)
    h_ref, c_ref, _ = recurrent.lstm_cell_forward(x, h, c, W, U, b)
    assert_close(h_new, h_ref, f"h_new (N={N}, D={D}, H={H})")
    assert_close(c_new, c_ref, f"c_new (N={N}, D={D}, H={H})")


# ---------------------------------------------------------------- 12.2 embedding backward
@pytest.mark.exercise("12.2", points=2)
def test_embedding_backward_matches_torch_with_repeated_ids(ex):
    rng = np.random.default_rng(0)
    ids = np.array([3, 0, 3, 1, 3, 0])
    dout = rng.standard_normal((6, 2))
    dtable = call_unmodified(ex.embedding_backward, dout, ids, 5)
    emb = torch.nn.Embedding(5, 2).double()
    (emb(torch.from_numpy(ids)) * torch.from_numpy(dout)).sum().backward()
    expected = emb.weight.grad.numpy()
    buffered = np.zeros((5, 2))
    buffered[ids] += dout
    if np.asarray(dtable).shape == expected.shape and np.allclose(dtable, buffered):
        pytest.fail("repeated ids were counted only once: `dtable[ids] += dout` keeps one of the repeats; "
                    "use np.add.at(dtable, ids, dout)")
    assert_close(dtable, expected, "dtable (vs torch.nn.Embedding's weight.grad)")


@pytest.mark.exercise("12.2")
def test_embedding_backward_unused_rows_are_zero(ex):
    dtable = ex.embedding_backward(np.ones((2, 3)), np.array([1, 4]), 6)
    dtable = np.asarray(dtable)
    assert dtable.shape == (6, 3), f"dtable must have shape (V, E) = (6, 3), got {dtable.shape}"
    assert np.all(dtable[[0, 2, 3, 5]] == 0), "rows that were never looked up must get exactly zero gradient"


@pytest.mark.exercise("12.2")
@settings(max_examples=20, deadline=None)
@given(ids=st.lists(st.integers(0, 4), min_size=1, max_size=10), seed=st.integers(0, 1000))
def test_embedding_backward_property_matches_library(ex, ids, seed):
    ids = np.array(ids)
    dout = np.random.default_rng(seed).standard_normal((ids.size, 3))
    _, cache = embeddings.embedding_forward(ids, np.zeros((5, 3)))
    assert_close(ex.embedding_backward(dout, ids, 5), embeddings.embedding_backward(dout, cache), "dtable")


# ---------------------------------------------------------------- 12.3 attention
def _qkv(Lq=5, Lk=5, d=8, dv=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((Lq, d)), rng.standard_normal((Lk, d)), rng.standard_normal((Lk, dv))


def _check_attention(out, weights, q, k, v, causal):
    ref = F.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (q, k, v)), is_causal=causal).numpy()
    out = np.asarray(out)
    if out.shape == ref.shape and not np.allclose(out, ref, rtol=1e-9, atol=1e-12):
        unscaled, _ = attention.attention_forward(q, k, v, causal=causal, scale=1.0)
        if np.allclose(out, unscaled, rtol=1e-8, atol=1e-10):
            pytest.fail("your output matches attention WITHOUT the 1/sqrt(d) scaling: divide q @ k.T by sqrt(d)")
        if causal and np.allclose(out, attention.attention_forward(q, k, v)[0], rtol=1e-8, atol=1e-10):
            pytest.fail("your causal attention ignores the mask: query t must not see keys s > t")
    assert_close(out, ref, f"attention output (causal={causal}) vs torch scaled_dot_product_attention")
    _, cache = attention.attention_forward(q, k, v, causal=causal)
    assert_close(weights, cache[3], f"attention weights (causal={causal})")


@pytest.mark.exercise("12.3", points=2)
def test_attention_matches_torch(ex):
    q, k, v = _qkv(Lq=4, Lk=6)
    out, weights = call_unmodified(ex.attention_forward, q, k, v, False)
    _check_attention(out, weights, q, k, v, False)


@pytest.mark.exercise("12.3")
def test_causal_attention_matches_torch(ex):
    q, k, v = _qkv(seed=1)
    out, weights = call_unmodified(ex.attention_forward, q, k, v, True)
    _check_attention(out, weights, q, k, v, True)
    assert np.all(np.triu(np.asarray(weights), 1) == 0), "causal weights above the diagonal must be exactly 0"


@pytest.mark.exercise("12.3")
def test_attention_is_stable_for_large_scores(ex):
    q, k, v = _qkv(seed=2)
    out, weights = ex.attention_forward(300.0 * q, 300.0 * k, v, False)
    assert np.all(np.isfinite(out)), "large scores overflowed: subtract each row's max before np.exp"
    _check_attention(out, weights, 300.0 * q, 300.0 * k, v, False)


@pytest.mark.exercise("12.3")
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), L=st.integers(1, 6), d=st.integers(1, 6), causal=st.booleans())
def test_attention_property_rows_sum_to_one_and_match_library(ex, seed, L, d, causal):
    q, k, v = _qkv(L, L, d, 2, seed)
    out, weights = ex.attention_forward(q, k, v, causal)
    assert_close(np.asarray(weights).sum(axis=1), np.ones(L), "row sums of the attention weights")
    ref, _ = attention.attention_forward(q, k, v, causal=causal)
    assert_close(out, ref, f"attention output (L={L}, d={d}, causal={causal})")
