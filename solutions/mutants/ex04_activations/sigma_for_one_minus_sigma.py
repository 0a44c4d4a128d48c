"""I wrote sigma'(x) as sigma(x) * sigma(x) instead of sigma(x) * (1 - sigma(x)).

Hint: re-derive sigma'(x) (exercise 4.1) before using it in the product rule.
"""

EXERCISE = "4.3"
EXPECT = r"\(1 - sigma\(x\)\)"

import numpy as np


def silu_derivative(x):
    s = 0.5 * (1.0 + np.tanh(0.5 * x))
    return s * (1.0 + x * s)
