"""nnbasics.core.transformer: multi-head attention and a pre-LN block against torch in float64."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import attention, transformer
from nnbasics.experiments import nb12_beyond_mlp
from nnbasics.lab import models
from nnbasics.testing import assert_close


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("shape, heads", [((2, 5, 8), 2), ((4, 6), 3), ((1, 1, 4), 4), ((3, 2, 5), 1)])
def test_multi_head_attention_matches_torch(shape, heads, causal):
    torch.manual_seed(0)  # torch's own initialiser draws the reference weights
    D = shape[-1]
    mha = torch.nn.MultiheadAttention(D, heads, batch_first=True, dtype=torch.float64)
    with torch.no_grad():  # non-zero biases so that every bias is checked
        mha.in_proj_bias.normal_()
        mha.out_proj.bias.normal_()
    x = _x(*shape)
    L = shape[-2]
    mask = torch.triu(torch.ones(L, L, dtype=torch.bool), 1) if causal else None  # torch: True = blocked
    tx = torch.from_numpy(x)
    with torch.no_grad():
        ref, ref_w = mha(tx, tx, tx, attn_mask=mask, average_attn_weights=False)
    out, cache = transformer.multi_head_attention_forward(x, x, models.mha_params_from_torch(mha),
                                                          n_heads=heads, causal=causal)
    assert_close(out, ref, "multi-head attention output")
    assert_close(cache["weights"], ref_w, "per-head attention weights")


def test_cross_attention_with_different_lengths_matches_torch():
    torch.manual_seed(1)
    mha = torch.nn.MultiheadAttention(6, 2, batch_first=True, dtype=torch.float64)
    xq, xkv = _x(2, 3, 6), _x(2, 7, 6, seed=1)
    with torch.no_grad():
        ref, _ = mha(torch.from_numpy(xq), torch.from_numpy(xkv), torch.from_numpy(xkv))
    out, cache = transformer.multi_head_attention_forward(xq, xkv, models.mha_params_from_torch(mha), n_heads=2)
    assert_close(out, ref, "cross-attention output")
    assert cache["weights"].shape == (2, 2, 3, 7)


@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("causal", [False, True])
def test_transformer_block_matches_torch_encoder_layer(activation, causal):
    torch.manual_seed(2)
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=activation, batch_first=True,
                                             norm_first=True, dtype=torch.float64).eval()
    with torch.no_grad():  # LayerNorm affine parameters away from (1, 0)
        for ln in (layer.norm1, layer.norm2):
            ln.weight.uniform_(0.5, 1.5)
            ln.bias.normal_()
    x = _x(3, 5, 8)
    mask = torch.triu(torch.ones(5, 5, dtype=torch.bool), 1) if causal else None
    with torch.no_grad():
        ref = layer(torch.from_numpy(x), src_mask=mask, is_causal=causal)
    out, cache = transformer.transformer_block_forward(x, models.transformer_params_from_torch(layer), n_heads=2,
                                                       causal=causal, activation=activation)
    assert_close(out, ref, "Transformer block output")
    assert_close(out, x + cache["attention"] + cache["ffn"], "block = input + both residual branches")


@settings(max_examples=20, deadline=None)
@given(L=st.integers(1, 5), heads=st.sampled_from([1, 2, 4]), seed=st.integers(0, 1000))
def test_split_and_merge_heads_are_inverse_and_one_head_is_plain_attention(L, heads, seed):
    x = _x(L, 8, seed=seed)
    split = transformer.split_heads(x, heads)
    assert split.shape == (heads, L, 8 // heads)
    assert_close(transformer.merge_heads(split), x, "merge(split(x))")
    p = transformer.mha_params(8, 1, rng=seed)
    one, _ = transformer.multi_head_attention_forward(x, x, p, n_heads=1)
    plain, _ = attention.attention_forward(x @ p["Wq"], x @ p["Wk"], x @ p["Wv"])
    assert_close(one, plain @ p["Wo"], "one head = scaled dot-product attention + output projection")


def test_self_attention_without_positions_is_permutation_equivariant():
    check = nb12_beyond_mlp.permutation_check(rng=7)  # more seeds: tests/claims/test_nb12_beyond_mlp.py
    assert check.error_without_positions < 1e-12  # exact up to rounding
    assert check.error_with_positions > 0.5  # order now matters


@pytest.mark.parametrize("words", [[0, 1, 0, 2, 1, 0], [3, 3, 3, 3], [0, 1, 2, 3, 4, 5, 6, 0, 1]])
def test_hand_set_heads_follow_the_previous_token_and_the_same_word(words):
    n_vocab = max(words) + 1
    d = nb12_beyond_mlp.two_head_patterns(words, n_vocab=n_vocab, strength=6.0)  # margin 36/sqrt(D/2) >= 12
    L, D = d["x"].shape
    assert D == 2 * max(n_vocab, L) and d["n_heads"] == 2
    out, cache = transformer.multi_head_attention_forward(d["x"], d["x"], d["params"], n_heads=2, causal=True)
    w1, w2 = cache["weights"]
    assert np.all(w1[np.arange(1, L), np.arange(L - 1)] > 0.95)  # one back, at any position
    assert np.all((w2 * d["same_word"]).sum(axis=1) > 0.99)
    same = d["same_word"]  # by hand: s <= t with the same word
    assert all(same[t, s] == (s <= t and words[s] == words[t]) for t in range(L) for s in range(L))
    mha = torch.nn.MultiheadAttention(D, 2, batch_first=True, dtype=torch.float64)  # the oracle
    with torch.no_grad():
        p = d["params"]
        mha.in_proj_weight.copy_(torch.from_numpy(np.concatenate([p["Wq"].T, p["Wk"].T, p["Wv"].T])))
        mha.in_proj_bias.zero_()
        mha.out_proj.weight.copy_(torch.from_numpy(p["Wo"].T))
        mha.out_proj.bias.zero_()
        x = torch.from_numpy(d["x"])[None]
        ref, ref_w = mha(x, x, x, attn_mask=torch.triu(torch.ones(L, L, dtype=torch.bool), 1),
                         average_attn_weights=False)
    assert_close(cache["weights"], ref_w[0].numpy(), "hand-set head weights vs torch")
    assert_close(out, ref[0].numpy(), "hand-set heads output vs torch")


def test_hand_set_heads_reject_bad_tokens():
    with pytest.raises(ValueError, match="tokens must lie in 0..2"):
        nb12_beyond_mlp.two_head_patterns([0, 3], n_vocab=3)
    with pytest.raises(ValueError, match="at least 2 word ids"):
        nb12_beyond_mlp.two_head_patterns([1], n_vocab=3)
    with pytest.raises(TypeError, match="tokens must hold integer"):
        nb12_beyond_mlp.two_head_patterns([0.0, 1.0], n_vocab=3)


def test_sinusoidal_positions_dot_products_depend_only_on_the_offset():
    pe = attention.sinusoidal_positions(20, 16)
    gram = pe @ pe.T  # (L, L) must be Toeplitz: constant along every diagonal
    for off in range(-19, 20):
        diag = np.diagonal(gram, off)
        assert_close(diag, np.full(diag.shape, diag[0]), f"diagonal {off} of PE PE^T")
    assert_close(pe[:, 0::2] ** 2 + pe[:, 1::2] ** 2, np.ones((20, 8)), "sin^2 + cos^2")
    assert attention.sinusoidal_positions(3, 5).shape == (3, 5)
    assert_close(attention.sinusoidal_positions(2, 4)[0], [0.0, 1.0, 0.0, 1.0], "position 0")


def test_zero_output_projections_make_the_block_the_identity():
    assert np.all(nb12_beyond_mlp.residual_branch_ratio(0.0, seeds=2) == 0.0)
    assert nb12_beyond_mlp.residual_branch_ratio(0.1, seeds=1).shape == (1,)


@pytest.mark.parametrize("call, match", [
    (lambda: transformer.split_heads(_x(3, 6), 4), "not divisible by n_heads=4"),
    (lambda: transformer.mha_params(6, 4, rng=0), "not divisible by n_heads=4"),
    (lambda: transformer.multi_head_attention_forward(_x(3, 4), _x(3, 4), {}, n_heads=2), "missing 'Wq'"),
    (lambda: transformer.multi_head_attention_forward(_x(3, 4), _x(3, 5), transformer.mha_params(4, 2, rng=0),
                                                      n_heads=2), "must share"),
    (lambda: transformer.multi_head_attention_forward(_x(3, 4), _x(3, 4), transformer.mha_params(6, 2, rng=0),
                                                      n_heads=2), r"params\['Wq'\] has shape \(6, 6\)"),
    (lambda: transformer.feed_forward(_x(3, 4), np.ones((5, 2)), np.ones(2), np.ones((2, 4)), np.ones(4)),
     "W1 expects 5"),
    (lambda: transformer.feed_forward(_x(3, 4), np.ones((4, 2)), np.ones(2), np.ones((2, 4)), np.ones(4),
                                      activation="tanh"), "activation must be one of"),
    (lambda: attention.sinusoidal_positions(0, 4), "L must be >= 1"),
    (lambda: attention.sinusoidal_positions(3, 4, base=1.0), "base must be > 1"),
    (lambda: models.mha_params_from_torch(torch.nn.Linear(2, 2)), "mha must be"),
    (lambda: models.transformer_params_from_torch(torch.nn.Linear(2, 2)), "layer must be"),
])
def test_bad_input_is_rejected_with_a_message(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
