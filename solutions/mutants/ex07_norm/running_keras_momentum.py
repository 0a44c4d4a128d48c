"""I used momentum the Keras way: new = momentum * old + (1 - momentum) * batch.

Hint: in torch, momentum is the weight of the NEW batch.
"""

EXERCISE = "7.4"
EXPECT = r"NEW batch"


def update_running_stats(running_mean, running_var, x, momentum=0.1):
    return (momentum * running_mean + (1 - momentum) * x.mean(0),
            momentum * running_var + (1 - momentum) * x.var(0, ddof=1))
