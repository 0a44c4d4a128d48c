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
# - explain dropout as training an implicit ensemble of thinned networks, and as an adaptive L2
#   penalty (exactly so for a linear model with squared loss);
# - tell from measurements when dropout helps (a network that memorises noisy labels) and when early
#   stopping does as well;
# - derive the variance shift that makes dropout-before-BatchNorm misbehave, and use spatial dropout
#   for conv feature maps;
# - use MC dropout to get an uncertainty estimate from a trained network, and know where it fails.
#
# **Prerequisites:** backprop by hand (notebook 03), training an MLP, train vs eval mode and
# BatchNorm (notebook 07), L2 regularization as a penalty (you meet it again in notebook 09).
# **Run time:** about 20 s for *Run All*; 45–60 min to work through.

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
C = plotting.PALETTE

# %% [markdown]
# ## 1. Switching units off at random
#
# During training, dropout sets each activation to zero with probability $p$, independently,
# for every example and every step. Srivastava et al. (2014) motivate it in two ways: a unit
# can never rely on a particular partner being present, so units cannot **co-adapt** (fix each
# other's mistakes in fragile combinations); and every step trains a different *thinned*
# sub-network sharing weights with all the others, so dropout trains an **implicit ensemble** of
# $2^{H}$ networks whose average inference approximates (§9 measures how closely).
#
# **Try it.** Move $p$: the left panel is one mask applied to a block of activations, the middle
# the train/validation loss of a big MLP fitted to 40 noisy points, the right its decision
# regions. (Building the explorer trains the network once per rate, a few seconds in all;
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
    best = int(np.argmin(run.val_loss))
    print(f"p={p_:.1f}: final — train loss {run.train_loss[-1]:.3f}, val loss {run.val_loss[-1]:.3f}, "
          f"gap {run.gap:.3f}, val acc {run.val_acc[-1]:.0%} | best epoch {best}: val loss {run.val_loss[best]:.3f}")
r0, r5 = runs[0.0], runs[0.5]
assert r0.train_loss[-1] < r5.train_loss[-1]               # dropout makes memorizing harder
assert r5.gap < runs[0.2].gap < r0.gap                     # ... and narrows the final gap
assert r5.val_loss[-1] < r0.val_loss[-1] and r5.val_acc[-1] >= r0.val_acc[-1]   # at the END, dropout is better
assert np.argmin(r0.val_loss) < 20 and r0.val_loss[-1] > 1.5 * min(r0.val_loss)  # p=0: best early, then climbs
assert min(r5.val_loss) > min(r0.val_loss) - 0.01          # ... but at the best epoch dropout is no better

# %%
fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), sharey=True)
for ax, (p_, run) in zip(axes, runs.items()):
    ax.plot(run.train_loss, color=C[0], label="train")
    ax.plot(run.val_loss, color=C[5], label="validation")
    ax.axvline(np.argmin(run.val_loss), color="gray", ls=":", label="best validation epoch")
    ax.set(xlabel="epoch", title=f"p = {p_}: final gap {run.gap:.2f}")
axes[0].set_ylabel("cross-entropy (eval mode)")
axes[0].legend(fontsize=8)
fig.suptitle("MLP on 40 noisy points: dropout slows memorisation; the best epoch is no better")
fig.tight_layout()

# %% [markdown]
# Without dropout the network drives the training loss towards 0 by memorizing the noise, and
# its validation loss bottoms out early (within 20 epochs in every seed tested) and then climbs:
# overconfident wrong answers. At the **end** of the 100 epochs dropout's validation loss is lower
# and its accuracy at least as high. But at the **best** epoch, which early stopping (notebook 09)
# would pick, no dropout does as well (within 0.01) — on this task dropout mainly *slows*
# memorisation. The next section measures a regime where it does more.
#
# **The missing scaling, measured on a trained model.** A network trained with *unscaled*
# dropout is equivalent to our $p=0.5$ network with every hidden activation inflated by
# $1/(1-p)$ at inference. Applying exactly that (a forward hook) to the trained model:

