"""I wrote the mean's gradient as (y - mu) / sigma^2, the direction that improves mu.

Hint: check the sign: dL/dmu points uphill; gradient descent then moves mu towards y.
"""

EXERCISE = "2.4"
EXPECT = r"sign"

import numpy as np


def gaussian_nll(mu, log_var, y):
    n = mu.size
    inv_var = np.exp(-log_var)
    r2 = (y - mu) ** 2
    loss = 0.5 * np.mean(np.log(2 * np.pi) + log_var + r2 * inv_var)
    return float(loss), (y - mu) * inv_var / n, 0.5 * (1 - r2 * inv_var) / n
