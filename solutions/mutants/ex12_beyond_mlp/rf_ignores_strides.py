"""I added k - 1 per layer and ignored the strides.

Hint: after a stride-s layer neighbouring units are s input pixels apart; the spacing multiplies.
"""

EXERCISE = "12.4"
EXPECT = r"ignore the strides"

import numpy as np


def receptive_field(kernels, strides):
    return 1 + np.cumsum(np.asarray(kernels) - 1)
