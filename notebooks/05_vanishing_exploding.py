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
# # 05 · Vanishing and exploding gradients
#
# **Learning goals** — after this notebook you can
# - explain why backpropagation through $L$ layers multiplies $L$ Jacobians, and why that
#   product shrinks (sigmoid: at most $0.25^L$) or blows up (large weights);
# - measure per-layer gradient norms of a real deep network and find the first layer where a
#   NaN/inf appears;
# - name five remedies — ReLU, proper initialization, normalization, residual connections,
#   gradient clipping — and show with a measurement what each one changes;
# - read Karpathy-style diagnostics: activation/gradient histograms and the update-to-data ratio;
# - implement global gradient-norm clipping and a per-layer gradient probe yourself (graded).
#
# **Prerequisites:** 03 (backpropagation), 04 (activation functions); torch basics.
# **Run time:** about 10 s for *Run All*; 40 min to work through.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import nnbasics
from nnbasics import data
from nnbasics.core import gradflow
from nnbasics.course import doctor, quiz
from nnbasics.lab import diagnostics as dg
from nnbasics.lab.models import MLPConfig, build_mlp
from nnbasics.viz import nb05_gradients as widgets
from nnbasics.viz.plotting import PALETTE

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"
torch.set_num_threads(1)  # our networks are tiny: one thread is faster than two that wait for each other
rng = np.random.default_rng(0)
X, y = rng.standard_normal((64, 16)), rng.integers(0, 4, 64)  # a fixed batch: N=64, D=16, C=4 classes

# %% [markdown]
# ## 1. See it first
#
# The explorer builds a fresh, **untrained** MLP (width 32), runs one forward and one backward
# pass on a fixed batch and plots $\lVert \partial L / \partial W_l \rVert$ for every layer
# on a log scale (layer 1 is next to the input). Start with sigmoid: each step down the
# plot is a factor lost on the way back. Then
# - increase the depth to 30 or 50: how many orders of magnitude separate layer 1 from the last?
# - switch to ReLU with `init = he`; then push the init scale to 2 or 4;
# - try `norm = batch` and the `residual` box with sigmoid.

# %%
grad_explorer = widgets.gradient_explorer(depth=10, activation="sigmoid")
grad_explorer

# %% [markdown]
# ## 2. Why: a product of Jacobians
#
# A plain MLP computes $h_l = f(z_l)$ with $z_l = W_l h_{l-1} + b_l$. By the chain rule the
# gradient reaching layer $l-1$ is the gradient at layer $l$ times that layer's Jacobian:
#
# $$ \frac{\partial L}{\partial h_{l-1}} = W_l^{\top}\,\operatorname{diag}\big(f'(z_l)\big)\,\frac{\partial L}{\partial h_l}
# \quad\Longrightarrow\quad
# \frac{\partial L}{\partial h_0} = \prod_{l=1}^{L} \Big(W_l^{\top}\operatorname{diag}\big(f'(z_l)\big)\Big)\,\frac{\partial L}{\partial h_L}. $$
#
# Taking norms, $\lVert \partial L/\partial h_0 \rVert \le \prod_l \big(\max|f'| \cdot \lVert W_l\rVert_2\big)\,\lVert \partial L/\partial h_L\rVert$.
# For the sigmoid $\max \sigma' = \sigma'(0) = 0.25$, so with weights of spectral norm at most 1
# the gradient shrinks by **at least** $0.25^L$: for $L = 10$ that is $0.25^{10} \approx 9.5\times10^{-7}$,
# less than one millionth. If instead $\lVert W_l \rVert_2\max|f'| > 1$ for every layer, the
# same product can grow geometrically: **exploding** gradients.
#
# The simplest case is a chain of scalar units $h_l = \sigma(w_l h_{l-1})$, where the
# Jacobians are numbers and the product is explicit:

# %%
nnbasics.show_source(gradflow.chain_grad)

