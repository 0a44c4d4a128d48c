"""nnbasics.core.embeddings: lookup tables against torch.nn.Embedding in float64, and the recommender."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import embeddings
from nnbasics.experiments import nb12_beyond_mlp
from nnbasics.testing import assert_close


def _torch_embedding(table):
    emb = torch.nn.Embedding(*table.shape).double()
    with torch.no_grad():
        emb.weight.copy_(torch.from_numpy(table))
    return emb


@pytest.mark.parametrize("ids", [np.array([3, 0, 3, 3, 1]), np.array([[1, 2, 1], [4, 4, 0]])])
def test_forward_and_backward_match_torch_embedding(ids):
    rng = np.random.default_rng(0)
    table = rng.standard_normal((6, 3))
    emb = _torch_embedding(table)
    out_t = emb(torch.from_numpy(ids))
    dout = rng.standard_normal(out_t.shape)
    (out_t * torch.from_numpy(dout)).sum().backward()
    out, cache = embeddings.embedding_forward(ids, table)
    assert_close(out, out_t, "embedding output")
    dtable = embeddings.embedding_backward(dout, cache)
    assert_close(dtable, emb.weight.grad, "dtable")


def test_unused_rows_get_exactly_zero_and_repeats_accumulate():
    table = np.arange(12.0).reshape(4, 3)
    ids = np.array([2, 2, 2, 0])
    out, cache = embeddings.embedding_forward(ids, table)
    dtable = embeddings.embedding_backward(np.ones_like(out), cache)
    assert np.all(dtable[[1, 3]] == 0.0)
    assert_close(dtable[2], [3.0, 3.0, 3.0], "row used three times")
    wrong = np.zeros_like(table)
    wrong[ids] += np.ones_like(out)  # the classic bug: buffered fancy-index assignment
    assert wrong[2, 0] == 1.0, "fancy-index += keeps only one of the repeated gradients"


@settings(max_examples=20, deadline=None)
@given(ids=st.lists(st.integers(0, 4), min_size=1, max_size=12), seed=st.integers(0, 1000))
def test_backward_equals_one_hot_transpose_times_dout(ids, seed):
    rng = np.random.default_rng(seed)
    ids = np.array(ids)
    table = rng.standard_normal((5, 2))
    out, cache = embeddings.embedding_forward(ids, table)
    one_hot = np.eye(5)[ids]  # (N, V)
    assert_close(out, one_hot @ table, "lookup == one_hot @ table")
    dout = rng.standard_normal(out.shape)
    assert_close(embeddings.embedding_backward(dout, cache), one_hot.T @ dout, "dtable == one_hot^T @ dout")


def test_recommender_learns_far_better_than_the_mean():
    data = nb12_beyond_mlp.synthetic_ratings(rng=0)
    hist = nb12_beyond_mlp.train_recommender(data, dim=3, epochs=60, rng=0)
    assert hist.val_rmse[-1] < 0.4 * hist.baseline_rmse
    assert hist.train_rmse[-1] < hist.train_rmse[0]
    again = nb12_beyond_mlp.train_recommender(data, dim=3, epochs=60, rng=0)
    assert again.val_rmse == hist.val_rmse


def test_predict_ratings_formula():
    P, Q = np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([[3.0, -1.0]])
    pred = nb12_beyond_mlp.predict_ratings([0, 1], [0, 0], P, Q, [0.5, -0.5], [0.25], 3.0)
    assert_close(pred, [3.0 + 0.5 + 0.25 + 1.0, 3.0 - 0.5 + 0.25 - 1.0], "r_hat")


@pytest.mark.parametrize("call, match", [
    (lambda: embeddings.embedding_forward(np.array([0, 5]), np.ones((5, 2))), r"0\.\.4"),
    (lambda: embeddings.embedding_forward(np.array([-1]), np.ones((5, 2))), "V=5"),
    (lambda: embeddings.embedding_forward(np.array([0.0, 1.0]), np.ones((5, 2))), "integer row indices"),
    (lambda: embeddings.embedding_forward(np.array([0]), np.ones(5)), "table must be 2-D"),
    (lambda: embeddings.embedding_backward(np.ones((3, 2)),
                                           embeddings.embedding_forward([0, 1], np.ones((3, 2)))[1]),
     "dout must have shape"),
    (lambda: nb12_beyond_mlp.synthetic_ratings(density=0.0, rng=0), "density must be > 0"),
    (lambda: nb12_beyond_mlp.synthetic_ratings(rng=None), "rng must be"),
    (lambda: nb12_beyond_mlp.train_recommender("ratings"), "Ratings"),
    (lambda: nb12_beyond_mlp.train_recommender(nb12_beyond_mlp.synthetic_ratings(rng=0), lr=0.0), "lr must be > 0"),
])
def test_bad_input_is_rejected_with_a_message(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
