"""I used Var = 1 / fan_in and forgot He's factor 2 for ReLU.

Hint: ReLU keeps only half of E[z^2]; the 2 undoes that halving.
"""

EXERCISE = "6.1"
EXPECT = r"LeCun|factor 2"

import numpy as np


def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))
