"""I averaged dout over the batch for db, as if the layer divided by N.

Hint: check db: the bias is added to every row, so its gradient is the SUM of dout over rows (any 1/N is already in dout).
"""

EXERCISE = "3.1"
EXPECT = r"\bdb\b"


def dense_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.mean(axis=0)
