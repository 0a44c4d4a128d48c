"""I divided by fan_out instead of fan_in.

Hint: the forward variance Var(z) = fan_in * Var(w) * E[h^2] counts the layer's inputs.
"""

EXERCISE = "6.1"
EXPECT = r"fan_out"

import numpy as np


def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_in, fan_out))
