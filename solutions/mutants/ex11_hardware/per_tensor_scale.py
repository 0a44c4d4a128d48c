"""I used one scale for the whole matrix (its largest magnitude / 127).

Hint: give every output channel (column) its own scale.
"""

EXERCISE = "11.3"
EXPECT = r"one scale for the whole matrix"

import numpy as np


def quantize_per_channel(W):
    s = np.abs(W).max() / 127.0
    s = s if s > 0 else 1.0
    return np.round(W / s).astype(np.int8), np.full(W.shape[1], s)
