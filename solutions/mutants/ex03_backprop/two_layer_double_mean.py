"""I divided by B in dZ2 and again in dW2 and dW1.

Hint: check how often you divide by B: once, in dZ2 (every later gradient inherits it).
"""

EXERCISE = "3.3"
EXPECT = r"too small|once"


def two_layer_backward(Y, cache, W2):
    X, Z1, A1, Y_hat = cache["X"], cache["Z1"], cache["A1"], cache["Y_hat"]
    B = X.shape[0]
    dZ2 = (Y_hat - Y) / B
    dA1 = dZ2 @ W2.T
    dZ1 = dA1 * (Z1 > 0)
    return {"W1": X.T @ dZ1 / B, "b1": dZ1.sum(axis=0) / B, "W2": A1.T @ dZ2 / B, "b2": dZ2.sum(axis=0) / B}
