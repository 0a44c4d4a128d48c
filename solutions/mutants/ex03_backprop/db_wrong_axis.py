"""I summed dout over the features (axis=1) for db.

Hint: check db's shape: one entry per output unit, (H,) — sum over the batch axis 0.
"""

EXERCISE = "3.1"
EXPECT = r"axis|shape"


def dense_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=1)
