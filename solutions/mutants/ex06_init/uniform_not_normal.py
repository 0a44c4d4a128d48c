"""I drew He's variance from a uniform distribution instead of a normal one.

Hint: he_normal asks for a normal distribution (it has tails beyond the uniform's bound).
"""

EXERCISE = "6.1"
EXPECT = r"uniform instead of a normal|tails"

import numpy as np


def he_normal(fan_in, fan_out, rng):
    a = np.sqrt(6.0 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))
