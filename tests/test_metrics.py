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
