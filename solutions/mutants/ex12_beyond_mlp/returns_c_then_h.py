"""I returned the cell state first and the hidden state second.

Hint: the contract returns (h_new, c_new), in this order.
"""

EXERCISE = "12.1"
EXPECT = r"return \(h_new, c_new\)"

import numpy as np


def lstm_cell_forward(x, h, c, W, U, b):
    H = h.shape[1]
    a = x @ W + h @ U + b
    i, f = 1.0 / (1.0 + np.exp(-a[:, :H])), 1.0 / (1.0 + np.exp(-a[:, H:2 * H]))
    g, o = np.tanh(a[:, 2 * H:3 * H]), 1.0 / (1.0 + np.exp(-a[:, 3 * H:]))
    c_new = f * c + i * g
    return c_new, o * np.tanh(c_new)
