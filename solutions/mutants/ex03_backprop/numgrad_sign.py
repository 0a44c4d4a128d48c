"""I subtracted the wrong way round: (f(x - h) - f(x + h)) / (2h).

Hint: check the sign: a function that grows with x has a positive derivative.
"""

EXERCISE = "3.4"
EXPECT = r"sign"

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
        grad[i] = (f_minus - f_plus) / (2 * h)
    return grad
