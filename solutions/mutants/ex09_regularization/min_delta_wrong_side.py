"""I accepted values up to min_delta ABOVE the best as improvements.

Hint: an improvement is value < best - min_delta (better by more than min_delta).
"""

EXERCISE = "9.2"
EXPECT = r"min_delta|expected \(best_epoch, stop_epoch\)"


def early_stopping(val_losses, patience, min_delta=0.0):
    best, best_epoch, bad = float("inf"), None, 0
    for epoch, value in enumerate(val_losses):
        if value < best + min_delta:
            best, best_epoch, bad = min(best, value), epoch, 0
        else:
            bad += 1
        if bad >= patience:
            return best_epoch, epoch
    return best_epoch, None