# %%
_, _, X_val, y_val = runs[0.5].data
pen = exp.unscaled_eval_penalty(runs[0.5], X_val, y_val)
print(f"validation loss: correct {pen['loss']:.3f} -> unscaled {pen['unscaled_loss']:.3f}; "
      f"accuracy {pen['acc']:.1%} -> {pen['unscaled_acc']:.1%}")
assert pen["unscaled_loss"] > 1.5 * pen["loss"] and abs(pen["unscaled_acc"] - pen["acc"]) <= 0.02

# %% [markdown]
# The accuracy barely moves (inflating the activations mostly rescales the logits, which rarely
# flips the winning class: at most 2 points in the seeds tested), but the probabilities become
# badly overconfident and the loss jumps 3.5–4×: a mismatch that silently hurts calibration
# and anything built on the probabilities.
#
# ## 5. Where dropout clearly helps: memorising noisy labels
#
# Dropout pays off when the network can fit what it should not. Take 300 digit images and replace
# **40 %** of their labels by a random wrong class (validation labels stay clean), and train an
# MLP 64-128-128-10 with Adam for 40 epochs at $p \in \{0, 0.5, 0.8\}$. Besides validation accuracy we
# track the fraction of the corrupted training images the network predicts with their *wrong*
# label — how much noise it has memorised:

# %%
noisy = exp.label_noise_experiment(ps=(0.0, 0.5, 0.8), n_train=300, noise=0.4, epochs=40)
for p_ in noisy["ps"]:
    print(f"p={p_}: final val acc {noisy['final_val_acc'][p_]:.1%} (best {noisy['best_val_acc'][p_]:.1%} "
          f"at epoch {noisy['best_epoch'][p_]}), corrupted labels memorised {noisy['final_memorised'][p_]:.0%}")
fa, ba, mem = noisy["final_val_acc"], noisy["best_val_acc"], noisy["final_memorised"]
assert fa[0.5] > fa[0.0] + 0.05                       # dropout: clearly better at the end
assert mem[0.0] > 0.9 and mem[0.5] < 0.5              # because p=0 memorises the noise
assert 0 < ba[0.5] - ba[0.0] < 0.03                   # early stopping would capture most of it
assert ba[0.8] < ba[0.5] and mem[0.8] < mem[0.5]      # too much dropout: fits less, peaks lower

fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.2))
for k, p_ in enumerate(noisy["ps"]):
    a1.plot(noisy["val_acc"][p_], color=C[k], label=f"p = {p_}")
    a2.plot(noisy["memorised"][p_], color=C[k], label=f"p = {p_}")
a1.set(xlabel="epoch", ylabel="validation accuracy (clean labels)", title="digits, 40 % noisy training labels")
a2.set(xlabel="epoch", ylabel="fraction of corrupted labels fitted", title="memorised noise", ylim=(0, 1.02))
a1.legend()
fig.tight_layout()

# %% [markdown]
# Without dropout the network fits nearly every corrupted label and its validation accuracy falls
# from its early peak; with $p = 0.5$ it memorises about a third of them (25–38 %) and ends 10–17
# points higher (in all 5 seeds tested). Its *peak* is only 0.4–2.5 points above no dropout's peak,
# so early stopping would have captured most of the gain — dropout's advantage is that it does not
# need the stopping point to be found. $p = 0.8$ fits even fewer of the corrupted labels (under
# 15 %) and peaks lower than $p = 0.5$ (5/5 seeds): too much dropout underfits. Typical rates: **0.5**
# for large fully connected layers (the original paper), **0.1–0.3** elsewhere (e.g. 0.1 in
# transformers).
#
# ## 6. Dropout as an adaptive L2 penalty
#
# For a linear model with squared loss the regularizer can be computed exactly. With dropout on the
# inputs, $\hat y_i = \sum_j x_{ij} w_j m_{ij}/(1-p)$ has mean $x_i^\top w$ and variance
# $\frac{p}{1-p}\sum_j x_{ij}^2 w_j^2$, so the *expected* training loss is
#
# $$ \mathbb{E}_m\Big[\tfrac1N \lVert y - \hat y \rVert^2\Big] = \tfrac1N \lVert y - Xw\rVert^2
# + \frac{p}{1-p}\sum_j c_j\, w_j^2, \qquad c_j = \tfrac1N\sum_i x_{ij}^2 . $$
#
# An L2 penalty — but each weight's strength grows with its feature's second moment $c_j$: an
# **adaptive** ridge, the same as ordinary ridge on features rescaled to $c_j = 1$. Its minimizer
# solves $(X^\top X + \tfrac{p}{1-p}\operatorname{diag}(X^\top X))\,w = X^\top y$. (For logistic
# regression and deeper networks the equivalence is only approximate; Wager et al., 2013.) Checked
# three ways on features of very different scales (0.3, 1, 3):

