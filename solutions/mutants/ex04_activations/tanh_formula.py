"""I used tanh's derivative formula 1 - s**2 with s = sigma(x).

Hint: differentiate 1 / (1 + exp(-x)) yourself; tanh' = 1 - tanh^2 does not carry over to sigma.
"""

EXERCISE = "4.1"
EXPECT = r"sigmoid_derivative\(x\).*differ"

import numpy as np


def sigmoid_derivative(x):
    s = 0.5 * (1.0 + np.tanh(0.5 * x))
    return 1.0 - s * s
