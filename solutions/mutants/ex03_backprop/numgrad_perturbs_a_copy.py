"""I perturbed a copy of x, so f (which reads x) never saw the change.

Hint: check what f reads: the array x itself — perturb it in place and restore it.
"""

EXERCISE = "3.4"
EXPECT = r"zeros|in place"

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp = x.copy()
        xp[i] += h
        f_plus = f()
        xm = x.copy()
        xm[i] -= h
        f_minus = f()
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
