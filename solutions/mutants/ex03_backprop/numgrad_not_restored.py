"""I perturbed x[i] to old + h and old - h but never put the original value back.

Hint: check x after the call: every element must be restored (x[i] = old).
"""

EXERCISE = "3.4"
EXPECT = r"restored"

import numpy as np


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        grad[i] = (f_plus - f()) / (2 * h)
    return grad
