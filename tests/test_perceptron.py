"""nnbasics.core.perceptron and nnbasics.data (notebook 01's library)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics import data
from nnbasics.core import perceptron
from nnbasics.experiments import nb01_perceptron
from nnbasics.testing import assert_close


def test_predict_and_gate_by_hand():
    X, y = data.logic_gate("and")
    assert_close(perceptron.net_input(X, [1.0, 1.0], -1.5), [-1.5, -0.5, -0.5, 0.5], "z")
    assert np.array_equal(perceptron.predict(X, [1.0, 1.0], -1.5), y)


def test_step_at_zero_is_one():
    assert perceptron.step(np.array([-1e-12, 0.0, 3.0])).tolist() == [0, 1, 1]


def test_update_moves_towards_missed_positive_and_returns_new_array():
    w = np.array([0.0, 0.0])
    w2, b2, mistake = perceptron.update(w, -1.0, np.array([1.0, 2.0]), 1, lr=0.5)
    assert mistake and w.tolist() == [0.0, 0.0]
    assert_close(w2, [0.5, 1.0], "w")
    assert b2 == -0.5


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), margin=st.floats(0.05, 0.5))
def test_converges_within_novikoff_bound_on_separable_data(seed, margin):
    X, y, (ws, bs) = data.separable(50, rng=seed, margin=margin, return_separator=True)
    assert np.all(np.abs(X @ ws + bs) >= margin - 1e-12)
    h = perceptron.train(X, y, epochs=10_000, rng=seed)
    assert h.converged and perceptron.accuracy(X, y, h.w, h.b) == 1.0
    assert sum(h.mistakes) <= perceptron.mistake_bound(X, ws, bs)


def test_xor_cannot_be_learned_but_two_layers_can():
    X, y = data.xor()
    h = perceptron.train(X, y, epochs=50)
    assert not h.converged and perceptron.accuracy(X, y, h.w, h.b) <= 0.75
    assert np.array_equal(perceptron.two_layer_predict(X, **perceptron.xor_network_weights()), y)


def test_learning_rate_only_rescales_from_zero_init():
    X, y = data.blobs(40, rng=1, separation=5.0)
    h1 = perceptron.train(X, y, lr=1.0, epochs=30)
    h2 = perceptron.train(X, y, lr=0.01, epochs=30)
    assert h1.mistakes == h2.mistakes
    assert_close(h2.w, 0.01 * h1.w, "w", rtol=1e-9, atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), separation=st.floats(1.0, 4.0))
def test_pocket_keeps_the_most_accurate_line_visited(seed, separation):
    X, y = data.blobs(30, rng=seed, separation=separation)
    h = perceptron.train(X, y, epochs=5, rng=seed, pocket=True)
    assert h.best_accuracy == perceptron.accuracy(X, y, h.best_w, h.best_b)
    assert h.best_accuracy >= max(h.accuracy)  # every end-of-epoch line was visited
    plain = perceptron.train(X, y, epochs=5, rng=seed)
    assert plain.mistakes == h.mistakes and plain.best_w is None  # the pocket only watches
    assert_close(plain.w, h.w, "w with and without the pocket")


def test_pocket_matches_a_brute_force_walk():
    X, y = data.blobs(20, rng=3, separation=2.0)
    w, b, best = np.zeros(2), 0.0, perceptron.accuracy(X, y, np.zeros(2), 0.0)
    for _ in range(4):
        for i in range(len(X)):
            w, b, _ = perceptron.update(w, b, X[i], int(y[i]))
            best = max(best, perceptron.accuracy(X, y, w, b))
    assert perceptron.train(X, y, epochs=4, pocket=True).best_accuracy == best


def test_shifted_margin_demo_data_are_separable_by_the_stated_line():
    d = nb01_perceptron.shifted_margin_demo(n=6, shift=3.0, rng=1, epochs=5000)
    assert d["X"].shape == (6, 2) and set(d["y"].tolist()) <= {0, 1}
    margin = (2 * d["y"] - 1) * (d["X"][:, 0] - 3.0)
    assert np.all(margin >= 0.1 - 1e-12)  # w* = (1, 0), b* = -shift separates with a gap of 0.1
    assert d["converged"] and d["mistakes"] <= d["augmented_bound"]


def test_torch_xor_learns_and_is_reproducible():
    a = nb01_perceptron.fit_torch_xor(seed=0)
    b = nb01_perceptron.fit_torch_xor(seed=0)
    assert np.array_equal(a["predictions"], data.xor()[1])
    assert a["losses"] == b["losses"]


def test_boundary_line_points_satisfy_equation():
    xs, ys = perceptron.boundary_line([2.0, -1.0], 0.5, (-1, 1))
    assert_close(2 * xs - ys + 0.5, [0, 0], "w.x + b on the line")
    xs, ys = perceptron.boundary_line([1.0, 0.0], -0.3, (-1, 1))
    assert_close(xs, [0.3, 0.3], "vertical line")
    assert perceptron.boundary_line([0.0, 0.0], 1.0, (0, 1))[0].size == 0


@pytest.mark.parametrize("call, match", [
    (lambda: perceptron.predict(np.ones((3, 2)), np.ones(3), 0.0), "X has 2 features but w expects D=3"),
    (lambda: perceptron.predict(np.ones(3), np.ones(3), 0.0), "X must be 2-D"),
    (lambda: perceptron.predict(np.full((2, 2), np.nan), np.ones(2), 0.0), "NaN"),
    (lambda: perceptron.predict(np.ones((2, 2)), np.ones(2), float("inf")), "b must be finite"),
    (lambda: perceptron.train(np.ones((3, 2)), [0, 1], epochs=3), "N=3"),
    (lambda: perceptron.train(np.ones((2, 2)), [0, 2]), "must be < C=2"),
    (lambda: perceptron.train(np.ones((2, 2)), [0, 1], epochs=0), "epochs must be >= 1"),
    (lambda: perceptron.train(np.ones((2, 2)), [0, 1], lr=-1), "lr must be > 0"),
    (lambda: perceptron.update(np.ones(2), 0.0, np.ones(2), 3), "y must be 0 or 1"),
    (lambda: perceptron.predict("abc", np.ones(2), 0.0), "numeric array"),
    (lambda: data.logic_gate("xnor"), "name must be one of"),
    (lambda: data.blobs(10, rng=None), "rng must be a numpy Generator"),
    (lambda: data.separable(10, rng=0, margin=0), "margin must be > 0"),
])
def test_bad_input_is_named(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_train_matches_the_checked_rule_applied_by_hand():
    """train applies the rule without re-checking each example: the same weights as update()."""
    X, y = data.blobs(40, rng=3, separation=1.0)  # overlapping: mistakes in every epoch
    order_rng, w, b, per_epoch = np.random.default_rng(5), np.zeros(2), 0.0, []
    for _ in range(3):
        for i in order_rng.permutation(len(X)):
            w, b, _ = perceptron.update(w, b, X[i], int(y[i]), lr=0.3)
        per_epoch.append((w.copy(), b))
    h = perceptron.train(X, y, lr=0.3, epochs=3, rng=np.random.default_rng(5))
    assert not h.converged
    for (w_hand, b_hand), (w_train, b_train) in zip(per_epoch, h.weights, strict=True):
        assert np.array_equal(w_hand, w_train) and b_hand == b_train


def test_train_names_an_overflow_instead_of_returning_nan():
    X = np.array([[1e308, 1e308], [-1e308, -1e308]])
    with pytest.raises(ValueError, match="train: .*NaN/inf.*weights overflowed"):
        perceptron.train(X, [0, 1], lr=1e10, epochs=3)


def test_generators_are_seeded_and_shaped():
    for make in (data.blobs, data.spirals, data.moons, data.circles):
        X1, y1 = make(30, rng=7)
        X2, y2 = make(30, rng=7)
        assert X1.shape == (30, 2) and y1.shape == (30,) and X1.dtype == np.float64
        assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
        assert set(np.unique(y1)) == {0, 1}


def test_digits_split_is_offline_and_standardized():
    s = data.digits(rng=0)
    assert s.X_train.shape[1] == 64 and len(s.X_train) + len(s.X_val) == 1797
    assert_close(s.X_train.mean(axis=0), np.zeros(64), "train feature means", atol=1e-9)
