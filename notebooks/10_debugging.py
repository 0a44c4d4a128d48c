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
# # 10 · Debugging a network: the bug zoo
#
# **Learning goals** — after this notebook you can
# - follow a disciplined debugging order, starting with "overfit one tiny batch";
# - recognise eight classic training bugs from their loss curves and gradient norms;
# - map a symptom (flat loss, NaN, train/val gap, one predicted class, slow training) to the checks that find its cause;
# - read precision, recall, F1, PR-AUC and the confusion matrix when accuracy lies;
# - fix broken training code yourself (graded).
#
# **Prerequisites:** notebooks 02–09 (MLPs, backprop, optimizers, normalization, training loops).
# **Run time:** about 10 s for *Run All*; 45 min to work through.
#
# A network with a bug rarely crashes: it trains *a bit worse*. Every broken run below is a
# small, seeded torch run from `nnbasics.lab.debug` (each well under a second), diagnosed with
# the tested `debug.diagnose` helper.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import nnbasics
from nnbasics import data
from nnbasics.core import metrics
from nnbasics.course import doctor, quiz
from nnbasics.lab import debug
from nnbasics.lab.models import MLPConfig, build_mlp
from nnbasics.viz import nb10_debugging as widgets
from nnbasics.viz import plotting

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"
torch.set_num_threads(1)  # tiny models: one thread is faster and steadier on shared machines

# %% [markdown]
# ## 1. The disciplined order
#
# When a model does not learn, resist tweaking hyper-parameters at random. Check, in order:
#
# 1. **Overfit a tiny batch.** A correct model + loss + optimizer memorises 16 examples in
#    a few hundred steps. If it cannot, the bug is in the plumbing, not in the data size.
# 2. **Labels**: do inputs and labels still belong together after shuffling/splitting?
# 3. **Preprocessing parity**: train and validation go through the same transform, fitted on
#    the training data only.
# 4. **Output/loss pairing**: `CrossEntropyLoss` takes *logits*; `BCEWithLogitsLoss` takes logits.
# 5. **Gradients**: finite, non-zero, not growing step after step.
# 6. **Saturation / dead units**: ReLUs that never fire, sigmoids stuck at 0 or 1.
# 7. **Learning rate**: sweep it on a log scale.
#
# Step 1 in code — `overfit_small_batch` trains on the batch alone and checks loss and accuracy:

# %%
nnbasics.show_source(debug.overfit_small_batch)

# %%
X16, y16 = data.blobs(16, rng=0, n_classes=3)
good = debug.overfit_small_batch(lambda: build_mlp(MLPConfig(d_in=2, hidden=(32,), d_out=3)), X16, y16,
                                 steps=150)
softmax_model = torch.nn.Sequential(build_mlp(MLPConfig(d_in=2, hidden=(32,), d_out=3)),
                                    torch.nn.Softmax(dim=1))
bad = debug.overfit_small_batch(softmax_model, X16, y16, steps=150)
print(f"healthy MLP:            passed={good.passed}  final loss {good.final_loss:.3f}")
print(f"MLP ending in softmax:  passed={bad.passed}  final loss {bad.final_loss:.3f}")
assert good.passed and not bad.passed

# %% [markdown]
# ## 2. The zoo at a glance
#
# Pick a bug: the explorer shows its training loss (per step) and validation loss, the
# gradient norm of each linear layer, and what `diagnose` finds. Compare each with
# **healthy**. Which ones would you have spotted from the loss curve alone?

# %%
zoo_explorer = widgets.zoo_explorer()
zoo_explorer

# %% [markdown]
# `diagnose(history, model, batch)` turns the symptom table into checks:
#
# | symptom | check | finding code |
# |---|---|---|
# | loss NaN/inf | learning rate, exploding gradients, log(0) | `nan_loss` |
# | gradient norm keeps growing | `zero_grad()` called? learning rate? | `exploding_grads` |
# | loss flat, accuracy at chance | labels aligned? gradients non-zero? | `loss_flat`, `labels_unrelated` |
# | loss falls, but slowly | learning rate too low | `slow_training` |
# | outputs already sum to 1 | softmax before CrossEntropyLoss | `probabilities_into_loss` |
# | two forward passes differ | `model.eval()` forgotten | `train_mode` |
# | train ≫ validation | overfitting / preprocessing mismatch | `train_val_gap` |
# | one class predicted | class imbalance: per-class metrics | `single_class` |
# | ReLUs never fire | learning rate, init, biases | `dead_units` |
# | scaler ≠ training statistics | leakage | `preprocessing_leak` |
#
# Every run of the zoo gets the diagnosis it should, and the healthy run gets none
# (this printout is checked by the test suite):

