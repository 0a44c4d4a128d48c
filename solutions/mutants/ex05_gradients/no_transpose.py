"""I used W instead of W^T in each step's Jacobian.

Hint: z = h @ W means dz[i]/dh[j] = W[j, i]: the Jacobian of the matmul is W^T.
"""

EXERCISE = "5.4"
EXPECT = r"W\^T"

import numpy as np


def rnn_state_jacobian(h0, W, b, T):
    h = np.asarray(h0, dtype=np.float64)
    J = np.eye(h.shape[0])
    for _ in range(T):
        h = np.tanh(h @ W + b)
        J = ((1.0 - h**2)[:, None] * W) @ J
    return J
