"""I applied the mask in place to save memory.

Hint: the caller's x must not change; build a new array.
"""

EXERCISE = "8.1"
EXPECT = r"in place"


def dropout_forward(x, p, rng, train=True):
    if not train:
        return x, None
    mask = rng.random(x.shape) >= p
    x *= mask / (1.0 - p)
    return x, mask
