"""My loop ran T - 1 times (range(1, T)).

Hint: T steps map h_0 to h_T; count the factors.
"""

EXERCISE = "5.4"
EXPECT = r"off by one|T = 0"

import numpy as np


def rnn_state_jacobian(h0, W, b, T):
    h = np.asarray(h0, dtype=np.float64)
    J = np.eye(h.shape[0])
    for _ in range(1, T):
        h = np.tanh(h @ W + b)
        J = ((1.0 - h**2)[:, None] * W.T) @ J
    return J