# %%
# NBVAL_CHECK_OUTPUT
x0 = np.array([-1.0, 0.0, 1.0])
chain10 = gradflow.chain_grad(x0, np.ones(10), "sigmoid")  # ten units, all weights 1
print(f"0.25**10 = {gradflow.sigmoid_bound(10):.3e}")
print("d h_10 / d h_0 for x =", x0, ":", np.array2string(chain10, precision=3))
assert gradflow.sigmoid_bound(10) <= 1e-6
assert np.all(np.abs(chain10) <= gradflow.sigmoid_bound(10))

# %% [markdown]
# ### On a real deep network
#
# Now a 10-hidden-layer sigmoid MLP with torch's default init. `jacobian_chain` measures how
# much the gradient shrinks from the last hidden layer back to the input,
# $\lVert \partial L/\partial X \rVert / \lVert \partial L/\partial h_{10} \rVert$, and
# computes the bound $\prod_l 0.25\,\lVert W_l\rVert_2$ from the actual weights.

# %%
sig10 = build_mlp(MLPConfig(d_in=16, hidden=(32,) * 10, d_out=4, activation="sigmoid"))
chain = dg.jacobian_chain(sig10, X, y)
stats10 = dg.layer_stats(sig10, X, y)
first_over_last = stats10.grad_norms[0] / stats10.grad_norms[-1]
print(f"spectral norms of W_l: {np.round(chain.spectral_norms, 2)}")
print(f"measured shrink {chain.measured:.1e} <= bound {chain.bound:.1e}  (0.25^10 = {chain.slope_bound:.1e})")
print(f"weight-gradient norm, first layer / last layer: {first_over_last:.1e}")
assert chain.measured <= chain.bound  # the product-of-Jacobians bound holds on real weights
assert chain.measured < gradflow.sigmoid_bound(10) and first_over_last < gradflow.sigmoid_bound(10)

# %% [markdown]
# The weights here have $\lVert W_l \rVert_2 \approx 1.1$, so the bound is a bit looser than
# $0.25^{10}$; the measured shrink is far smaller still, because most $\sigma'(z)$ are below
# their maximum. The first layer's gradient is about $10^{-9}$ of the last one's: with one
# learning rate for all layers, the first layers barely move.

# %%
fig, ax = plt.subplots(figsize=(6, 3.2))
layers = np.arange(1, stats10.grad_norms.size + 1)
ax.semilogy(layers, stats10.grad_norms, "o-", color=PALETTE[0], label="measured $\\|\\partial L/\\partial W_l\\|$")
ax.semilogy(layers, stats10.grad_norms[-1] * 0.25 ** (layers[-1] - layers), "--", color=PALETTE[5],
            label="last layer $\\times\\, 0.25^{L-l}$")
ax.set(xlabel="layer l (1 = next to the input)", ylabel="gradient norm (log scale)",
       title="10 sigmoid layers: the gradient fades towards the input")
ax.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# ## 3. Exploding gradients, and hunting the first NaN
#
# Scale He-initialized weights up by 3 and each ReLU layer multiplies the signal — and the
# gradient — by about 3. Twenty layers give $3^{20} \approx 3\times10^{9}$:

# %%
big = build_mlp(MLPConfig(d_in=16, hidden=(32,) * 20, d_out=4, activation="relu", init="he", init_scale=3.0))
big_norms = dg.layer_grad_norms(big, X, y)
print(f"gradient norms from {big_norms.min():.1e} to {big_norms.max():.1e}")
assert big_norms.min() > 1e8

# %% [markdown]
# Push further (50 linear layers, weights with std 10) and float32 overflows to `inf`; one
# more operation such as `inf - inf` turns it into `NaN`, and the whole model is lost after a
# single update. `first_nonfinite` hooks every module and names the first one whose output
# (forward) or gradient (backward) is not finite:

# %%
huge = build_mlp(MLPConfig(d_in=16, hidden=(32,) * 50, d_out=4, activation="identity",
                           init="normal", init_scale=10.0))
found = dg.first_nonfinite(huge, X, y)
print(found.message)
assert found.stage == "forward" and found.value == "inf" and 0 < found.linear_index < 50
assert dg.first_nonfinite(sig10, X, y) is None  # a healthy network reports nothing

