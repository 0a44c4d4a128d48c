"""I divided by the std without handling constant features.

Hint: a constant feature has std 0: divide by 1 there (it stays 0).
"""

EXERCISE = "10.2"
EXPECT = r"constant feature|NaN|non-finite"



def standardize_train_only(X_train, X_val):
    mean, std = X_train.mean(0), X_train.std(0)
    return (X_train - mean) / std, (X_val - mean) / std
