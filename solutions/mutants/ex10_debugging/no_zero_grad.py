"""I never zeroed the gradients between steps.

Hint: loss.backward() adds into .grad; call opt.zero_grad() once per step.
"""

EXERCISE = "10.1"
EXPECT = r"zero_grad|add up|sum of both"

import torch.nn.functional as F


def train_step(model, opt, xb, yb):
    loss = F.cross_entropy(model(xb), yb)
    loss.backward()
    opt.step()
    return loss.item()
