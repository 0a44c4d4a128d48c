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
# - read cross-entropy and MSE as maximum likelihood, and check that the loss at initialization is about $\ln C$;
# - describe what the universal approximation theorem promises (and what it does not);
# - implement a dense layer, a stable softmax, softmax cross-entropy and a Gaussian likelihood with its gradients yourself (graded).
#
# **Prerequisites:** 01 · the perceptron; matrix multiplication.
# **Run time:** about 10 s for *Run All*; 45 min to work through.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np

import nnbasics
from nnbasics import data
from nnbasics.core import activations, layers, losses, mlp
from nnbasics.course import doctor, quiz
from nnbasics.experiments import nb02_mlp_forward as exp
from nnbasics.viz import nb02_mlp_forward as widgets
from nnbasics.viz import plotting

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"

# %% [markdown]
# ## 1. A dense layer is one matrix product
#
# A layer of $H$ neurons, each a perceptron without the step, applied to a batch of $N$ inputs
# with $D$ features is a single matrix product plus a broadcast bias:
#
# $$ Z = X W + b, \qquad A = g(Z) $$
#
# | array | shape | meaning |
# |---|---|---|
# | $X$ | $[N, D]$ | one example per row |
# | $W$ | $[D, H]$ | column $j$ = weights of neuron $j$ |
# | $b$ | $[H]$ | one bias per neuron, added to every row |
# | $Z = XW + b$ | $[N, D] \,@\, [D, H] \to [N, H]$ | pre-activations |
# | $A = g(Z)$ | $[N, H]$ | activations, elementwise $g$ (ReLU, tanh, ...) |
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
# outputs $\sigma(z_2) \approx 0.666$, its probability of class 1.
#
# **An erratum you may meet.** A version of this example in circulation prints
# $z_1 = [1.05, 0.57]$ and $\hat y = 0.703$. Those are arithmetic slips:
# $z_{1,1} = 0.5 \cdot 0.8 + 1.2 \cdot 0.1 + (-0.7)(-0.3) + 0.2 = 0.93$ and
# $z_{1,2} = 0.5 \cdot (-0.4) + 1.2 \cdot 0.9 + (-0.7) \cdot 0.2 - 0.1 = 0.64$, so
# $z_2 = 0.93 \cdot 1.1 + 0.64 \cdot (-0.6) + 0.05 = 0.689$ and $\hat y = \sigma(0.689) = 0.6657$.
# (The printed $0.703$ is what the wrong $z_1$ gives: the slip propagated.)
#
# **When ReLU switches a unit off.** Feed $x = [-1.0, 0.5, 1.0]$ instead: the first hidden unit's
# pre-activation is negative, ReLU outputs exactly 0, and that unit contributes nothing to the
# output — whatever its outgoing weight.

# %%
# NBVAL_CHECK_OUTPUT
slip = np.array([[1.05, 0.57]]) @ ex["W2"] + ex["b2"]
print(f"the slipped z1 = [1.05, 0.57] would give y_hat = {1 / (1 + np.exp(-slip[0, 0])):.3f}")
assert np.allclose(ex["z1"], [[0.93, 0.64]]) and np.isclose(ex["z2"][0, 0], 0.689)
assert round(float(ex["y_hat"][0, 0]), 4) == 0.6657 and round(float(1 / (1 + np.exp(-slip[0, 0]))), 3) == 0.703

off = exp.worked_example("relu", x=[-1.0, 0.5, 1.0])
for name in ("z1", "a1", "z2", "y_hat"):
    print(f"{name:5s} = {np.round(off[name], 4).tolist()}")
