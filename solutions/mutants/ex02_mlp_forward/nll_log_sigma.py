"""I read log_var as log(sigma) and used sigma^2 = exp(2 s).

Hint: check what s is: the log of the variance, so sigma^2 = e^s.
"""

EXERCISE = "2.4"
EXPECT = r"log\(sigma\)|e\^s"

import numpy as np


def gaussian_nll(mu, log_var, y):
    n = mu.size
    var = np.exp(2 * log_var)
    r2 = (y - mu) ** 2
    loss = np.mean(0.5 * np.log(2 * np.pi * var) + r2 / (2 * var))
    return float(loss), (mu - y) / var / n, (1 - r2 / var) / n
