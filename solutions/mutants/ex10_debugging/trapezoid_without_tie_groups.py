"""I sorted by score and added a trapezoid per example, without grouping tied scores.

Hint: tied scores form ONE threshold: the curve takes a single diagonal step there.
"""

EXERCISE = "10.4"
EXPECT = r"ONE threshold"

import numpy as np


def roc_auc(y_true, scores):
    order = np.argsort(-scores, kind="stable")
    y = y_true[order]
    tpr = np.r_[0, np.cumsum(y) / y.sum()]
    fpr = np.r_[0, np.cumsum(1 - y) / (1 - y).sum()]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
