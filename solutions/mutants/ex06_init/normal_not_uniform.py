"""I drew from a normal distribution with Glorot's variance instead of a uniform one.

Hint: xavier_uniform is U(-a, a): every weight lies inside the bound and the histogram is flat.
"""

EXERCISE = "6.2"
EXPECT = r"bound|not flat|\|W\| reaches"

import numpy as np


def xavier_uniform(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))
