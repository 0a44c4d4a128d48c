"""I divided by (std + eps).

Hint: eps goes inside the square root, with the variance.
"""

EXERCISE = "7.3"
EXPECT = r"inside the square root"


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    return gamma * (x - mu) / (x.std(axis=-1, keepdims=True) + eps) + beta
