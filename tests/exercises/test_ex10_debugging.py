"""Graded tests for notebook 10's exercises: the fixed scripts must reach their targets.

Oracles: ``nnbasics.data.standardize`` and torch autograd on a fresh copy of the model. The
learner's torch functions run in the sandbox through scenarios (model and optimizer rebuilt
there from plain specs); the final weights, gradients and modes come back as data.
"""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnbasics import data
from nnbasics.core import metrics
from nnbasics.course.grading_plugin import call_unmodified
from nnbasics.course.specs import load_state, model_spec
from nnbasics.lab.models import MLPConfig, build_mlp
from nnbasics.testing import assert_close

EXERCISES = {
    "10.1": {"title": "a correct training step",
             "hint": "opt.zero_grad() first; pass the raw logits model(xb) to F.cross_entropy (no "
                     "softmax); loss.backward(); opt.step(); return loss.item()"},
    "10.2": {"title": "standardize with training statistics only",
             "hint": "mean and std from X_train alone (axis=0); replace std == 0 by 1; apply the same "
                     "mean/std to X_val"},
    "10.3": {"title": "evaluate in eval mode",
             "hint": "remember model.training, call model.eval(), predict under torch.no_grad(), "
                     "then model.train(was_training)"},
    "10.4": {"title": "ROC-AUC",
             "hint": "the area equals the probability that a random positive scores above a random "
                     "negative, a tie counting 1/2: compare every (positive, negative) pair and divide by "
                     "n_pos * n_neg (or sort, sweep the thresholds and add trapezoids, one per tie group)"},
}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("10")


def _blobs():
    X, y = data.blobs(200, rng=0, separation=3.0, n_classes=3)
    return np.asarray(X, dtype=np.float32), np.asarray(y, dtype=np.int64)


def _train(ex, model, optimizer: dict, X, y, batches: list) -> dict:
    """The learner's train_step on (X[a:b], y[a:b]) for each [a, b], in the sandbox."""
    return ex.scenario("train_steps", model=model_spec(model), optimizer=optimizer, X=X, y=y,
                       batches=batches)


def _sgd_reference(model, X, y, batches, *, accumulate=False, softmax=False, stale=False):
    """Final parameters after plain SGD (lr 1) over ``batches``, correct or with one planted mistake."""
    m = copy.deepcopy(model)
    opt = torch.optim.SGD(m.parameters(), lr=1.0)
    for a, b in batches:
        if not accumulate:
            opt.zero_grad()
        if stale:  # step with the gradient left from the previous batch, then compute this one
            opt.step()
        out = m(torch.from_numpy(X[a:b]))
        F.cross_entropy(torch.softmax(out, 1) if softmax else out, torch.from_numpy(y[a:b])).backward()
        if not stale:
            opt.step()
    return {name: p.detach().numpy() for name, p in m.named_parameters()}


@pytest.mark.exercise("10.1")
def test_train_step_uses_only_this_batchs_gradient(ex):
    """Two SGD steps (lr 1): the parameters must move by each batch's own gradient, wherever the
    gradients are zeroed (before the forward pass or after the step: both are correct)."""
    X, y = _blobs()
    model = build_mlp(MLPConfig(d_in=2, hidden=(8,), d_out=3, seed=1))
    batches = [[0, 20], [20, 40]]
    got = _train(ex, model, {"kind": "sgd", "lr": 1.0}, X, y, batches)["state"]
    start = {name: p.detach().numpy() for name, p in model.named_parameters()}

    def same(ref):
        # float32 training: two steps of O(1) arithmetic, rtol 1e-4 is far above its rounding
        return all(np.allclose(got[k], ref[k], rtol=1e-4, atol=1e-6) for k in ref)

    if same(_sgd_reference(model, X, y, batches)):
        return
    diagnoses = [
        (start, "the parameters never changed: opt.step() found no gradient. Call loss.backward() before "
                "opt.step(), and zero the gradients before backward() or after step(), never in between"),
        (_sgd_reference(model, X, y, batches, accumulate=True),
         "the second step used the sum of both batches' gradients: loss.backward() adds into .grad, "
         "call opt.zero_grad() once per step"),
        (_sgd_reference(model, X, y, batches, softmax=True),
         "the updates are those of a softmax before F.cross_entropy: pass the raw logits"),
        (_sgd_reference(model, X, y, batches, stale=True),
         "each step used the previous batch's gradient: call loss.backward() before opt.step()"),
    ]
    for ref, why in diagnoses:
        if same(ref):
            pytest.fail(why)
    pytest.fail("after two SGD steps the parameters differ from two correct steps (zero the gradients, "
                "logits into F.cross_entropy, backward, step)")