assert off["z1"][0, 0] < 0 and off["a1"][0, 0] == 0.0 and off["a1"][0, 1] == off["z1"][0, 1]
assert np.isclose(off["z2"][0, 0], off["a1"][0, 1] * off["W2"][1, 0] + off["b2"][0])  # unit 1 adds nothing

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
# **Try it.** The explorer trains one hidden layer (80 epochs); it starts on the circles with
# 16 relu units. Set the activation to `identity`: whatever the width, the boundary stays
# straight and the circles fall to about chance (below). On the moons, which a line already
# separates well, that costs little (identity and relu both score 86–94 % over five seeds).
# On the spirals at width 32, the slider's
# maximum, relu gets 93–95 % of the points right, tanh learns more slowly in the same 80
# epochs (80–87 %), and sigmoid barely leaves chance (60–64 %; seeds 0–4, re-measured in
# `tests/claims`). (Each setting trains for ~0.1 s the first time, then is cached.)

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
# | regression, $K$ outputs | identity | MSE $\tfrac{1}{NK}\sum (z-y)^2$, MAE $\tfrac{1}{NK}\sum\lvert z-y\rvert$, Huber | $2(z-y)/(NK)$, $\operatorname{sign}(z-y)/(NK)$, clipped$/(NK)$ |
# | binary classification | sigmoid | BCE with logits | $(\sigma(z) - y)/N$ |
# | $C$ classes, one label | softmax | cross-entropy | $(\operatorname{softmax}(z) - \operatorname{onehot}(y))/N$ |
# | several labels at once | sigmoid per label | BCE per label | $(\sigma(z) - y)/(NK)$ |
#
# Every loss is a **mean**: over the $N$ examples, and for elementwise losses over all $N K$
# entries (as `torch.nn.functional` does by default).
#
# Softmax turns $C$ logits into probabilities: $\operatorname{softmax}(z)_j = e^{z_j} / \sum_k e^{z_k}$.
# Computed literally it overflows: $e^{1000} = \infty$ in float64 (anything above ~709), and
# $\infty/\infty$ is `nan`. Since $\operatorname{softmax}(z) = \operatorname{softmax}(z - c)$ for
# any constant $c$, subtract $c = \max_j z_j$: every exponent is then $\le 0$. The same trick
# gives the stable **log-sum-exp**, $\log\sum_j e^{z_j} = m + \log\sum_j e^{z_j - m}$.

# %%
# NBVAL_CHECK_OUTPUT
z = np.array([[1000.0, 999.0, 0.0]])
with warnings.catch_warnings(record=True) as numpy_said:  # record numpy's warnings to show them
    warnings.simplefilter("always")
    naive = losses.naive_softmax(z)
print("naive  :", naive.round(4).tolist())
print("numpy warned:", sorted({str(w.message) for w in numpy_said}))
print("stable :", losses.softmax(z).round(4).tolist())
print("logsumexp:", np.round(losses.logsumexp(z), 4).tolist())
assert np.isnan(naive).any() and any("overflow" in str(w.message) for w in numpy_said)
assert np.all(np.isfinite(losses.softmax(z))) and np.isclose(losses.softmax(z).sum(), 1.0)
assert np.allclose(losses.softmax(z), losses.softmax(z - 1000))  # shift invariance

# %%
nnbasics.show_source(losses.softmax)

# %% [markdown]
# **Why losses take logits.** $\log(\operatorname{softmax}(z)_y)$ computed as
# `np.log(softmax(z))` takes $\log 0 = -\infty$ as soon as a probability underflows. The fused
# form $z_y - \operatorname{logsumexp}(z)$ never does, and its gradient is the simple
# $\hat y - y$.

# %%
p_class2 = losses.softmax(z)[0, 2]  # e^(0 - 1000) underflows to exactly 0.0
fused, _ = losses.softmax_cross_entropy(z, [2])
print(f"softmax(z)[2] = {p_class2}, so -log of it would be -log(0) = inf;  "
      f"fused cross-entropy = {fused:.1f}")
assert p_class2 == 0.0 and np.isclose(fused, 1000.0 + np.log1p(np.exp(-1.0)))

# %% [markdown]
# The same holds for sigmoid + BCE. Define the **softplus**, a smooth ReLU,
#
# $$ \operatorname{softplus}(z) = \log(1 + e^{z}) = \max(z, 0) + \log\!\left(1 + e^{-|z|}\right), $$
#
# where the second form never overflows (its exponent is $\le 0$). Since
# $-\log\sigma(z) = \operatorname{softplus}(-z)$ and $-\log(1 - \sigma(z)) = \operatorname{softplus}(z)$,
# the BCE $-y\log\sigma(z) - (1-y)\log(1-\sigma(z))$ equals $\operatorname{softplus}(z) - yz$, which
# `bce_with_logits` computes — finite even at $z = \pm 1000$, where $\sigma(z)$ rounds to 0 or 1:

