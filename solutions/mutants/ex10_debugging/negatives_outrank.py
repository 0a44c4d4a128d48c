"""I measured how often a negative outranks a positive.

Hint: higher scores mean "more likely positive": count positives above negatives.
"""

EXERCISE = "10.4"
EXPECT = r"NEGATIVE outranks"



def roc_auc(y_true, scores):
    pos, neg = scores[y_true == 1], scores[y_true == 0]
    return float((neg[:, None] > pos[None, :]).mean() + 0.5 * (neg[:, None] == pos[None, :]).mean())
