"""I computed sigma as 1 / (1 + np.exp(-x)), which overflows (and warns) for x = -1000.

Hint: only ever evaluate exp of a non-positive number: np.exp(-np.abs(x)) in two branches, or np.tanh.
"""

EXERCISE = "4.1"
EXPECT = r"warned.*overflow"

import numpy as np


def sigmoid_derivative(x):
    s = 1.0 / (1.0 + np.exp(-x))
    return s * (1.0 - s)
