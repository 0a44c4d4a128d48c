"""I zeroed the dropped entries and left the survivors as they were.

Hint: inverted dropout rescales the survivors so that the expected output equals x.
"""

EXERCISE = "8.1"
EXPECT = r"unscaled"


def dropout_forward(x, p, rng, train=True):
    if not train:
        return x, None
    mask = rng.random(x.shape) >= p
    return x * mask, mask
