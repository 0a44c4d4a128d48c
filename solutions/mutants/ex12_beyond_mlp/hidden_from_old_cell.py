"""I computed h_new from tanh of the OLD cell state c instead of c_new.

Hint: h_new = o * tanh(c_new): the output gate reveals the updated memory.
"""

EXERCISE = "12.1"
EXPECT = r"OLD cell state"

import numpy as np


def lstm_cell_forward(x, h, c, W, U, b):
    H = h.shape[1]
    a = x @ W + h @ U + b
    i, f = 1.0 / (1.0 + np.exp(-a[:, :H])), 1.0 / (1.0 + np.exp(-a[:, H:2 * H]))
    g, o = np.tanh(a[:, 2 * H:3 * H]), 1.0 / (1.0 + np.exp(-a[:, 3 * H:]))
    c_new = f * c + i * g
    return o * np.tanh(c), c_new
