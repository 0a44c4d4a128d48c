"""I returned just the output and forgot the cache.

Hint: check the return value: the pair (out, cache), as every forward of the course.
"""

EXERCISE = "2.1"
EXPECT = r"pair|cache"


def dense_forward(x, w, b):
    return x @ w + b
