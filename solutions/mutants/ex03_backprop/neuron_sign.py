"""I used y - y_hat as dL/dz.

Hint: check the sign: the gradient points to where the loss grows.
"""

EXERCISE = "3.2"
EXPECT = r"sign"

import numpy as np


def sigmoid_neuron_grads(x, w, b, y):
    y_hat = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    dz = (y - y_hat) / x.shape[0]
    return x.T @ dz, float(np.sum(dz))