# %% [markdown]
# ## 4. Remedies, each with a measurement
#
# We measure the ratio $\lVert \partial L/\partial W_1\rVert / \lVert \partial L/\partial W_{L}\rVert$
# (first layer over last) for 20-hidden-layer networks. 1 is perfect flow; $10^{-17}$ means
# the first layers never learn.
#
# | remedy | why it helps |
# |---|---|
# | **ReLU** (+ He init) | $f'(z) = 1$ for $z > 0$: no 0.25 per layer |
# | **proper init** (Xavier for tanh) | keeps $\lVert W_l \rVert_2\,\max|f'| \approx 1$ |
# | **normalization** (BatchNorm) | re-scales every layer's pre-activations to unit variance |
# | **residual connections** $h + F(h)$ | the Jacobian is $I + \partial F/\partial h$: an identity path for the gradient |
# | **gradient clipping** | caps the *size* of an exploding update (does not fix vanishing) |

# %%
remedies = {
    "sigmoid (baseline)": dict(activation="sigmoid"),
    "ReLU + He init": dict(activation="relu", init="he"),
    "tanh + Xavier init": dict(activation="tanh", init="xavier"),
    "sigmoid + BatchNorm": dict(activation="sigmoid", norm="batch"),
    "sigmoid + residual": dict(activation="sigmoid", residual=True),
}
profiles = {name: dg.layer_grad_norms(build_mlp(MLPConfig(d_in=16, hidden=(32,) * 20, d_out=4, **kw)), X, y)
            for name, kw in remedies.items()}
ratios = {name: g[0] / g[-1] for name, g in profiles.items()}
for name, r in ratios.items():
    print(f"{name:22s} first/last = {r:.1e}")
baseline = ratios["sigmoid (baseline)"]
assert baseline < 1e-12
assert all(r > 1e6 * baseline for name, r in ratios.items() if name != "sigmoid (baseline)")

# %%
fig, ax = plt.subplots(figsize=(7, 3.6))
for (name, g), color in zip(profiles.items(), PALETTE):
    ax.semilogy(np.arange(1, g.size + 1), g, "o-", ms=3, color=color, label=name)
ax.set(xlabel="layer l (1 = next to the input)", ylabel="$\\|\\partial L/\\partial W_l\\|$ (log scale)",
       title="20 hidden layers: each remedy restores gradient flow")
ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()

# %% [markdown]
# The residual network still loses some gradient (its sigmoid branches do), but the identity
# path keeps the first layers within a few orders of magnitude instead of seventeen.
#
# ### Gradient clipping
#
# Clipping rescales **all** gradients together when their global norm exceeds a threshold, so
# the update keeps its direction but its length is capped:
#
# $$ g \leftarrow g \cdot \min\Big(1, \frac{\tau}{\lVert g\rVert}\Big), \qquad \lVert g\rVert = \sqrt{\textstyle\sum_{\text{all parameters}} \lVert g_i\rVert^2}. $$
#
# Our numpy version agrees with `torch.nn.utils.clip_grad_norm_` to float64 precision (tested):

# %%
nnbasics.show_source(gradflow.clip_grad_norm)

# %%
loss = torch.nn.functional.cross_entropy(big(torch.tensor(X, dtype=torch.float32)), torch.tensor(y))
grads = [g.detach().double().numpy() for g in torch.autograd.grad(loss, list(big.parameters()))]
clipped, total = gradflow.clip_grad_norm(grads, max_norm=1.0)
new_total = np.sqrt(sum(np.sum(c**2) for c in clipped))
print(f"total norm before {total:.2e}, after {new_total:.3f}")
assert total > 1e8 and abs(new_total - 1.0) < 1e-6

# %% [markdown]
# A measurement that matters: train a 10-layer ReLU MLP whose weights are 1.5x too large on the
# spirals with plain full-batch SGD (`lr = 0.1`, 60 steps), once without and once with clipping
# at norm 1. `dg.sgd_steps` is a minimal loop that uses the `clip_grad_norm` above.