@pytest.mark.exercise("10.1", points=2)
def test_train_step_reaches_the_target_loss(ex):
    X, y = _blobs()
    model = build_mlp(MLPConfig(d_in=2, hidden=(32,), d_out=3, seed=0))
    out = _train(ex, model, {"kind": "sgd", "lr": 0.1, "momentum": 0.9}, X, y, [[0, len(X)]] * 80)
    losses = out["losses"]
    assert all(isinstance(v, float) for v in losses), "train_step must return loss.item(), a float"
    load_state(model, out["state"])
    with torch.no_grad():
        final = F.cross_entropy(model(torch.from_numpy(X)), torch.from_numpy(y)).item()
    assert losses[-1] < 0.25 and final < 0.25, (
        f"after 80 steps the loss is {final:.3f} (target < 0.25). A loss stuck above ~0.55 means a "
        "softmax before F.cross_entropy; an oscillating one means gradients are not zeroed")


@pytest.mark.exercise("10.1")
def test_train_step_passes_logits_to_the_loss(ex):
    X, y = _blobs()
    model = build_mlp(MLPConfig(d_in=2, hidden=(8,), d_out=3, seed=2))
    with torch.no_grad():
        expected = F.cross_entropy(model(torch.from_numpy(X)), torch.from_numpy(y)).item()
    got = _train(ex, model, {"kind": "sgd", "lr": 0.0}, X, y, [[0, len(X)]])["losses"][0]
    assert isinstance(got, float), f"train_step must return loss.item(), a float; got {type(got).__name__}"
    assert got == pytest.approx(expected, rel=1e-5), (
        f"loss {got:.5f} but cross-entropy of the logits is {expected:.5f}: "
        "did you apply softmax before F.cross_entropy?")


# The contract's std is the population std with 1 for a constant feature. A learner who guards
# the division with std + eps (eps <= 1e-8) instead changes every value by a relative eps / std;
# the test data keep std >= 0.01 (or exactly 0), so rtol 1e-6 accepts that idiom and still sees
# any real mistake (ddof=1 alone is a relative change of >= 1 / (2N)).
STD_TOL = dict(rtol=1e-6, atol=1e-9)


def _scaled(X, ref, ddof=0):
    """X scaled with the mean and std of ref (std 1 where ref is constant): the mistakes' outputs."""
    std = ref.std(axis=0, ddof=ddof) if ref.shape[0] > ddof else np.zeros(ref.shape[1])
    return (X - ref.mean(axis=0)) / np.where(std > 0, std, 1.0)


def _standardize_slip(a, b, Xtr, Xva) -> str | None:
    X_all = np.vstack([Xtr, Xva])
    candidates = [
        (_scaled(Xtr, X_all), "you scaled with the mean/std of train + validation together: that "
                              "leaks validation data into training. Use X_train's statistics only."),
        (_scaled(Xtr, Xtr, ddof=1), "you used the sample std (ddof=1); the contract, like "
                                    "nnbasics.data.standardize, uses numpy's default (divide by N)"),
    ]
    for ref, why in candidates:
        if np.shape(a) == ref.shape and np.allclose(a, ref, **STD_TOL):
            return why
    if np.shape(b) == Xva.shape and np.allclose(b, _scaled(Xva, Xva), **STD_TOL):
        return "X_val was scaled with its own statistics; use the training mean/std for both splits"
    const = Xtr.std(axis=0) == 0
    if np.shape(b) == Xva.shape and const.any() and np.any(np.abs(np.asarray(b)[:, const]) > 1e4):
        return ("a feature that is constant in training explodes in validation ((x - mean) / (0 + eps) for a "
                "value off the constant): the contract divides by std = 1 there")
    return None


