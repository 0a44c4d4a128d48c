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
from nnbasics.core import conv
from nnbasics.core import embeddings
from nnbasics.core import recurrent
from nnbasics.experiments import nb12_beyond_mlp
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
    "12.4": {"title": "receptive field of a conv stack",
             "hint": "keep two numbers per layer: r (pixels seen) and j (input pixels between neighbouring "
                     "units, the product of the strides so far). A window of k units adds (k-1)*j pixels, "
                     "using j from BEFORE this layer's stride; start from r = j = 1"},
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
    a = x @ W + h @ U + b
    sig = 1.0 / (1.0 + np.exp(-a))
    i, f, g, o = sig[:, :H], sig[:, H:2 * H], np.tanh(a[:, 2 * H:3 * H]), sig[:, 3 * H:]
    c_new = f * c + i * g
    c_sig = f * c + i * sig[:, 2 * H:3 * H]
    if np.allclose(h_new, o * np.tanh(c), rtol=1e-8, atol=1e-10):
        return "h_new uses tanh of the OLD cell state c; the output gate reveals the updated memory tanh(c_new)"
    if np.allclose(h_new, o * np.tanh(c_sig), rtol=1e-8, atol=1e-10):
        return "the candidate g went through a sigmoid; g uses tanh (values in (-1, 1)), only i, f, o are sigmoids"
    if np.allclose(h_new, o * c_new, rtol=1e-8, atol=1e-10):
        return "h_new = o * c_new is missing the tanh: h_new = o * tanh(c_new)"
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
    counts = np.maximum(np.bincount(ids, minlength=5), 1)[:, None]
    if np.asarray(dtable).shape == expected.shape and np.allclose(dtable, expected / counts):
        pytest.fail("a repeated id got the MEAN of its gradients; out = onehot(ids) @ table, so each use adds "
                    "its gradient: the SUM")
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


def _attention_slip(out, weights, q, k, v, causal):
    """Recognise the usual attention mistakes by recomputing what each one would give."""
    def same(a, b):
        return a.shape == b.shape and np.allclose(a, b, rtol=1e-8, atol=1e-10)

    d, Lq, Lk = q.shape[1], q.shape[0], k.shape[0]
    if causal and out.shape == (Lq, v.shape[1]) and np.isnan(out).any():
        rows = np.flatnonzero(np.isnan(out).any(axis=1)).tolist()
        return (f"output rows {rows} are NaN: those queries had every key masked (exp(-inf - (-inf))); "
                "the causal mask must let query t see keys s <= t, the diagonal included")
    for scale, why in ((1.0, "WITHOUT the 1/sqrt(d) scaling: divide q @ k.T by sqrt(d)"),
                       (1.0 / d, "divided by d: the scale is 1/sqrt(d)"),
                       (1.0 / np.sqrt(Lk), "scaled by 1/sqrt(Lk), the number of keys: d is the feature size q.shape[1]"),
                       (1.0 / np.sqrt(Lq), "scaled by 1/sqrt(Lq), the number of queries: d is the feature size q.shape[1]")):
        if scale != 1.0 / np.sqrt(d) and same(out, attention.attention_forward(q, k, v, causal=causal, scale=scale)[0]):
            return f"your output matches attention {why}"
    if causal and same(out, attention.attention_forward(q, k, v)[0]):
        return "your causal attention ignores the mask: query t must not see keys s > t"
    if causal:
        for offset, why in ((1, "lets query t see key t+1 (one step into the future)"),
                            (-1, "hides key t from query t itself: the mask allows s <= t")):
            m = np.tril(np.ones((Lq, Lk), dtype=bool), offset)
            if m.any(axis=1).all() and same(out, attention.attention_forward(q, k, v, mask=m)[0]):
                return f"your causal mask {why}"
    s_ = q @ k.T / np.sqrt(d)
    if causal:
        s_ = np.where(np.tril(np.ones((Lq, Lk), dtype=bool)), s_, -np.inf)
    e = np.exp(s_ - s_.max(axis=0, keepdims=True))
    if same(out, (e / e.sum(axis=0, keepdims=True)) @ v):
        return "the softmax is normalised over the wrong axis: each ROW (one query's weights over the keys) must sum to 1"
    w = np.asarray(weights)
    if w.shape == (Lq, Lk) and not np.allclose(w.sum(axis=1), 1.0, rtol=1e-9, atol=1e-12):
        return ("rows of the weights do not sum to 1 (sums " + np.array2string(w.sum(axis=1), precision=3)
                + "): mask the SCORES before the softmax, not the weights after it")
    return None


