"""I counted a mistake by checking the prediction after applying the update.

Hint: check when you count: a mistake is a wrong prediction with the weights *before* the update.
"""

EXERCISE = "1.3"
EXPECT = r"mistakes per epoch"

import numpy as np


def train(X, y, lr=1.0, epochs=10):
    w, b, mistakes = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        count = 0
        for x_i, y_i in zip(X, y):
            w, b = update(w, b, x_i, y_i, lr)
            count += int(predict(x_i[None, :], w, b)[0] != y_i)
        mistakes.append(count)
        if count == 0:
            break
    return w, b, mistakes
