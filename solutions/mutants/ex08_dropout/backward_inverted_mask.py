"""I sent the gradient to the dropped entries (~mask) instead of the kept ones.

Hint: only entries that reached the output get a gradient.
"""

EXERCISE = "8.2"
EXPECT = r"dropped entries"


def dropout_backward(dout, mask, p):
    if mask is None:
        return dout
    return dout * ~mask / (1.0 - p)