def _check_attention(out, weights, q, k, v, causal):
    ref = F.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (q, k, v)), is_causal=causal).numpy()
    out = np.asarray(out)
    if out.shape == ref.shape and not np.allclose(out, ref, rtol=1e-9, atol=1e-12):
        slip = _attention_slip(out, weights, q, k, v, causal)
        if slip:
            pytest.fail(slip)
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


# ---------------------------------------------------------------- 12.4 receptive field
def _receptive_message(got, kernels, strides) -> str:
    """Name the usual derivation slips by comparing with what each slip would give."""
    ks, ss = np.array(kernels), np.array(strides)
    want, jumps = conv.receptive_field(ks, ss)
    prev = np.r_[1, jumps[:-1]]  # jump before each layer
    slips = {
        "your sizes ignore the strides: after a stride-s layer, neighbouring units are s input pixels "
        "apart, so the next window of k units spans more than k-1 extra pixels": 1 + np.cumsum(ks - 1),
        "you multiplied by this layer's stride too early: a layer's own stride spaces ITS outputs, it "
        "does not widen its window": 1 + np.cumsum((ks - 1) * jumps),
        "off by one: a unit of a 1-wide window sees exactly 1 pixel; start from r = 1": want - 1,
        "a window of k units adds k-1 new positions (not k) times the spacing": 1 + np.cumsum(ks * prev),
        "the spacing is the PRODUCT of the earlier strides, not their sum":
            1 + np.cumsum((ks - 1) * np.r_[1, 1 + np.cumsum(ss)[:-1]]),
    }
    for why, wrong in slips.items():
        if got.shape == wrong.shape and np.array_equal(got, wrong) and not np.array_equal(wrong, want):
            return why
    return f"sizes {got.tolist()} but one unit of each layer sees {want.tolist()} input pixels"


def _check_receptive(ex, kernels, strides, where):
    got = call_unmodified(ex.receptive_field, kernels, strides)
    if got is None:
        pytest.fail("receptive_field returned None — did you forget to `return` the sizes?")
    got = np.asarray(got)
    assert got.shape == (len(kernels),), (f"{where}: sizes must have shape (L,) = ({len(kernels)},), one entry "
                                          f"per layer, got {got.shape}")
    assert np.issubdtype(got.dtype, np.integer), f"{where}: sizes must be integers (pixels), got dtype {got.dtype}"
    want, _ = conv.receptive_field(kernels, strides)
    if not np.array_equal(got, want):
        pytest.fail(f"{where}: {_receptive_message(got, kernels, strides)} (kernels={list(kernels)}, "
                    f"strides={list(strides)})")


@pytest.mark.exercise("12.4", points=2)
def test_receptive_field_of_a_small_cnn(ex):
    """conv3 -> conv3 -> maxpool2 (stride 2) -> conv3 -> conv3: sizes 3, 5, 6, 10, 14."""
    _check_receptive(ex, [3, 3, 2, 3, 3], [1, 1, 2, 1, 1], "a VGG-like stack")


@pytest.mark.exercise("12.4")
def test_receptive_field_edge_cases(ex):
    _check_receptive(ex, [1], [1], "one 1x1 layer")
    _check_receptive(ex, [5], [3], "one strided layer (its own stride does not matter)")
    _check_receptive(ex, [2, 2, 2, 2], [2, 2, 2, 2], "non-overlapping windows (sizes 2, 4, 8, 16)")
    _check_receptive(ex, (7, 1, 3), (2, 1, 2), "a tuple input with a 1x1 layer in the middle")
    _check_receptive(ex, np.array([3, 3]), np.array([4, 1]), "numpy arrays as input")


@pytest.mark.exercise("12.4")
@settings(max_examples=25, deadline=None)
@given(layers=st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3)), min_size=1, max_size=5))
def test_receptive_field_equals_the_gradient_footprint(ex, layers):
    """The oracle is autograd: the input pixels with a non-zero gradient of one output unit."""
    kernels, strides = (list(t) for t in zip(*layers))
    got = np.asarray(ex.receptive_field(kernels, strides))
    measured = nb12_beyond_mlp.gradient_footprint(kernels, strides).sizes
    if got.shape != measured.shape or not np.array_equal(got, measured):
        pytest.fail(f"sizes {got.tolist()} but the gradient footprint measured {measured.tolist()}: "
                    f"{_receptive_message(got, kernels, strides)} (kernels={kernels}, strides={strides})")
