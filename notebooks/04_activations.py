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
# # 04 · Activation functions
#
# **Learning goals** — after this notebook you can
# - write down sigmoid, tanh, ReLU, Leaky ReLU, PReLU, ELU, GELU and softmax with their
#   derivatives, ranges and costs, and say which are zero-centred;
# - explain with numbers why sigmoid networks learn slowly (σ' ≤ 1/4) and ReLU networks fast;
# - measure the *dying ReLU* problem and show how Leaky ReLU/ELU avoid it;
# - pick an activation for each layer of a network (hidden, transformer, outputs, gates);
# - implement two derivatives yourself (graded).
#
# **Prerequisites:** 02–03 (the MLP forward pass and backpropagation: the chain rule multiplies
# by $f'(z)$ at every layer).
# **Run time:** about 15 s for *Run All*; 30–45 min to work through.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nnbasics
from nnbasics.core import activations
from nnbasics.course import doctor, quiz
from nnbasics.experiments import nb04_activations as exp
from nnbasics.viz import nb04_activations as widgets
from nnbasics.viz import plotting

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"

# %% [markdown]
# ## 1. What an activation does
#
# Without a non-linearity between them, stacked linear layers collapse into one linear map:
# $W_2(W_1x) = (W_2W_1)x$. The activation $f$ applied elementwise after each layer is what
# lets an MLP bend its decision boundary. During backpropagation every layer multiplies the
# gradient by $f'(z)$, so the *shape of the derivative* decides how well the network learns.
#
# **Try it.** Pick an activation, then change the spread of the Gaussian inputs. Where does
# the derivative vanish? What fraction of inputs gets (almost) no gradient? Compare sigmoid
# with input std 5 and ReLU with any input std.

# %%
explorer = widgets.activation_explorer("sigmoid")
explorer

# %% [markdown]
# ## 2. The zoo, with derivatives
#
# | name | $f(x)$ | $f'(x)$ | range | zero-centred |
# |---|---|---|---|---|
# | sigmoid | $\sigma(x) = \dfrac{1}{1+e^{-x}}$ | $\sigma(x)\,(1-\sigma(x))$ | $(0,1)$ | no |
# | tanh | $\tanh x = 2\sigma(2x)-1$ | $1-\tanh^2 x$ | $(-1,1)$ | yes |
# | ReLU | $\max(0,x)$ | $\mathbb 1[x>0]$ | $[0,\infty)$ | no |
# | Leaky ReLU | $x$ if $x>0$ else $\alpha x$ ($\alpha=0.01$) | $1$ or $\alpha$ | $\mathbb R$ | no |
# | PReLU | $x$ if $x>0$ else $a x$, $a$ **learned** | $1$ or $a$; $\partial f/\partial a = \min(x, 0)$ | $\mathbb R$ | no |
# | ELU | $x$ if $x>0$ else $\alpha(e^x-1)$ | $1$ or $\alpha e^x$ | $(-\alpha,\infty)$ | roughly |
# | GELU | $x\,\Phi(x)$, $\Phi$ the normal CDF | $\Phi(x) + x\,\varphi(x)$ | $[-0.17,\infty)$ | no |
# | GELU (tanh approx.) | $\tfrac12 x\big(1+\tanh(\sqrt{2/\pi}(x+0.044715x^3))\big)$ | by the chain rule | $[-0.17,\infty)$ | no |
# | softmax | $\operatorname{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}$ (a whole row) | Jacobian $\operatorname{diag}(p) - pp^\top$ | $(0,1)$, sums to 1 | — |
#
# Every derivative in `nnbasics.core.activations` is tested against torch autograd in float64.
# Sigmoid is computed without overflow (only $e^{-|x|}$ is ever evaluated):

# %%
nnbasics.show_source(activations.sigmoid)

