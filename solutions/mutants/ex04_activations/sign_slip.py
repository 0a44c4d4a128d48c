"""I subtracted the second term of the product rule instead of adding it.

Hint: check the sign of d/dx [x sigma(x)] for large positive x: it must approach 1 from above.
"""

EXERCISE = "4.3"
EXPECT = r"wrong sign"

import numpy as np


def silu_derivative(x):
    s = 0.5 * (1.0 + np.tanh(0.5 * x))
    return s - x * s * (1.0 - s)
