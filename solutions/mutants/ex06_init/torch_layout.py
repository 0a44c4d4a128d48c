"""I returned torch's layout (fan_out, fan_in).

Hint: the course computes x @ W, so W has shape (fan_in, fan_out).
"""

EXERCISE = "6.1"
EXPECT = r"transposed"

import numpy as np


def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
