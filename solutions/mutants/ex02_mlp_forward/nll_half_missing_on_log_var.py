"""I wrote the log-density's normaliser as log(sigma^2) instead of log(sigma^2) / 2.

Hint: check the normaliser: 1 / sqrt(2 pi sigma^2) gives log(2 pi sigma^2) / 2.
"""

EXERCISE = "2.4"
EXPECT = r"loss.*differ"

import numpy as np


def gaussian_nll(mu, log_var, y):
    n = mu.size
    inv_var = np.exp(-log_var)
    r2 = (y - mu) ** 2
    loss = np.mean(0.5 * np.log(2 * np.pi) + log_var + 0.5 * r2 * inv_var)
    return float(loss), (mu - y) * inv_var / n, (1 - 0.5 * r2 * inv_var) / n
