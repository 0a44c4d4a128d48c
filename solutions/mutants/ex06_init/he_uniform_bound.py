"""I used He's uniform bound sqrt(6 / fan_in) instead of Glorot's.

Hint: Xavier averages both fans: 2 / (fan_in + fan_out).
"""

EXERCISE = "6.2"
EXPECT = r"bound|\|W\| reaches"

import numpy as np


def xavier_uniform(fan_in, fan_out, rng):
    a = np.sqrt(6.0 / fan_in)
    return rng.uniform(-a, a, size=(fan_in, fan_out))
