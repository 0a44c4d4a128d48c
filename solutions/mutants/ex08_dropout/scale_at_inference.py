"""At inference I scaled by (1 - p), as in the original dropout paper.

Hint: with inverted dropout all the scaling happens in training; inference is the identity.
"""

EXERCISE = "8.1"
EXPECT = r"inference"


def dropout_forward(x, p, rng, train=True):
    mask = rng.random(x.shape) >= p
    if not train:
        return x * (1.0 - p), None
    return x * mask / (1.0 - p), mask
