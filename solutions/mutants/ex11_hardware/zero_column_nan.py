"""I divided by max|W| / 127 without thinking about an all-zero column.

Hint: 0 / 0 is NaN; a zero column needs a positive scale (any value).
"""

EXERCISE = "11.3"
EXPECT = r"column of zeros"

import numpy as np


def quantize_per_channel(W):
    scale = np.abs(W).max(axis=0) / 127.0
    return np.nan_to_num(np.round(W / scale)).astype(np.int8), scale
