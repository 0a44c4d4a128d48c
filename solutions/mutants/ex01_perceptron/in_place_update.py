"""I updated w in place with +=, which also changes the caller's array.

Hint: check that update returns a new array and leaves its argument w untouched.
"""

EXERCISE = "1.2"
EXPECT = r"in place"


def update(w, b, x, y, lr):
    y_hat = 1 if x @ w + b >= 0 else 0
    w += lr * (y - y_hat) * x
    return w, b + lr * (y - y_hat)