# %%
z_big = np.array([1000.0, -1000.0])
bce_big, _ = losses.bce_with_logits(z_big, np.array([0.0, 1.0]))  # both confidently wrong
print(f"sigmoid(z) = {activations.sigmoid(z_big).tolist()};  BCE on logits = {bce_big:.1f}")
assert np.isclose(bce_big, 1000.0)  # mean of softplus(1000) - 0 and softplus(-1000) + 1000

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
mse_value, mse_grad = losses.mse(Z, targets["mse"])
assert np.isclose(mse_value, np.sum((Z - targets["mse"]) ** 2) / Z.size)  # the mean over all N K = 12 entries
assert np.allclose(mse_grad, 2 * (Z - targets["mse"]) / Z.size)
ce, dZ = losses.softmax_cross_entropy(Z, [0, 1, 2, 1])
print(f"{'cross-entropy':15s} loss {ce:.4f}   each dlogits row sums to 0: {np.allclose(dZ.sum(1), 0)}")
assert np.allclose(dZ.sum(axis=1), 0)

# %% [markdown]
# ### Where these losses come from: maximum likelihood
#
# A classifier's softmax is a *distribution* over the labels, $p_\theta(y \mid x)$. A good $\theta$
# makes the labels we actually observed probable: maximise the **likelihood**
# $\prod_i p_\theta(y_i \mid x_i)$ of the training set, or equivalently minimise the mean
# **negative log-likelihood**
#
# $$ -\frac1N \log \prod_{i=1}^N p_\theta(y_i \mid x_i) = \frac1N \sum_{i=1}^N -\log \operatorname{softmax}(z_i)_{y_i}, $$
#
# which is exactly the cross-entropy (a Bernoulli $p_\theta$ gives the BCE). For regression,
# assume $y = f_\theta(x) + \varepsilon$ with Gaussian noise $\varepsilon \sim \mathcal N(0, \sigma^2)$. Then
#
# $$ -\log \mathcal N(y;\, z, \sigma^2) = \frac{(y - z)^2}{2\sigma^2} + \tfrac12 \log(2\pi\sigma^2), $$
#
# so the mean NLL is $\mathrm{MSE}/(2\sigma^2)$ plus a constant: same minimiser, same gradient
# direction. MSE *is* maximum likelihood under Gaussian noise (and MAE under Laplace noise).

# %%
p_true = losses.softmax(Z)[np.arange(4), [0, 1, 2, 1]]  # the probability given to each true label
nll = -np.log(np.prod(p_true)) / 4
print(f"cross-entropy {ce:.6f} = -log(likelihood of the 4 labels) / 4 = {nll:.6f}")
assert np.isclose(ce, nll)
sigma = 0.5
g_nll, g_grad = losses.gaussian_nll(Z, targets["mse"], sigma)
print(f"Gaussian NLL (sigma = {sigma}) {g_nll:.4f} = MSE / (2 sigma^2) + log(2 pi sigma^2) / 2 "
      f"= {mse_value / (2 * sigma**2) + 0.5 * np.log(2 * np.pi * sigma**2):.4f}")
assert np.isclose(g_nll, mse_value / (2 * sigma**2) + 0.5 * np.log(2 * np.pi * sigma**2))
assert np.allclose(g_grad, mse_grad / (2 * sigma**2))  # same direction: the same minimiser

# %% [markdown]
# ### A sanity check before training: the loss at initialization
#
# An untrained classifier should be *unsure*: if its $C$ logits are about equal, softmax is
# uniform and the cross-entropy is $-\log(1/C) = \ln C$ — 2.303 for the 10 digit classes. It
# cannot be lower on average: $\operatorname{logsumexp}(z) = \ln C + \log \operatorname{mean}_j e^{z_j}
# \ge \ln C + \operatorname{mean}_j z_j$ (Jensen), and at a random init the true class's logit is on
# average just the mean logit. Random logits with a large spread make the network *confidently
# wrong* and the loss starts far above $\ln C$ — a first thing to check in any new model. On the
# digits with He initialization:

# %%
digits = data.digits(rng=0)
init = mlp.init_params((64, 64, 10), rng=0)
loss_he, _ = mlp.loss_and_grads(digits.X_train, digits.y_train, init, "relu")
logits_he, _ = mlp.forward(digits.X_train, init, "relu")
calm = dict(init, W2=0.01 * init["W2"])  # a last layer 100x smaller: nearly equal logits
loss_calm, _ = mlp.loss_and_grads(digits.X_train, digits.y_train, calm, "relu")
print(f"ln C = {np.log(10):.4f}; He init: loss {loss_he:.3f} (logit std {logits_he.std():.2f}); "
      f"last layer x 0.01: loss {loss_calm:.4f}")
