"""I drew the mask with rng.binomial(1, 1 - p, x.shape).

Hint: the contract asks for one call rng.random(x.shape) and keep where >= p, so the mask can be reproduced.
"""

EXERCISE = "8.1"
EXPECT = r"mask differs"


def dropout_forward(x, p, rng, train=True):
    if not train:
        return x, None
    mask = rng.binomial(1, 1 - p, x.shape).astype(bool)
    return x * mask / (1.0 - p), mask
