"""I counted how often a positive scores at least as high as a negative (>=).

Hint: tied scores cross every threshold together: a tie is worth one half.
"""

EXERCISE = "10.4"
EXPECT = r"tie counted as a win"



def roc_auc(y_true, scores):
    pos, neg = scores[y_true == 1], scores[y_true == 0]
    return float((pos[:, None] >= neg[None, :]).mean())
