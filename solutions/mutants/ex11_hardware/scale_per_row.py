"""I took the maximum along axis=1, one scale per row.

Hint: in x @ W the output channels are the columns of W.
"""

EXERCISE = "11.3"
EXPECT = r"one entry per ROW"

import numpy as np


def quantize_per_channel(W):
    amax = np.abs(W).max(axis=1)
    scale = np.where(amax > 0, amax / 127.0, 1.0)
    return np.round(W / scale[:, None]).astype(np.int8), scale
