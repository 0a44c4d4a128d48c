"""I drew from np.random.uniform instead of the rng argument.

Hint: use the generator you are given, so the same seed gives the same weights.
"""

EXERCISE = "6.2"
EXPECT = r"rng"

import numpy as np


def xavier_uniform(fan_in, fan_out, rng):
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return np.random.uniform(-a, a, size=(fan_in, fan_out))
