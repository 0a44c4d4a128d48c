"""I passed dA1 straight through, forgetting the ReLU's derivative.

Hint: check the hidden layer: dZ1 = dA1 * g'(Z1), and ReLU's g' is 0 where Z1 <= 0.
"""

EXERCISE = "3.3"
EXPECT = r"dW1|db1|ReLU|Z1"


def two_layer_backward(Y, cache, W2):
    X, A1, Y_hat = cache["X"], cache["A1"], cache["Y_hat"]
    dZ2 = (Y_hat - Y) / X.shape[0]
    dZ1 = dZ2 @ W2.T
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}