# %%
rng = np.random.default_rng(0)
X_lin = rng.normal(size=(1000, 3)) * np.array([0.3, 1.0, 3.0])
y_lin = X_lin @ np.array([2.0, -1.0, 0.5]) + 0.5 * rng.normal(size=1000)
w_probe, p_lin = np.array([1.0, 0.5, -0.2]), 0.3
mc_lin = exp.dropout_mse_monte_carlo(X_lin, y_lin, w_probe, p_lin, draws=2000, rng=1)
closed = mc_lin["plain_mse"] + dropout.dropout_linear_penalty(X_lin, w_probe, p_lin)
print(f"expected dropout loss: Monte Carlo {mc_lin['mean']:.3f} ± {mc_lin['stderr']:.3f}, closed form {closed:.3f}")
assert abs(mc_lin["mean"] - closed) < 4 * mc_lin["stderr"]

gd = exp.dropout_linear_regression(X_lin, y_lin, p_lin, lr=0.01, steps=4000, rng=2)
print("least squares         :", np.round(gd["w_least_squares"], 3))
print("dropout ridge (closed):", np.round(gd["w_dropout_ridge"], 3))
print("GD with dropout (avg) :", np.round(gd["w_avg"], 3))
print("shrink factor per weight:", np.round(gd["w_dropout_ridge"] / gd["w_least_squares"], 2), f"(1 - p = {1 - p_lin})")
rel = np.linalg.norm(gd["w_avg"] - gd["w_dropout_ridge"]) / np.linalg.norm(gd["w_dropout_ridge"])
assert rel < 0.02 < np.linalg.norm(gd["w_least_squares"] - gd["w_dropout_ridge"]) / np.linalg.norm(gd["w_dropout_ridge"])
assert np.all(np.abs(gd["w_dropout_ridge"] / gd["w_least_squares"] - (1 - p_lin)) < 0.07)

fig, ax = plt.subplots(figsize=(6.5, 3.2))
for j in range(3):
    ax.plot(gd["path"][:, j], color=C[j], lw=1, alpha=0.7, label=f"$w_{j + 1}$ (feature scale {[0.3, 1, 3][j]})")
    ax.axhline(gd["w_dropout_ridge"][j], color=C[j], ls="--", lw=1.5)
    ax.axhline(gd["w_least_squares"][j], color=C[j], ls=":", lw=1)
ax.set(xlabel="gradient step (a fresh mask each)", ylabel="weight",
       title="GD with dropout settles on the adaptive ridge (--), not least squares (:)")
ax.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# The noisy descent hovers around the closed-form minimizer, not around least squares, and every
# weight is shrunk by about the same factor $1-p$ (within 0.07 here) whatever its feature's scale
# (exactly so for uncorrelated features): a plain ridge with one $\lambda$ would instead shrink the weight of the
# small-scale feature far more.
#
# ## 7. Dropout before BatchNorm: the variance shift
#
# Dropout changes the *variance* of what passes through, not only its mean. A BatchNorm layer after
# a dropout layer learns its running variance from the dropped activations in training; at
# evaluation dropout is the identity, so the same BatchNorm divides the undropped activations by a
# running standard deviation that is too large (Li et al., 2019). Measured with the library's
# numpy layers on post-ReLU activations (each feature with a different mean; a slow running
# average, momentum 0.01 over 1500 batches, so the estimate is precise):