assert np.all(losses.logsumexp(logits_he) - logits_he.mean(axis=1) >= np.log(10))  # Jensen, per example
assert loss_he > np.log(10) + 0.3 and abs(loss_calm - np.log(10)) < 0.01

# %% [markdown]
# **Try it.** Scale the last layer's initial weights. Small scales give nearly equal logits,
# every example gets probability about $1/C$ for its label, and the loss sits on $\ln C$; from a
# scale of about 1 up the logits spread, many examples get almost nothing for their true
# label, and the loss climbs far above. (One particular random init can land a little *below*
# $\ln C$ by chance — this one does near a scale of 0.1 — but averaged over initialisations it
# cannot; `tests/claims` checks both.)

# %%
init_loss = widgets.init_loss_explorer()
init_loss

# %% [markdown]
# ## 4. Universal approximation
#
# **Theorem** (Cybenko 1989; Hornik 1991; Leshno et al. 1993 for any non-polynomial activation):
# one hidden layer with enough units can approximate any continuous function on a bounded
# region as closely as we like. It says nothing about how many units are needed, or whether
# gradient descent will find the weights.
#
# With ReLU units the idea is visible: each unit $\max(0, a x + c)$ adds one **kink**, and a
# weighted sum of kinks (plus a bias) can be any continuous piecewise-linear curve with that
# many kinks. Below, the kinks are placed at random and the output weights solved by least
# squares — so the fit only shows what the *width* allows, not what training finds. The kinks
# come from one random pool: a wider layer keeps the narrower one's kinks and adds more, so
# its error can only go down.

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
# Open your exercise file **[exercises/ex02_mlp_forward.py](../exercises/ex02_mlp_forward.py)**
# (a click opens it in JupyterLab's editor) and implement, using numpy only:
#
# | exercise | function | what it does |
# |---|---|---|
# | 2.1 | `dense_forward(x, w, b)` | $xW + b$ for a batch, returning `(out, (x, w))` |
# | 2.2 | `softmax(logits)` | stable row-wise softmax that survives logits of 1000 |
# | 2.3 | `softmax_cross_entropy(logits, y)` | mean cross-entropy and $\partial L/\partial z$ |
# | 2.4 | `gaussian_nll(mu, log_var, y)` | **derive it:** the Gaussian NLL when the network also predicts its variance, with $\partial L/\partial\mu$ and $\partial L/\partial \log\sigma^2$ |
#
# Save the file (<kbd>Ctrl</kbd>+<kbd>S</kbd>), then click **Grade my exercises** at the end of
# this section: it runs the course's tests on your file and shows your points per exercise,
# the first check that failed and a hint. Prefer a terminal? `python -m nnbasics grade 02`
# in the course folder does the same.
#
# Until you implement an exercise, the cell below tells you where to start; once you have,
# it compares your answer with the library's.

# %%
from nnbasics.course import exercises

mine = exercises.attempt("02", "softmax", z)
if mine is not None:
    assert np.allclose(mine, losses.softmax(z)), "your softmax disagrees with nnbasics.core.losses.softmax"
    print("✅ your softmax survives logits of 1000")

# %%
exercises.grade_button("02")

# %% [markdown]
# ## 6. Quiz and key takeaways

# %%
quiz.show("02")

# %% [markdown]
# **Key takeaways**
# - A dense layer is $Z = XW + b$: $[N, D] @ [D, H] \to [N, H]$; the bias broadcasts over rows.
# - Without nonlinearities any stack of layers is one linear map; activations let the network
#   bend its decision boundary.
# - Choose the output and loss by the task; losses take **logits**, and softmax/log-sum-exp
#   subtract the maximum so that nothing overflows.
# - Cross-entropy is the negative log-likelihood of the labels, MSE that of Gaussian noise;
#   at initialization a classifier's loss should be about $\ln C$.
# - One wide hidden layer can approximate any continuous function — but the theorem does not
#   say how wide, or how to find the weights. Finding them is **03 · backprop by hand**.
