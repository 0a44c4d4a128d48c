"""Product rule: I differentiated x to 1 and kept sigma(x), forgetting the x * sigma'(x) term.

Hint: d/dx [u v] = u' v + u v' has two terms.
"""

EXERCISE = "4.3"
EXPECT = r"product rule gives TWO terms"

import numpy as np


def silu_derivative(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))
