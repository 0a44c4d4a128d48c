"""I computed dw as dout.T @ x, which has the shape of w transposed.

Hint: check dw's shape: it must match w, (D, H).
"""

EXERCISE = "3.1"
EXPECT = r"transposed|shape"


def dense_backward(dout, cache):
    x, w = cache
    return dout @ w.T, dout.T @ x, dout.sum(axis=0)
