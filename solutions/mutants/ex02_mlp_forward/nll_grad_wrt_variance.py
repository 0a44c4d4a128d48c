"""I differentiated with respect to the variance sigma^2 instead of its log.

Hint: check the chain rule: dL/ds = dL/d(sigma^2) * d(sigma^2)/ds, and d(e^s)/ds = e^s.
"""

EXERCISE = "2.4"
EXPECT = r"dL/d\(sigma\^2\)|chain"

import numpy as np


def gaussian_nll(mu, log_var, y):
    n = mu.size
    var = np.exp(log_var)
    r2 = (y - mu) ** 2
    loss = 0.5 * np.mean(np.log(2 * np.pi) + log_var + r2 / var)
    return float(loss), (mu - y) / var / n, 0.5 * (1 / var - r2 / var**2) / n
