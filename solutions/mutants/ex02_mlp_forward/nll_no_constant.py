"""I dropped the constant log(2 pi) / 2 because it does not change the gradients.

Hint: check the contract: the full negative log-density, constant included.
"""

EXERCISE = "2.4"
EXPECT = r"constant"

import numpy as np


def gaussian_nll(mu, log_var, y):
    n = mu.size
    r2 = (y - mu) ** 2
    loss = 0.5 * np.mean(log_var + r2 * np.exp(-log_var))
    return float(loss), (mu - y) * np.exp(-log_var) / n, 0.5 * (1 - r2 * np.exp(-log_var)) / n
