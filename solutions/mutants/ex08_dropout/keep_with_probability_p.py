"""I kept each entry with probability p.

Hint: p is the DROP probability; an entry survives with probability 1 - p.
"""

EXERCISE = "8.1"
EXPECT = r"DROP probability"


def dropout_forward(x, p, rng, train=True):
    if not train:
        return x, None
    mask = rng.random(x.shape) < p
    return x * mask / (1.0 - p), mask
