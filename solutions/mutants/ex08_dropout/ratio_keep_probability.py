"""I used p as the probability of keeping an entry.

Hint: p is the drop probability.
"""

EXERCISE = "8.3"
EXPECT = r"DROP probability"


def eval_variance_ratio(mean, var, p):
    return var / ((var + mean**2) / p - mean**2)
