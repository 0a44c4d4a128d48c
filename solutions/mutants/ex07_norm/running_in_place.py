"""I updated the running statistics in place, as a layer's buffers would be.

Hint: return new arrays; the caller's arrays must not change.
"""

EXERCISE = "7.4"
EXPECT = r"in place"


def update_running_stats(running_mean, running_var, x, momentum=0.1):
    running_mean *= 1 - momentum
    running_mean += momentum * x.mean(0)
    running_var *= 1 - momentum
    running_var += momentum * x.var(0, ddof=1)
    return running_mean, running_var
