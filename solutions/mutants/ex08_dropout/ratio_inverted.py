"""I returned running variance / eval variance.

Hint: BatchNorm divides the eval-time variance by the running variance; the eval one is smaller.
"""

EXERCISE = "8.3"
EXPECT = r"inverse"


def eval_variance_ratio(mean, var, p):
    return ((var + mean**2) / (1.0 - p) - mean**2) / var
