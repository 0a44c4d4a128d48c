"""I called model.train() at the end to undo model.eval().

Hint: restore the mode the model was in: it may have been in eval mode already.
"""

EXERCISE = "10.3"
EXPECT = r"stay in eval mode"

import torch


def eval_accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        acc = (model(X).argmax(1) == y).double().mean().item()
    model.train()
    return acc
