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
# # 07 · BatchNorm vs LayerNorm
#
# **Learning goals** — after this notebook you can
# - write BatchNorm's and LayerNorm's forward passes, **derive** their backward passes on the
#   computational graph, and say which axis each averages over;
# - explain BatchNorm's running statistics (momentum in torch's and Keras's conventions, *unbiased*
#   running variance) and why eval mode needs them;
# - measure how a sample's BatchNorm output depends on its batch companions, and recognise the
#   forgotten-`model.eval()` bug;
# - place BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm and RMSNorm by the entries they normalize together;
# - compare a deep MLP with no normalization, BatchNorm and LayerNorm across learning rates, and weigh
#   the "internal covariate shift" explanation against the evidence.
#
# **Prerequisites:** backprop by hand (notebook 03), He initialization (notebook 06), mean and variance.
# You watched MLPs train in notebooks 04–05; here the course's training loop
# `nnbasics.lab.train.fit` runs inside the experiment functions (read them with `nnbasics.show_source`).
# **Run time:** about 15 s for *Run All*; 60 min to work through.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import nnbasics
from nnbasics.core import norm
from nnbasics.course import doctor, quiz
from nnbasics.experiments import nb07_norm as exp
from nnbasics.testing import assert_close
from nnbasics.viz import nb07_norm as widgets
from nnbasics.viz import plotting

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"
C = plotting.PALETTE

# %% [markdown]
# ## 1. Same sample, different neighbours
#
# Both layers standardize activations, then rescale them with learned $\gamma, \beta$. The
# difference is **what they average over**. The explorer follows *one fixed sample* through
# 30 mini-batches whose other rows ("companions") are drawn at random. Each dot is that
# sample's normalized value in one batch.
#
# **Try it.** Make the batch small (2–8): BatchNorm's output for the *same input* jumps around;
# LayerNorm's does not move at all. Grow the batch, then switch BatchNorm to **eval** mode.

# %%
companions = widgets.companion_explorer()
companions

# %% [markdown]
# ## 2. The math: same formula, different axis
#
# For a mini-batch $x \in \mathbb{R}^{N \times D}$ (N samples, D features):
#
# | | statistics | per | shapes |
# |---|---|---|---|
# | **BatchNorm** | $\mu_d = \frac1N\sum_n x_{nd}$, $\ \sigma_d^2 = \frac1N\sum_n (x_{nd}-\mu_d)^2$ | feature, over the **batch** | $\mu, \sigma^2 \in \mathbb{R}^{D}$ |
# | **LayerNorm** | $\mu_n = \frac1D\sum_d x_{nd}$, $\ \sigma_n^2 = \frac1D\sum_d (x_{nd}-\mu_n)^2$ | sample, over the **features** | $\mu, \sigma^2 \in \mathbb{R}^{N}$ |
#
# and then, for both, $\hat x = (x - \mu)/\sqrt{\sigma^2 + \varepsilon}$ and $y = \gamma \odot \hat x + \beta$ with $\gamma, \beta \in \mathbb{R}^D$.
# The normalization divides by $N$ (or $D$): the **biased** variance.
#
# **Running statistics.** At inference there may be one sample, and predictions must not depend on
# the batch. So in training BatchNorm keeps moving averages (torch's convention, momentum $m = 0.1$):
#
# $$\hat\mu \leftarrow (1-m)\,\hat\mu + m\,\mu_B, \qquad \hat\sigma^2 \leftarrow (1-m)\,\hat\sigma^2 + m\,\tfrac{N}{N-1}\,\sigma_B^2 ,$$
#
# with the **unbiased** batch variance, and in eval mode it normalizes with $\hat\mu, \hat\sigma^2$.
# LayerNorm needs none of this: its statistics come from the sample itself.

# %%
nnbasics.show_source(norm.batchnorm_forward)

# %% [markdown]
# **Self-check against torch.** Three training steps and one eval step of our numpy BatchNorm
# next to `torch.nn.BatchNorm1d` in float64: outputs and running statistics agree to ~1e-12.
# The running state is an immutable `BatchNormState`; each call returns the new one in `cache.state`.

