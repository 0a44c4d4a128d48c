"""I wrote dx = dout @ w, forgetting the transpose.

Hint: check the shapes: dout is (N, H) and w is (D, H); only dout @ w.T gives dx its shape (N, D).
"""

EXERCISE = "3.1"
EXPECT = r"shape|transpose"


def dense_backward(dout, cache):
    x, w = cache
    return dout @ w, x.T @ dout, dout.sum(axis=0)
