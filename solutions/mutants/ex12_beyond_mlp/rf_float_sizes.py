"""I returned the sizes as floats (np.cumsum of a float array).

Hint: a receptive field counts pixels: return integers.
"""

EXERCISE = "12.4"
EXPECT = r"integers"

import numpy as np


def receptive_field(kernels, strides):
    sizes, r, jump = [], 1.0, 1.0
    for k, s in zip(kernels, strides):
        r += (k - 1) * jump
        jump *= s
        sizes.append(r)
    return np.array(sizes)