# %%
# NBVAL_CHECK_OUTPUT
runs = {name: debug.run_bug(name) for name in debug.ZOO}
for name, run in runs.items():
    codes = [f.code for f in debug.diagnose(run, run.model, run.batch)]
    print(f"{name:18s} -> {', '.join(codes) or 'no findings'}")
    assert (debug.ZOO[name].expected in codes) if name != "healthy" else codes == []

# %%
fig, axes = plt.subplots(3, 3, figsize=(10, 7.5), sharex=True,
                         gridspec_kw=dict(hspace=0.35, wspace=0.25))
for ax, (name, run) in zip(axes.ravel(), runs.items()):
    loss = np.asarray(run.train_loss)
    ax.plot(np.minimum(loss, 5), color=plotting.PALETTE[0], label="train (clipped at 5)")
    ax.plot(np.arange(len(run.val_loss)) * 5 + 4, np.minimum(run.val_loss, 5), "o-", ms=3,
            color=plotting.PALETTE[1], label="validation")
    ax.set(title=name, ylim=(0, 2.5))
for ax in axes[-1]:
    ax.set_xlabel("step")
for ax in axes[:, 0]:
    ax.set_ylabel("cross-entropy")
axes[0, 0].legend(fontsize=8)
fig.suptitle("Loss curves of the zoo: many bugs look almost healthy")

# %% [markdown]
# ## 3. The exhibits, one by one
#
# **Softmax before `CrossEntropyLoss`.** `F.cross_entropy(z, y) = -z_y + \log\sum_j e^{z_j}`
# applies log-softmax itself. Feeding it probabilities $p \in [0,1]$ squashes the logits:
# even a perfect $p_y = 1$ gives $-1 + \log(e + C - 1) \approx 0.55$ for $C = 3$, so the loss
# can never approach 0 and the gradients are small.

# %%
floor = -1 + np.log(np.e + 3 - 1)
print(f"lowest reachable loss with probabilities as input: {floor:.3f}; "
      f"the buggy run ends at {runs['softmax_before_ce'].train_loss[-1]:.3f}")
assert min(runs["softmax_before_ce"].train_loss) > floor

# %% [markdown]
# **Missing `optimizer.zero_grad()`.** `loss.backward()` *adds* into `.grad`. Without
# `zero_grad()` every step uses the sum of all past gradients: the norm grows and the steps
# overshoot. PyTorch accumulates on purpose — it lets you sum gradients over several
# micro-batches (a large effective batch that does not fit in memory) or over several
# losses before one `step()`.

# %%
g = runs["no_zero_grad"].grad_norm
print(f"gradient norm: first step {g[0]:.2f}, last step {g[-1]:.2f} "
      f"(healthy run: {runs['healthy'].grad_norm[-1]:.2f})")
assert g[-1] > 4 * g[0]

# %% [markdown]
# **`model.eval()` forgotten.** In training mode dropout zeroes random units and BatchNorm
# uses the batch's statistics, so the "validation accuracy" changes from one pass to the next
# (and is biased low). In eval mode it is one deterministic — and better — number:

# %%
run = runs["forgot_eval"]
Xv, yv = run.batch
torch.manual_seed(0)  # dropout masks in train mode come from the global generator
with torch.no_grad():
    acc_train_mode = [float((run.model.train()(Xv).argmax(1) == yv).double().mean()) for _ in range(10)]
    acc_eval_mode = [float((run.model.eval()(Xv).argmax(1) == yv).double().mean()) for _ in range(3)]
run.model.train()  # leave it as the buggy loop left it
print(f"10 passes in train mode: {min(acc_train_mode):.2f} to {max(acc_train_mode):.2f} "
      f"(mean {np.mean(acc_train_mode):.3f}); eval mode: {acc_eval_mode[0]:.2f} every time")
assert len(set(acc_train_mode)) > 1 and len(set(acc_eval_mode)) == 1
assert acc_eval_mode[0] >= np.mean(acc_train_mode)

# %% [markdown]
# **Learning rate 10x too high / 100x too low.** Too high: the loss explodes to NaN within
# a few dozen steps. Too low: every step helps, but the loss has barely moved after the whole
# budget — with healthy gradients and learnable labels, that points at the learning rate.
#
# **Labels shuffled out of alignment** (e.g. `y` permuted separately from `X`): the loss
# sticks near $\log C$ and validation accuracy at chance. `diagnose` checks the data itself:
# a nearest-class-mean rule cannot fit labels that ignore the inputs.
#
# **Leakage**: the scaler was fitted on train + validation, so validation statistics leak into
# training. On i.i.d. toy data the damage is small, but the validation score is no longer an
# honest estimate; `diagnose` compares the scaler's mean with the training split's. The fix
# is one line: `data.standardize(X_train, X_val)`.

