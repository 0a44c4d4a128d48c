"""I returned the chain's output h_L instead of its derivative.

Hint: the exercise asks for dh_L/dh_0, a product of local derivatives.
"""

EXERCISE = "5.3"
EXPECT = r"output h_L"

import numpy as np


def sigmoid_chain_grad(x, weights):
    h = np.asarray(x, dtype=np.float64)
    for w in weights:
        h = 1.0 / (1.0 + np.exp(-w * h))
    return h
