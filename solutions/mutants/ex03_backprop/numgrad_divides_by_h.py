"""I divided the central difference by h instead of 2h.

Hint: check the spacing: x + h and x - h are 2h apart.
"""

EXERCISE = "3.4"
EXPECT = r"twice too large|2h"

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / h
    return grad
