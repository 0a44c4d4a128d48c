"""I stop when the number of bad epochs EXCEEDS patience.

Hint: stop as soon as patience epochs in a row have failed to improve.
"""

EXERCISE = "9.2"
EXPECT = r"one epoch late"


def early_stopping(val_losses, patience, min_delta=0.0):
    best, best_epoch, bad = float("inf"), None, 0
    for epoch, value in enumerate(val_losses):
        if value < best - min_delta:
            best, best_epoch, bad = value, epoch, 0
        else:
            bad += 1
        if bad > patience:
            return best_epoch, epoch
    return best_epoch, None
