"""I always ran all the epochs, even after an epoch without mistakes.

Hint: check the stopping rule: stop after the first epoch with 0 mistakes.
"""

EXERCISE = "1.3"
EXPECT = r"must stop|mistakes per epoch"

import numpy as np


def train(X, y, lr=1.0, epochs=10):
    w, b, mistakes = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        count = 0
        for x_i, y_i in zip(X, y):
            count += int(predict(x_i[None, :], w, b)[0] != y_i)
            w, b = update(w, b, x_i, y_i, lr)
        mistakes.append(count)
    return w, b, mistakes
