"""I used the largest weight of each column, forgetting that weights can be negative.

Hint: the range is set by the largest MAGNITUDE, max |W|.
"""

EXERCISE = "11.3"
EXPECT = r"largest MAGNITUDE"

import numpy as np


def quantize_per_channel(W):
    amax = W.max(axis=0)
    scale = np.where(amax > 0, amax / 127.0, 1.0)
    return np.clip(np.round(W / scale), -127, 127).astype(np.int8), scale
