"""I wrote dtable[ids] += dout, which looked like the one-line answer.

Hint: fancy-indexed += is buffered: a repeated id keeps only one of its gradients; use np.add.at.
"""

EXERCISE = "12.2"
EXPECT = r"repeated ids were counted only once"

import numpy as np


def embedding_backward(dout, ids, V):
    dtable = np.zeros((V, dout.shape[1]))
    dtable[ids] += dout
    return dtable
