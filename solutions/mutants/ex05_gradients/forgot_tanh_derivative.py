"""I multiplied the W^T's and left out tanh's derivative.

Hint: each step is tanh(h @ W + b): its Jacobian has a diag(tanh') factor as well.
"""

EXERCISE = "5.4"
EXPECT = r"tanh's derivative"

import numpy as np


def rnn_state_jacobian(h0, W, b, T):
    return np.linalg.matrix_power(np.asarray(W, dtype=np.float64).T, T)
