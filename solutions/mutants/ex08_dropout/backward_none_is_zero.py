"""With mask=None I returned a zero gradient (nothing was dropped, so nothing to do).

Hint: at inference the layer is the identity, so dL/dx = dL/dout.
"""

EXERCISE = "8.2"
EXPECT = r"mask=None|inference"

import numpy as np


def dropout_backward(dout, mask, p):
    if mask is None:
        return np.zeros_like(dout)
    return dout * mask / (1.0 - p)
