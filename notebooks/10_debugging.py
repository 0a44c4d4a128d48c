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
# - follow a disciplined debugging order, starting with "the loss at initialisation is about ln C"
#   and "overfit one tiny batch";
# - recognise eight classic training bugs from their loss curves and gradient norms;
# - map a symptom (flat loss, NaN, train/val gap, one predicted class, slow training) to the checks that find its cause;
# - read precision, recall, F1, PR-AUC, ROC-AUC and the confusion matrix when accuracy lies — and
#   know when each of the two AUCs misleads;
# - check whether predicted probabilities can be trusted (reliability diagram, expected
#   calibration error, temperature scaling);
# - recognise training-serving skew and catch it before deployment;
# - fix broken training code yourself (graded).
#
# **Prerequisites:** notebooks 02–09 (MLPs, backprop, optimizers, normalization, training loops).
# **Run time:** about 20 s for *Run All*; 60 min to work through.
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
from nnbasics.experiments import nb10_debugging as exp
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
# 0. **The loss at initialisation.** Before any training, a classifier with small random weights
#    gives every class about the same probability $1/C$, so its cross-entropy is about
#    $-\ln(1/C) = \ln C$ (1.10 for 3 classes, 2.30 for 10). Far above that means confident wrong
#    predictions from the start: weights initialised too large, unscaled inputs, mismatched labels.
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
# Step 0 in code: the same MLP with torch's default initialisation, and with every weight 10x
# larger, on standardised 3-class data:

# %%
X300, y300 = data.blobs(300, rng=0, n_classes=3)
X300, _ = data.standardize(X300, X300[:1])
for scale in (1.0, 10.0):
    check = debug.initial_loss(build_mlp(MLPConfig(d_in=2, hidden=(32, 32), d_out=3, init_scale=scale)), X300, y300)
    print(f"weights x {scale:4.1f}: loss at step 0 = {check['loss']:6.2f} (ln C = {check['expected']:.2f}, "
          f"ratio {check['ratio']:.1f})")
    if scale == 1.0:
        assert abs(check["loss"] - check["expected"]) < 0.1
    else:
        assert check["ratio"] > 3  # confident and wrong before any training

# %% [markdown]
# Step 1 in code — `overfit_small_batch` trains on the batch alone and checks loss and accuracy
# (a model ending in a softmax is the plumbing bug it catches, see §3):

# %%
nnbasics.show_source(debug.overfit_small_batch)

# %%
X16, y16 = data.blobs(16, rng=0, n_classes=3)
good = debug.overfit_small_batch(lambda: build_mlp(MLPConfig(d_in=2, hidden=(32,), d_out=3)), X16, y16,
                                 steps=200, lr=3e-2)
softmax_model = torch.nn.Sequential(build_mlp(MLPConfig(d_in=2, hidden=(32,), d_out=3)),
                                    torch.nn.Softmax(dim=1))
bad = debug.overfit_small_batch(softmax_model, X16, y16, steps=200, lr=3e-2)
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
# | ReLUs never fire (not in the zoo: its MLPs use leaky ReLUs) | learning rate, init, biases | `dead_units` |
# | scaler ≠ training statistics | leakage | `preprocessing_leak` |
#
# (`train_val_gap` has no exhibit either: notebooks 08–09 produce real overfitting.) Every run
# of the zoo gets the diagnosis it should, and the healthy run gets none — for this seed and for
# seeds 0–9 (the test suite re-runs them):

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
    ax.plot(np.minimum(loss, 2.5), color=plotting.PALETTE[0], label="train (clipped at 2.5)")
    ax.plot(np.arange(len(run.val_loss)) * 5 + 4, np.minimum(run.val_loss, 2.5), "o-", ms=3,
            color=plotting.PALETTE[1], label="validation")
    if run.diverged:
        ax.axvline(len(loss) - 1, ls="--", color=plotting.PALETTE[5], label="loss became NaN")
    ax.set(title=name, ylim=(0, 2.6))
for ax in axes[-1]:
    ax.set_xlabel("step")
for ax in axes[:, 0]:
    ax.set_ylabel("cross-entropy")
