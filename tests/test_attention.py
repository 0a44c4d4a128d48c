"""nnbasics.core.attention: scaled dot-product attention against torch in float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import attention
from nnbasics.testing import assert_close


def _qkv(shape_q=(2, 3, 5, 4), Lk=5, dv=6, seed=0):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(shape_q)
    k = rng.standard_normal((*shape_q[:-2], Lk, shape_q[-1]))
    v = rng.standard_normal((*shape_q[:-2], Lk, dv))
    return q, k, v


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("shape_q, Lk", [((2, 3, 5, 4), 5), ((4, 8), 6), ((3, 5, 2), 7)])
def test_forward_and_backward_match_torch(causal, shape_q, Lk):
    q, k, v = _qkv(shape_q, Lk)
    tq, tk, tv = (torch.from_numpy(a).requires_grad_() for a in (q, k, v))
    ref = F.scaled_dot_product_attention(tq, tk, tv, is_causal=causal)
    dout = np.random.default_rng(9).standard_normal(ref.shape)
    (ref * torch.from_numpy(dout)).sum().backward()
    out, cache = attention.attention_forward(q, k, v, causal=causal)
    assert_close(out, ref, "attention output")
    dq, dk, dv = attention.attention_backward(dout, cache)
    assert_close(dq, tq.grad, "dq")
    assert_close(dk, tk.grad, "dk")
    assert_close(dv, tv.grad, "dv")


def test_boolean_mask_and_scale_match_torch():
    q, k, v = _qkv((2, 4, 3), 5)
    mask = np.random.default_rng(1).random((4, 5)) < 0.6
    mask[:, 0] = True
    ref = F.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (q, k, v)),
                                         attn_mask=torch.from_numpy(mask), scale=0.3)
    out, _ = attention.attention_forward(q, k, v, mask=mask, scale=0.3)
    assert_close(out, ref, "masked attention")


def test_causal_weights_are_lower_triangular_and_first_row_copies_first_value():
    q, k, v = _qkv((5, 3), 5)
    out, cache = attention.attention_forward(q, k, v, causal=True)
    weights = cache[3]
    assert np.all(np.triu(weights, 1) == 0.0)
    assert_close(out[0], v[0], "position 0 sees only itself")


def test_scaling_keeps_score_variance_near_one():
    """Why 1/sqrt(d): for unit-variance q, k the raw dot product has variance d."""
    rng = np.random.default_rng(0)
    d = 64
    q, k = rng.standard_normal((2000, d)), rng.standard_normal((2000, d))
    raw = np.sum(q * k, axis=1)
    assert 0.8 * d < raw.var() < 1.2 * d
    assert 0.8 < (raw / np.sqrt(d)).var() < 1.2


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), causal=st.booleans(), shift=st.floats(-50, 50))
def test_weights_are_a_distribution_and_output_stays_in_value_hull(seed, causal, shift):
    q, k, v = _qkv((4, 3), 4, dv=2, seed=seed)
    out, cache = attention.attention_forward(q, k, v, causal=causal)
    w = cache[3]
    assert np.all(w >= 0)
    assert_close(w.sum(axis=-1), np.ones(4), "row sums")
    assert np.all(out <= v.max(axis=0) + 1e-12) and np.all(out >= v.min(axis=0) - 1e-12)
    out2, _ = attention.attention_forward(q, k, v + shift, causal=causal)
    assert_close(out2, out + shift, "shifting all values shifts the output", rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("call, match", [
    (lambda: attention.attention_forward(np.ones((3, 4)), np.ones((3, 5)), np.ones((3, 2))), "q has d=4"),
    (lambda: attention.attention_forward(np.ones((3, 4)), np.ones((3, 4)), np.ones((2, 2))), "Lk=3 keys"),
    (lambda: attention.attention_forward(np.ones((2, 3, 4)), np.ones((3, 3, 4)), np.ones((3, 3, 2))),
     "leading"),
    (lambda: attention.attention_forward(np.ones((3, 4)), np.ones((3, 4)), np.ones((3, 2)), causal="yes"),
     "causal must be"),
    (lambda: attention.attention_forward(np.ones((3, 4)), np.ones((3, 4)), np.ones((3, 2)),
                                         mask=np.zeros((3, 3), bool)), "at least one key"),
    (lambda: attention.attention_forward(np.ones((3, 4)), np.ones((3, 4)), np.ones((3, 2)),
                                         mask=np.ones((2, 3), bool)), "mask must be"),
    (lambda: attention.attention_forward(np.full((3, 4), np.nan), np.ones((3, 4)), np.ones((3, 2))), "NaN"),
    (lambda: attention.attention_backward(np.ones((3, 3)),
                                          attention.attention_forward(np.ones((3, 4)), np.ones((3, 4)),
                                                                      np.ones((3, 2)))[1]), "dout must have"),
    (lambda: attention.causal_mask(0), "Lq must be >= 1"),
    (lambda: attention.self_attention_projections(4, 2, rng=None), "rng must be"),
])
def test_bad_input_is_rejected_with_a_message(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_widget_compute_query_attention():
    """The notebook widget's pure function: a distribution over the keys that sharpens with |q|."""
    from nnbasics.viz import nb12_beyond_mlp as w

    d = w.query_attention(angle=70.0, length=2.0, scaled=True)
    assert_close(d["weights"].sum(), 1.0, "weights sum")
    assert_close(d["sweep_weights"].sum(axis=1), np.ones(len(d["sweep_angles"])), "sweep row sums")
    assert_close(d["output"], d["weights"] @ w.KEYS, "output = weights @ values")
    assert w.TOKENS[int(np.argmax(d["weights"]))] == "cat"  # the key pointing along the query
    sharper = w.query_attention(angle=70.0, length=5.0, scaled=True)
    unscaled = w.query_attention(angle=70.0, length=2.0, scaled=False)
    assert sharper["entropy"] < d["entropy"] and unscaled["entropy"] < d["entropy"]
    with pytest.raises(ValueError, match="length must be > 0"):
        w.query_attention(length=0.0)
