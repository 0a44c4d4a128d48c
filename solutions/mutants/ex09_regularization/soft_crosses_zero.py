"""I subtracted t * sign(w) from every entry.

Hint: small entries would cross zero; the minimizer stops at exactly 0 when |w| <= t.
"""

EXERCISE = "9.4"
EXPECT = r"crossed zero"

import numpy as np


def soft_threshold(w, t):
    w = np.asarray(w, dtype=float)
    return w - t * np.sign(w)
