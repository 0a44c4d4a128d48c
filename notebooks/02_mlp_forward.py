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
# # 02 · The MLP forward pass
#
# **Learning goals** — after this notebook you can
# - compute a dense layer $Z = XW + b$ for a whole batch and say every array's shape;
# - explain why stacked *linear* layers collapse into one, and what a nonlinearity adds;
# - pair each task with its output layer and loss, and compute softmax and log-sum-exp stably;
# - describe what the universal approximation theorem promises (and what it does not);
# - implement a dense layer, a stable softmax and softmax cross-entropy yourself (graded).
#
# **Prerequisites:** 01 · the perceptron; matrix multiplication.
# **Run time:** about 10 s for *Run All*; 45 min to work through.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nnbasics
from nnbasics.core import layers, losses, mlp
from nnbasics.course import doctor, quiz
from nnbasics.experiments import nb02_mlp_forward as exp
from nnbasics.viz import nb02_mlp_forward as widgets
from nnbasics.viz import plotting

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"

# %% [markdown]
# ## 1. A dense layer is one matrix product
#
# A layer of $H$ neurons, each a perceptron without the step, applied to a batch of $B$ inputs
# with $D$ features is a single matrix product plus a broadcast bias:
#
# $$ Z = X W + b, \qquad A = g(Z) $$
#
# | array | shape | meaning |
# |---|---|---|
# | $X$ | $[B, D]$ | one example per row |
# | $W$ | $[D, H]$ | column $j$ = weights of neuron $j$ |
# | $b$ | $[H]$ | one bias per neuron, added to every row |
# | $Z = XW + b$ | $[B, D] \,@\, [D, H] \to [B, H]$ | pre-activations |
# | $A = g(Z)$ | $[B, H]$ | activations, elementwise $g$ (ReLU, tanh, ...) |
#
# The library's layer returns the output **and a cache** of what its backward pass will need
# (notebook 03):

# %%
nnbasics.show_source(layers.dense_forward)

# %% [markdown]
# **A worked example.** One input $x = [0.5, 1.2, -0.7]$ through a 3-2-1 network with ReLU
# hidden units and a sigmoid output:
# $W_1 = \begin{bmatrix} 0.8 & -0.4 \\ 0.1 & 0.9 \\ -0.3 & 0.2 \end{bmatrix}$, $b_1 = [0.2, -0.1]$,
# $W_2 = \begin{bmatrix} 1.1 \\ -0.6 \end{bmatrix}$, $b_2 = [0.05]$.
# Work out $z_1 = xW_1 + b_1$ on paper first, then compare:

# %%
# NBVAL_CHECK_OUTPUT
ex = exp.worked_example("relu")
for name in ("z1", "a1", "z2", "y_hat"):
    print(f"{name:5s} = {np.round(ex[name], 4).tolist()}")
# self-checks: each step recomputed with plain numpy from the previous one
assert np.allclose(ex["z1"], ex["x"] @ ex["W1"] + ex["b1"])
assert np.allclose(ex["a1"], np.maximum(ex["z1"], 0))
assert np.allclose(ex["z2"], ex["a1"] @ ex["W2"] + ex["b2"])
assert np.allclose(ex["y_hat"], 1 / (1 + np.exp(-ex["z2"])))
assert ex["z1"].shape == (1, 2) and ex["y_hat"].shape == (1, 1)

# %% [markdown]
# Both hidden pre-activations are positive, so the ReLU passes them unchanged; the network
# outputs $\sigma(z_2) \approx$ the probability of class 1.

# %% [markdown]
# ## 2. Why nonlinearity?
#
# Without $g$, two layers are $(XW_1 + b_1)W_2 + b_2 = X(W_1W_2) + (b_1W_2 + b_2)$: **one** linear
# layer with matrix $W_1W_2$. However many linear layers we stack, the product
# $W_1W_2W_3\cdots$ is one matrix. Check it numerically on a 2-8-8-3 network:

# %%
col = exp.linear_collapse((2, 8, 8, 3), rng=0)
print("W1 W2 W3 has shape", col["W_eff"].shape,
      f"- max |stacked - single| = {col['max_abs_diff']:.1e}")
print(f"with ReLU between the layers: max difference = "
      f"{np.max(np.abs(col['relu_stacked'] - col['single'])):.2f}")
