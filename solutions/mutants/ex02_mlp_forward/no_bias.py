"""I forgot to add the bias.

Hint: check that b is added to every row of x @ w.
"""

EXERCISE = "2.1"
EXPECT = r"z1 of the worked example|differ"


def dense_forward(x, w, b):
    return x @ w, (x, w)