# %%
# NBVAL_CHECK_OUTPUT
rng = np.random.default_rng(0)
D = 4
gamma, beta = rng.normal(size=D), rng.normal(size=D)
bn_t = torch.nn.BatchNorm1d(D).double()
bn_t.load_state_dict({"weight": torch.tensor(gamma), "bias": torch.tensor(beta)}, strict=False)
state = norm.BatchNormState.initial(D)
for step in range(3):
    xb = rng.normal(3.0, 2.0, size=(8, D))
    out, cache = norm.batchnorm_forward(xb, gamma, beta, state, train=True)
    assert_close(out, bn_t(torch.tensor(xb)), f"train output, step {step}")
    state = cache.state
assert_close(state.running_mean, bn_t.running_mean, "running_mean")
assert_close(state.running_var, bn_t.running_var, "running_var (unbiased)")
bn_t.eval()
x_test = rng.normal(3.0, 2.0, size=(2, D))
assert_close(norm.batchnorm_forward(x_test, gamma, beta, state, train=False)[0],
             bn_t(torch.tensor(x_test)), "eval output")
print("running_mean after 3 steps:", np.round(state.running_mean, 4))
print("running_var  after 3 steps:", np.round(state.running_var, 4))

# %% [markdown]
# **Two momentum conventions.** torch's `momentum` is the weight of the **new** batch; Keras's
# `BatchNormalization(momentum=...)` is the weight kept by the **old** average
# ($\hat\mu \leftarrow m\,\hat\mu + (1-m)\,\mu_B$). So torch's $m$ is Keras's $1-m$, and the defaults
# are not the same average: a batch's weight in the running mean halves after
# $\ln\frac12 / \ln(1-m)$ steps — 6.6 steps for torch's 0.1, 69 steps for Keras's 0.99 (whose
# `epsilon` default is also larger, 1e-3 against torch's 1e-5). Porting a model between the two
# means converting the momentum. Checked by running both updates side by side:

# %%
half_torch, half_keras = norm.ema_half_life(0.1, "torch"), norm.ema_half_life(0.99, "keras")
print(f"half-life of a batch in the running mean: torch default {half_torch:.1f} steps, Keras default {half_keras:.1f} steps")
state_t, keras_mean = norm.BatchNormState.initial(D), np.zeros(D)
for _ in range(20):
    xb = rng.normal(3.0, 2.0, size=(8, D))
    state_t = norm.batchnorm_forward(xb, gamma, beta, state_t, momentum=0.01)[1].state  # torch m = 0.01
    keras_mean = 0.99 * keras_mean + (1 - 0.99) * xb.mean(axis=0)  # Keras momentum = 0.99
assert_close(state_t.running_mean, keras_mean, "torch momentum 0.01 == Keras momentum 0.99")
assert abs(half_torch - 6.58) < 0.01 and abs(half_keras - 68.97) < 0.01

# %% [markdown]
# ## 3. Backward, derived on the computational graph
#
# In training every output row depends on *every* input row through $\mu$ and $\sigma^2$. Write the
# forward pass of one feature column as a chain of small nodes; each has a local derivative you
# already know (sums over $n$ run over the batch):
#
# | node | forward | local derivative |
# |---|---|---|
# | mean | $\mu = \frac1N\sum_n x_n$ | $\partial\mu/\partial x_n = \frac1N$ |
# | centre | $d_n = x_n - \mu$ | $\partial d_n/\partial x_n = 1$, $\ \partial d_n/\partial\mu = -1$ |
# | variance | $v = \frac1N\sum_n d_n^2$ | $\partial v/\partial d_n = \frac{2 d_n}{N}$ |
# | inverse std | $s = (v+\varepsilon)^{-1/2}$ | $\partial s/\partial v = -\frac12 (v+\varepsilon)^{-3/2}$ |
# | normalize | $\hat x_n = d_n\, s$ | $\partial \hat x_n/\partial d_n = s$, $\ \partial\hat x_n/\partial s = d_n$ |
# | affine | $y_n = \gamma\,\hat x_n + \beta$ | $\partial y_n/\partial\hat x_n = \gamma$ |
#
# Backprop walks this graph from the top. The first steps are immediate:
# $\partial L/\partial\beta = \sum_n \partial L/\partial y_n$,
# $\ \partial L/\partial\gamma = \sum_n \partial L/\partial y_n\,\hat x_n$ and
# $\ g_n := \partial L/\partial \hat x_n = \gamma\,\partial L/\partial y_n$. Two things make the rest
# interesting: $d$ feeds **two** nodes ($\hat x$ directly and $v$), and $x$ reaches $d$ **twice**
# (directly and through $\mu$); the chain rule adds the gradients of every path. **Exercise 7.2**
# asks you to finish the derivation; **7.5** does the same for LayerNorm, whose graph is identical
# with the sums over the feature axis.
#
# Two facts tell you whether your result can be right. Adding the same constant to every row of a
# column changes nothing after normalization, so $\sum_n \partial L/\partial x_n = 0$ exactly; scaling
# the column changes nothing either (up to $\varepsilon$), so $\sum_n \hat x_n\,\partial L/\partial x_n \approx 0$.
# The library's backward (checked against torch autograd below) satisfies both:

