"""Graded tests for notebook 01's exercises (run against --impl solutions|exercises|PATH).

The library's tested ``nnbasics.core.perceptron`` is the oracle.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
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
    "1.4": {"title": "signed distance to the line",
            "hint": "w is the line's normal: the distance is z = w·x + b measured in units of ||w||, "
                    "i.e. (X @ w + b) / ||w||; keep the sign of z"},
}

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


def _near_tie(X, w, b):
    """Rows where z = X w + b is so close to 0 that its sign depends on the summation order."""
    X = np.atleast_2d(X)
    return np.abs(X @ w + b) <= 1e-12 * (np.abs(X) @ np.abs(w) + abs(b)) + 1e-300


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
@pytest.mark.parametrize("n, d", [(1, 1), (5, 1), (1, 4), (6, 3)])
def test_predict_returns_integer_labels_of_shape_n(ex, n, d):
    rng = np.random.default_rng(n * 10 + d)
    X, w, b = rng.standard_normal((n, d)), rng.standard_normal(d), float(rng.standard_normal())
    y_hat = np.asarray(call_unmodified(ex.predict, X, w, b))
    assert y_hat.shape == (n,), f"predict must return shape (N,) = ({n},), got {y_hat.shape}"
    assert np.issubdtype(y_hat.dtype, np.integer), (
        f"predict must return integer labels 0/1, got dtype {y_hat.dtype} "
        "(a comparison gives bools: convert with .astype(int))")
    assert_close(y_hat, perceptron.predict(X, w, b), f"predict on a ({n}, {d}) batch")


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
    # rows whose z is within float64 rounding of 0 may fall either way with another summation
    # order (np.dot, (X * w).sum(1), ...): compare only the rows where the sign is certain
    sure = ~_near_tie(X, w, b)
    assert_close(np.asarray(ex.predict(X, w, b))[sure], perceptron.predict(X, w, b)[sure], "predict(X, w, b)")


@pytest.mark.exercise("1.1")
@pytest.mark.parametrize("scale", [1e-150, 1e150])
def test_predict_extreme_magnitudes(ex, scale):
    # only the sign of z matters: scaling X and b by the same positive factor changes nothing
    X, _ = data.logic_gate("or")
    w, b = np.array([1.0, 1.0]), -0.5
    assert_close(ex.predict(X * scale, w, b * scale), perceptron.predict(X, w, b),
                 f"predict with X and b scaled by {scale:g}")


def _check_update(ex, w, b, x, y, lr, what):
    result = call_unmodified(ex.update, w, b, x, y, lr)
    assert isinstance(result, tuple) and len(result) == 2, "update must return the pair (w_new, b_new)"
    w_new, b_new = result
    w_ref, b_ref, _ = perceptron.update(w, b, x, y, lr)
    moved, should_move = np.asarray(w_new, dtype=float) - w, w_ref - w
    if np.any(should_move != 0) and np.shape(moved) == np.shape(should_move) \
            and np.allclose(moved, -should_move, rtol=1e-9, atol=0.0):
        raise AssertionError(f"{what}: w moved the wrong way (sign of the error): after a missed "
                             f"positive (y=1, y_hat=0) w must move towards x")
    assert_close(w_new, w_ref, f"w after update ({what})")
    assert_close(b_new, b_ref, f"b after update ({what}) — the bias learns like a weight on a constant input 1")


@pytest.mark.exercise("1.2")
def test_update_on_mistake(ex):
    _check_update(ex, np.array([0.5, -1.0]), 0.0, np.array([1.0, 2.0]), 1, 0.5,
                  "missed positive: z = -1.5, y = 1")
    _check_update(ex, np.array([0.5, -1.0]), 0.0, np.array([-1.0, -2.0]), 0, 0.25,
                  "false positive: z = 1.5, y = 0")


@pytest.mark.exercise("1.2")
def test_update_at_z_equal_zero_counts_as_predicting_one(ex):
    # from zero weights z = 0, so step(0) = 1 predicts class 1: a label 0 is a mistake
    w_new, b_new = call_unmodified(ex.update, np.zeros(2), 0.0, np.array([1.0, 2.0]), 0, 1.0)
    assert np.any(np.asarray(w_new) != 0) or b_new != 0, (
        "with w = 0, b = 0 (z = 0) and y = 0 nothing changed: step(0) = 1, so the prediction was 1 "
        "and the example is a mistake (use z >= 0, not z > 0)")
    _check_update(ex, np.zeros(2), 0.0, np.array([1.0, 2.0]), 0, 1.0, "z = 0, y = 0")


@pytest.mark.exercise("1.2")
def test_update_no_change_when_correct(ex):
    w, b, x = np.array([0.5, -1.0]), 0.25, np.array([3.0, 1.0])  # z = 0.75 -> predicts 1
    w_new, b_new = ex.update(w, b, x, 1, 1.0)
    assert_close(w_new, w, "w (correct prediction: the rule changes nothing)")
    assert_close(b_new, b, "b (correct prediction: must not change)")


@pytest.mark.exercise("1.2")
@settings(max_examples=40, deadline=None)
@given(w=arrays(np.float64, (2,), elements=finite), b=finite,
       x=arrays(np.float64, (2,), elements=finite), y=st.integers(0, 1),
       lr=st.floats(0.01, 2.0))
def test_update_property_matches_reference(ex, w, b, x, y, lr):
    assume(not _near_tie(x, w, b)[0])  # the sign of z = 0 +- rounding is tested by hand above
    _check_update(ex, w, b, x, y, lr, f"w={w.tolist()}, b={b}, x={x.tolist()}, y={y}, lr={lr}")


@pytest.mark.exercise("1.3", points=2)
def test_train_separable_converges_like_reference(ex):
    X, y = data.blobs(40, rng=3, separation=4.0)
    w, b, mistakes = call_unmodified(ex.train, X, y, 1.0, 50)
    ref = perceptron.train(X, y, lr=1.0, epochs=50)
    if len(mistakes) > len(ref.mistakes) and list(mistakes[:len(ref.mistakes)]) == ref.mistakes:
        raise AssertionError(f"mistakes per epoch {list(mistakes)}: training must stop after the "
                             f"first epoch with 0 mistakes (expected {ref.mistakes})")
    assert list(mistakes) == ref.mistakes, (
        f"mistakes per epoch {list(mistakes)}, expected {ref.mistakes} (rows in order, a mistake "
        "counted when the prediction with the weights *before* the update is wrong, reset each epoch)")
    assert_close(w, ref.w, "final w (start from zeros, rows in order)")
    assert_close(b, ref.b, "final b (start from zeros, rows in order)")
    assert mistakes[-1] == 0, "on separable data training must end with an epoch of 0 mistakes"


@pytest.mark.exercise("1.3")
def test_train_xor_never_converges(ex):
    X, y = data.xor()
    w, b, mistakes = ex.train(X, y, 1.0, 12)
    assert len(mistakes) == 12, f"XOR is not separable: all 12 epochs must run, got {len(mistakes)}"
    assert min(mistakes) > 0, "XOR can't be learned: every epoch must have a mistake"
    acc = np.mean(perceptron.predict(X, w, b) == y)
    assert acc <= 0.75, f"a single line can't get all XOR points right, got accuracy {acc}"
    ref = perceptron.train(X, y, lr=1.0, epochs=12)
    assert list(mistakes) == ref.mistakes, f"mistakes per epoch on XOR {list(mistakes)}, expected {ref.mistakes}"
    assert_close(w, ref.w, "final w on XOR")
    assert_close(b, ref.b, "final b on XOR")


@pytest.mark.exercise("1.4")
def test_signed_distance_by_hand(ex):
    # w = (3, 4) has length 5; the line 3 x1 + 4 x2 - 5 = 0 passes through (1, 0.5)
    X = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, 0.5], [-1.0, 2.0]])
    w, b = np.array([3.0, 4.0]), -5.0
    d = np.asarray(call_unmodified(ex.signed_distance, X, w, b), dtype=float)
    expected = np.array([-1.0, 4.0, 0.0, 0.0])
    assert d.shape == (4,), f"signed_distance must return shape (N,) = (4,), got {d.shape}"
    z = X @ w + b
    if np.allclose(d, z):
        raise AssertionError("signed_distance returned z = w·x + b itself: that is measured in units of "
                             "||w|| — scaling (w, b) by 2 describes the same line but doubles z")
    if np.allclose(d, np.abs(expected)):
        raise AssertionError("signed_distance is never negative: points on the side labelled 0 "
                             "(w·x + b < 0) must get a negative distance — keep the sign")
    assert_close(d, expected, "signed distance to 3 x1 + 4 x2 - 5 = 0 (by hand: -1, 4, 0, 0)",
                 rtol=1e-12, atol=1e-12)


def _distance_tolerance(X, w, b):
    # float64 error analysis: each term of x·w + b carries a relative error <= (D + 2) eps, so the
    # absolute error of d is below (D + 2) eps (|x|·|w| + |b|) / ||w||; 1e-12 leaves ample room.
    return 1e-12 * float(np.max((np.abs(X) @ np.abs(w) + abs(b)) / np.linalg.norm(w)))


@pytest.mark.exercise("1.4")
@pytest.mark.parametrize("c", [1e-100, 1e-3, 7.0, 1e100, -2.5])
def test_signed_distance_depends_on_the_line_not_on_the_scale_of_w(ex, c):
    rng = np.random.default_rng(4)
    X, w, b = rng.standard_normal((6, 3)), rng.standard_normal(3), float(rng.standard_normal())
    d = np.asarray(ex.signed_distance(X, w, b), dtype=float)
    d_c = np.asarray(ex.signed_distance(X, c * w, c * b), dtype=float)
    sign = np.sign(c)  # c < 0 swaps the sides labelled 0 and 1, so the sign flips
    what = ("scaling (w, b) by c > 0 describes the same line, so the distances must not change"
            if c > 0 else "(-w, -b) is the same line with the sides swapped: every distance flips sign")
    if c > 0 and np.allclose(d_c, d / c, rtol=1e-9) or np.allclose(d_c, d * c, rtol=1e-9):
        raise AssertionError(f"{what}, but yours scaled by 1/c or c (c = {c:g}): normalise by ||w||, "
                             "the length of w")
    assert_close(d_c, sign * d, f"{what} (c = {c:g})", rtol=0.0, atol=_distance_tolerance(X, w, b))


@pytest.mark.exercise("1.4")
@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 5), d=st.integers(1, 4), seed=st.integers(0, 10_000),
       scale=st.sampled_from([1e-8, 1.0, 1e8]))
def test_signed_distance_geometry(ex, n, d, seed, scale):
    # walking |dist| along the unit normal back from x lands exactly on the line
    rng = np.random.default_rng(seed)
    X = scale * rng.standard_normal((n, d))
    w, b = rng.standard_normal(d) + 0.1, scale * float(rng.standard_normal())
    dist = np.asarray(call_unmodified(ex.signed_distance, X, w, b), dtype=float)
    assert dist.shape == (n,), f"signed_distance must return shape (N,) = ({n},), got {dist.shape}"
    unit = w / np.linalg.norm(w)
    foot = X - dist[:, None] * unit  # (N, D): the closest point on the line
    on_line = (foot @ w + b) / np.linalg.norm(w)
    assert_close(on_line, np.zeros(n), "distance of x - d·w/||w|| from the line (must be on it)",
                 rtol=0.0, atol=4 * _distance_tolerance(np.vstack([X, foot]), w, b))
    if np.any(np.sign(dist) != np.sign(X @ w + b)) and np.all(dist >= 0):
        raise AssertionError("the sign is lost: points with w·x + b < 0 must get a negative distance")

