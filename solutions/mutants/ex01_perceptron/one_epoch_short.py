"""I looped over range(epochs - 1), one epoch too few.

Hint: check how many epochs run when the data are not separable: exactly `epochs`.
"""

EXERCISE = "1.3"
EXPECT = r"epochs"

import numpy as np


def train(X, y, lr=1.0, epochs=10):
    w, b, mistakes = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs - 1):
        count = 0
        for x_i, y_i in zip(X, y):
            count += int(predict(x_i[None, :], w, b)[0] != y_i)
            w, b = update(w, b, x_i, y_i, lr)
        mistakes.append(count)
        if count == 0:
            break
    return w, b, mistakes