axes[0, 0].legend(fontsize=7)
axes[1, 1].legend(fontsize=7)
_ = fig.suptitle("Loss curves of the zoo: many bugs look almost healthy")

# %% [markdown]
# ## 3. The exhibits, one by one
#
# **Softmax before `CrossEntropyLoss`.** `F.cross_entropy(z, y)` computes
# $-z_y + \log\sum_j e^{z_j}$: it applies log-softmax itself. Feeding it probabilities $p \in [0,1]$ squashes the logits:
# even a perfect $p_y = 1$ gives $-1 + \log(e + C - 1) \approx 0.55$ for $C = 3$, so the loss
# can never approach 0 and the gradients are small.

# %%
floor = -1 + np.log(np.e + 3 - 1)
grad_ratio = np.median(runs["softmax_before_ce"].grad_norm) / np.median(runs["healthy"].grad_norm)
print(f"lowest reachable loss with probabilities as input: {floor:.3f}; "
      f"the buggy run ends at {runs['softmax_before_ce'].train_loss[-1]:.3f}; its median gradient norm is "
      f"{grad_ratio:.2f} x the healthy run's")
assert min(runs["softmax_before_ce"].train_loss) > floor and grad_ratio < 0.5

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
# uses the batch's statistics, so the "validation accuracy" changes from one pass to the next.
# In eval mode it is one deterministic number — and on average not worse (over seeds 0–9 it is
# at least the train-mode mean, and higher in 9 of 10). `mode_accuracies` evaluates a *copy* of
# the run's model, with dropout masks from a private seeded generator:

# %%
modes = exp.mode_accuracies(runs["forgot_eval"], passes=10, seed=0)
acc_train_mode, acc_eval_mode = modes["train_mode"], modes["eval_mode"]
print(f"10 passes in train mode: {min(acc_train_mode):.2f} to {max(acc_train_mode):.2f} "
      f"(mean {np.mean(acc_train_mode):.3f}); eval mode: {acc_eval_mode[0]:.2f} every time")
assert len(set(acc_train_mode)) > 1 and len(set(acc_eval_mode)) == 1
assert acc_eval_mode[0] >= np.mean(acc_train_mode)

# %% [markdown]
# **Learning rate 30x too high / 200x too low.** Too high: the loss explodes to NaN within about
# 20 steps (12–20 over seeds 0–9). Too low: every step helps, but the loss has barely moved after
# the whole budget — with healthy gradients and learnable labels, that points at the learning rate.
#
# **Labels shuffled out of alignment** (e.g. `y` permuted separately from `X`): the loss
# sticks near $\ln C$, and the validation accuracy has nothing to do with the truth — anywhere
# around chance (1/3 here; from 0.03 to 0.56 over seeds 0–9). `diagnose` checks the data itself:
# a nearest-class-mean rule cannot fit labels that ignore the inputs.
#
# **Leakage**: the scaler was fitted on train + validation, so validation statistics leak into
# training. On these i.i.d. toy data it changes nothing measurable (validation accuracy within
# 1 point of the healthy run); it matters when training and deployment data differ, and the
# validation score is no longer an honest estimate. `diagnose` compares the scaler's mean with
# the training split's. The fix is one line: `data.standardize(X_train, X_val)`.

# %%
steps_to_nan = len(runs["lr_too_high"].train_loss)
drop_low = 1 - np.mean(runs["lr_too_low"].train_loss[-12:]) / np.mean(runs["lr_too_low"].train_loss[:12])
shuffled_loss = np.mean(runs["shuffled_labels"].train_loss[-12:])  # the last 12 mini-batches
pre = runs["leakage"].preprocessing
leak_gap = runs["leakage"].val_acc[-1] - runs["healthy"].val_acc[-1]
print(f"lr 30x too high: NaN at step {steps_to_nan}; lr 200x too low: the loss fell {drop_low:.0%} in 60 steps")
print(f"shuffled labels: loss over the last 12 steps {shuffled_loss:.3f} vs ln 3 = {np.log(3):.3f}; validation accuracy "
      f"{runs['shuffled_labels'].val_acc[-1]:.2f}")
