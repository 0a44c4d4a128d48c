"""I multiplied by w.T, as if w stored one row per neuron.

Hint: check the shapes: x is (N, D) and w is (D, H), so x @ w is already (N, H).
"""

EXERCISE = "2.1"
EXPECT = r"no transpose|x @ w\.T"


def dense_forward(x, w, b):
    return x @ w.T + b, (x, w)
