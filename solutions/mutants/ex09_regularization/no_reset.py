"""I count every bad epoch since the start, without resetting the counter on a new best.

Hint: patience counts bad epochs IN A ROW; a new best resets the count to 0.
"""

EXERCISE = "9.2"
EXPECT = r"early|expected \(best_epoch, stop_epoch\)"


def early_stopping(val_losses, patience, min_delta=0.0):
    best, best_epoch, bad = float("inf"), None, 0
    for epoch, value in enumerate(val_losses):
        if value < best - min_delta:
            best, best_epoch = value, epoch
        else:
            bad += 1
        if bad >= patience:
            return best_epoch, epoch
    return best_epoch, None
