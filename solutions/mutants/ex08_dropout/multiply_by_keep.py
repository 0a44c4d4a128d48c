"""I multiplied the survivors by the keep probability 1 - p.

Hint: to keep the expectation, divide by 1 - p (multiplying is what old-style dropout did at test time).
"""

EXERCISE = "8.1"
EXPECT = r"DIVIDES"


def dropout_forward(x, p, rng, train=True):
    if not train:
        return x, None
    mask = rng.random(x.shape) >= p
    return x * mask * (1.0 - p), mask
