"""nnbasics.core.metrics against sklearn.metrics, properties, and bad input."""

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import metrics
from nnbasics.testing import F64, assert_close

labels = st.lists(st.integers(0, 3), min_size=2, max_size=40)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_confusion_and_prf_match_sklearn(data):
    y = np.array(data.draw(labels))
    p = np.array(data.draw(st.lists(st.integers(0, 3), min_size=len(y), max_size=len(y))))
    M = metrics.confusion_matrix(y, p, n_classes=4)
    assert np.array_equal(M, skm.confusion_matrix(y, p, labels=[0, 1, 2, 3]))
    rep = metrics.precision_recall_f1(y, p, n_classes=4)
    P, R, F, S = skm.precision_recall_fscore_support(y, p, labels=[0, 1, 2, 3], zero_division=0)
    assert_close(rep.precision, P, "precision", **F64)
    assert_close(rep.recall, R, "recall", **F64)
    assert_close(rep.f1, F, "f1", **F64)
    assert np.array_equal(rep.support, S)
    assert rep.macro_f1 == pytest.approx(skm.f1_score(y, p, labels=[0, 1, 2, 3], average="macro",
                                                      zero_division=0))
    assert metrics.accuracy(y, p) == pytest.approx(skm.accuracy_score(y, p))
    assert M.sum() == len(y) and np.trace(M) == np.sum(y == p)


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_pr_curve_and_average_precision_match_sklearn(data):
    n = data.draw(st.integers(3, 40))
    y = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    if y.sum() == 0:
        y[0] = 1
    s = np.array(data.draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n)), dtype=float) / 2
    p, r, t = metrics.precision_recall_curve(y, s)
    P, R, T = skm.precision_recall_curve(y, s)
    assert_close(p, P, "precision")
    assert_close(r, R, "recall")
    assert_close(t, T, "thresholds")
    assert metrics.average_precision(y, s) == pytest.approx(skm.average_precision_score(y, s), abs=1e-12)


def test_always_majority_has_99_percent_accuracy_and_zero_minority_recall():
    y = np.r_[np.zeros(99, int), 1]
    p = np.zeros(100, int)
    rep = metrics.precision_recall_f1(y, p, n_classes=2)
    assert metrics.accuracy(y, p) == 0.99
    assert rep.recall[1] == 0.0 and rep.f1[1] == 0.0
    assert rep.macro_f1 < 0.5


def test_perfect_and_chance_average_precision():
    y = np.array([0, 0, 1, 1, 0, 1])
    assert metrics.average_precision(y, y.astype(float)) == 1.0
    assert metrics.average_precision(y, np.zeros(6)) == pytest.approx(metrics.chance_average_precision(y))


def test_bad_inputs():
    with pytest.raises(ValueError, match="y_pred has N=2"):
        metrics.accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="y_true must be >= 0"):
        metrics.confusion_matrix([-1, 0], [0, 0])
    with pytest.raises(ValueError, match="y_pred must be < C=2"):
        metrics.confusion_matrix([0, 1], [0, 2], n_classes=2)
    with pytest.raises(ValueError, match="whole-number"):
        metrics.precision_recall_f1([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match="binary"):
        metrics.precision_recall_curve([0, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="no positive"):
        metrics.average_precision([0, 0], [0.1, 0.2])
    with pytest.raises(ValueError, match="NaN"):
        metrics.average_precision([0, 1], [0.1, np.nan])
    with pytest.raises(TypeError, match="y_true"):
        metrics.chance_average_precision("01")


# --------------------------------------------------------------------------- ROC and calibration
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_roc_curve_and_auc_match_sklearn_with_ties(data):
    n = data.draw(st.integers(2, 40))
    y = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    if y.min() == y.max():
        y[0] = 1 - y[0]
    scores = np.array(data.draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n)), dtype=float) / 2  # ties
    fpr, tpr, thr = metrics.roc_curve(y, scores)
    sk_fpr, sk_tpr, sk_thr = skm.roc_curve(y, scores, drop_intermediate=False)
    assert_close(fpr, sk_fpr, "fpr")
    assert_close(tpr, sk_tpr, "tpr")
    assert_close(thr, sk_thr[1:], "thresholds")
    assert metrics.roc_auc(y, scores) == pytest.approx(skm.roc_auc_score(y, scores), rel=1e-12, abs=1e-12)


def test_roc_auc_is_the_probability_a_positive_outranks_a_negative():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    s = np.round(rng.standard_normal(60), 1)
    pos, neg = s[y == 1], s[y == 0]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert metrics.roc_auc(y, s) == pytest.approx(pairs, rel=1e-12)
    assert metrics.roc_auc(y, -s) == pytest.approx(1 - pairs, rel=1e-12)  # reversed ranking
    assert metrics.roc_auc(y, np.exp(s)) == pytest.approx(pairs, rel=1e-12)  # any increasing map
    assert metrics.roc_auc(y, np.zeros(60)) == 0.5


def test_reliability_bins_and_ece():
    # four predictions: two at confidence 0.95 (one right), two at 0.65 (both right)
    probs = np.array([[0.95, 0.05], [0.95, 0.05], [0.35, 0.65], [0.65, 0.35]])
    y = np.array([0, 1, 1, 0])
    rel = metrics.reliability(y, probs, n_bins=10)
    assert rel.counts.sum() == 4 and rel.counts[9] == 2 and rel.counts[6] == 2
    assert rel.accuracy[9] == 0.5 and rel.accuracy[6] == 1.0 and np.isnan(rel.accuracy[0])
    assert rel.ece == pytest.approx(0.5 * abs(0.5 - 0.95) + 0.5 * abs(1.0 - 0.65))
    assert metrics.expected_calibration_error(y, probs, 10) == rel.ece
    perfect = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert metrics.expected_calibration_error([0, 1], perfect, 5) == 0.0


def test_temperature_scaling_finds_the_generating_temperature():
    """Labels drawn from softmax(z / 3): the fitted T is close to 3, and the cross-entropy at T is minimal."""
    import torch

    rng = np.random.default_rng(1)
    z = rng.standard_normal((20000, 4)) * 4
    p = np.exp(z / 3 - np.max(z / 3, 1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    y = (p.cumsum(1) > rng.random((20000, 1))).argmax(1)
    T = metrics.fit_temperature(z, y)
    assert 2.8 < T < 3.2
    ce = [float(torch.nn.functional.cross_entropy(torch.from_numpy(z / t), torch.from_numpy(y)))
          for t in (T, 0.9 * T, 1.1 * T)]
    assert ce[0] <= min(ce[1:])


def test_roc_and_calibration_bad_inputs():
    with pytest.raises(ValueError, match="no negative"):
        metrics.roc_auc([1, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match="probs must be probabilities"):
        metrics.reliability([0, 1], np.array([[2.0, -1.0], [0.5, 0.5]]))
    with pytest.raises(ValueError, match="y_true must be < C=2"):
        metrics.reliability([0, 2], np.array([[0.5, 0.5], [0.5, 0.5]]))
    with pytest.raises(ValueError, match="hi must be >"):
        metrics.fit_temperature(np.zeros((2, 2)), [0, 1], lo=2.0, hi=1.0)
