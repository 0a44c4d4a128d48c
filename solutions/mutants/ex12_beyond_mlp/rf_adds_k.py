"""I added k times the spacing per layer instead of k - 1.

Hint: a window of k units already contains the unit you started from.
"""

EXERCISE = "12.4"
EXPECT = r"k-1 new positions"

import numpy as np


def receptive_field(kernels, strides):
    sizes, r, jump = [], 1, 1
    for k, s in zip(kernels, strides):
        r += k * jump
        jump *= s
        sizes.append(r)
    return np.array(sizes)