# %%
x = np.linspace(-4, 4, 401)
fig, axes = plt.subplots(2, 4, figsize=(12, 5), sharex=True)
for ax, name in zip(axes.ravel(), activations.NAMES):
    ax.plot(x, activations.apply(name, x), color=plotting.PALETTE[0], lw=2, label="f(x)")
    ax.plot(x, activations.derivative(name, x), color=plotting.PALETTE[1], lw=2, ls="--", label="f'(x)")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set(title=name, xlabel="x", ylim=(-1.2, 2.2))
axes[0, 0].legend(fontsize=8)
axes[0, 0].set_ylabel("value")
axes[1, 0].set_ylabel("value")
fig.suptitle("The activation zoo: f (solid) and f' (dashed)")
fig.tight_layout()

# %% [markdown]
# The properties in one table (`cost`: what each element needs — a comparison is cheaper than
# an `exp`, which is cheaper than `erf`):

# %%
# NBVAL_CHECK_OUTPUT
for row in activations.properties_table():
    print(f"{row['name']:<11} range {row['output_range']:<22} zero-centred {row['zero_centred']!s:<5} "
          f"cost {row['cost']:<13} use: {row['typical_use']}")

# %% [markdown]
# **Self-check: four facts worth remembering.** Computed, not typed in:
# 1. $\max_x \sigma'(x) = \sigma(0)(1-\sigma(0)) = \tfrac14$, at $x = 0$;
# 2. $\max_x \tanh'(x) = 1$ — tanh passes gradients four times better than sigmoid at its best;
# 3. $\tanh(x) = 2\sigma(2x) - 1$: tanh *is* a shifted, rescaled sigmoid (zero-centred);
# 4. GELU $= x\Phi(x)$ is within $10^{-3}$ of ReLU once $|x| > 4$, and smooth around 0.

# %%
# NBVAL_CHECK_OUTPUT
grid = np.linspace(-10, 10, 20001)
ds, dt = activations.sigmoid_derivative(grid), activations.tanh_derivative(grid)
far = grid[np.abs(grid) > 4]
gelu_gap = np.max(np.abs(activations.gelu(far) - activations.relu(far)))
print(f"max sigmoid' = {ds.max():.4f} at x = {grid[ds.argmax()]:.1f}")
print(f"max tanh'    = {dt.max():.4f} at x = {grid[dt.argmax()]:.1f}")
print(f"max |GELU - ReLU| for |x| > 4: {gelu_gap:.1e}")
assert ds.max() == 0.25 and grid[ds.argmax()] == 0.0
assert dt.max() == 1.0
assert np.allclose(activations.tanh(grid), 2 * activations.sigmoid(2 * grid) - 1, rtol=1e-12, atol=1e-14)
assert gelu_gap < 1e-3
assert np.max(np.abs(activations.gelu(grid) - activations.gelu_tanh(grid))) < 1e-3

# %% [markdown]
# **Softmax** is not elementwise — it turns a whole row of logits into probabilities — so it
# lives with the losses as `nnbasics.core.losses.softmax(logits, axis=-1)` (notebook on losses).
# It is invariant to adding a constant to every logit, which is how it is computed stably:
# $\operatorname{softmax}(z) = \operatorname{softmax}(z - \max_j z_j)$. For two classes it is
# the sigmoid of the logit difference:

# %%
import importlib.util

import torch

logits = np.array([[2.0, -1.0, 0.5], [1000.0, 1001.0, 999.0]])
if importlib.util.find_spec("nnbasics.core.losses") is not None:
    from nnbasics.core.losses import softmax
    p = softmax(logits, axis=-1)
else:  # the losses module arrives with its own notebook; torch gives the same numbers
    p = torch.softmax(torch.tensor(logits), dim=-1).numpy()
print(np.round(p, 4))
assert np.allclose(p.sum(axis=1), 1.0) and np.all(np.isfinite(p))
z = np.array([[1.3, -0.4]])
p2 = torch.softmax(torch.tensor(z), dim=-1).numpy()
assert np.isclose(p2[0, 0], activations.sigmoid(z[0, 0] - z[0, 1]))