# %%
Xs, ys = data.spirals(300, rng=0, n_classes=3)
runs = {}
for clip in (None, 1.0):
    model = build_mlp(MLPConfig(d_in=2, hidden=(32,) * 10, d_out=3, activation="relu", init="he", init_scale=1.5))
    runs[clip] = dg.sgd_steps(model, Xs, ys, lr=0.1, steps=60, max_norm=clip)
    print(f"clip={clip}: diverged={runs[clip]['diverged']} after {len(runs[clip]['losses'])} steps, "
          f"loss {runs[clip]['losses'][0]:.3g} -> {runs[clip]['losses'][-1]:.3g}")
assert runs[None]["diverged"] and not runs[1.0]["diverged"]
assert runs[1.0]["losses"][-1] < 0.2 * runs[1.0]["losses"][0]

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
for clip, color in zip((None, 1.0), PALETTE):
    label = "no clipping" if clip is None else f"clip at {clip:g}"
    ax1.semilogy(runs[clip]["losses"], "o-" if clip is None else "-", ms=3, color=color, label=label)
    ax2.semilogy(runs[clip]["grad_norms"], "o-" if clip is None else "-", ms=3, color=color, label=label)
ax1.set(xlabel="SGD step", ylabel="training loss (log scale)", title="without clipping the loss explodes")
ax2.set(xlabel="SGD step", ylabel="global gradient norm (log scale)", title="gradient norm before clipping")
ax1.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# ## 5. Karpathy-style diagnostics
#
# Before (and while) training, look at every layer at once:
# - **activation histograms** should look alike at every depth; tanh outputs piling up at $\pm 1$
#   mean saturation ($\tanh' \approx 0$, no gradient); a spike at 0 for ReLU means dead units;
# - **gradient histograms** of $\partial L/\partial h_l$ should also have similar widths;
# - the **update-to-data ratio** $\operatorname{std}(\Delta W_l)/\operatorname{std}(W_l)$ of one
#   step should be around $10^{-3}$: far below and the layer barely learns, near $10^{-1}$ and
#   it changes too violently.

# %%
tanh_ok = build_mlp(MLPConfig(d_in=16, hidden=(32,) * 6, d_out=4, activation="tanh", init="xavier"))
tanh_big = build_mlp(MLPConfig(d_in=16, hidden=(32,) * 6, d_out=4, activation="tanh", init="xavier", init_scale=4.0))
fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
for ax, model, title in [(axes[0], tanh_ok, "tanh, Xavier"), (axes[1], tanh_big, "tanh, Xavier x4")]:
    h = dg.layer_histograms(model, X, y, bins=30)
    centers = (h.act_edges[:-1] + h.act_edges[1:]) / 2
    for k, counts in enumerate(h.act_counts):
        ax.plot(centers, counts, color=plt.cm.viridis(k / len(h.act_counts)), label=f"layer {k + 1}")
    ax.set(xlabel="activation value", ylabel="count", title=f"{title}: activations")
axes[0].legend(fontsize=7)
h = dg.layer_histograms(tanh_ok, X, y, bins=30)
centers = (h.grad_edges[:-1] + h.grad_edges[1:]) / 2
for k, counts in enumerate(h.grad_counts):
    axes[2].plot(centers, counts, color=plt.cm.viridis(k / len(h.grad_counts)))
axes[2].set(xlabel="$\\partial L/\\partial h_l$", ylabel="count", title="tanh, Xavier: gradients")
fig.tight_layout()

# %%
sat_ok, sat_big = dg.layer_stats(tanh_ok, X, y).saturated, dg.layer_stats(tanh_big, X, y).saturated
print("saturated fraction (|tanh| > 0.97) per layer, Xavier   :", np.round(sat_ok, 2))
print("saturated fraction (|tanh| > 0.97) per layer, Xavier x4:", np.round(sat_big, 2))
assert sat_big.mean() > 0.3 and sat_ok.mean() < 0.05