# %%
x = rng.normal(size=(6, D))
dout = rng.normal(size=(6, D))
xt = torch.tensor(x, requires_grad=True)
g_t, b_t = torch.tensor(gamma, requires_grad=True), torch.tensor(beta, requires_grad=True)
torch.nn.functional.batch_norm(xt, None, None, g_t, b_t, training=True, eps=1e-5).backward(torch.tensor(dout))
dx, dgamma, dbeta = norm.batchnorm_backward(dout, norm.batchnorm_forward(x, gamma, beta)[1])
assert_close(dx, xt.grad, "BN dx")
assert_close(dgamma, g_t.grad, "BN dgamma")
assert_close(dbeta, b_t.grad, "BN dbeta")
x_hat = norm.batchnorm_forward(x, np.ones(D), np.zeros(D))[0]
print("sum over the batch of dx        :", np.abs(dx.sum(axis=0)).max().round(17), "(exactly 0 up to rounding)")
print("sum over the batch of dx * x_hat:", f"{np.abs((dx * x_hat).sum(axis=0)).max():.1e}", "(0 up to eps)")
assert np.abs(dx.sum(axis=0)).max() < 1e-12
assert np.abs((dx * x_hat).sum(axis=0)).max() < 1e-3 * np.abs(dx).sum(axis=0).max()

xt.grad = g_t.grad = b_t.grad = None
torch.nn.functional.layer_norm(xt, (D,), g_t, b_t, eps=1e-5).backward(torch.tensor(dout))
dx, dgamma, dbeta = norm.layernorm_backward(dout, norm.layernorm_forward(x, gamma, beta)[1])
assert_close(dx, xt.grad, "LN dx")
assert_close(dgamma, g_t.grad, "LN dgamma")
assert_close(dbeta, b_t.grad, "LN dbeta")
print("BatchNorm and LayerNorm gradients match torch autograd (float64)")

# %% [markdown]
# ## 4. Batch-size dependence, measured
#
# BatchNorm's $\mu_B, \sigma_B$ are *estimates* from N samples, so a sample's output carries
# noise from its companions. Below: the spread of one sample's output over 100 random batches.
# For scale, the normalized outputs of different samples have unit spread (that is the signal).
# LayerNorm's output is a function of the sample alone — exactly zero spread:

# %%
pop = widgets.population()["X"]
noise = exp.batch_size_noise(pop[0], pop[1:], batch_sizes=(2, 4, 8, 16, 32, 64), draws=100, rng=0)
for B, s_bn, s_ln in zip(noise["batch_sizes"], noise["bn_std"], noise["ln_std"]):
    print(f"batch {B:3d}:  BN spread {s_bn:.3f}   LN spread {s_ln:.3f}")
slope = np.polyfit(np.log(noise["batch_sizes"]), np.log(noise["bn_std"]), 1)[0]
print(f"log-log slope of the BN spread: {slope:.2f} (1/sqrt(N) would be -0.5)")
assert np.all(np.diff(noise["bn_std"]) < 0) and -0.75 < slope < -0.45
assert noise["bn_std"][0] > 0.8 and noise["bn_std"][2] < 0.6  # batch 2: as large as the signal; batch 8: ~0.4
assert np.all(noise["ln_std"] < 1e-12)

fig, ax = plt.subplots(figsize=(5, 3.2))
ax.loglog(noise["batch_sizes"], noise["bn_std"], "o-", color=C[0], label="BatchNorm (train mode)")
ax.loglog(noise["batch_sizes"], noise["bn_std"][0] * np.sqrt(2 / noise["batch_sizes"]), "--",
          color="gray", label=r"$\propto 1/\sqrt{N}$")
ax.set(xlabel="batch size N", ylabel="spread of one sample's output",
       title="BatchNorm's batch noise (LayerNorm: 0)")
ax.set_xticks(noise["batch_sizes"], [str(b) for b in noise["batch_sizes"]], minor=False)
ax.minorticks_off()
ax.legend()
fig.tight_layout()

