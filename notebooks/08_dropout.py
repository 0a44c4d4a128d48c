# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 08 · Dropout
#
# **Learning goals** — after this notebook you can
# - implement inverted dropout (forward and backward) and say why survivors are scaled by $1/(1-p)$;
# - explain dropout as training an implicit ensemble that discourages co-adapted units;
# - measure dropout's effect on the train/validation gap of an over-parameterized network;
# - use MC dropout to get an uncertainty estimate from a trained network.
#
# **Prerequisites:** backprop by hand (notebook 03), training an MLP, train vs eval mode (notebook 07).
# **Run time:** about 10 s for *Run All*; 30–40 min to work through.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import nnbasics
from nnbasics.core import dropout
from nnbasics.course import doctor, quiz
from nnbasics.experiments import nb08_dropout as exp
from nnbasics.testing import assert_close
from nnbasics.viz import nb08_dropout as widgets
from nnbasics.viz import plotting

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"
_ = torch.manual_seed(0)  # torch's own dropout below draws from its global generator

# %% [markdown]
# ## 1. Switching units off at random
#
# During training, dropout sets each activation to zero with probability $p$, independently,
# for every example and every step. A unit can never rely on a particular partner being
# present, so units cannot **co-adapt** (fix each other's mistakes in fragile combinations);
# each must be useful on its own. Every step trains a different *thinned* sub-network that
# shares weights with all the others: dropout trains an **implicit ensemble** of
# $2^{H}$ networks, and inference uses (approximately) their average.
#
# **Try it.** Move $p$: the left panel is one mask applied to a block of activations, the middle
# the train/validation loss of a big MLP fitted to 40 noisy points, the right its decision
# regions. (Building the explorer trains the network once per rate, a couple of seconds in all;
# the slider then only redraws.)

# %%
explorer = widgets.dropout_explorer()
explorer

# %% [markdown]
# ## 2. Inverted dropout: the math
#
# With a mask $m_{ij} \sim \mathrm{Bernoulli}(1-p)$ (keep with probability $1-p$):
#
# $$ \text{train: } y = \frac{m \odot x}{1-p}, \qquad \text{inference: } y = x, \qquad
# \frac{\partial L}{\partial x} = \frac{m}{1-p} \odot \frac{\partial L}{\partial y}. $$
#
# Since $\mathbb{E}[m_{ij}] = 1-p$, $\ \mathbb{E}[y] = x$: the next layer sees the same mean in
# training and at inference, so inference needs no change at all. This is exactly what
# `torch.nn.Dropout(p)` does ("inverted" because the scaling moved from test time to training).

# %%
nnbasics.show_source(dropout.dropout_forward)

# %% [markdown]
# **Self-check against torch.** torch's mask comes from its own random generator, so the masks
# differ — but the semantics must not: kept entries equal exactly $x/(1-p)$, about $1-p$ of them
# survive, and eval mode is the identity. The backward pass is checked with autograd.

# %%
# NBVAL_CHECK_OUTPUT
x = np.random.default_rng(0).uniform(1.0, 2.0, size=(200, 100))
p = 0.3
ours, cache = dropout.dropout_forward(x, p, train=True, rng=np.random.default_rng(1))
theirs = torch.nn.functional.dropout(torch.tensor(x), p=p, training=True).numpy()
for name, out in (("ours ", ours), ("torch", theirs)):
    kept = out != 0
    assert_close(out[kept], x[kept] / (1 - p), f"{name}: kept entries")
    print(f"{name}: kept fraction {kept.mean():.1f}, kept entries = x / {1 - p}")
assert_close(dropout.dropout_forward(x, p, train=False)[0], x, "eval mode is the identity")

xt = torch.tensor(x, requires_grad=True)
dout = np.random.default_rng(2).normal(size=x.shape)
(xt * torch.tensor(cache.mask) / (1 - p)).backward(torch.tensor(dout))
assert_close(dropout.dropout_backward(dout, cache), xt.grad, "dx vs autograd")

# %% [markdown]
# ## 3. What goes wrong without the scaling
#
# Suppose we drop units but do **not** divide by $1-p$, and keep the identity at inference.
# In training the next layer then sees activations with mean $(1-p)\,\bar h$; at inference
# suddenly $\bar h$ — a systematic train/eval mismatch:

# %%
h = np.abs(np.random.default_rng(3).normal(size=(64, 128)))  # post-ReLU-like activations
mismatch = exp.scaling_mismatch(h, 0.5, rng=0, draws=100)
print(f"mean at inference {mismatch['eval_mean']:.3f} | training, inverted {mismatch['inverted_mean']:.3f} "
      f"(ratio {mismatch['inverted_ratio']:.3f}) | training, unscaled {mismatch['unscaled_mean']:.3f} "
      f"(ratio {mismatch['unscaled_ratio']:.3f})")
assert abs(mismatch["inverted_ratio"] - 1) < 0.02 and abs(mismatch["unscaled_ratio"] - 0.5) < 0.02

# %% [markdown]
# ## 4. The experiment: p ∈ {0, 0.2, 0.5} on a small noisy data set
#
# An MLP with two hidden layers of 128 ReLUs (about 17 000 weights) fitted to **40** noisy
# two-moons points, validated on 200 more; full-batch Adam for 100 epochs, same seed for every
# $p$. Losses are measured in eval mode after each epoch.

# %%
runs = exp.dropout_experiment(ps=(0.0, 0.2, 0.5))
for p_, run in runs.items():
    print(f"p={p_:.1f}: train loss {run.train_loss[-1]:.3f}, val loss {run.val_loss[-1]:.3f} "
          f"(best {min(run.val_loss):.3f}), gap {run.gap:.3f}, val acc {run.val_acc[-1]:.0%}")
