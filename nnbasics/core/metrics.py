"""Classification metrics beyond accuracy: confusion matrix, precision/recall/F1, PR and ROC curves, calibration.

Why they matter: on a data set with 99 % negatives, "always predict negative" scores
99 % accuracy and finds nothing. Precision and recall look at one class at a time:

    precision_c = TP_c / (TP_c + FP_c),  recall_c = TP_c / (TP_c + FN_c),
    F1_c = 2 P_c R_c / (P_c + R_c).

A ROC curve plots the true-positive rate against the false-positive rate FP / (FP + TN) for
every threshold; it ignores how rare the positives are. A classifier is *calibrated* when, among
the examples it gives confidence p, a fraction p is right; the expected calibration error
averages |accuracy - confidence| over confidence bins.

All functions follow scikit-learn's conventions (rows of the confusion matrix are the
true classes; ``zero_division`` gives 0) and are tested against ``sklearn.metrics``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnbasics._validate import (
    as_float_array,
    as_labels,
    check_float,
    check_int,
    check_same_rows,
    finite_output,
)
from nnbasics.core.kernels import logsumexp

__all__ = ['accuracy', 'confusion_matrix', 'ClassReport', 'precision_recall_f1', 'precision_recall_curve',
           'average_precision', 'chance_average_precision', 'roc_curve', 'roc_auc', 'Reliability', 'reliability',
           'expected_calibration_error', 'fit_temperature']


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


def _binary_scores(y_true, scores, need_negatives: bool = False):
    y_true = as_labels(y_true, "y_true")
    if y_true.max() > 1:
        raise ValueError(f"y_true must be binary 0/1 for a PR or ROC curve, got maximum {y_true.max()}")
    if y_true.sum() == 0:
        raise ValueError("y_true has no positive examples: recall is undefined")
    if need_negatives and y_true.sum() == y_true.size:
        raise ValueError("y_true has no negative examples: the false-positive rate is undefined")
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


# --------------------------------------------------------------------------- ROC
def roc_curve(y_true, scores):
    """False- and true-positive rates of "predict 1 if score >= t" for every distinct threshold t.

    Parameters
    ----------
    y_true : array_like of 0/1, shape (N,)
        Needs at least one positive and one negative.
    scores : array_like, shape (N,)

    Returns
    -------
    fpr, tpr : ndarray, shape (T + 1,)
        float64 (ratios of counts). Starting at (0, 0) (threshold above every score), thresholds
        decreasing, ending at (1, 1).
    thresholds : ndarray, shape (T,)
        The distinct scores, decreasing.
    """
    y_true, scores = _binary_scores(y_true, scores, need_negatives=True)
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], y_true[order]
    last = np.r_[np.nonzero(np.diff(s))[0], y.size - 1]  # last index of each distinct score
    tps = np.cumsum(y)[last]
    fps = (last + 1) - tps
    return np.r_[0.0, fps / fps[-1]], np.r_[0.0, tps / tps[-1]], s[last]


def roc_auc(y_true, scores) -> float:
    """Area under the ROC curve (trapezoids; tied scores make a diagonal step).

    Equals the probability that a random positive scores above a random negative, ties counted
    one half (the Mann-Whitney U statistic / (n_pos n_neg)). 0.5 = chance, 1 = perfect ranking.

    Parameters
    ----------
    y_true : array_like of 0/1, shape (N,)
    scores : array_like, shape (N,)
    """
    fpr, tpr, _ = roc_curve(y_true, scores)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


# --------------------------------------------------------------------------- calibration
@dataclass(frozen=True)
class Reliability:
    """A reliability diagram's data: per confidence bin, how confident and how accurate.

    Attributes
    ----------
    edges : ndarray, shape (B + 1,)
        Bin edges on [0, 1] (bins are (edge_b, edge_{b+1}], the first one includes 0).
    confidence, accuracy : ndarray, shape (B,)
        Mean confidence and fraction correct of each bin (float64; NaN for an empty bin).
    counts : ndarray of int, shape (B,)
    ece : float
        Expected calibration error: sum_b counts_b / N * |accuracy_b - confidence_b|.
    """

    edges: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray
    ece: float


def reliability(y_true, probs, n_bins: int = 10) -> Reliability:
    """Bin the predictions by confidence (the largest probability) and compare with accuracy.

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
    probs : array_like, shape (N, C)
        Predicted class probabilities; each row sums to 1.
    n_bins : int
        Equal-width bins on [0, 1].

    Returns
    -------
    Reliability
        Its statistics are float64, whatever the dtype of probs.
    """
    P = as_float_array(probs, "probs", ndim=2)
    y = as_labels(y_true, "y_true", n_classes=P.shape[1])
    check_same_rows(y, "y_true", P, "probs")
    if np.any(P < 0) or not np.allclose(P.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("probs must be probabilities: non-negative rows that sum to 1 (apply softmax to logits)")
    n_bins = check_int(n_bins, "n_bins", minimum=1)
    conf = P.max(axis=1)  # (N,)
    correct = (P.argmax(axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    b = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)  # (edge_b, edge_b+1]
    counts = np.bincount(b, minlength=n_bins)
    safe = np.maximum(counts, 1)  # empty bins: NaN below, never 0 / 0
    mean_conf = np.where(counts > 0, np.bincount(b, conf, n_bins) / safe, np.nan)
    mean_acc = np.where(counts > 0, np.bincount(b, correct, n_bins) / safe, np.nan)
    ece = float(np.sum(counts[counts > 0] / y.size * np.abs(mean_acc - mean_conf)[counts > 0]))
    return Reliability(edges, mean_conf, mean_acc, counts, ece)


def expected_calibration_error(y_true, probs, n_bins: int = 10) -> float:
    """ECE = sum over confidence bins of (bin size / N) * |accuracy - mean confidence| (a float64); see
    :func:`reliability`."""
    return reliability(y_true, probs, n_bins).ece


@finite_output("logits / T overflows for every T searched: logits too large; scale them")
def fit_temperature(logits, y_true, *, lo: float = 0.05, hi: float = 20.0, steps: int = 400) -> float:
    """Temperature scaling (Guo et al., 2017): the T > 0 minimising the cross-entropy of softmax(logits / T).

    One number, fitted on held-out data, that shrinks (T > 1) or sharpens (T < 1) every
    prediction without changing any arg-max: accuracy stays, confidence moves. Searched on a
    log-spaced grid of ``steps`` values in [lo, hi] (the cross-entropy is smooth in log T).

    Parameters
    ----------
    logits : array_like, shape (N, C)
    y_true : array_like of int, shape (N,)

    Returns
    -------
    float
    """
    Z = as_float_array(logits, "logits", ndim=2)
    y = as_labels(y_true, "y_true", n_classes=Z.shape[1])
    check_same_rows(y, "y_true", Z, "logits")
    lo = check_float(lo, "lo", minimum=1e-3)  # sharper than 1/1000 or softer than 1000: no use
    hi = check_float(hi, "hi", minimum=lo, maximum=1e3, min_inclusive=False)
    temps = np.geomspace(lo, hi, check_int(steps, "steps", minimum=2))  # (S,)
    scaled = Z[None] / temps[:, None, None]  # (S, N, C)
    nll = np.mean(logsumexp(scaled, axis=-1) - scaled[:, np.arange(y.size), y], axis=1)  # (S,)
    nll = np.where(np.isfinite(nll), nll, np.inf)  # a temperature whose logits overflow is never chosen
    return float(temps[np.argmin(nll)]) if np.isfinite(nll).any() else float("nan")