# %%
pre = runs["leakage"].preprocessing
print("scaler mean", np.round(pre["mean"], 3), " training mean", np.round(pre["train_mean"], 3))
assert runs["lr_too_high"].diverged and not runs["lr_too_low"].diverged

# %% [markdown]
# ## 4. When 99 % accuracy means nothing
#
# In the imbalanced run only 1 % of examples are positive. The model predicts "negative"
# for everything — and scores 99 % accuracy. Per-class metrics tell the truth:
#
# $$ \text{precision} = \frac{TP}{TP + FP}, \quad \text{recall} = \frac{TP}{TP + FN}, \quad
#    F_1 = \frac{2PR}{P + R}, \quad \text{AP} = \sum_n (R_n - R_{n-1}) P_n . $$

# %%
# NBVAL_CHECK_OUTPUT
run = runs["class_imbalance"]
Xv, yv = run.batch
with torch.no_grad():
    logits = run.model(Xv)
pred = logits.argmax(1).numpy()
scores = torch.softmax(logits, 1)[:, 1].numpy()
rep = metrics.precision_recall_f1(yv.numpy(), pred, n_classes=2)
print("confusion matrix (rows: true, columns: predicted):")
print(metrics.confusion_matrix(yv.numpy(), pred, n_classes=2))
print(f"accuracy {metrics.accuracy(yv.numpy(), pred):.2f}; minority recall {rep.recall[1]:.2f}; "
      f"macro F1 {rep.macro_f1:.2f}")
assert metrics.accuracy(yv.numpy(), pred) >= 0.98 and rep.recall[1] == 0.0

# %%
p, r, _ = metrics.precision_recall_curve(yv.numpy(), scores)
ap = metrics.average_precision(yv.numpy(), scores)
chance = metrics.chance_average_precision(yv.numpy())
fig, ax = plt.subplots(figsize=(4.5, 3.4))
ax.step(r, p, where="post", color=plotting.PALETTE[0], label=f"model: AP = {ap:.2f}")
ax.axhline(chance, ls="--", color=plotting.PALETTE[5], label=f"chance: AP = {chance:.2f}")
ax.set(xlabel="recall", ylabel="precision", title="precision-recall curve of the minority class",
       ylim=(0, 1.05))
ax.legend(fontsize=8)
print(f"PR-AUC (average precision) {ap:.3f} vs chance {chance:.3f}")
assert 0 <= ap <= 1

# %% [markdown]
# Even the ranking the scores induce is weak: the threshold is not the only problem. Remedies:
# reweight the loss (`F.cross_entropy(..., weight=...)`), resample, and always report
# per-class recall/F1 or PR-AUC on imbalanced data.
#
# ## 5. Exercises (graded)
#
# Open **`exercises/ex10_debugging.py`**: each function comes with a broken version in its
# docstring. Fix it.
#
# | exercise | function | what it does |
# |---|---|---|
# | 10.1 | `train_step(model, opt, xb, yb)` | one correct step: zero the gradients, logits into cross-entropy, backward, step |
# | 10.2 | `standardize_train_only(X_train, X_val)` | scale both splits with the *training* mean and std only |
# | 10.3 | `eval_accuracy(model, X, y)` | accuracy in eval mode without gradients, restoring the model's mode |
#
# The tests train with your code and check that the runs reach their targets:
#
# ```
# python -m nnbasics grade 10
# ```

# %%
from nnbasics.course import exercises

Xa, Xb = np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([[4.0, 5.0]])
mine = exercises.attempt("10", "standardize_train_only", Xa, Xb)
if mine is not None:
    ref = data.standardize(Xa, Xb)
    assert np.allclose(mine[0], ref[0]) and np.allclose(mine[1], ref[1]), \
        "your scaling disagrees with nnbasics.data.standardize: use the training statistics only"
    print("✅ your standardize_train_only matches the library")

# %% [markdown]
# ## 6. Quiz and key takeaways

# %%
quiz.show("10")

# %% [markdown]
# **Key takeaways**
# - Debug in order: overfit a tiny batch, then labels, preprocessing, output/loss pairing,
#   gradients, dead units, learning rate.
# - Most bugs do not crash: they leave a signature — a loss floor (softmax before the loss),
#   growing gradient norms (no `zero_grad`), noisy evaluation (no `eval()`), NaN (learning rate).
# - Fit every preprocessing step on the training split only.
# - On imbalanced data accuracy is meaningless: read the confusion matrix, per-class recall/F1
#   and PR-AUC — next: **11 · hardware**.
