"""I divided by 128 because int8 goes down to -128.

Hint: the largest magnitude must map to 127 (the positive end); 128 does not fit.
"""

EXERCISE = "11.3"
EXPECT = r"max / 128"

import numpy as np


def quantize_per_channel(W):
    amax = np.abs(W).max(axis=0)
    scale = np.where(amax > 0, amax / 128.0, 1.0)
    return np.round(W / scale).astype(np.int8), scale
