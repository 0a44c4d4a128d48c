"""I overwrote x in place to save memory and returned it.

Hint: never modify an input array; build a new one (np.where returns a new array).
"""

EXERCISE = "4.2"
EXPECT = r"in place"


def leaky_relu_derivative(x, alpha=0.01):
    neg = x <= 0
    x[~neg] = 1.0
    x[neg] = alpha
    return x
