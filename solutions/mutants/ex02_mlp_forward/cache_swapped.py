"""I stored the cache as (w, x) instead of (x, w).

Hint: check the order of the cache: the backward pass of notebook 03 unpacks x, w = cache.
"""

EXERCISE = "2.1"
EXPECT = r"cache"


def dense_forward(x, w, b):
    return x @ w + b, (w, x)
