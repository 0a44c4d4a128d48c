"""I added eps to the standard deviation instead of the variance.

Hint: torch adds eps to the variance, inside the square root.
"""

EXERCISE = "7.1"
EXPECT = r"inside the square root"


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    return gamma * (x - mu) / (x.std(axis=0) + eps) + beta
