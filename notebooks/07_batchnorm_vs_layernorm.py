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
# - write BatchNorm's and LayerNorm's forward and backward passes and say which axis each averages over;
# - explain BatchNorm's running statistics (momentum, *unbiased* running variance) and why eval mode needs them;
# - measure how a sample's BatchNorm output depends on its batch companions, and recognise the
#   forgotten-`model.eval()` bug;
# - compare training a deep MLP with no normalization, BatchNorm and LayerNorm across learning rates.
#
# **Prerequisites:** backprop by hand (notebook 03) and training an MLP with `nnbasics.lab.train.fit`;
# mean and variance.
# **Run time:** about 10 s for *Run All*; 45 min to work through.

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
# ## 3. Backward
#
# In training every output row depends on *every* input row through $\mu$ and $\sigma^2$.
# Writing $g = \partial L/\partial \hat x = \gamma \odot \partial L/\partial y$, the chain rule
# through the mean and variance collapses to
#
# $$ \frac{\partial L}{\partial x} = \frac{1}{N\sqrt{\sigma^2+\varepsilon}}\Big(N g - \sum_n g_n - \hat x \odot \sum_n g_n \odot \hat x_n\Big),
# \qquad \frac{\partial L}{\partial \gamma} = \sum_n \frac{\partial L}{\partial y_n}\odot \hat x_n,
# \qquad \frac{\partial L}{\partial \beta} = \sum_n \frac{\partial L}{\partial y_n}. $$
#
# The two subtracted terms remove the gradient's component along the directions that
# normalization erases (shifting all rows, scaling all rows). LayerNorm's backward is the
# same formula with sums over the feature axis. Both are checked against torch autograd:

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

xt.grad = g_t.grad = b_t.grad = None
torch.nn.functional.layer_norm(xt, (D,), g_t, b_t, eps=1e-5).backward(torch.tensor(dout))
dx, dgamma, dbeta = norm.layernorm_backward(dout, norm.layernorm_forward(x, gamma, beta)[1])
assert_close(dx, xt.grad, "LN dx")
assert_close(dgamma, g_t.grad, "LN dgamma")
print("BatchNorm and LayerNorm gradients match torch autograd (float64)")

# %% [markdown]
# ## 4. Batch-size dependence, measured
#
# BatchNorm's $\mu_B, \sigma_B$ are *estimates* from N samples, so a sample's output carries
# noise from its companions; the noise shrinks roughly like $1/\sqrt N$. (During training this
# noise is a mild regularizer; at batch 2–8 it swamps the signal.) LayerNorm's output is a
# function of the sample alone — exactly zero spread:

# %%
pop = widgets.population()["X"]
noise = exp.batch_size_noise(pop[0], pop[1:], batch_sizes=(2, 4, 8, 16, 32, 64), draws=100, rng=0)
for B, s_bn, s_ln in zip(noise["batch_sizes"], noise["bn_std"], noise["ln_std"]):
    print(f"batch {B:3d}:  BN spread {s_bn:.3f}   LN spread {s_ln:.3f}")
assert np.all(np.diff(noise["bn_std"]) < 0) and noise["bn_std"][0] > 4 * noise["bn_std"][-1]
assert np.all(noise["ln_std"] < 1e-12)

fig, ax = plt.subplots(figsize=(5, 3.2))
ax.loglog(noise["batch_sizes"], noise["bn_std"], "o-", color=plotting.PALETTE[0], label="BatchNorm (train mode)")
ax.loglog(noise["batch_sizes"], noise["bn_std"][0] * np.sqrt(2 / noise["batch_sizes"]), "--",
          color="gray", label=r"$\propto 1/\sqrt{N}$")
ax.set(xlabel="batch size N", ylabel="spread of one sample's output",
       title="BatchNorm's batch noise (LayerNorm: 0)")
ax.set_xticks(noise["batch_sizes"], [str(b) for b in noise["batch_sizes"]], minor=False)
ax.minorticks_off()
ax.legend()
fig.tight_layout()

# %% [markdown]
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
# token's output does not depend on the batch, on the other tokens or on padding — one reason
# every transformer block uses it. BatchNorm would mix real tokens with padding.

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
# ## 6. Does it help training? A measured comparison
#
# The same deep MLP (6 hidden layers of 32 ReLUs, torch's default init, same seed) on 512 digit
# images, trained with plain SGD for 4 epochs at three learning rates, with `norm="none"`,
# `"batch"` and `"layer"` in `nnbasics.lab.models.MLPConfig`. A learning rate is "tolerated" when
# the final loss falls below 80 % of chance level ($\ln 10$).

