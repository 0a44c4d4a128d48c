"""I multiplied by the sigmoid's derivative y_hat (1 - y_hat) again, as for a squared error.

Hint: check the chain rule for BCE: dL/dy_hat * dy_hat/dz cancels the sigmoid's derivative.
"""

EXERCISE = "3.2"
EXPECT = r"\bdw\b|sigmoid"

import numpy as np


def sigmoid_neuron_grads(x, w, b, y):
    y_hat = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    dz = (y_hat - y) * y_hat * (1 - y_hat) / x.shape[0]
    return x.T @ dz, float(np.sum(dz))
