"""I used a sigmoid for all four blocks, the candidate g included.

Hint: the candidate g uses tanh (values in (-1, 1)); only the gates i, f, o are sigmoids.
"""

EXERCISE = "12.1"
EXPECT = r"candidate g went through a sigmoid"

import numpy as np


def lstm_cell_forward(x, h, c, W, U, b):
    H = h.shape[1]
    s = 1.0 / (1.0 + np.exp(-(x @ W + h @ U + b)))
    i, f, g, o = s[:, :H], s[:, H:2 * H], s[:, 2 * H:3 * H], s[:, 3 * H:]
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new
