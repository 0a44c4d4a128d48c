"""I used the sample standard deviation (ddof=1).

Hint: the contract and the library use numpy's default std (divide by N).
"""

EXERCISE = "10.2"
EXPECT = r"ddof=1"

import numpy as np


def standardize_train_only(X_train, X_val):
    mean, std = X_train.mean(0), X_train.std(0, ddof=1)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_val - mean) / std
