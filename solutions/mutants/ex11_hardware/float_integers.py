"""I returned the rounded values as floats.

Hint: int8 storage is the point: one byte per weight.
"""

EXERCISE = "11.3"
EXPECT = r"dtype"

import numpy as np


def quantize_per_channel(W):
    amax = np.abs(W).max(axis=0)
    scale = np.where(amax > 0, amax / 127.0, 1.0)
    return np.round(W / scale), scale
