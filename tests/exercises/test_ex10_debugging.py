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
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnbasics import data
from nnbasics.course.specs import load_state, model_spec
from nnbasics.course.grading_plugin import call_unmodified
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
def test_train_step_uses_only_this_batchs_gradient(ex):
    X, y = _blobs()
    model = build_mlp(MLPConfig(d_in=2, hidden=(8,), d_out=3, seed=1))
    ref = copy.deepcopy(model)
    # lr 0: the parameters stay, the gradients of the last step stay visible
    out = _train(ex, model, {"kind": "sgd", "lr": 0.0}, X, y, [[0, 20], [20, 40]])
    F.cross_entropy(ref(torch.from_numpy(X[20:40])), torch.from_numpy(y[20:40])).backward()
    for name, q in ref.named_parameters():
        g = out["grads"][name]
        assert g is not None, f"{name}.grad is None: did you call loss.backward()?"
        if not np.allclose(g, q.grad.numpy(), rtol=1e-4, atol=1e-6):
            ratio = float(np.linalg.norm(g) / q.grad.norm())
            raise AssertionError(f"{name}.grad after two steps is not the second batch's gradient "
                                 f"(norm ratio {ratio:.2f}): did you forget opt.zero_grad() (the "
                                 "gradients add up), or put a softmax before the loss?")


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


@pytest.mark.exercise("10.2")
def test_standardize_uses_training_statistics(ex):
    rng = np.random.default_rng(0)
    Xtr = rng.normal(5.0, 2.0, (50, 3))
    Xva = rng.normal(-3.0, 0.5, (20, 3))  # very different: a leaky scaler is easy to spot
    a, b = call_unmodified(ex.standardize_train_only, Xtr, Xva)
    ra, rb = data.standardize(Xtr, Xva)
    X_all = np.vstack([Xtr, Xva])
    if np.allclose(a, (Xtr - X_all.mean(0)) / X_all.std(0)):
        raise AssertionError("you scaled with the mean/std of train + validation together: that "
                             "leaks validation data into training. Use X_train's statistics only.")
    assert_close(a, ra, "X_train_s")
    assert_close(b, rb, "X_val_s (scaled with the training mean/std)")


@pytest.mark.exercise("10.2")
def test_standardize_constant_feature_stays_finite(ex):
    Xtr = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 6.0]])
    a, b = ex.standardize_train_only(Xtr, np.array([[1.0, 8.0]]))
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(b)), "a constant feature gave NaN: use std=1 there"
    assert_close(b, data.standardize(Xtr, np.array([[1.0, 8.0]]))[1], "X_val_s")


@pytest.mark.exercise("10.2")
@settings(max_examples=25, deadline=None)
@given(Xtr=arrays(np.float64, (6, 2), elements=st.floats(-50, 50)),
       Xva=arrays(np.float64, (3, 2), elements=st.floats(-50, 50)))
def test_standardize_property_matches_library(ex, Xtr, Xva):
    a, b = ex.standardize_train_only(Xtr, Xva)
    ra, rb = data.standardize(Xtr, Xva)
    assert_close(a, ra, "X_train_s", rtol=1e-9, atol=1e-9)
    assert_close(b, rb, "X_val_s", rtol=1e-9, atol=1e-9)


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
