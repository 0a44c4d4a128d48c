"""I returned sigma(x) itself instead of its derivative.

Hint: check that you differentiated: sigma'(x) is largest (1/4) at x = 0, where sigma(0) = 1/2.
"""

EXERCISE = "4.1"
EXPECT = r"sigma\(x\) itself"

import numpy as np


def sigmoid_derivative(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))
