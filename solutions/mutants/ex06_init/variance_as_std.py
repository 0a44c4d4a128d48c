"""I passed the variance 2 / fan_in to rng.normal as its scale.

Hint: rng.normal's scale is the standard deviation: take the square root of the variance.
"""

EXERCISE = "6.1"
EXPECT = r"variance.*std|square root"


def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, 2.0 / fan_in, size=(fan_in, fan_out))
