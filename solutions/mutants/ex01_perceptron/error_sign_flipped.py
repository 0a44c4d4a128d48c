"""I wrote the error as y_hat - y, so the line moves away from a missed positive.

Hint: check the direction of the update: a missed positive (y = 1, y_hat = 0) must move w towards x.
"""

EXERCISE = "1.2"
EXPECT = r"wrong way|sign"


def update(w, b, x, y, lr):
    y_hat = 1 if x @ w + b >= 0 else 0
    err = y_hat - y
    return w + lr * err * x, b + lr * err
