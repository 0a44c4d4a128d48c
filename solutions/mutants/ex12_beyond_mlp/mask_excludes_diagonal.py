"""I built the causal mask with np.triu(..., 0), which also hides each token from itself.

Hint: query t may attend to keys s <= t: the diagonal is allowed.
"""

EXERCISE = "12.3"
EXPECT = r"diagonal included|diagonal"

import numpy as np


def attention_forward(q, k, v, causal=False):
    scores = q @ k.T / np.sqrt(q.shape[1])
    if causal:
        scores = np.where(np.triu(np.ones(scores.shape, dtype=bool)), -np.inf, scores)
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    w = e / e.sum(axis=1, keepdims=True)
    return w @ v, w