print("leakage: scaler mean", np.round(pre["mean"], 3), " training mean", np.round(pre["train_mean"], 3),
      f"; validation accuracy {leak_gap:+.2f} vs the healthy run")
assert runs["lr_too_high"].diverged and steps_to_nan <= 20 and not runs["lr_too_low"].diverged and drop_low < 0.1
assert abs(shuffled_loss - np.log(3)) < 0.04 and abs(leak_gap) < 0.015

# %% [markdown]
# ## 4. When 99 % accuracy means nothing
#
# In the imbalanced run only 1 % of examples are positive (10 000 examples; 50 positives in the
# validation half). The model predicts "negative" for everything — and scores 99 % accuracy.
# Per-class metrics tell the truth:
#
# $$ \text{precision} = \frac{TP}{TP + FP}, \quad \text{recall} = \frac{TP}{TP + FN}, \quad
#    F_1 = \frac{2PR}{P + R}, \quad \text{AP} = \sum_n (R_n - R_{n-1}) P_n . $$

# %%
# NBVAL_CHECK_OUTPUT
imb = exp.imbalance_metrics(seed=0)
rep = metrics.precision_recall_f1(imb["y"], imb["pred"], n_classes=2)
print("confusion matrix (rows: true, columns: predicted):")
print(metrics.confusion_matrix(imb["y"], imb["pred"], n_classes=2))
print(f"accuracy {imb['accuracy']:.2f}; minority recall {imb['recall']:.2f}; macro F1 {rep.macro_f1:.2f}")
assert imb["accuracy"] >= 0.98 and imb["recall"] == 0.0

# %% [markdown]
# The threshold (arg-max, i.e. $P(\text{positive}) > 0.5$) finds nothing. But do the scores at
# least **rank** the positives above the negatives? Two curves sweep the threshold instead of
# fixing it. The **precision-recall curve** (area: AP) asks "of what I flag, how much is
# positive?"; its chance level is the positive rate. The **ROC curve** plots the true-positive
# rate (recall) against the false-positive rate $FP/(FP+TN)$; its area, **ROC-AUC**, is the
# probability that a random positive scores above a random negative (0.5 = chance). For
# reference we also score the validation set with the **best possible ranking** for these two
# overlapping Gaussian classes (the Bayes-optimal score $x_1 + x_2$, known because we generated
# the data):

# %%
p_curve, r_curve, _ = metrics.precision_recall_curve(imb["y"], imb["scores"])
fpr, tpr, _ = metrics.roc_curve(imb["y"], imb["scores"])
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
ax1.step(r_curve, p_curve, where="post", color=plotting.PALETTE[0], label=f"model: AP = {imb['ap']:.3f}")
ax1.axhline(imb["bayes_ap"], ls=":", color=plotting.PALETTE[2], label=f"best possible: AP = {imb['bayes_ap']:.3f}")
ax1.axhline(imb["chance_ap"], ls="--", color=plotting.PALETTE[5], label=f"chance: AP = {imb['chance_ap']:.3f}")
ax1.set(xlabel="recall", ylabel="precision", title="precision-recall (minority class)", ylim=(0, 0.5))
ax1.legend(fontsize=7)
ax2.plot(fpr, tpr, color=plotting.PALETTE[0], label=f"model: ROC-AUC = {imb['roc_auc']:.2f}")
ax2.plot([0, 1], [0, 1], "--", color=plotting.PALETTE[5], label="chance: 0.5")
ax2.set(xlabel="false-positive rate", ylabel="true-positive rate (recall)", title="ROC",
        xlim=(0, 1), ylim=(0, 1))
ax2.legend(fontsize=7, loc="lower right")
fig.tight_layout()
print(f"model: AP {imb['ap']:.3f} ({imb['ap'] / imb['chance_ap']:.1f}x chance), ROC-AUC {imb['roc_auc']:.2f}; "
      f"best possible ranking: AP {imb['bayes_ap']:.3f}, ROC-AUC {imb['bayes_roc_auc']:.2f}")