# %% [markdown]
# ## 3. Why ReLU trains faster than sigmoid
#
# Backpropagation through $L$ layers multiplies $L$ factors $W_l^\top \operatorname{diag}(f'(z_l))$.
# With sigmoid each $f'$ is at most $\tfrac14$, so the gradient reaching the first layer shrinks
# roughly like $(\tfrac14)^L$ (notebook 05 studies this in depth). ReLU's derivative is exactly
# 1 for active units: the gradient passes unchanged through the active paths. And about half
# of ReLU's outputs are exactly 0 — a **sparse** representation that is cheap to compute.
#
# Same 6-hidden-layer MLP (width 32, Xavier init), same spiral data, same SGD budget —
# only the activation differs. We measure the weight-gradient norm of every layer at
# initialisation, the fraction of exactly-zero hidden activations, and the training loss:

# %%
race = exp.relu_vs_sigmoid(depth=6, width=32, epochs=15, lr=0.05, seed=0)
for name, r in race.items():
    print(f"{name:<8} |dL/dW| first layer {r['grad_norms'][0]:.1e}, last layer {r['grad_norms'][-1]:.1e}; "
          f"zeros {r['sparsity']:.0%}; final loss {r['train_loss'][-1]:.3f}; accuracy {r['accuracy']:.0%}")
sig, relu = race["sigmoid"], race["relu"]
assert sig["grad_norms"][0] < 1e-2 * sig["grad_norms"][-1]   # sigmoid: vanishing towards the input
assert relu["grad_norms"][0] > 10 * sig["grad_norms"][0]      # ReLU: the first layer gets a real gradient
assert 0.4 < relu["sparsity"] < 0.6 and sig["sparsity"] == 0.0
assert relu["train_loss"][-1] < 0.5 * sig["train_loss"][-1] and relu["accuracy"] > sig["accuracy"]

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
for k, (name, r) in enumerate(race.items()):
    ax1.semilogy(np.arange(1, len(r["grad_norms"]) + 1), r["grad_norms"], "o-", color=plotting.PALETTE[k], label=name)
    ax2.plot(np.arange(1, len(r["train_loss"]) + 1), r["train_loss"], color=plotting.PALETTE[k], label=name)
ax1.set(xlabel="linear layer (1 = next to the input)", ylabel="‖dL/dW‖ at init (log)",
        title="gradient reaching each layer")
ax2.set(xlabel="epoch", ylabel="training loss", title="same budget, different activation")
ax1.legend()
ax2.legend()
fig.tight_layout()

# %% [markdown]
# ## 4. Dying ReLU
#
# A ReLU unit whose pre-activation $z = w\cdot h + b$ is negative for **every** training input
# outputs 0 and has $f'(z) = 0$ everywhere: its weights never receive a gradient again. It is
# dead. One too-large update (a big learning rate pushing $b$ far below zero) can kill many
# units at once. Leaky ReLU ($f' = \alpha$) and ELU ($f' = \alpha e^x$) never have an exactly
# zero derivative, so their units can recover.
#
# We train the same 3×32 MLP on two moons with Adam, once with a sensible learning rate (0.01)
# and once with a too-large one (0.1), and count the hidden units with $f'(z) = 0$ on all inputs:

# %%
runs = {"relu, lr=0.01": exp.dying_relu_experiment("relu", lr=0.01, epochs=5)}
for act in ("relu", "leaky_relu", "elu"):
    runs[f"{act}, lr=0.1"] = exp.dying_relu_experiment(act, lr=0.1, epochs=5)
for label, r in runs.items():
    print(f"{label:<18} dead units (f'=0 on all inputs): {r.dead_grad_after:5.0%};  "
          f"all-negative per layer: {np.round(r.dead_after, 2)};  accuracy {r.final_accuracy:.0%}")
assert runs["relu, lr=0.1"].dead_grad_after > 0.3 > runs["relu, lr=0.01"].dead_grad_after
assert runs["leaky_relu, lr=0.1"].dead_grad_after == 0.0 and runs["elu, lr=0.1"].dead_grad_after == 0.0

