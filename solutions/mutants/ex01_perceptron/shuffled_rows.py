"""I shuffled the rows every epoch, as one usually does with SGD.

Hint: check the order: the exercise visits the rows of X in order, so the run is reproducible.
"""

EXERCISE = "1.3"
EXPECT = r"mistakes per epoch|rows in order"

import numpy as np


def train(X, y, lr=1.0, epochs=10):
    rng = np.random.default_rng(0)
    w, b, mistakes = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        count = 0
        for i in rng.permutation(len(X)):
            count += int(predict(X[i][None, :], w, b)[0] != y[i])
            w, b = update(w, b, X[i], y[i], lr)
        mistakes.append(count)
        if count == 0:
            break
    return w, b, mistakes
