"""I multiplied each new step's Jacobian on the right instead of the left.

Hint: dh_t/dh_0 = (dh_t/dh_{t-1}) (dh_{t-1}/dh_0): the newest factor goes on the left.
"""

EXERCISE = "5.4"
EXPECT = r"wrong order"

import numpy as np


def rnn_state_jacobian(h0, W, b, T):
    h = np.asarray(h0, dtype=np.float64)
    J = np.eye(h.shape[0])
    for _ in range(T):
        h = np.tanh(h @ W + b)
        J = J @ ((1.0 - h**2)[:, None] * W.T)
    return J
