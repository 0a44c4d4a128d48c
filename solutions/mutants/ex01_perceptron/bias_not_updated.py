"""I updated the weights but returned the bias unchanged.

Hint: check b_new: the bias learns like a weight on a constant input 1.
"""

EXERCISE = "1.2"
EXPECT = r"\bb after update"


def update(w, b, x, y, lr):
    y_hat = 1 if x @ w + b >= 0 else 0
    return w + lr * (y - y_hat) * x, b
