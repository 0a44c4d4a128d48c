"""Each local factor was sigma'(z) only: I forgot to multiply by the weight w_l.

Hint: z_l = w_l h_{l-1}, so dz_l/dh_{l-1} = w_l is part of every link of the chain.
"""

EXERCISE = "5.3"
EXPECT = r"forgot the weight"

import numpy as np


def sigmoid_chain_grad(x, weights):
    h = np.asarray(x, dtype=np.float64)
    grad = np.ones_like(h)
    for w in weights:
        s = 1.0 / (1.0 + np.exp(-w * h))
        grad = grad * s * (1.0 - s)
        h = s
    return grad
