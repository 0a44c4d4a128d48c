"""I switched the model to eval mode and left it there.

Hint: the training loop continues after evaluation: put the model back in its previous mode.
"""

EXERCISE = "10.3"
EXPECT = r"restore the model's training mode"

import torch


def eval_accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(1) == y).double().mean().item()
