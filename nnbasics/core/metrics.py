"""Classification metrics beyond accuracy: confusion matrix, precision/recall/F1, PR curve, AP.

Why they matter: on a data set with 99 % negatives, "always predict negative" scores
99 % accuracy and finds nothing. Precision and recall look at one class at a time:

    precision_c = TP_c / (TP_c + FP_c),  recall_c = TP_c / (TP_c + FN_c),
    F1_c = 2 P_c R_c / (P_c + R_c).

All functions follow scikit-learn's conventions (rows of the confusion matrix are the
true classes; ``zero_division`` gives 0) and are tested against ``sklearn.metrics``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbasics._validate import as_float_array, as_labels, check_float, check_int, check_same_rows

__all__ = ['accuracy', 'confusion_matrix', 'ClassReport', 'precision_recall_f1', 'precision_recall_curve', 'average_precision', 'chance_average_precision']


def _pair(y_true, y_pred, n_classes):
    y_true = as_labels(y_true, "y_true")
    y_pred = as_labels(y_pred, "y_pred")
    check_same_rows(y_true, "y_true", y_pred, "y_pred")
    if n_classes is None:
        n_classes = int(max(y_true.max(), y_pred.max())) + 1
    else:
        n_classes = check_int(n_classes, "n_classes", minimum=1)
        for arr, name in ((y_true, "y_true"), (y_pred, "y_pred")):
            if arr.max() >= n_classes:
                raise ValueError(f"{name} must be < C={n_classes}, got maximum {arr.max()}")
    return y_true, y_pred, n_classes


def accuracy(y_true, y_pred) -> float:
    """Fraction of correct predictions: mean(y_pred == y_true).

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
    """
    y_true, y_pred, _ = _pair(y_true, y_pred, None)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Counts M[i, j] of examples with true class i predicted as class j.

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
    n_classes : int, optional
        C; by default 1 + the largest label seen.

    Returns
    -------
    ndarray of int64, shape (C, C)
        Rows: true class; columns: predicted class; the diagonal holds the hits.
    """
    y_true, y_pred, C = _pair(y_true, y_pred, n_classes)
    M = np.zeros((C, C), dtype=np.int64)
    np.add.at(M, (y_true, y_pred), 1)
    return M


@dataclass(frozen=True)
class ClassReport:
    """Per-class and macro-averaged precision, recall and F1.

    Attributes
    ----------
    precision, recall, f1 : ndarray, shape (C,)
    support : ndarray of int, shape (C,)
        True examples per class.
    macro_precision, macro_recall, macro_f1 : float
        Unweighted means over classes (every class counts the same, however rare).
    """

    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    macro_precision: float
    macro_recall: float
    macro_f1: float


def _safe_div(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


def precision_recall_f1(y_true, y_pred, n_classes: int | None = None) -> ClassReport:
    """Precision TP/(TP+FP), recall TP/(TP+FN) and F1 = 2PR/(P+R) for every class.

    A class that is never predicted has precision 0 (scikit-learn's ``zero_division=0``).

    Parameters
    ----------
    y_true, y_pred : array_like of int, shape (N,)
    n_classes : int, optional

    Returns
    -------
    ClassReport
    """
    M = confusion_matrix(y_true, y_pred, n_classes)
    tp = np.diag(M)
    precision = _safe_div(tp, M.sum(axis=0))
    recall = _safe_div(tp, M.sum(axis=1))
    f1 = _safe_div(2 * precision * recall, precision + recall)
    return ClassReport(precision, recall, f1, M.sum(axis=1), float(precision.mean()),
                       float(recall.mean()), float(f1.mean()))


def _binary_scores(y_true, scores):
    y_true = as_labels(y_true, "y_true")
    if y_true.max() > 1:
        raise ValueError(f"y_true must be binary 0/1 for a PR curve, got maximum {y_true.max()}")
    if y_true.sum() == 0:
        raise ValueError("y_true has no positive examples: recall is undefined")
    scores = as_float_array(scores, "scores", ndim=1)
    check_same_rows(y_true, "y_true", scores, "scores")
    return y_true, scores


def precision_recall_curve(y_true, scores):
    """Precision and recall of the rule "predict 1 if score >= t" for every distinct threshold t.

    Parameters
    ----------
    y_true : array_like of 0/1, shape (N,)
    scores : array_like, shape (N,)
        Higher means "more likely positive" (probabilities or logits).

    Returns
    -------
    precision, recall : ndarray, shape (T + 1,), float64
        For thresholds in increasing order, then the end point precision 1, recall 0
        (scikit-learn's convention).
    thresholds : ndarray, shape (T,)
        The distinct scores, increasing (in the dtype of ``scores``).
    """
    y_true, scores = _binary_scores(y_true, scores)
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], y_true[order]
    last = np.r_[np.nonzero(np.diff(s))[0], y.size - 1]  # last index of each distinct score
    tps = np.cumsum(y)[last]
    fps = (last + 1) - tps
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    return (np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], s[last][::-1])


def average_precision(y_true, scores) -> float:
    """Area under the PR curve as scikit-learn defines it: AP = sum_n (R_n - R_{n-1}) P_n.

    A random scorer's AP is about the positive rate; a perfect one scores 1.

    Parameters
    ----------
    y_true : array_like of 0/1, shape (N,)
    scores : array_like, shape (N,)
    """
    precision, recall, _ = precision_recall_curve(y_true, scores)
    return float(-np.sum(np.diff(recall) * precision[:-1]))


def chance_average_precision(y_true) -> float:
    """The AP of an uninformative scorer: the positive rate mean(y_true)."""
    y_true = as_labels(y_true, "y_true", n_classes=2)  # binary 0/1
    return check_float(float(np.mean(y_true == 1)), "positive rate")
