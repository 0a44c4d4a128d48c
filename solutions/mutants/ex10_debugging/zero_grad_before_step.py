"""I zeroed the gradients right after backward(), just before the step, to keep them clean.

Hint: opt.step() reads .grad: zero it before backward() (or after step()), never in between.
"""

EXERCISE = "10.1"
EXPECT = r"never changed|never in between"

import torch.nn.functional as F


def train_step(model, opt, xb, yb):
    loss = F.cross_entropy(model(xb), yb)
    loss.backward()
    opt.zero_grad()
    opt.step()
    return loss.item()
