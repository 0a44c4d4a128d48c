"""I drew from np.random instead of the rng argument.

Hint: use the generator you are given, so the same seed gives the same weights.
"""

EXERCISE = "6.1"
EXPECT = r"rng"

import numpy as np


def he_normal(fan_in, fan_out, rng):
    return np.random.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