assert col["W_eff"].shape == (2, 3) and col["max_abs_diff"] < 1e-12
assert np.max(np.abs(col["relu_stacked"] - col["single"])) > 1e-3

# %% [markdown]
# A ReLU network is piecewise linear, and the pieces let it **bend** the decision boundary.
# **Try it.** Train one hidden layer on each dataset. Set the activation to `identity`: whatever
# the width, the boundary stays straight. With `relu` or `tanh`, widen the layer until the
# spirals are separated. (Each setting trains for ~0.1 s the first time, then is cached.)

# %%
classifier = widgets.classifier_explorer()
classifier

# %%
lin = widgets.classifier_regions("circles", 16, "identity")
bent = widgets.classifier_regions("circles", 16, "relu")
print(f"circles, 16 units: identity {lin['accuracy']:.0%}, relu {bent['accuracy']:.0%}")
assert bent["accuracy"] > 0.9 > 0.7 > lin["accuracy"]

# %% [markdown]
# ## 3. Output layers and losses: pick them by the task
#
# The last layer produces **logits** $z$ (no activation); the loss applies the output
# nonlinearity itself.
#
# | task | output | loss on logits | $\partial L / \partial z$ |
# |---|---|---|---|
# | regression | identity | MSE $\tfrac1N\sum (z-y)^2$, MAE $\tfrac1N\sum\lvert z-y\rvert$, Huber | $2(z-y)/N$, $\operatorname{sign}(z-y)/N$, clipped |
# | binary classification | sigmoid | BCE with logits | $(\sigma(z) - y)/N$ |
# | $C$ classes, one label | softmax | cross-entropy | $(\operatorname{softmax}(z) - \operatorname{onehot}(y))/N$ |
# | several labels at once | sigmoid per label | BCE per label | $(\sigma(z) - y)/(NK)$ |
#
# Softmax turns $C$ logits into probabilities: $\operatorname{softmax}(z)_j = e^{z_j} / \sum_k e^{z_k}$.
# Computed literally it overflows: $e^{1000} = \infty$ in float64 (anything above ~709), and
# $\infty/\infty$ is `nan`. Since $\operatorname{softmax}(z) = \operatorname{softmax}(z - c)$ for
# any constant $c$, subtract $c = \max_j z_j$: every exponent is then $\le 0$. The same trick
# gives the stable **log-sum-exp**, $\log\sum_j e^{z_j} = m + \log\sum_j e^{z_j - m}$.

# %%
# NBVAL_CHECK_OUTPUT
z = np.array([[1000.0, 999.0, 0.0]])
print("naive  :", losses.naive_softmax(z).round(4).tolist())
print("stable :", losses.softmax(z).round(4).tolist())
print("logsumexp:", np.round(losses.logsumexp(z), 4).tolist())
assert np.isnan(losses.naive_softmax(z)).any()
assert np.all(np.isfinite(losses.softmax(z))) and np.isclose(losses.softmax(z).sum(), 1.0)
assert np.allclose(losses.softmax(z), losses.softmax(z - 1000))  # shift invariance

# %%
nnbasics.show_source(losses.softmax)

# %% [markdown]
# **Why losses take logits.** $\log(\operatorname{softmax}(z)_y)$ computed as
# `np.log(softmax(z))` takes $\log 0 = -\infty$ as soon as a probability underflows. The fused
# form $z_y - \operatorname{logsumexp}(z)$ never does, and its gradient is the simple
# $\hat y - y$. The same holds for sigmoid + BCE: `bce_with_logits` uses
# $\operatorname{softplus}(z) - yz$.

# %%
with np.errstate(divide="ignore"):
    unfused = -np.log(losses.softmax(z)[0, 2])  # probability of class 2 underflows to 0
fused, _ = losses.softmax_cross_entropy(z, [2])
print(f"-log(softmax(z)[2]) = {unfused}  vs  fused cross-entropy = {fused:.1f}")
assert np.isinf(unfused) and np.isclose(fused, 1000.0 + np.log1p(np.exp(-1.0)))

# %% [markdown]
# All losses in `nnbasics.core.losses` return `(loss, dlogits)` and agree with
# `torch.nn.functional` in float64 (see `tests/test_losses.py`). On a small batch:

