"""I shrank every entry proportionally: w / (1 + t).

Hint: that minimizes (1/2)(z - w)^2 + (t/2) z^2 (L2); the |z| penalty gives exact zeros.
"""

EXERCISE = "9.4"
EXPECT = r"L2 penalty"

import numpy as np


def soft_threshold(w, t):
    return np.asarray(w, dtype=float) / (1 + t)
