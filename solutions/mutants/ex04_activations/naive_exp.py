"""I computed sigma(x) as 1 / (1 + np.exp(-x)), which overflows and warns for x = -1000.

Hint: only evaluate exp of a non-positive number (np.exp(-np.abs(x)) in two branches) or use np.tanh.
"""

EXERCISE = "4.3"
EXPECT = r"warned.*overflow"

import numpy as np


def silu_derivative(x):
    s = 1.0 / (1.0 + np.exp(-x))
    return s + x * s * (1.0 - s)
