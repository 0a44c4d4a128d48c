"""I read the four gate blocks as i, f, o, g (the order most papers write them).

Hint: check the order torch stacks the gates in: i, f, g, o.
"""

EXERCISE = "12.1"
EXPECT = r"order i, f, o, g|torch stacks them"

import numpy as np


def lstm_cell_forward(x, h, c, W, U, b):
    H = h.shape[1]
    a = x @ W + h @ U + b
    i = 1.0 / (1.0 + np.exp(-a[:, :H]))
    f = 1.0 / (1.0 + np.exp(-a[:, H:2 * H]))
    o = 1.0 / (1.0 + np.exp(-a[:, 2 * H:3 * H]))
    g = np.tanh(a[:, 3 * H:])
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new