assert imb["ap"] > 1.5 * imb["chance_ap"] and imb["roc_auc"] > 0.65

# %% [markdown]
# The scores do rank positives above chance (AP 2–5.5× the positive rate over seeds 0–4, ROC-AUC
# 0.72–0.80), and not far from the best any model could do on classes this overlapping (AP
# 0.04–0.09, ROC-AUC 0.76–0.84). The ranking is not the problem — the **threshold** is: with 1 %
# positives, no point is *more likely* positive than negative. Remedies: move the threshold
# (pick it on the PR curve for the recall you need), reweight the loss
# (`F.cross_entropy(..., weight=...)`) or resample, and always report per-class recall/F1 and
# PR-AUC on imbalanced data.
#
# **When each AUC misleads.** ROC-AUC does not depend on how rare the positives are: it compares
# positives with negatives, one pair at a time. That is its strength (comparable across data
# sets) and its trap: when positives are rare, even a small false-positive *rate* is a flood of
# false positives, and ROC-AUC does not show it. AP does — but AP therefore cannot be compared
# across data sets with different positive rates. Below, one and the same scorer (the
# Bayes-optimal one) on data with fewer and fewer positives:

# %%
sweep_rows = exp.prevalence_sweep(n_pos=500, rng=0)
for r in sweep_rows:
    print(f"positive rate {r['rate']:6.1%}: ROC-AUC {r['roc_auc']:.3f}, AP {r['ap']:.3f} (chance {r['chance_ap']:.3f}), "
          f"precision when half the positives are found: {r['precision_at_half_recall']:.3f}")
assert max(r["roc_auc"] for r in sweep_rows) - min(r["roc_auc"] for r in sweep_rows) < 0.05
assert all(0.75 < r["roc_auc"] < 0.85 for r in sweep_rows)  # "near 0.8" at every rate
assert np.all(np.diff([r["ap"] for r in sweep_rows]) < 0) and sweep_rows[-1]["precision_at_half_recall"] < 0.01

# %% [markdown]
# The ROC-AUC stays near 0.8 (0.77–0.82 at every rate, seeds 0–4), while finding half the positives at a 0.1 % positive rate means more
# than 99 false alarms per true positive. **Try it:** move the positive rate and compare the two
# curves of the same scorer.

# %%
prevalence_explorer = widgets.prevalence_explorer()
prevalence_explorer

# %% [markdown]
# The second trap is noise: with **few positives** both
# areas vary a lot between validation sets drawn from the same distribution — which is why the
# zoo's imbalanced run keeps 50 validation positives (it used to have 5):

# %%
spread = exp.ap_spread(n_pos=(5, 50), rate=0.01, draws=200, rng=0)
for n, q in spread.items():
    print(f"{n:2d} positives: AP between {q['ap'][0]:.3f} and {q['ap'][1]:.3f}, ROC-AUC between "
          f"{q['roc_auc'][0]:.2f} and {q['roc_auc'][1]:.2f} (5-95 % of 200 validation sets, one scorer)")
assert spread[5]["ap"][1] - spread[5]["ap"][0] > 2 * (spread[50]["ap"][1] - spread[50]["ap"][0])

# %% [markdown]
# ## 5. Can you trust the probabilities? Calibration
#
# A classifier is **calibrated** when, among the examples it predicts with confidence 0.8, about
# 80 % are right. The **reliability diagram** bins the predictions by confidence (the largest
# probability) and plots each bin's accuracy against its mean confidence; a calibrated model
# lies on the diagonal. The **expected calibration error** summarises the gaps, weighted by how
# many predictions fall in each bin:
#
# $$ \text{ECE} = \sum_{b=1}^{B} \frac{n_b}{N} \,\big|\, \text{acc}_b - \text{conf}_b \,\big| . $$
#
# Networks trained until they memorise their training set are typically **overconfident**
# (Guo et al., 2017). The cheapest fix is **temperature scaling**: divide all logits by one
# number $T$, fitted on held-out data to minimise the cross-entropy. $T > 1$ softens every
# prediction; since dividing by $T$ never changes which logit is largest, the accuracy is
# unchanged. Here: three overlapping classes, 200 training points and a 2-128-128-3 MLP trained
# for 200 epochs, long enough to overfit; 1000 points fit $T$ and 1000 more measure:

# %%
cal = exp.calibration_experiment(seed=0)
before, after = cal["before"], cal["after"]
print(f"train accuracy {cal['train_accuracy']:.2f}, test accuracy {cal['accuracy']:.2f}; mean confidence "
      f"{np.nansum(before.confidence * before.counts) / before.counts.sum():.2f}")
print(f"temperature T = {cal['temperature']:.2f}: ECE {before.ece:.3f} -> {after.ece:.3f}")
assert cal["train_accuracy"] > cal["accuracy"] + 0.05  # overfit
assert np.nansum(before.confidence * before.counts) / before.counts.sum() > cal["accuracy"] + 0.05  # overconfident
assert after.ece < before.ece and cal["temperature"] > 1

fig, ax = plt.subplots(figsize=(4.6, 4))
ax.plot([0, 1], [0, 1], "--", color="0.5", label="calibrated")
for rel, name, k in ((before, "trained", 5), (after, f"temperature T = {cal['temperature']:.1f}", 0)):
    ok = rel.counts > 0
    ax.plot(rel.confidence[ok], rel.accuracy[ok], "o-", color=plotting.PALETTE[k],
            label=f"{name}: ECE = {rel.ece:.3f}")
ax.set(xlabel="confidence (mean of the bin)", ylabel="accuracy (of the bin)", xlim=(0.3, 1), ylim=(0, 1),
       title="reliability diagram (10 bins)")
ax.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# Over seeds 0–4 the temperature is 2.9–7.5 and the ECE falls from 0.12–0.21 to 0.05–0.12: one
# number repairs most, not all, of the overconfidence. (With a thousand test points the ECE
# itself is still noisy; compare models on the same data.) **Try it:** move $T$ and watch the
# points cross the diagonal — while the accuracy line stays where it is.

# %%
calibration_explorer = widgets.calibration_explorer()
calibration_explorer

# %% [markdown]
# ## 6. Training-serving skew
#
# A model can pass every offline check and still fail in production, because the features it
# receives there are not computed the way its training features were. *Rules of Machine
# Learning* (Zinkevich, Google) names three causes:
#
# | cause | example | check |
# |---|---|---|
# | training and serving pipelines compute features differently | a re-implemented feature in another language; a unit change upstream (s → ms); another default for missing values | share the feature code; run both pipelines on the same raw records (parity test) |
# | the data change between training and serving | a new product, a season, a new client app | monitor served feature distributions against training |
# | a feedback loop between the model and its data | the model's own recommendations become the next training data | log the features actually served and train on them |
#
# In miniature: one model, trained on two standardised features (a duration in seconds, missing
# in 30 % of the records and then filled with the training mean, and a measurement around −6),
# served through three pipelines: the training code itself, the same code fed by a service that
# logs **milliseconds**, and a re-implementation that fills a missing duration with **0**.
# `feature_skew` compares each feature's mean (in training standard deviations) and spread with
# training; the parity gap runs the same raw records through the training pipeline and the
# serving one:

# %%
skew = exp.serving_skew(seed=0)
print(f"validation accuracy (training pipeline): {skew['validation_accuracy']:.3f}")
for name in ("shared code", "milliseconds", "missing -> 0"):
    r = skew[name]
    shift, ratio = (" ".join(f"{v:.3g}" for v in r["skew"][k]) for k in ("shift", "std_ratio"))
    print(f"{name:13s}: accuracy {r['accuracy']:.3f}, mean shift [{shift}], spread ratio [{ratio}], "
          f"flagged {r['skew']['flagged'].tolist()}, parity gap {r['parity_gap']:.3g}")
shared, ms, zero = skew["shared code"], skew["milliseconds"], skew["missing -> 0"]
assert abs(shared["accuracy"] - skew["validation_accuracy"]) < 0.04 and not shared["skew"]["flagged"].any()
assert ms["accuracy"] < shared["accuracy"] - 0.25 and zero["accuracy"] < shared["accuracy"] - 0.03
assert 1 / 3 < ms["accuracy"] < 0.55  # milliseconds: not far above guessing among three classes
assert ms["skew"]["flagged"][0] and zero["skew"]["flagged"][0] and min(ms["parity_gap"], zero["parity_gap"]) > 1