@pytest.mark.exercise("10.2")
def test_standardize_uses_training_statistics(ex):
    rng = np.random.default_rng(0)
    Xtr = rng.normal(5.0, 2.0, (50, 3))
    Xva = rng.normal(-3.0, 0.5, (20, 3))  # very different: a leaky scaler is easy to spot
    a, b = call_unmodified(ex.standardize_train_only, Xtr, Xva)
    slip = _standardize_slip(a, b, Xtr, Xva)
    if slip:
        pytest.fail(slip)
    ra, rb = data.standardize(Xtr, Xva)
    assert_close(a, ra, "X_train_s", **STD_TOL)
    assert_close(b, rb, "X_val_s (scaled with the training mean/std)", **STD_TOL)


@pytest.mark.exercise("10.2")
def test_standardize_constant_feature_stays_finite(ex):
    Xtr = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 6.0]])
    a, b = ex.standardize_train_only(Xtr, np.array([[1.0, 8.0]]))
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(b)), "a constant feature gave NaN: use std=1 there"
    assert_close(b, data.standardize(Xtr, np.array([[1.0, 8.0]]))[1], "X_val_s", **STD_TOL)


@pytest.mark.exercise("10.2")
@settings(max_examples=25, deadline=None)
@given(Xtr=arrays(np.float64, (6, 2), elements=st.floats(-50, 50)),
       Xva=arrays(np.float64, (3, 2), elements=st.floats(-50, 50)))
def test_standardize_property_matches_library(ex, Xtr, Xva):
    std = Xtr.std(axis=0)
    assume(np.all((std == 0) | (std >= 0.01)))
    a, b = ex.standardize_train_only(Xtr, Xva)
    ra, rb = data.standardize(Xtr, Xva)
    slip = _standardize_slip(a, b, Xtr, Xva)
    if slip and not (np.allclose(a, ra, **STD_TOL) and np.allclose(b, rb, **STD_TOL)):
        pytest.fail(slip)
    assert_close(a, ra, "X_train_s", **STD_TOL)
    assert_close(b, rb, "X_val_s", **STD_TOL)


def _dropout_model():
    torch.manual_seed(0)  # noqa: graded tests may seed; the initial weights come from the global RNG
    return torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.ReLU(), torch.nn.Dropout(0.9),
                               torch.nn.Linear(32, 3))


def _evaluate(ex, model, script: list) -> list:
    """Run ``script`` ("train"/"eval" set the mode, "call" calls eval_accuracy) in the sandbox."""
    X, y = _blobs()
    return ex.scenario("eval_accuracy", model=model_spec(model), X=X, y=y, script=script,
                       seed=0)["calls"]


@pytest.mark.exercise("10.3")
def test_eval_accuracy_is_deterministic_and_restores_mode(ex):
    X, y = _blobs()
    model = _dropout_model()
    calls = _evaluate(ex, model, ["train", "call", "call", "train", "call", "eval", "call"])
    a1, a2 = calls[0]["value"], calls[1]["value"]
    model.eval()
    with torch.no_grad():
        ref = (model(torch.from_numpy(X)).argmax(1) == torch.from_numpy(y)).double().mean().item()
    assert a1 == a2, "two evaluations differ: dropout is still active — call model.eval()"
    assert a1 == pytest.approx(ref), f"accuracy {a1} but the eval-mode accuracy is {ref}"
    assert calls[2]["training"], "restore the model's training mode after evaluating (model.train(was_training))"
    assert not calls[3]["training"], "a model that was in eval mode must stay in eval mode"


@pytest.mark.exercise("10.3")
def test_eval_accuracy_tracks_no_gradients(ex):
    calls = _evaluate(ex, _dropout_model(), ["train", "call", "call"])
    for c in calls:
        assert not any(c["grad_enabled"]), ("autograd was recording during your forward pass: "
                                            "predict under `with torch.no_grad():`")
        assert not c["grads"], "evaluation must not compute gradients"
    acc = calls[-1]["value"]
    assert isinstance(acc, float) and 0.0 <= acc <= 1.0, f"return a float in [0, 1], got {acc!r}"