# %%
pool = np.maximum(np.random.default_rng(4).normal(0.5, 1.0, size=(2000, 4)) + np.array([0, 0.5, 1.0, -0.5]), 0)
for p_ in (0.2, 0.5):
    shift = exp.dropout_bn_variance_shift(pool, p_, rng=0, momentum=0.01, steps=1500)
    print(f"p={p_}: BatchNorm output variance — training {np.round(shift['train_output_var'], 2)}, "
          f"evaluation {np.round(shift['eval_output_var'], 2)}")
assert np.all(shift["eval_output_var"] < 0.5) and np.allclose(shift["train_output_var"], 1, atol=1e-3)

# %% [markdown]
# At $p = 0.5$ the next layer sees activations with a fifth to a half of the variance it was trained
# on. **Exercise 8.3** asks you to derive this ratio in closed form from a feature's mean and
# variance (the cell below compares yours with the measurement once it works). Li et al.'s remedies
# (not measured here): put dropout only after the last BatchNorm (e.g. right before the classifier),
# or use a small $p$.

# %%
from nnbasics.course import exercises

ratio = exercises.attempt("08", "eval_variance_ratio", pool.mean(axis=0), pool.var(axis=0), 0.5)
if ratio is not None:
    print("your closed form:", np.round(ratio, 3), " measured:", np.round(shift["eval_output_var"], 3))
    assert np.allclose(ratio, shift["eval_output_var"], rtol=0.07)

# %% [markdown]
# **Try it.** The same pool of activations, a dropout of rate $p$, then BatchNorm. Move $p$: in
# training, the variance of BatchNorm's input (dark bars, log scale) grows with $p$, while at
# evaluation (light bars) it stays what it was without dropout. So at evaluation BatchNorm passes on
# all of the variance at $p = 0$, a fifth to under a half of it at $p = 0.5$ and under a fifth at
# $p = 0.8$ — and feature 2, the one whose mean is largest relative to its spread, always loses the
# most (seeds 0–4, `tests/claims`). Which part of the formula you derived in exercise 8.3 says why?

# %%
shift_explorer = widgets.bn_shift_explorer(p=0.5)
shift_explorer

# %%
assert np.array_equal(widgets.post_relu_pool(), pool)  # the explorer's pool is the one above
shift_runs = {p_: widgets.bn_shift_view(p_) for p_ in widgets.SHIFT_RATES}  # what the slider shows
for p_ in (0.0, 0.5, 0.8):
    print(f"p={p_}: eval output variance {np.round(shift_runs[p_]['eval_output_var'], 2)}")
kept = np.array([shift_runs[p_]["eval_output_var"] for p_ in widgets.SHIFT_RATES])  # (K, D)
assert np.allclose(kept[0], 1.0, atol=0.05)
assert 0.2 < kept[5].min() and kept[5].max() < 0.5 and kept[-1].max() < 0.2
assert np.all(np.diff(kept, axis=0) < 0) and np.all(np.argmin(kept[1:], axis=1) == 2)
assert np.argmax(pool.mean(axis=0) / pool.std(axis=0)) == 2  # feature 2: largest mean for its spread

# %% [markdown]
# ## 8. Spatial dropout for conv layers
#
# In a conv feature map neighbouring pixels are strongly correlated, so zeroing single pixels
# removes little: the next 3×3 convolution still sees their neighbours. **Spatial dropout**
# (Tompson et al., 2015; `nn.Dropout2d`) drops whole feature maps instead — one decision per
# (sample, channel) — with the same $1/(1-p)$ scaling. Measured on smooth random maps: the squared
# correlation $r^2$ between a 3×3 average of the clean map and of the dropped map:

# %%
nnbasics.show_source(dropout.spatial_dropout_forward)

# %%
maps = exp.smooth_feature_maps(8, 16, 16, 16, rng=0)
info = exp.spatial_dropout_information(maps, 0.5, rng=1)
print(f"correlation of neighbouring pixels: {info['neighbour_corr']:.2f}")
print(f"p = 0.5, element-wise dropout: mean r² = {info['r2_elementwise'].mean():.2f} (every map keeps most of its signal)")
print(f"p = 0.5, spatial dropout:      mean r² = {info['r2_spatial'].mean():.2f} "
      f"(each map is kept whole, r² = 1, or gone, r² = 0)")
assert info["neighbour_corr"] > 0.8 and info["r2_elementwise"].mean() > 0.75
assert np.all(np.isclose(info["r2_spatial"], 0) | np.isclose(info["r2_spatial"], 1))
sd_t = torch.nn.functional.dropout2d(torch.tensor(maps), p=0.5, training=True).numpy()
assert np.all(np.all(sd_t == 0, axis=(2, 3)) | np.all(sd_t != 0, axis=(2, 3)))  # torch drops whole maps too

fig, axes = plt.subplots(1, 3, figsize=(9, 3))
shown = [maps[0, 0], dropout.dropout_forward(maps, 0.5, train=True, rng=1)[0][0, 0],
         dropout.spatial_dropout_forward(maps, 0.5, train=True, rng=3)[0][0, :4].reshape(-1, 16)]
for ax, img, title in zip(axes, shown, ["a smooth feature map", "element-wise dropout",
                                        "spatial dropout: 4 channels"]):
    ax.imshow(img, cmap="viridis")
    ax.set(title=title, xticks=[], yticks=[])
fig.tight_layout()

# %% [markdown]
# ## 9. MC dropout for uncertainty — and the implicit ensemble
#
# Keep dropout **on** at inference, run $T$ stochastic passes and average the softmax outputs
# (Gal & Ghahramani, 2016). Each pass is one thinned network of the implicit ensemble. Two
# measurements first: the ordinary eval-mode network (all units, no scaling) predicts the same class
# as the average of 30 thinned networks on almost every validation point — inverted dropout's
# inference is a cheap approximation of the ensemble average; and the entropy of the average is
# larger where the thinned networks disagree, near the decision boundary:

# %%
model5 = runs[0.5].model
mc = exp.mc_dropout_predict(model5, X_val, samples=30, seed=0)
with torch.no_grad():
    p_eval = torch.softmax(model5(torch.as_tensor(X_val, dtype=torch.float32)), 1)[:, 1].double().numpy()
agree = np.mean(mc["prediction"] == (p_eval > 0.5))
rank = lambda a: np.argsort(np.argsort(a))  # noqa: E731 (Spearman = correlation of ranks)
spearman = np.corrcoef(rank(mc["entropy"]), rank(np.abs(p_eval - 0.5)))[0, 1]
order = np.argsort(mc["entropy"])
print(f"eval-mode network vs MC average of 30 thinned networks: same class on {agree:.1%} of points")
print("most certain  val points: entropy", [f"{e:.1e}" for e in mc["entropy"][order[:3]]], "(float32 softmax saturates)")
print("least certain val points: entropy", np.round(mc["entropy"][order[-3:]], 3))
wrong = mc["prediction"] != y_val
print(f"mean entropy: correct predictions {mc['entropy'][~wrong].mean():.3f}, wrong ones {mc['entropy'][wrong].mean():.3f}; "
      f"Spearman(entropy, distance of p from 0.5) = {spearman:.2f}")
assert agree > 0.97 and spearman < -0.5
assert mc["entropy"][wrong].mean() > mc["entropy"][~wrong].mean()

