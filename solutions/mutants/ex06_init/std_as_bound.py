"""I used Glorot's standard deviation sqrt(2 / (fan_in + fan_out)) as the uniform bound.

Hint: Var(U(-a, a)) = a^2 / 3, so the bound is sqrt(3) times the standard deviation.
"""

EXERCISE = "6.2"
EXPECT = r"bound"

import numpy as np


def xavier_uniform(fan_in, fan_out, rng):
    a = np.sqrt(2.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, size=(fan_in, fan_out))
