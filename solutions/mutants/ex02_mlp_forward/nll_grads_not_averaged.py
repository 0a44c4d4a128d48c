"""I averaged the loss but returned the per-element gradients, without the 1/(N K).

Hint: check the scale of the gradients: the loss is a mean over all N K elements.
"""

EXERCISE = "2.4"
EXPECT = r"times too large|mean"

import numpy as np


def gaussian_nll(mu, log_var, y):
    inv_var = np.exp(-log_var)
    r2 = (y - mu) ** 2
    loss = 0.5 * np.mean(np.log(2 * np.pi) + log_var + r2 * inv_var)
    return float(loss), (mu - y) * inv_var, 0.5 * (1 - r2 * inv_var)
