"""I averaged dw over the batch but summed db.

Hint: check db: it is the mean of (y_hat - y), just like dw's 1/N.
"""

EXERCISE = "3.2"
EXPECT = r"\bdb\b"

import numpy as np


def sigmoid_neuron_grads(x, w, b, y):
    y_hat = 1.0 / (1.0 + np.exp(-(x @ w + b)))
    return x.T @ (y_hat - y) / x.shape[0], float(np.sum(y_hat - y))