# %% [markdown]
# The noise falls roughly like $1/\sqrt N$ (the measured slope is a little steeper, about −0.6).
# At batch 2 it is as large as the signal itself — with two samples every BN output is exactly
# ±1 — and at batch 8 it is still about 0.4. Ioffe & Szegedy report that this noise regularizes
# a little during training; nothing here measures that.
#
# ## 5. Eval mode, and the forgotten `model.eval()`
#
# A torch model with `nn.BatchNorm1d` must be switched to `model.eval()` before predicting.
# Forget it and every prediction is normalized with the statistics of whatever else is in the
# batch — and, silently, each forward pass *also overwrites the running statistics*. Below,
# a small BN network trained on the digits is scored three ways:

# %%
bug = exp.forgotten_eval(batch_size=4, epochs=5)
print(f"model.eval() (running stats):            accuracy {bug['eval_acc']:.1%}")
print(f"forgot eval, shuffled batches of 4:      accuracy {bug['train_mode_acc']:.1%}")
print(f"forgot eval, batches of a single class:  accuracy {bug['train_mode_sorted_acc']:.1%}")
print("running statistics overwritten by the 'inference':", bug["running_mean_changed"])
assert bug["eval_acc"] > 0.85
assert bug["train_mode_acc"] < bug["eval_acc"] - 0.1
assert bug["train_mode_sorted_acc"] < 0.5 and bug["running_mean_changed"]

# %% [markdown]
# With batches of one class, BN subtracts exactly what those images share — the class itself.
# A batch of one would even raise an error in train mode (no variance). Rule: `model.eval()` for
# validation/inference, `model.train()` before training again (`nnbasics.lab.train.evaluate` does both).
#
# **LayerNorm in sequences.** Transformers and RNNs see batches of sequences of different lengths,
# padded to a common length. LayerNorm normalizes each *token* over its $D$ features, so a
# token's output does not depend on the batch, on the other tokens or on padding — which is why
# transformer blocks use LayerNorm (or its cheaper variant RMSNorm, §6). BatchNorm would mix real
# tokens with padding.

# %%
tokens = rng.normal(size=(1, 5, D))  # one sequence of 5 tokens
padded = np.concatenate([tokens, np.zeros((1, 3, D))], axis=1)  # padded to length 8
ones, zeros = np.ones(D), np.zeros(D)
ln_short = norm.layernorm_forward(tokens, ones, zeros)[0]
ln_padded = norm.layernorm_forward(padded, ones, zeros)[0][:, :5]
assert_close(ln_padded, ln_short, "LayerNorm of the real tokens, with and without padding")
bn_short = norm.batchnorm_forward(tokens[0], ones, zeros)[0]
bn_padded = norm.batchnorm_forward(padded[0], ones, zeros)[0][:5]
print(f"max change from padding — LayerNorm: {np.abs(ln_padded - ln_short).max():.1e}, "
      f"BatchNorm over tokens: {np.abs(bn_padded - bn_short).max():.2f}")
assert np.abs(bn_padded - bn_short).max() > 0.1

# %% [markdown]
# ## 6. Images and the norm zoo: BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm, RMSNorm
#
# A conv layer outputs $x \in \mathbb{R}^{N\times C\times H\times W}$. Every normalization still
# computes "a mean and a variance, then $\gamma\hat x + \beta$ per channel"; they differ only in the
# **set of entries that share statistics** (all spatial positions of one (sample, channel) pair
# always share one):
#
# - **BatchNorm2d**: per channel, over $(N, H, W)$ — the statistics a conv filter's output has over
#   the batch and the image (`nn.BatchNorm2d`; the running variance is unbiased over $N H W$ values).
# - **LayerNorm**: per sample, over $(C, H, W)$. **InstanceNorm**: per sample *and* channel, over $(H, W)$.
# - **GroupNorm** (Wu & He, 2018): per sample, over a group of $C/G$ channels and $(H, W)$ — between
#   the two ($G=1$ is LayerNorm, $G=C$ InstanceNorm); independent of the batch, so it works at batch 1–2
#   where BatchNorm's noise (§4) is as large as the signal.
# - **RMSNorm** (Zhang & Sennrich, 2019): LayerNorm without the centring,
#   $y = \gamma \odot x / \sqrt{\frac1D\sum_d x_d^2 + \varepsilon}$ — cheaper, invariant to scaling
#   a sample but not to shifting it; LLaMA-style transformers use it.
#
# Each panel below is the $N \times C$ grid; the coloured cells share one mean and variance
# (computed by `norm.normalization_sets`, which a test checks against each function):

