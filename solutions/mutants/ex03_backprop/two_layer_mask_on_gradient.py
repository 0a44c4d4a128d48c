"""I masked with dA1 > 0 instead of Z1 > 0 for the ReLU.

Hint: check ReLU's derivative: it depends on the forward pre-activation Z1, not on the gradient.
"""

EXERCISE = "3.3"
EXPECT = r"dW1|db1|ReLU|Z1"


def two_layer_backward(Y, cache, W2):
    X, A1, Y_hat = cache["X"], cache["A1"], cache["Y_hat"]
    dZ2 = (Y_hat - Y) / X.shape[0]
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * (dA1 > 0)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}
