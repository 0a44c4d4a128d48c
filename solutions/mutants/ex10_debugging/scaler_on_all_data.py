"""I computed the mean and std on train and validation together (more data, better statistics).

Hint: the scaler is part of the model: fit it on the training split only.
"""

EXERCISE = "10.2"
EXPECT = r"train \+ validation|leaks"

import numpy as np


def standardize_train_only(X_train, X_val):
    X_all = np.vstack([X_train, X_val])
    mean, std = X_all.mean(0), X_all.std(0)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_val - mean) / std
