"""I forgot to divide the scores by sqrt(d).

Hint: with unit-variance entries q . k has variance d; the scale is 1/sqrt(d).
"""

EXERCISE = "12.3"
EXPECT = r"WITHOUT the 1/sqrt\(d\)"

import numpy as np


def attention_forward(q, k, v, causal=False):
    scores = q @ k.T
    if causal:
        scores = np.where(np.tril(np.ones(scores.shape, dtype=bool)), scores, -np.inf)
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    w = e / e.sum(axis=1, keepdims=True)
    return w @ v, w