# %%
N_img, C_img, G_img = 4, 8, 2
fig, axes = plt.subplots(1, 4, figsize=(11, 2.8))
for ax, (kind, title) in zip(axes, [("batch", "BatchNorm2d"), ("layer", "LayerNorm"),
                                    ("instance", "InstanceNorm"), ("group", f"GroupNorm (G={G_img})")]):
    labels = norm.normalization_sets(kind, N_img, C_img, G_img if kind == "group" else None)
    shared = labels == labels[0, 0]  # the set of sample 0, channel 0
    ax.imshow(np.where(shared, 1.0, 0.0), cmap=plt.matplotlib.colors.ListedColormap(["#dddddd", C[0]]),
              vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(np.arange(C_img) - 0.5, minor=True)
    ax.set_yticks(np.arange(N_img) - 0.5, minor=True)
    ax.grid(which="minor", color="white", lw=1.5)
    ax.tick_params(which="minor", length=0)
    ax.set(title=title, xlabel="channel c", ylabel="sample n" if kind == "batch" else None,
           xticks=range(C_img), yticks=range(N_img))
fig.suptitle("Entries normalized together with (n=0, c=0), each over all H x W positions")
fig.tight_layout()

# %% [markdown]
# Each numpy version is checked against torch (forward here; the backward passes in `tests/test_norm.py`),
# and the batch dependence of §4 measured on images: BatchNorm2d's output for image 0 changes when
# the other images in the batch change, GroupNorm's does not.

# %%
imgs = rng.normal(1.0, 2.0, size=(6, C_img, 5, 5))
gc, bc = rng.normal(size=C_img), rng.normal(size=C_img)
assert_close(norm.batchnorm2d_forward(imgs, gc, bc)[0],
             torch.nn.functional.batch_norm(torch.tensor(imgs), None, None, torch.tensor(gc), torch.tensor(bc),
                                            training=True), "BatchNorm2d")
assert_close(norm.groupnorm_forward(imgs, gc, bc, G_img)[0],
             torch.nn.functional.group_norm(torch.tensor(imgs), G_img, torch.tensor(gc), torch.tensor(bc)), "GroupNorm")
tok = rng.normal(size=(3, 5, D))
assert_close(norm.rmsnorm_forward(tok, gamma)[0],
             torch.nn.functional.rms_norm(torch.tensor(tok), (D,), torch.tensor(gamma), eps=1e-6), "RMSNorm")
others = rng.normal(-1.0, 3.0, size=imgs.shape)
others[0] = imgs[0]  # same image 0, different companions
bn_change = np.abs(norm.batchnorm2d_forward(others, gc, bc)[0][0] - norm.batchnorm2d_forward(imgs, gc, bc)[0][0]).max()
gn_change = np.abs(norm.groupnorm_forward(others, gc, bc, G_img)[0][0] - norm.groupnorm_forward(imgs, gc, bc, G_img)[0][0]).max()
rms_scaled = np.abs(norm.rmsnorm_forward(5 * tok, gamma)[0] - norm.rmsnorm_forward(tok, gamma)[0]).max()
rms_shifted = np.abs(norm.rmsnorm_forward(tok + 1, gamma)[0] - norm.rmsnorm_forward(tok, gamma)[0]).max()
print(f"image 0 with new companions — BatchNorm2d output moves {bn_change:.2f}, GroupNorm {gn_change:.1e}")
print(f"RMSNorm: scaling a token by 5 moves its output {rms_scaled:.1e} (only through eps); "
      f"shifting it by 1 moves it {rms_shifted:.2f}")
assert bn_change > 0.1 and gn_change < 1e-12 and rms_scaled < 1e-5 and rms_shifted > 0.1

# %% [markdown]
# **Try it: GroupNorm's one knob.** A batch of 4 images with 8 channels of 5×5 pixels; each channel
# has its own mean and spread, and channel 6 barely varies (input std 0.02: it did not fire, only
# noise is left). Slide the number of groups $G$ from 1 (LayerNorm) to 8 (InstanceNorm). The grid
# shows the sets that share a mean and variance shrink; the right panel shows sample 0 after
# normalization. As $G$ grows, the spread of its channel means falls from about 0.8 to exactly 0 —
# InstanceNorm erases *which channel fired more* — and the silent channel 6 stays near std 0.02 up to
# $G = 4$ but is stretched to std ≈ 1 at $G = 8$, as loud as the real signals (seeds 0–9, `tests/claims`).
# That is why InstanceNorm suits style transfer (it removes per-channel contrast on purpose) and
# GroupNorm with a few channels per group is the usual choice for small-batch vision models.

# %%
gn_explorer = widgets.groupnorm_explorer(groups=2)
gn_explorer

# %%
gn_runs = {g: widgets.groupnorm_view(g) for g in widgets.GROUP_CHOICES}  # what the slider shows
contrast = [gn_runs[g]["contrast"] for g in widgets.GROUP_CHOICES]
silent = [gn_runs[g]["silent_std"] for g in widgets.GROUP_CHOICES]
print("groups G:                ", list(widgets.GROUP_CHOICES))
print("spread of channel means: ", np.round(contrast, 3))
print(f"channel {widgets.SILENT} output std:    ", np.round(silent, 3))
assert 0.7 < contrast[0] < 0.9 and np.all(np.diff(contrast) < 0) and contrast[-1] < 1e-12
assert max(silent[:-1]) < 0.05 and silent[-1] > 0.9

# %% [markdown]
# ## 7. Does it help training? A measured comparison
#
# The same deep MLP (6 hidden layers of 32 ReLUs, same seed) on 512 digit images, trained with
# plain SGD for 4 epochs at four learning rates, with `norm="none"`, `"batch"` and `"layer"` in
# `nnbasics.lab.models.MLPConfig`. A learning rate is "tolerated" when the final loss falls below
# 80 % of chance level ($\ln 10$). All three start from **He init** (notebook 06): with torch's
# default init the un-normalized net would lose its signal before training starts, and we would be
# measuring the init, not the normalization:

# %%
from nnbasics import data
from nnbasics.lab.diagnostics import layer_outputs
from nnbasics.lab.models import MLPConfig, build_mlp

X_dig = data.digits(rng=0).X_train[:512]  # the images compare_norms trains on
for init in ("default", "he"):
    stds = [z.std() for z in layer_outputs(build_mlp(MLPConfig(d_in=64, hidden=(32,) * 6, d_out=10, init=init)),
                                           X_dig, kind="linear")]
    print(f"{init:7s} init, pre-activation std per layer: {np.round(stds, 2)}")
    assert (stds[-1] < 0.2) if init == "default" else (min(stds) > 0.5)

# %%
cmp = exp.compare_norms(lrs=(0.1, 0.3, 1.0, 3.0), depth=6, width=32, epochs=4, init="he")
print("learning rates each variant tolerates:", cmp["tolerated"])
for (nm, lr), loss in cmp["final"].items():
    print(f"  {nm:5s} lr={lr:<4}: final loss {loss:6.3f}, val accuracy {cmp['val_acc'][(nm, lr)]:.2f}")
tol, fin = cmp["tolerated"], cmp["final"]
best = {nm: np.nanmin([fin[(nm, lr)] for lr in cmp["lrs"]]) for nm in cmp["norms"]}
assert 0.3 in tol["none"] and 0.3 in tol["layer"]                 # all three train at 0.3
assert tol["batch"] == list(cmp["lrs"])                          # BatchNorm: every rate up to 3
assert 3.0 not in tol["none"] and 3.0 not in tol["layer"]        # lr 3: no norm and LayerNorm fail
assert best["batch"] < 0.6 * best["none"]                         # and BN reaches a lower loss,
assert best["batch"] == fin[("batch", 1.0)]                       # at lr 1.0

# %%
fig, axes = plt.subplots(1, len(cmp["lrs"]), figsize=(12, 3.2), sharey=True)
colors = dict(zip(cmp["norms"], C))
for ax, lr in zip(axes, cmp["lrs"]):
    for nm in cmp["norms"]:
        curve = cmp["curves"][(nm, lr)]
        ax.plot(range(1, len(curve) + 1), curve, "o-", color=colors[nm], label=nm)
    ax.axhline(cmp["chance_loss"], color="gray", ls=":", label="chance")
    ax.set(xlabel="epoch", title=f"SGD lr = {lr}", ylim=(0, 3.5), xticks=range(1, len(curve) + 1))
axes[0].set_ylabel("training loss")
axes[0].legend()
fig.suptitle("Deep MLP, He init: all train at lr 0.1-0.3; only BatchNorm also trains at 1 and 3")
fig.tight_layout()

# %% [markdown]
# What you see: with He init all three train at lr 0.1–0.3. BatchNorm also trains at 1.0 and 3.0
# and reaches the lowest loss, at lr 1.0; without normalization lr 3.0 blows up (NaN, or stuck at
# chance), LayerNorm fails at 3.0 too, and at 1.0 both are erratic (each tolerated it in 2–3 of
# the 5 seeds of `tests/claims/test_nb07_norm.py`).
#
# **Why?** A common answer is "scaling a layer's weights no longer changes its output, so a large
# step cannot blow the activations up" — but LayerNorm is just as scale-invariant, and it fails.
# Measuring the trained networks points elsewhere (left below): at lr 3.0 LayerNorm's last hidden
# layer ends with (nearly) **every ReLU dead** — negative on all 512 images — so the output is
# constant. BatchNorm centres each unit over the batch, so a ReLU keeps firing for part of every
# batch unless its learned shift $\beta$ drags the whole unit below zero (measured: under 10 % dead
# units at every rate). LayerNorm centres each *sample* over its units, so one unit can still be
# negative for every sample. And BatchNorm's weight norms grow with the rate (right): for a
# scale-invariant layer the effective step is about $\eta/\lVert W\rVert^2$, so the large steps
# shrink themselves.

# %%
layers = np.arange(1, len(cmp["dead"][("batch", 3.0)]) + 1)
fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.2))
for k, nm in enumerate(["batch", "layer"]):
    a1.bar(layers + (k - 0.5) * 0.4, cmp["dead"][(nm, 3.0)], width=0.4, color=colors[nm], label=nm)