# %%
relu_he = build_mlp(MLPConfig(d_in=16, hidden=(32,) * 6, d_out=4, activation="relu", init="he"))
fig, ax = plt.subplots(figsize=(6, 3.2))
for lr, color in zip((1e-3, 1e-2, 1.0), PALETTE):
    r = dg.update_ratios(relu_he, X, y, lr=lr)
    ax.plot(np.arange(1, r.size + 1), np.log10(r), "o-", color=color, label=f"SGD lr = {lr:g}")
ax.axhline(-3, color=PALETTE[7], ls="--", lw=1, label="rule of thumb: $10^{-3}$")
ax.set(xlabel="layer l", ylabel="log10 update / data", title="update-to-data ratio of one step")
ax.legend(fontsize=8)
fig.tight_layout()
ratios_lr1 = dg.update_ratios(relu_he, X, y, lr=1.0)
assert np.allclose(dg.update_ratios(relu_he, X, y, lr=1e-2), ratios_lr1 / 100)  # SGD: linear in lr
assert np.all(ratios_lr1 > 1e-2)  # lr = 1 rewrites ~10% of every weight matrix per step: far too violent

# %% [markdown]
# For this network `lr = 0.01` sits near the $10^{-3}$ line; `lr = 1` changes every layer by
# several percent per step (it would diverge), and `lr = 0.001` would learn very slowly. The
# output layer (7) moves fastest: its gradient is the largest.

# %% [markdown]
# ## 6. Exercises (graded)
#
# Open **`exercises/ex05_gradients.py`** and implement:
#
# | exercise | function | what it does |
# |---|---|---|
# | 5.1 | `clip_grad_norm(grads, max_norm)` | global norm clipping in numpy; return `(clipped, total)` like `torch.nn.utils.clip_grad_norm_` |
# | 5.2 | `layer_grad_norms(model, X, y)` | one forward + backward of a torch model, $\lVert\partial L/\partial W_l\rVert$ for every `nn.Linear` |
# | 5.3 | `sigmoid_chain_grad(x, weights)` | $dh_L/dh_0$ of a chain of sigmoid units as a product of local derivatives |
#
# Check your work from a terminal in the course folder (or prefix with `!` in a cell):
#
# ```
# python -m nnbasics grade 05
# ```
#
# Until you implement an exercise the cell below tells you where to start; once you have, it
# compares your answer with the library's.

# %%
from nnbasics.course import exercises

mine = exercises.attempt("05", "clip_grad_norm", grads, 1.0)
if mine is not None:
    ref_clipped, ref_total = gradflow.clip_grad_norm(grads, 1.0)
    assert np.isclose(mine[1], ref_total), "your total norm differs from nnbasics.core.gradflow.clip_grad_norm"
    assert all(np.allclose(a, b) for a, b in zip(mine[0], ref_clipped)), "your clipped gradients differ"
    print("✅ your clip_grad_norm matches the library on the exploding network's gradients")

# %% [markdown]
# ## 7. Quiz and key takeaways

# %%
quiz.show("05")

# %% [markdown]
# **Key takeaways**
# - Backprop multiplies one Jacobian $W_l^\top \operatorname{diag}(f'(z_l))$ per layer; the
#   gradient's size is a product of $L$ factors, so it vanishes or explodes geometrically.
# - Sigmoid contributes at most 0.25 per layer: 10 layers $\Rightarrow$ at most $0.25^{10} < 10^{-6}$
#   (with $\lVert W\rVert_2 \le 1$) — measured on a real network above.
# - Too-large weights explode the forward signal and the gradients, up to `inf`/`NaN`; find the
#   first bad layer with hooks instead of guessing.
# - Remedies: ReLU-family activations, init matched to the activation (He, Xavier),
#   normalization, residual connections; clip the global gradient norm against explosions.
# - Monitor per-layer gradient norms, activation/gradient histograms and the update-to-data
#   ratio ($\approx 10^{-3}$) — next: **06 · weight initialization**.
