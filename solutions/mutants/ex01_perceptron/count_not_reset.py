"""I initialised the mistake counter once, before the epoch loop, so it accumulates.

Hint: check that the count restarts at 0 in every epoch.
"""

EXERCISE = "1.3"
EXPECT = r"mistakes per epoch"

import numpy as np


def train(X, y, lr=1.0, epochs=10):
    w, b, mistakes = np.zeros(X.shape[1]), 0.0, []
    count = 0
    for _ in range(epochs):
        before = count
        for x_i, y_i in zip(X, y):
            count += int(predict(x_i[None, :], w, b)[0] != y_i)
            w, b = update(w, b, x_i, y_i, lr)
        mistakes.append(count)
        if count == before:
            break
    return w, b, mistakes
