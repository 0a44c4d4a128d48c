"""I looped over the positions and assigned dtable[ids[n]] = dout[n].

Hint: every use of an id contributes: add, do not overwrite.
"""

EXERCISE = "12.2"
EXPECT = r"repeated ids"

import numpy as np


def embedding_backward(dout, ids, V):
    dtable = np.zeros((V, dout.shape[1]))
    for n, i in enumerate(ids):
        dtable[i] = dout[n]
    return dtable
