"""I returned x * sigma'(x) only and forgot the (x)' * sigma(x) term.

Hint: d/dx [u v] = u' v + u v'; here u = x, so u' = 1.
"""

EXERCISE = "4.3"
EXPECT = r"first term"

import numpy as np


def silu_derivative(x):
    s = 0.5 * (1.0 + np.tanh(0.5 * x))
    return x * s * (1.0 - s)
