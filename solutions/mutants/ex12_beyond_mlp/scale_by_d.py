"""I divided the scores by d instead of sqrt(d).

Hint: the variance of q . k is d, so its standard deviation is sqrt(d).
"""

EXERCISE = "12.3"
EXPECT = r"divided by d"

import numpy as np


def attention_forward(q, k, v, causal=False):
    scores = q @ k.T / q.shape[1]
    if causal:
        scores = np.where(np.tril(np.ones(scores.shape, dtype=bool)), scores, -np.inf)
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    w = e / e.sum(axis=1, keepdims=True)
    return w @ v, w
