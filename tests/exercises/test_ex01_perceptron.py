"""Graded tests for notebook 01's exercises (run against --impl solutions|exercises|PATH).

The library's tested ``nnbasics.core.perceptron`` is the oracle.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnbasics import data
from nnbasics.core import perceptron
from nnbasics.course.grading_plugin import call_unmodified
from nnbasics.testing import assert_close

EXERCISES = {
    "1.1": {"title": "perceptron predict",
            "hint": "compute z = X @ w + b (shape (N,)) and return (z >= 0) as integers 0/1; "
                    "note z == 0 counts as class 1"},
    "1.2": {"title": "perceptron update rule",
            "hint": "y_hat from the *current* w, b; then w + lr*(y - y_hat)*x and b + lr*(y - y_hat); "
                    "build a new array instead of `w +=`"},
    "1.3": {"title": "training loop with mistake history",
            "hint": "start at zeros, visit rows in order, count a mistake when the prediction "
                    "is wrong *before* updating, stop after an epoch with 0 mistakes"},
}

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


@pytest.fixture(scope="module")
def ex(impl):
    return impl("01")


@pytest.mark.exercise("1.1")
def test_predict_gates(ex):
    X, _ = data.logic_gate("and")
    w, b = np.array([1.0, 1.0]), -1.5
    y_hat = call_unmodified(ex.predict, X, w, b)
    assert_close(y_hat, perceptron.predict(X, w, b), "predict(AND points, w=[1,1], b=-1.5)")


@pytest.mark.exercise("1.1")
def test_predict_boundary_counts_as_one(ex):
    X = np.array([[1.0, -1.0], [0.0, 0.0]])
    y_hat = np.asarray(ex.predict(X, np.array([1.0, 1.0]), 0.0))
    assert y_hat.shape == (2,), f"predict must return shape (N,) = (2,), got {y_hat.shape}"
    assert np.array_equal(y_hat, [1, 1]), f"z = 0 must give class 1 (step(0) = 1), got {y_hat.tolist()}"


@pytest.mark.exercise("1.1")
@settings(max_examples=40, deadline=None)
@given(X=arrays(np.float64, (7, 3), elements=finite), w=arrays(np.float64, (3,), elements=finite),
       b=finite)
def test_predict_property_matches_reference(ex, X, w, b):
    assert_close(ex.predict(X, w, b), perceptron.predict(X, w, b), "predict(X, w, b)")


@pytest.mark.exercise("1.2")
def test_update_on_mistake(ex):
    w, b, x = np.array([0.5, -1.0]), 0.0, np.array([1.0, 2.0])  # z = -1.5 -> predicts 0
    w_new, b_new = call_unmodified(ex.update, w, b, x, 1, 0.5)
    w_ref, b_ref, _ = perceptron.update(w, b, x, 1, 0.5)
    assert_close(w_new, w_ref, "w after update")
    assert_close(b_new, b_ref, "b after update")


@pytest.mark.exercise("1.2")
def test_update_no_change_when_correct(ex):
    w, b, x = np.array([0.5, -1.0]), 0.25, np.array([3.0, 1.0])  # z = 0.75 -> predicts 1
    w_new, b_new = ex.update(w, b, x, 1, 1.0)
    assert_close(w_new, w, "w (correct prediction: must not change)")
    assert_close(b_new, b, "b (correct prediction: must not change)")


@pytest.mark.exercise("1.2")
@settings(max_examples=40, deadline=None)
@given(w=arrays(np.float64, (2,), elements=finite), b=finite,
       x=arrays(np.float64, (2,), elements=finite), y=st.integers(0, 1),
       lr=st.floats(0.01, 2.0))
def test_update_property_matches_reference(ex, w, b, x, y, lr):
    w_new, b_new = call_unmodified(ex.update, w, b, x, y, lr)
    w_ref, b_ref, _ = perceptron.update(w, b, x, y, lr)
    assert_close(w_new, w_ref, "w after update")
    assert_close(b_new, b_ref, "b after update")


@pytest.mark.exercise("1.3", points=2)
def test_train_separable_converges_like_reference(ex):
    X, y = data.blobs(40, rng=3, separation=4.0)
    w, b, mistakes = call_unmodified(ex.train, X, y, 1.0, 50)
    ref = perceptron.train(X, y, lr=1.0, epochs=50)
    assert list(mistakes) == ref.mistakes, f"mistakes per epoch {list(mistakes)}, expected {ref.mistakes}"
    assert_close(w, ref.w, "final w")
    assert_close(b, ref.b, "final b")
    assert mistakes[-1] == 0, "on separable data training must end with an epoch of 0 mistakes"


@pytest.mark.exercise("1.3")
def test_train_xor_never_converges(ex):
    X, y = data.xor()
    w, b, mistakes = ex.train(X, y, 1.0, 12)
    assert len(mistakes) == 12, f"XOR is not separable: all 12 epochs must run, got {len(mistakes)}"
    assert min(mistakes) > 0, "XOR can't be learned: every epoch must have a mistake"
    acc = np.mean(perceptron.predict(X, w, b) == y)
    assert acc <= 0.75, f"a single line can't get all XOR points right, got accuracy {acc}"