# %%
rng = np.random.default_rng(0)
Z = rng.normal(size=(4, 3))
targets = {"mse": rng.normal(size=(4, 3)), "mae": rng.normal(size=(4, 3)),
           "huber": rng.normal(size=(4, 3)) * 3,
           "multilabel_bce": rng.integers(0, 2, size=(4, 3)).astype(float)}
for name, target in targets.items():
    value, grad = getattr(losses, name)(Z, target)
    print(f"{name:15s} loss {value:.4f}   dlogits shape {grad.shape}")
    assert grad.shape == Z.shape and np.isfinite(value)
ce, dZ = losses.softmax_cross_entropy(Z, [0, 1, 2, 1])
print(f"{'cross-entropy':15s} loss {ce:.4f}   each dlogits row sums to 0: {np.allclose(dZ.sum(1), 0)}")
assert np.allclose(dZ.sum(axis=1), 0)

# %% [markdown]
# ## 4. Universal approximation
#
# **Theorem** (Cybenko 1989; Hornik 1991; Leshno et al. 1993 for any non-polynomial activation):
# one hidden layer with enough units can approximate any continuous function on a bounded
# region as closely as we like. It says nothing about how many units are needed, or whether
# gradient descent will find the weights.
#
# With ReLU units the idea is visible: each unit $\max(0, a x + c)$ adds one **kink**, and a
# weighted sum of kinks is any piecewise-linear curve. Below, the kinks are placed at random
# and the output weights solved by least squares — so the fit only shows what the *width*
# allows, not what training finds.

# %%
fits = {w: exp.universal_approximation(w, "sine", rng=0) for w in (2, 8, 32)}
fig, ax = plt.subplots(figsize=(7, 3.2))
ax.plot(fits[2]["x"], fits[2]["y"], color="black", lw=2.5, label="target $\\sin 2x + 0.3x$")
for color, (w, f) in zip(plotting.PALETTE, fits.items()):
    ax.plot(f["x"], f["fit"], color=color, lw=1.6, ls="--", label=f"{w} units, MSE {f['mse']:.3f}")
ax.set(xlabel="x", ylabel="f(x)", title="one hidden ReLU layer: wider fits closer")
ax.legend(fontsize=8)
fig.tight_layout()
assert fits[2]["mse"] > fits[8]["mse"] > fits[32]["mse"]

# %% [markdown]
# **Try it.** Move the width slider and switch targets. How many units does the `step` need
# before the jump looks sharp? Tick "show the hidden units" to see the weighted kinks that
# add up to the fit.

# %%
approximation = widgets.approximation_explorer()
approximation

# %% [markdown]
# ## 5. Exercises (graded)
#
# Open **`exercises/ex02_mlp_forward.py`** and implement, using numpy only:
#
# | exercise | function | what it does |
# |---|---|---|
# | 2.1 | `dense_forward(x, w, b)` | $xW + b$ for a batch, returning `(out, (x, w))` |
# | 2.2 | `softmax(logits)` | stable row-wise softmax that survives logits of 1000 |
# | 2.3 | `softmax_cross_entropy(logits, y)` | mean cross-entropy and $\partial L/\partial z$ |
#
# Check your work from a terminal in the course folder (or prefix with `!` in a cell):
#
# ```
# python -m nnbasics grade 02
# ```
#
# Until you implement an exercise, the cell below tells you where to start; once you have,
# it compares your answer with the library's.

# %%
from nnbasics.course import exercises

mine = exercises.attempt("02", "softmax", z)
if mine is not None:
    assert np.allclose(mine, losses.softmax(z)), "your softmax disagrees with nnbasics.core.losses.softmax"
    print("✅ your softmax survives logits of 1000")

# %% [markdown]
# ## 6. Quiz and key takeaways

# %%
quiz.show("02")

# %% [markdown]
# **Key takeaways**
# - A dense layer is $Z = XW + b$: $[B, D] @ [D, H] \to [B, H]$; the bias broadcasts over rows.
# - Without nonlinearities any stack of layers is one linear map; activations let the network
#   bend its decision boundary.
# - Choose the output and loss by the task; losses take **logits**, and softmax/log-sum-exp
#   subtract the maximum so that nothing overflows.
# - One wide hidden layer can approximate any continuous function — but the theorem does not
#   say how wide, or how to find the weights. Finding them is **03 · backprop by hand**.
