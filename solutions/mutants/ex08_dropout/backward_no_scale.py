"""I passed the gradient through the kept entries without the 1/(1 - p).

Hint: the forward multiplied by mask / (1 - p); the gradient gets the same factor.
"""

EXERCISE = "8.2"
EXPECT = r"1/\(1 - p\)"


def dropout_backward(dout, mask, p):
    if mask is None:
        return dout
    return dout * mask
