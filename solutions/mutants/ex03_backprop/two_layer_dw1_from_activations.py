"""I used the hidden activations A1 instead of the input X for dW1.

Hint: check which input layer 1 multiplied: Z1 = X W1 + b1, so dW1 = X^T dZ1 with shape (D, H).
"""

EXERCISE = "3.3"
EXPECT = r"shape|dW1"


def two_layer_backward(Y, cache, W2):
    X, Z1, A1, Y_hat = cache["X"], cache["Z1"], cache["A1"], cache["Y_hat"]
    dZ2 = (Y_hat - Y) / X.shape[0]
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * (Z1 > 0)
    return {"W1": A1.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}
