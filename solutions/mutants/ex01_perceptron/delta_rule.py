"""I used the raw score as the prediction (y - (w.x + b)), the delta rule instead of the perceptron's step.

Hint: check that y_hat is the thresholded output 0/1, so nothing changes when the prediction is right.
"""

EXERCISE = "1.2"
EXPECT = r"w after update|changes nothing"


def update(w, b, x, y, lr):
    err = y - (x @ w + b)
    return w + lr * err * x, b + lr * err
