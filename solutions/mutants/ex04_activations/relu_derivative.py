"""I returned ReLU's derivative: 0 for x <= 0.

Hint: Leaky ReLU keeps a slope alpha on the negative side; that is its whole point.
"""

EXERCISE = "4.2"
EXPECT = r"returned 0"

import numpy as np


def leaky_relu_derivative(x, alpha=0.01):
    return np.where(x > 0, 1.0, 0.0)