a1.set(xlabel="hidden layer", ylabel="fraction of dead ReLUs", ylim=(0, 1.05),
       title="after training at lr 3.0: dead units")
a1.legend()
for k, lr in enumerate(cmp["lrs"]):
    a2.plot(layers, cmp["weight_growth"][("batch", lr)], "o-", color=C[k + 2], label=f"lr {lr}")
a2.set(xlabel="hidden layer", ylabel="||W|| after / before", title="BatchNorm: weight norms grow with lr")
a2.legend(fontsize=8)
fig.tight_layout()
print("dead fraction, last hidden layer at lr 3.0 — BatchNorm:", cmp["dead"][("batch", 3.0)][-1],
      " LayerNorm:", cmp["dead"][("layer", 3.0)][-1])
assert cmp["dead"][("layer", 3.0)][-1] > 0.9
assert all(np.nanmax(cmp["dead"][("batch", lr)]) < 0.1 for lr in cmp["lrs"])
assert np.all(np.diff([cmp["weight_growth"][("batch", lr)][0] for lr in cmp["lrs"]]) > 0)

# %% [markdown]
# ## 8. Why does BatchNorm help? Internal covariate shift, tested
#
# BatchNorm's paper (Ioffe & Szegedy, 2015) explained it by **internal covariate shift**: every
# update of the lower layers moves the distribution of each layer's input, so each layer chases a
# moving target; normalizing fixes the input distribution. Santurkar et al. (2018, "How does batch
# normalization help optimization?") tested the claim directly: inject noise right after every
# BatchNorm — a random shift $c \sim U(-1, 1)$ and scale $s \sim U(0.25, 1.75)$ per unit, the same
# for the whole batch and redrawn at **every step** — so each layer's input distribution moves
# *more* than without any normalization. If reducing the shift were what helps, this network should
# train like the un-normalized one. We measure the shift as the mean absolute step-to-step change of
# each unit's batch mean and batch std at the ReLU's input:

