"""I counted only strict wins of positives over negatives (>).

Hint: tied scores cross every threshold together: a tie is worth one half.
"""

EXERCISE = "10.4"
EXPECT = r"tie counted as a loss"



def roc_auc(y_true, scores):
    pos, neg = scores[y_true == 1], scores[y_true == 0]
    return float((pos[:, None] > neg[None, :]).mean())
