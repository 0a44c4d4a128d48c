"""I forgot to divide by the batch size B.

Hint: check the scale: the loss is a mean over B rows, so dZ2 = (Y_hat - Y) / B.
"""

EXERCISE = "3.3"
EXPECT = r"too large|batch size"


def two_layer_backward(Y, cache, W2):
    X, Z1, A1, Y_hat = cache["X"], cache["Z1"], cache["A1"], cache["Y_hat"]
    dZ2 = Y_hat - Y
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * (Z1 > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}
