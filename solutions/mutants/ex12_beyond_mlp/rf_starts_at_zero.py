"""I started the receptive field at 0 instead of 1.

Hint: before any layer, a unit (a pixel) sees exactly one pixel.
"""

EXERCISE = "12.4"
EXPECT = r"off by one"

import numpy as np


def receptive_field(kernels, strides):
    sizes, r, jump = [], 0, 1
    for k, s in zip(kernels, strides):
        r += (k - 1) * jump
        jump *= s
        sizes.append(r)
    return np.array(sizes)