# %%
cmp = exp.compare_norms(lrs=(0.03, 0.3, 3.0), depth=6, width=32, epochs=4)
print("learning rates each variant tolerates:", cmp["tolerated"])
for (nm, lr), loss in cmp["final"].items():
    print(f"  {nm:5s} lr={lr:<5}: final loss {loss:6.3f}, val accuracy {cmp['val_acc'][(nm, lr)]:.2f}")
assert cmp["tolerated"]["none"] == [] or max(cmp["tolerated"]["none"]) < 3.0
assert 3.0 in cmp["tolerated"]["batch"] and len(cmp["tolerated"]["batch"]) >= len(cmp["tolerated"]["layer"])
assert cmp["final"][("batch", 0.3)] < cmp["final"][("none", 0.3)]
assert cmp["final"][("layer", 0.3)] < cmp["final"][("none", 0.3)]

# %%
fig, axes = plt.subplots(1, len(cmp["lrs"]), figsize=(10, 3.2), sharey=True)
colors = dict(zip(cmp["norms"], plotting.PALETTE))
for ax, lr in zip(axes, cmp["lrs"]):
    for nm in cmp["norms"]:
        ax.plot(range(1, len(cmp["curves"][(nm, lr)]) + 1), cmp["curves"][(nm, lr)], "o-",
                color=colors[nm], label=nm)
    ax.axhline(cmp["chance_loss"], color="gray", ls=":", label="chance")
    ax.set(xlabel="epoch", title=f"SGD lr = {lr}", ylim=(0, 3.5), xticks=range(1, len(cmp["curves"][(nm, lr)]) + 1))
axes[0].set_ylabel("training loss")
axes[0].legend()
fig.suptitle("Deep MLP: no norm stalls; BatchNorm trains and tolerates the largest learning rate")
fig.tight_layout()

# %% [markdown]
# What you see: without normalization the signal shrinks layer after layer and SGD barely moves
# in 4 epochs (and the largest rate blows up). BatchNorm re-standardizes every layer, so the
# net trains fast at every rate from 0.03 to 3.0 (a 100× range): scaling a layer's weights no
# longer changes its output, so a too-large step cannot blow the activations up. LayerNorm also trains but is less forgiving here; its strengths are
# batch-independence (small batches, sequences, inference) rather than raw speed on MLPs.
#
# ## 7. Exercises (graded)
#
# Open **`exercises/ex07_norm.py`** and implement, using numpy only:
#
# | exercise | function | what it does |
# |---|---|---|
# | 7.1 | `batchnorm_forward(x, gamma, beta, eps)` | train-mode BatchNorm, (N, D) -> (N, D), biased batch variance |
# | 7.2 | `batchnorm_backward(dout, x, gamma, eps)` | `(dx, dgamma, dbeta)` of 7.1 |
# | 7.3 | `layernorm_forward(x, gamma, beta, eps)` | LayerNorm over the last axis |
# | 7.4 | `update_running_stats(running_mean, running_var, x, momentum)` | torch's running-average update (unbiased variance) |
#
# Check your work from a terminal in the course folder:
#
# ```
# python -m nnbasics grade 07
# ```

# %%
from nnbasics.course import exercises

x_ex = rng.normal(size=(5, D))
mine = exercises.attempt("07", "batchnorm_forward", x_ex, gamma, beta, 1e-5)
if mine is not None:
    assert_close(mine, norm.batchnorm_forward(x_ex, gamma, beta)[0], "your batchnorm_forward")
    print("✅ your batchnorm_forward matches the library")

# %% [markdown]
# ## 8. Quiz and key takeaways

# %%
quiz.show("07")

# %% [markdown]
# **Key takeaways**
# - BatchNorm normalizes each feature over the **batch**; LayerNorm normalizes each sample over its
#   **features**. Both use the biased variance, then $\gamma \hat x + \beta$.
# - BatchNorm keeps running averages (unbiased variance, momentum 0.1 in torch) for eval mode;
#   forgetting `model.eval()` makes predictions depend on the batch and corrupts those averages.
# - BN's output for a sample is noisy at small batches (spread $\propto 1/\sqrt N$); LN's is exact,
#   which is why transformers and sequence models use LN.
# - In a deep MLP, normalization makes training fast and robust to the learning rate — next:
#   **08 · dropout**.
