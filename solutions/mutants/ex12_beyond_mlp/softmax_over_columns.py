"""I normalised the softmax over axis 0.

Hint: each query (a row of the scores) distributes its attention over the keys: rows sum to 1.
"""

EXERCISE = "12.3"
EXPECT = r"wrong axis"

import numpy as np


def attention_forward(q, k, v, causal=False):
    scores = q @ k.T / np.sqrt(q.shape[1])
    if causal:
        scores = np.where(np.tril(np.ones(scores.shape, dtype=bool)), scores, -np.inf)
    e = np.exp(scores - scores.max(axis=0, keepdims=True))
    w = e / e.sum(axis=0, keepdims=True)
    return w @ v, w