# %%
nnbasics.show_source(exp.covariate_shift_experiment)

# %%
ics = exp.covariate_shift_experiment(lr=1.0, epochs=6)
for v in ics["variants"]:
    print(f"{v:12s}: input shift per step {ics['shift'][v]:.3f}, final loss {ics['final_loss'][v]:.3f}, "
          f"val accuracy {ics['val_acc'][v]:.2f}")
sh, fl = ics["shift"], ics["final_loss"]
assert sh["batch+noise"] > 1.2 * sh["none"]       # more distribution shift than no normalization...
assert fl["batch+noise"] < 0.95 * fl["none"]      # ...and yet it trains better at this rate
assert sh["batch"] < 0.1 * sh["none"]             # plain BN does remove the shift
assert fl["batch"] < fl["batch+noise"]            # (and trains best)

fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.2))
var_colors = dict(zip(ics["variants"], [C[0], C[1], C[3]]))
for v in ics["variants"]:
    a1.plot(range(1, len(ics["curves"][v]) + 1), ics["curves"][v], "o-", color=var_colors[v], label=v)
    a2.plot(np.arange(1, len(ics["shift_per_layer"][v]) + 1), ics["shift_per_layer"][v], "o-",
            color=var_colors[v], label=v)
a1.set(xlabel="epoch", ylabel="training loss", title=f"SGD lr = {ics['lr']}: training", ylim=(0, 3.5))
a2.set(xlabel="hidden layer", ylabel="mean |Δ| per step", title="input distribution shift per step")
a1.legend()
fig.tight_layout()

