"""nnbasics.core.dropout: inverted dropout semantics (as torch.nn.Dropout), gradients, notebook 08's facts."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import dropout
from nnbasics.experiments import nb08_dropout
from nnbasics.testing import F64, assert_close


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_semantics_match_torch_dropout(p):
    """Masks can't match torch's RNG; the semantics can: same values, same scaling, same rate."""
    x = np.random.default_rng(0).uniform(1.0, 2.0, size=(200, 100))
    out, cache = dropout.dropout_forward(x, p, train=True, rng=1)
    t_out = torch.nn.functional.dropout(torch.tensor(x), p=p, training=True).numpy()
    for name, o in (("ours", out), ("torch", t_out)):
        kept = o != 0
        assert_close(o[kept], x[kept] / (1 - p), f"{name}: kept entries = x / (1 - p)", **F64)
        assert abs(kept.mean() - (1 - p)) < 0.01, f"{name}: keep rate {kept.mean()} != {1 - p}"
    assert np.array_equal(out != 0, cache.mask)
    # inference: the identity, for both
    assert_close(dropout.dropout_forward(x, p, train=False)[0], x, "eval out", **F64)
    assert_close(torch.nn.functional.dropout(torch.tensor(x), p=p, training=False), x, "torch eval", **F64)


def test_backward_matches_torch_autograd_with_the_same_mask():
    rng = np.random.default_rng(2)
    x, dout, p = rng.normal(size=(6, 5)), rng.normal(size=(6, 5)), 0.3
    out, cache = dropout.dropout_forward(x, p, train=True, rng=rng)
    xt = torch.tensor(x, requires_grad=True)
    out_t = xt * torch.tensor(cache.mask) / (1 - p)  # torch's formula with our mask
    out_t.backward(torch.tensor(dout))
    assert_close(out, out_t, "out")
    assert_close(dropout.dropout_backward(dout, cache), xt.grad, "dx")
    _, ev = dropout.dropout_forward(x, p, train=False)
    assert_close(dropout.dropout_backward(dout, ev), dout, "eval dx")


def test_p_zero_is_identity_and_same_seed_same_mask():
    x = np.arange(12.0).reshape(3, 4)
    assert np.array_equal(dropout.dropout_forward(x, 0.0, train=True, rng=0)[0], x)
    a = dropout.dropout_forward(x, 0.5, train=True, rng=7)[0]
    b = dropout.dropout_forward(x, 0.5, train=True, rng=7)[0]
    assert np.array_equal(a, b)
    assert np.array_equal(dropout.dropout_mask((3, 4), 0.5, 7), np.random.default_rng(7).random((3, 4)) >= 0.5)


def test_forward_does_not_modify_x():
    x = np.ones((4, 4))
    dropout.dropout_forward(x, 0.5, train=True, rng=0)
    out, _ = dropout.dropout_forward(x, 0.5, train=False)
    out[0, 0] = 5.0
    assert np.all(x == 1.0)


@settings(max_examples=20, deadline=None)
@given(p=st.floats(0.0, 0.9), seed=st.integers(0, 10_000), value=st.floats(-10, 10).filter(lambda v: abs(v) > 0.1))
def test_expectation_is_preserved(p, seed, value):
    x = np.full((400, 250), value)  # 100k entries: the mean's standard error is tiny
    out, _ = dropout.dropout_forward(x, p, train=True, rng=seed)
    se = abs(value) * np.sqrt(p / (1 - p) / x.size)
    assert abs(out.mean() - value) < 6 * se + 1e-12, f"mean {out.mean()} vs {value} (p={p})"


def test_scaling_mismatch_without_inverted_scaling():
    x = np.abs(np.random.default_rng(0).normal(size=(50, 20)))
    r = nb08_dropout.scaling_mismatch(x, 0.5, rng=0, draws=100)
    assert abs(r["inverted_ratio"] - 1) < 0.02
    assert abs(r["unscaled_ratio"] - 0.5) < 0.02


@pytest.mark.slow
def test_experiment_dropout_narrows_the_gap_and_unscaled_inference_hurts():
    runs = nb08_dropout.dropout_experiment((0.0, 0.5), epochs=80)
    r0, r5 = runs[0.0], runs[0.5]
    assert r0.train_loss[-1] < r5.train_loss[-1]  # dropout makes memorizing harder
    assert r5.gap < 0.6 * r0.gap  # ... and narrows the train/val gap
    assert max(r0.val_loss) > 1.5 * min(r0.val_loss)  # without dropout validation loss climbs back up
    assert nb08_dropout.dropout_run(0.5, epochs=80) is r5  # cached
    _, _, Xv, yv = r5.data
    pen = nb08_dropout.unscaled_eval_penalty(r5, Xv, yv)
    assert pen["unscaled_loss"] > 1.5 * pen["loss"]
    mc = nb08_dropout.mc_dropout_predict(r5.model, Xv[:20], samples=10)
    assert mc["mean_prob"].shape == (20, 2) and np.all(mc["std_prob"] >= 0)
    assert_close(mc["mean_prob"].sum(axis=1), np.ones(20), "MC probabilities sum to 1", rtol=1e-6, atol=1e-6)
    state = torch.random.get_rng_state()
    nb08_dropout.mc_dropout_predict(r5.model, Xv[:3], samples=3)
    assert torch.equal(state, torch.random.get_rng_state()), "MC dropout must not change torch's global RNG"
    assert not r5.model.training


@pytest.mark.parametrize("call, match", [
    (lambda: dropout.dropout_forward(np.ones(3), 1.0, train=True, rng=0), "p must be < 1"),
    (lambda: dropout.dropout_forward(np.ones(3), -0.1, train=True, rng=0), "p must be >= 0"),
    (lambda: dropout.dropout_forward(np.ones(3), 0.5, train=True), "rng must be"),
    (lambda: dropout.dropout_forward(np.ones(3), 0.5, train=1, rng=0), "train must be"),
    (lambda: dropout.dropout_forward([np.nan], 0.5, train=True, rng=0), "NaN"),
    (lambda: dropout.dropout_backward(np.ones(3), None), "cache must be"),
    (lambda: dropout.dropout_backward(np.ones(4), dropout.dropout_forward(np.ones(3), 0.5, train=True,
                                                                          rng=0)[1]), "dout has shape"),
    (lambda: dropout.dropout_mask((2, 2), 0.5, None), "rng must be"),
    (lambda: nb08_dropout.scaling_mismatch(np.ones((2, 2)), 0.5, rng=0, draws=0), "draws must be >= 1"),
    (lambda: nb08_dropout.dropout_run(1.2), "p must be < 1"),
    (lambda: nb08_dropout.unscaled_eval_penalty("run", np.ones((2, 2)), [0, 1]), "run must be a DropoutRun"),
    (lambda: nb08_dropout.mc_dropout_predict(torch.nn.Linear(2, 2), np.ones((3, 2))), "no nn.Dropout"),
    (lambda: nb08_dropout.small_noisy_data(n_train=2), "n_train must be >= 4"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
