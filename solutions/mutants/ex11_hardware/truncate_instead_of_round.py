"""I converted W / scale with astype(np.int8) directly.

Hint: astype truncates towards zero (error up to one step); round to the nearest integer first.
"""

EXERCISE = "11.3"
EXPECT = r"truncates"

import numpy as np


def quantize_per_channel(W):
    amax = np.abs(W).max(axis=0)
    scale = np.where(amax > 0, amax / 127.0, 1.0)
    return (W / scale).astype(np.int8), scale
