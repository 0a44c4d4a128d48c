"""Inside update I predicted with z > 0, so at z = 0 a label-0 example is not treated as a mistake.

Hint: check the prediction at z = 0: step(0) = 1, so with y = 0 it is a mistake.
"""

EXERCISE = "1.2"
EXPECT = r"z = 0|step\(0\)"


def update(w, b, x, y, lr):
    y_hat = 1 if x @ w + b > 0 else 0
    err = y - y_hat
    return w + lr * err * x, b + lr * err
