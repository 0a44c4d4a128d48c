"""I used the plain softmax exp(s) / sum exp(s) without subtracting the row maximum.

Hint: exp overflows above ~709; softmax is shift-invariant, so subtract each row's max first.
"""

EXERCISE = "12.3"
EXPECT = r"overflow"

import numpy as np


def attention_forward(q, k, v, causal=False):
    scores = q @ k.T / np.sqrt(q.shape[1])
    if causal:
        scores = np.where(np.tril(np.ones(scores.shape, dtype=bool)), scores, -np.inf)
    e = np.exp(scores)
    w = e / e.sum(axis=1, keepdims=True)
    return w @ v, w
