"""I used the one-sided difference (f(x + h) - f(x)) / h.

Hint: check the accuracy: a one-sided difference is only accurate to O(h); use the central one, O(h^2).
"""

EXERCISE = "3.4"
EXPECT = r"one-sided|O\(h"

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        f0 = f()
        x[i] = old + h
        grad[i] = (f() - f0) / h
        x[i] = old
    return grad