assert runs[0.0].train_loss[-1] < runs[0.5].train_loss[-1]  # dropout makes memorizing harder
assert runs[0.5].gap < runs[0.2].gap < runs[0.0].gap  # ... and narrows the gap
assert max(runs[0.0].val_loss) > 1.5 * min(runs[0.0].val_loss)  # p=0: validation loss climbs back up

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), sharey=True)
for ax, (p_, run) in zip(axes, runs.items()):
    ax.plot(run.train_loss, color=plotting.PALETTE[0], label="train")
    ax.plot(run.val_loss, color=plotting.PALETTE[5], label="validation")
    ax.set(xlabel="epoch", title=f"p = {p_}: final gap {run.gap:.2f}")
axes[0].set_ylabel("cross-entropy (eval mode)")
axes[0].legend()
fig.suptitle("Over-parameterized MLP on 40 points: dropout trades training fit for validation loss")
fig.tight_layout()

# %% [markdown]
# Without dropout the network drives the training loss to ~0 by memorizing the noise, and its
# validation loss climbs after a few epochs (overconfident wrong answers). Dropout keeps the
# training loss higher and the validation loss lower. Typical rates: **0.5** for large fully
# connected layers (the original paper), **0.1–0.3** elsewhere (e.g. 0.1 in transformers);
# too much dropout underfits.
#
# **The missing scaling, measured on a trained model.** A network trained with *unscaled*
# dropout is equivalent to our $p=0.5$ network with every hidden activation inflated by
# $1/(1-p)$ at inference. Applying exactly that (a forward hook) to the trained model:

# %%
_, _, X_val, y_val = runs[0.5].data
pen = exp.unscaled_eval_penalty(runs[0.5], X_val, y_val)
print(f"validation loss: correct {pen['loss']:.3f} -> unscaled {pen['unscaled_loss']:.3f}; "
      f"accuracy {pen['acc']:.0%} -> {pen['unscaled_acc']:.0%}")
assert pen["unscaled_loss"] > 1.5 * pen["loss"]

# %% [markdown]
# The accuracy barely moves here (inflating the activations mostly rescales the logits, which
# rarely flips the winning class), but the probabilities become badly overconfident and the loss
# jumps: a mismatch that silently hurts calibration and anything built on the probabilities.
#
# ## 5. Extension: MC dropout for uncertainty
#
# Keep dropout **on** at inference, run $T$ stochastic passes and average the softmax outputs
# (Gal & Ghahramani, 2016). The spread between passes — or the entropy of the average — is
# larger where the thinned networks disagree: near the decision boundary.

# %%
mc = exp.mc_dropout_predict(runs[0.5].model, X_val, samples=30, seed=0)
order = np.argsort(mc["entropy"])
print("most certain  val points: entropy", np.round(mc["entropy"][order[:3]], 3))
print("least certain val points: entropy", np.round(mc["entropy"][order[-3:]], 3))
wrong = mc["prediction"] != y_val
print(f"mean entropy: correct predictions {mc['entropy'][~wrong].mean():.3f}, "
      f"wrong ones {mc['entropy'][wrong].mean():.3f}")
assert mc["entropy"][wrong].mean() > mc["entropy"][~wrong].mean()

# %%
fig, ax = plt.subplots(figsize=(4.8, 3.6))
sc = ax.scatter(X_val[:, 0], X_val[:, 1], c=mc["entropy"], cmap="viridis", s=18)
ax.scatter(X_val[wrong, 0], X_val[wrong, 1], s=70, facecolors="none", edgecolors=plotting.PALETTE[5],
           label="misclassified")
fig.colorbar(sc, ax=ax, label="predictive entropy (nats)")
ax.set(xlabel="$x_1$", ylabel="$x_2$", title="MC dropout (T=30): uncertainty on validation points")
ax.legend(loc="lower left", fontsize=8)
fig.tight_layout()

# %% [markdown]
# ## 6. Exercises (graded)
#
# Open **`exercises/ex08_dropout.py`** and implement, using numpy only:
#
# | exercise | function | what it does |
# |---|---|---|
# | 8.1 | `dropout_forward(x, p, rng, train)` | inverted dropout; returns `(out, mask)` (`mask=None` at inference) |
# | 8.2 | `dropout_backward(dout, mask, p)` | the gradient of 8.1 |
#
# Check your work from a terminal in the course folder:
#
# ```
# python -m nnbasics grade 08
# ```

# %%
from nnbasics.course import exercises

x_ex = np.arange(1.0, 13.0).reshape(3, 4)
mine = exercises.attempt("08", "dropout_forward", x_ex, 0.5, np.random.default_rng(0), True)
if mine is not None:
    ref, _ = dropout.dropout_forward(x_ex, 0.5, train=True, rng=np.random.default_rng(0))
    assert_close(mine[0], ref, "your dropout_forward (same rng)")
    print("✅ your dropout_forward matches the library")

# %% [markdown]
# ## 7. Quiz and key takeaways

# %%
quiz.show("08")

# %% [markdown]
# **Key takeaways**
# - Dropout zeroes each activation with probability $p$ in training; **inverted** dropout scales the
#   survivors by $1/(1-p)$ so the expectation is preserved and inference is the identity
#   (what `nn.Dropout` does; remember `model.eval()`).
# - Forgetting the scaling creates a train/inference mismatch of a factor $1-p$ in every layer's input.
# - Dropout trains an implicit ensemble of thinned networks and discourages co-adaptation: higher
#   training loss, smaller train/validation gap. Typical $p$: 0.5 for big FC layers, 0.1–0.3 elsewhere.
# - Keeping dropout on at inference (MC dropout) turns the ensemble into an uncertainty estimate —
#   next: **09 · regularization and optimization**.