# %% [markdown]
# The noisy network's inputs move 1.2–2.4 times as much per step as the plain network's, yet it
# ends 6 epochs at lr 1.0 with a lower loss (0.2–0.9 of the plain network's) — in all 10 seeds
# tested, on five different CPU code paths (`tests/claims/test_nb07_norm.py`). Less covariate
# shift is not what makes BatchNorm work. Santurkar et al. argue instead that BatchNorm makes the
# loss surface smoother (gradients change less from step to step), which lets larger learning rates
# work; §7's measurements (no dead units, self-shrinking effective steps) are two concrete
# mechanisms of that kind in our MLP.
#
# ## 9. Exercises (graded)
#
# Open your exercise file **[exercises/ex07_norm.py](../exercises/ex07_norm.py)**
# (a click opens it in JupyterLab's editor) and implement, using numpy only:
#
# | exercise | function | what it does |
# |---|---|---|
# | 7.1 | `batchnorm_forward(x, gamma, beta, eps)` | train-mode BatchNorm, (N, D) -> (N, D) |
# | 7.2 | `batchnorm_backward(dout, x, gamma, eps)` | `(dx, dgamma, dbeta)` of 7.1, **derived** on §3's graph |
# | 7.3 | `layernorm_forward(x, gamma, beta, eps)` | LayerNorm over the last axis |
# | 7.4 | `update_running_stats(running_mean, running_var, x, momentum)` | torch's running-average update |
# | 7.5 | `layernorm_backward(dout, x, gamma, eps)` | `(dx, dgamma, dbeta)` of LayerNorm, derived, for (N, D) and (N, T, D) |
#
# Save the file (<kbd>Ctrl</kbd>+<kbd>S</kbd>), then click **Grade my exercises** at the end of
# this section: it runs the course's tests on your file and shows your points per exercise,
# the first check that failed and a hint. Prefer a terminal? `python -m nnbasics grade 07`
# in the course folder does the same.

# %%
from nnbasics.course import exercises

x_ex = rng.normal(size=(5, D))
mine = exercises.attempt("07", "batchnorm_forward", x_ex, gamma, beta, 1e-5)
if mine is not None:
    assert_close(mine, norm.batchnorm_forward(x_ex, gamma, beta)[0], "your batchnorm_forward")
    print("✅ your batchnorm_forward matches the library")

# %%
exercises.grade_button("07")

# %% [markdown]
# ## 10. Quiz and key takeaways

# %%
quiz.show("07")

# %% [markdown]
# **Key takeaways**
# - BatchNorm normalizes each feature (each channel, for images) over the **batch**; LayerNorm each
#   sample over its **features**; GroupNorm, InstanceNorm and RMSNorm are variations on *which entries
#   share statistics*. All use the biased variance, then $\gamma \hat x + \beta$.
# - The backward pass follows from the graph: every path from $x$ through the mean and the variance
#   adds a term, and the result has no component along the shift (and scale) directions.
# - BatchNorm keeps running averages (unbiased variance; torch's momentum 0.1 = Keras's 0.9) for eval
#   mode; forgetting `model.eval()` makes predictions depend on the batch and corrupts those averages.
# - BN's output for a sample is noisy at small batches (spread about $1/\sqrt N$); LN's and GN's are
#   exact, which is one reason transformers use LN (or RMSNorm).
# - In a deep He-initialised MLP, BatchNorm lets SGD use much larger learning rates and reach a lower
#   loss; LayerNorm's strength is batch-independence, not learning-rate robustness here. Reduced
#   "internal covariate shift" does not explain the gain — next: **08 · dropout**.
