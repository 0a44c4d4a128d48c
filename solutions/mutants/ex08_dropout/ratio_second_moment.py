"""I took the variance of the dropped feature to be E[(x m / (1-p))^2].

Hint: that is the second moment; the variance subtracts the squared mean.
"""

EXERCISE = "8.3"
EXPECT = r"second moment"


def eval_variance_ratio(mean, var, p):
    return var * (1.0 - p) / (var + mean**2)
