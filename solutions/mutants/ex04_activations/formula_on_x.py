"""I applied s * (1 - s) to x instead of to s = sigma(x).

Hint: the derivative is written with sigma(x), so compute s = sigma(x) first.
"""

EXERCISE = "4.1"
EXPECT = r"x \* \(1 - x\)"


def sigmoid_derivative(x):
    return x * (1 - x)
