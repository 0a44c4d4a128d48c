"""I wrote tanh'(z) as 1 - z^2 with the pre-activation z.

Hint: tanh'(z) = 1 - tanh(z)^2, i.e. 1 - h_t^2 with the state itself.
"""

EXERCISE = "5.4"
EXPECT = r"1 - z\^2"

import numpy as np


def rnn_state_jacobian(h0, W, b, T):
    h = np.asarray(h0, dtype=np.float64)
    J = np.eye(h.shape[0])
    for _ in range(T):
        z = h @ W + b
        J = ((1.0 - z**2)[:, None] * W.T) @ J
        h = np.tanh(z)
    return J
