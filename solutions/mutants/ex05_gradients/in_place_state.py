"""I updated the state in place in h0's own memory to save a copy.

Hint: never write into an input array; start from h = h0.copy() or build new arrays.
"""

EXERCISE = "5.4"
EXPECT = r"in place"

import numpy as np


def rnn_state_jacobian(h0, W, b, T):
    h = h0
    J = np.eye(h.shape[0])
    for _ in range(T):
        h[:] = np.tanh(h @ W + b)
        J = ((1.0 - h**2)[:, None] * W.T) @ J
    return J