# ---------------------------------------------------------------- 10.4 ROC-AUC
def _auc_slip(got, y, s) -> str | None:
    """Name the usual ROC-AUC slips by recomputing what each one gives."""
    pos, neg = s[y == 1], s[y == 0]
    gt = (pos[:, None] > neg[None, :]).mean()
    ties = (pos[:, None] == neg[None, :]).mean()
    want = gt + 0.5 * ties
    slips = [
        (1 - want, "you measured how often a NEGATIVE outranks a positive: higher scores mean 'more likely positive'"),
        (gt + ties, "a tie counted as a win: tied scores cross the threshold together (a diagonal step), worth one half"),
        (gt, "a tie counted as a loss: tied scores cross the threshold together (a diagonal step), worth one half"),
        (want * pos.size * neg.size / y.size ** 2, "normalise by the number of (positive, negative) PAIRS, not N^2"),
        (want * neg.size / pos.size, "normalise by n_pos * n_neg, the number of (positive, negative) pairs"),
        (want * pos.size / neg.size, "normalise by n_pos * n_neg, the number of (positive, negative) pairs"),
    ]
    for wrong, why in slips:
        if np.isclose(got, wrong, rtol=1e-9, atol=1e-12) and not np.isclose(wrong, want, rtol=1e-9, atol=1e-12):
            return why
    if ties > 0 and gt - 1e-12 <= got <= gt + ties + 1e-12:
        return ("tied scores were put in some order: a group of tied scores is ONE threshold (the curve takes "
                "a single diagonal step), so each tied (positive, negative) pair is worth one half")
    return None


def _check_auc(ex, y, s, where):
    got = call_unmodified(ex.roc_auc, y, s)
    if got is None:
        pytest.fail("roc_auc returned None — did you forget to `return` the area?")
    if np.ndim(got) != 0:
        pytest.fail(f"{where}: roc_auc must return one number, got shape {np.shape(got)}")
    got = float(got)
    want = metrics.roc_auc(y, s)
    # float64: a sum of <= N^2 halves divided once: exact to ~1e-15; 1e-9 accepts any summation order
    if not np.isclose(got, want, rtol=1e-9, atol=1e-12):
        slip = _auc_slip(got, y, s)
        pytest.fail(f"{where}: ROC-AUC {got:.6g}, expected {want:.6g}" + (f": {slip}" if slip else ""))


@pytest.mark.exercise("10.4", points=2)
def test_roc_auc_example_with_ties(ex):
    y = np.array([0, 1, 0, 1, 1, 0, 0, 1, 0])
    s = np.array([0.1, 0.8, 0.4, 0.4, 0.9, 0.4, 0.2, 0.4, 0.95])
    _check_auc(ex, y, s, "9 examples with tied scores")


@pytest.mark.exercise("10.4")
def test_roc_auc_invariances_and_extremes(ex):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 40)
    y[:2] = [0, 1]
    s = np.round(rng.standard_normal(40), 1)
    _check_auc(ex, y, s, "40 random scores")
    _check_auc(ex, y, np.exp(3 * s), "the same scores through an increasing map (the AUC must not change)")
    _check_auc(ex, y, -s, "the reversed ranking (1 - AUC)")
    _check_auc(ex, y, np.zeros(40), "all scores tied (0.5)")
    _check_auc(ex, y, y * 1e300, "a perfect ranking with huge scores (1.0)")
    _check_auc(ex, np.array([1, 0]), np.array([0.3, 0.7]), "one positive, one negative")
    _check_auc(ex, np.array([0, 0, 0, 1]), np.array([1, 2, 3, 3]), "integer scores, one positive tied with a negative")


@pytest.mark.exercise("10.4")
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_roc_auc_property_matches_the_library(ex, data):
    n = data.draw(st.integers(2, 30))
    y = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    y[:2] = [0, 1]
    s = np.array(data.draw(st.lists(st.integers(-4, 4), min_size=n, max_size=n)), dtype=float) * 0.25
    got = float(ex.roc_auc(y, s))
    want = metrics.roc_auc(y, s)  # equal to sklearn.metrics.roc_auc_score (tests/test_metrics.py)
    assert np.isclose(got, want, rtol=1e-9, atol=1e-12), (
        f"ROC-AUC {got:.6g}, expected {want:.6g} (n={n}): "
        + (_auc_slip(got, y, s) or "check how tied scores are counted"))