# %%
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar(list(runs), [r.dead_grad_after for r in runs.values()], color=plotting.PALETTE[:4])
ax.set(ylabel="fraction of dead hidden units", title="dead units after 5 epochs of Adam", ylim=(0, 1))
ax.tick_params(axis="x", labelsize=8)
fig.tight_layout()

# %% [markdown]
# Even with lr = 0.01 some units are dead: a few third-layer units already start negative on
# every input, and a ReLU unit never leaves that state. Notice the "all-negative" numbers:
# Leaky ReLU units also end up negative on all inputs after the big steps, but they still pass a
# gradient of $\alpha$ and can climb back. Remedies for dying ReLUs: a smaller
# learning rate (or a warm-up), Leaky ReLU/ELU/GELU, careful initialisation (notebook 06) and
# normalisation layers.
#
# ## 5. Which activation where
#
# | layer | usual choice | why |
# |---|---|---|
# | hidden layers of an MLP/CNN | **ReLU** (Leaky ReLU/ELU if units die) | cheap, $f'=1$ on active units, sparse |
# | transformer feed-forward hidden layer | **GELU** (or SwiGLU) | smooth ReLU; what BERT/GPT use |
# | binary output | **sigmoid** → $P(y=1)$ | range (0, 1); pair with BCE on logits |
# | multi-class output | **softmax** → class probabilities | rows sum to 1; pair with cross-entropy on logits |
# | regression output | **identity** (no activation) | any real value; pair with MSE |
# | gates (LSTM/GRU, attention gates) | **sigmoid** | a soft 0–1 switch that multiplies a signal |
# | bounded hidden state (RNNs) | **tanh** | zero-centred, in (-1, 1) |
#
# In practice the output activation is folded into the loss (`BCEWithLogits`, `cross_entropy`
# on logits) for numerical stability: the network outputs logits.
#
# ## 6. Exercises (graded)
#
# Open **`exercises/ex04_activations.py`** and implement, using numpy only:
#
# | exercise | function | what it does |
# |---|---|---|
# | 4.1 | `sigmoid_derivative(x)` | $\sigma(x)(1-\sigma(x))$, without overflow for $|x| = 1000$ |
# | 4.2 | `leaky_relu_derivative(x, alpha)` | 1 where $x>0$, $\alpha$ elsewhere (also at 0) |
#
# Check your work from a terminal in the course folder (or prefix with `!` in a cell):
#
# ```
# python -m nnbasics grade 04
# ```
#
# The cell below compares your function with the library's once you have implemented it.

# %%
from nnbasics.course import exercises

probe = np.array([-1000.0, -2.0, 0.0, 0.5, 1000.0])
mine = exercises.attempt("04", "sigmoid_derivative", probe)
if mine is not None:
    assert np.allclose(mine, activations.sigmoid_derivative(probe)), \
        "your sigmoid_derivative disagrees with nnbasics.core.activations.sigmoid_derivative"
    print("✅ your sigmoid_derivative matches the library")

# %% [markdown]
# ## 7. Quiz and key takeaways

# %%
quiz.show("04")

# %% [markdown]
# **Key takeaways**
# - Every layer's gradient is multiplied by $f'(z)$: sigmoid's $f' \le \tfrac14$ shrinks it at
#   every layer, tanh's $f' \le 1$ less so; both saturate (f' → 0) for large $|x|$.
# - ReLU passes gradients unchanged through active units and is sparse and cheap — the default
#   for hidden layers; GELU is its smooth cousin used in transformers.
# - A ReLU unit that is negative on all inputs is dead ($f'=0$ forever); too-large learning rates
#   kill many. Leaky ReLU/PReLU/ELU keep a non-zero gradient.
# - Output activations follow the task: sigmoid (binary), softmax (multi-class), identity
#   (regression) — usually folded into the loss on logits. Next: **05 · vanishing and
#   exploding gradients**.