# %% [markdown]
# **Where it fails: far from the data.** It is tempting to read MC-dropout entropy as "the model
# knows what it does not know". Points on a circle of radius 6 around the data, far outside
# anything seen in training, get a *lower* average entropy than the validation points here (in 4
# of 5 seeds tested): a ReLU network extrapolates linearly and confidently, and all its thinned
# versions agree on that. MC dropout measures disagreement between sub-networks, not distance from
# the training data.

# %%
far = exp.far_points(np.vstack([runs[0.5].data[0], X_val]), radius=6.0, rng=0)
mc_far = exp.mc_dropout_predict(model5, far, samples=30, seed=0)
print(f"mean MC entropy — validation points {mc['entropy'].mean():.3f}, far points {mc_far['entropy'].mean():.3f}")
assert mc_far["entropy"].mean() < mc["entropy"].mean()

fig, ax = plt.subplots(figsize=(5.2, 4.2))
allpts = np.vstack([X_val, far])
ent = np.concatenate([mc["entropy"], mc_far["entropy"]])
sc = ax.scatter(allpts[:, 0], allpts[:, 1], c=ent, cmap="viridis", s=14, vmin=0, vmax=np.log(2))
ax.scatter(X_val[wrong, 0], X_val[wrong, 1], s=70, facecolors="none", edgecolors=C[5], label="misclassified")
fig.colorbar(sc, ax=ax, label="predictive entropy (nats)")
ax.set(xlabel="$x_1$", ylabel="$x_2$", title="MC dropout (T=30): validation and far points", aspect="equal")
ax.legend(loc="lower left", fontsize=8)
fig.tight_layout()

# %% [markdown]
# ## 10. Exercises (graded)
#
# Open your exercise file **[exercises/ex08_dropout.py](../exercises/ex08_dropout.py)**
# (a click opens it in JupyterLab's editor) and implement, using numpy only:
#
# | exercise | function | what it does |
# |---|---|---|
# | 8.1 | `dropout_forward(x, p, rng, train)` | inverted dropout; returns `(out, mask)` (`mask=None` at inference) |
# | 8.2 | `dropout_backward(dout, mask, p)` | the gradient of 8.1 |
# | 8.3 | `eval_variance_ratio(mean, var, p)` | **derive** §7's variance shift of dropout before BatchNorm |
#
# Save the file (<kbd>Ctrl</kbd>+<kbd>S</kbd>), then click **Grade my exercises** at the end of
# this section: it runs the course's tests on your file and shows your points per exercise,
# the first check that failed and a hint. Prefer a terminal? `python -m nnbasics grade 08`
# in the course folder does the same.

# %%
x_ex = np.arange(1.0, 13.0).reshape(3, 4)
mine = exercises.attempt("08", "dropout_forward", x_ex, 0.5, np.random.default_rng(0), True)
if mine is not None:
    ref, _ = dropout.dropout_forward(x_ex, 0.5, train=True, rng=np.random.default_rng(0))
    assert_close(mine[0], ref, "your dropout_forward (same rng)")
    print("✅ your dropout_forward matches the library")

# %%
exercises.grade_button("08")

# %% [markdown]
# ## 11. Quiz and key takeaways

# %%
quiz.show("08")

# %% [markdown]
# **Key takeaways**
# - Dropout zeroes each activation with probability $p$ in training; **inverted** dropout scales the
#   survivors by $1/(1-p)$ so the expectation is preserved and inference is the identity
#   (what `nn.Dropout` does; remember `model.eval()`). Forgetting the scaling inflates the loss 3.5–4×.
# - For a linear model, dropout is exactly an adaptive L2 penalty: every weight shrinks by about $1-p$,
#   whatever its feature's scale.
# - Dropout helps when a network can memorise what it should not (noisy labels: +10 to +17 points at
#   the end of training); on a small clean task early stopping does as well. Too much dropout underfits.
# - Dropout changes variances: before a BatchNorm it shifts the statistics between training and
#   evaluation. For conv maps, drop whole channels (spatial dropout).
# - MC dropout averages the implicit ensemble; its entropy flags the decision boundary, not
#   inputs far from the data — next: **09 · regularization and optimizers**.
