"""I updated the cell state in place (c *= f; c += i * g) to save memory.

Hint: the caller still owns c; compute c_new as a new array.
"""

EXERCISE = "12.1"
EXPECT = r"in place"

import numpy as np


def lstm_cell_forward(x, h, c, W, U, b):
    H = h.shape[1]
    a = x @ W + h @ U + b
    i, f = 1.0 / (1.0 + np.exp(-a[:, :H])), 1.0 / (1.0 + np.exp(-a[:, H:2 * H]))
    g, o = np.tanh(a[:, 2 * H:3 * H]), 1.0 / (1.0 + np.exp(-a[:, 3 * H:]))
    c *= f
    c += i * g
    return o * np.tanh(c), c
