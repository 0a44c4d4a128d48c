"""I hard-coded the slope 0.01 instead of using the alpha argument.

Hint: call your function with alpha = 0.25: the negative side must follow the argument.
"""

EXERCISE = "4.2"
EXPECT = r"alpha argument"

import numpy as np


def leaky_relu_derivative(x, alpha=0.01):
    return np.where(x > 0, 1.0, 0.01)