# %% [markdown]
# Nothing crashes: the skewed pipelines serve confident predictions. The millisecond feature is
# off by three orders of magnitude: accuracy falls from about 0.8 to about 0.45 (0.44–0.49 over
# seeds 0–4), not far above guessing among the three classes (1/3). The 0-fill costs a
# few points (3–8 over seeds 0–4) — exactly the silent kind of loss nobody notices without a
# check. Both checks catch both bugs here: the monitor (a mean shift of more than 0.25 training
# standard deviations or a spread changed by more than 25 %) and, before deployment, the parity
# test. Sharing the code prevents them.
#
# ## 7. Exercises (graded)
#
# Open your exercise file **[exercises/ex10_debugging.py](../exercises/ex10_debugging.py)**
# (a click opens it in JupyterLab's editor): each of the first three functions comes with a
# broken version in its docstring — fix it. The fourth asks you to derive something.
#
# | exercise | function | what it does |
# |---|---|---|
# | 10.1 | `train_step(model, opt, xb, yb)` | one correct step: zero the gradients, logits into cross-entropy, backward, step |
# | 10.2 | `standardize_train_only(X_train, X_val)` | scale both splits with the *training* mean and std only |
# | 10.3 | `eval_accuracy(model, X, y)` | accuracy in eval mode without gradients, restoring the model's mode |
# | 10.4 | `roc_auc(y_true, scores)` | derive a way to compute the area under the ROC curve of §4, ties included |
#
# The tests train with your code and check that the runs reach their targets (10.1–10.3), and
# compare your ROC-AUC with the curve's area on tied and untied scores (10.4).
# Save the file (<kbd>Ctrl</kbd>+<kbd>S</kbd>), then click **Grade my exercises** at the end of
# this section: it runs the course's tests on your file and shows your points per exercise,
# the first check that failed and a hint. Prefer a terminal? `python -m nnbasics grade 10`
# in the course folder does the same.

# %%
from nnbasics.course import exercises

Xa, Xb = np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([[4.0, 5.0]])
mine = exercises.attempt("10", "standardize_train_only", Xa, Xb)
if mine is not None:
    ref = data.standardize(Xa, Xb)
    assert np.allclose(mine[0], ref[0]) and np.allclose(mine[1], ref[1]), \
        "your scaling disagrees with nnbasics.data.standardize: use the training statistics only"
    print("✅ your standardize_train_only matches the library")
mine_auc = exercises.attempt("10", "roc_auc", imb["y"], imb["scores"])
if mine_auc is not None:
    assert np.isclose(mine_auc, imb["roc_auc"]), "your roc_auc disagrees with nnbasics.core.metrics.roc_auc"
    print(f"✅ your roc_auc gives {mine_auc:.3f}, as the library")

# %%
exercises.grade_button("10")

# %% [markdown]
# ## 8. Quiz and key takeaways

# %%
quiz.show("10")

# %% [markdown]
# **Key takeaways**
# - Debug in order: overfit a tiny batch, then labels, preprocessing, output/loss pairing,
#   gradients, dead units, learning rate.
# - Most bugs do not crash: they leave a signature — a loss floor (softmax before the loss),
#   growing gradient norms (no `zero_grad`), noisy evaluation (no `eval()`), NaN (learning rate).
# - Fit every preprocessing step on the training split only.
# - On imbalanced data accuracy is meaningless: read the confusion matrix, per-class recall/F1,
#   PR-AUC next to its chance level, and ROC-AUC (which ignores how rare the positives are);
#   with few positives both are noisy.
# - Probabilities need a calibration check: a reliability diagram and its ECE; temperature
#   scaling fixes overconfidence without changing a single prediction.
# - Training-serving skew is a pipeline bug: share the feature code, test parity on the same raw
#   records, and monitor serving features against training — next: **11 · hardware**.
