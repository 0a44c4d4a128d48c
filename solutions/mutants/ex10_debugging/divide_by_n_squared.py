"""I divided the number of winning pairs by N^2.

Hint: there are n_pos * n_neg (positive, negative) pairs.
"""

EXERCISE = "10.4"
EXPECT = r"PAIRS"



def roc_auc(y_true, scores):
    pos, neg = scores[y_true == 1], scores[y_true == 0]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / y_true.size ** 2)
