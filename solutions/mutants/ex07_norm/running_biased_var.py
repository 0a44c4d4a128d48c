"""I reused the normalization's biased variance for the running average.

Hint: torch's running_var averages the UNBIASED batch variance (ddof=1).
"""

EXERCISE = "7.4"
EXPECT = r"UNBIASED"


def update_running_stats(running_mean, running_var, x, momentum=0.1):
    return ((1 - momentum) * running_mean + momentum * x.mean(0),
            (1 - momentum) * running_var + momentum * x.var(0))
