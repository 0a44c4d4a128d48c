"""I treated the feature as zero-mean: Var[x m / (1-p)] = var / (1 - p), so the ratio is 1 - p.

Hint: a dropped entry jumps from a mean-sized value to 0: the mean adds to the variance of the dropped feature.
"""

EXERCISE = "8.3"
EXPECT = r"zero-mean"

import numpy as np


def eval_variance_ratio(mean, var, p):
    return (1.0 - p) * np.ones_like(np.asarray(var, dtype=float))
