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
# - explain why backpropagation through $L$ layers multiplies $L$ Jacobians, why that
#   product shrinks (sigmoid: to at most $0.25^L$ with unit-norm weights) or blows up, and
#   predict the measured shrink from the weights' typical gain;
# - do the same for a recurrent network, where one matrix is applied $T$ times and its
#   eigenvalues decide;
# - measure per-layer gradient norms of a real deep network and find the first layer where a
#   NaN/inf appears;
# - say what each remedy — ReLU, matched initialization, normalization, residual connections,
#   clipping by norm or by value — changes, with a measurement, including where BatchNorm
#   alone is not enough;
# - read Karpathy-style diagnostics: activation/gradient histograms and the update-to-data ratio;
# - implement global gradient-norm clipping and a per-layer gradient probe, and derive the
#   Jacobian of a recurrence yourself (graded).
#
# **Prerequisites:** 03 (backpropagation), 04 (activation functions); torch basics.
# **Run time:** about 15 s for *Run All*; 45–60 min to work through.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import nnbasics
from nnbasics.core import gradflow
from nnbasics.course import doctor, quiz
from nnbasics.experiments import nb05_gradients as exp
from nnbasics.lab import diagnostics as dg
from nnbasics.lab.models import MLPConfig, build_mlp
from nnbasics.viz import nb05_gradients as widgets
from nnbasics.viz.plotting import PALETTE

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"
torch.set_num_threads(1)  # our networks are tiny: one thread is faster than two that wait for each other
X, y = exp.batch(seed=0)  # a fixed batch: N=64, D=16, C=4 classes

# %% [markdown]
# ## 1. See it first
#
# The explorer builds a fresh, **untrained** MLP (width 32), runs one forward and one backward
# pass on a fixed batch and plots $\lVert \partial L / \partial W_l \rVert$ for every layer
# on a log scale (layer 1 is next to the input). Start with sigmoid: each step down the
# plot is a factor lost on the way back. Then
# - increase the depth to 30 or 50: how many orders of magnitude separate layer 1 from the last?
# - switch to ReLU with `init = he`; then push the init scale to 2 or 4. The first/last ratio
#   does not move (a uniform scale multiplies every layer's gradient alike) — watch the
#   *largest* norm instead;
# - try `norm = batch` and the `residual` box with sigmoid; then `norm = batch` with ReLU, He
#   init and depth 50 (§4 explains what you see).

# %%
grad_explorer = widgets.gradient_explorer(depth=10, activation="sigmoid")
grad_explorer

# %% [markdown]
# The settings above, computed by the explorer's own function:

# %%
profile = widgets.gradient_profile
sig = {d: profile(d, "sigmoid")["ratio"] for d in (10, 30, 50)}
relu = {s: profile(10, "relu", "he", s) for s in (1.0, 2.0, 4.0)}
print("sigmoid, first/last by depth:", {d: f"{r:.0e}" for d, r in sig.items()})
print("ReLU + He, by init scale:", {s: f"ratio {r['ratio']:.2f}, largest {r['grad_norms'].max():.0e}"
                                     for s, r in relu.items()})
assert sig[10] < 1e-8 and sig[30] < 1e-25 and sig[50] < 1e-42
assert all(abs(r["ratio"] - relu[1.0]["ratio"]) < 0.01 for r in relu.values())  # scale-blind ratio
assert relu[1.0]["grad_norms"].max() < 10 < 1e3 < relu[2.0]["grad_norms"].max() < 1e6 < relu[4.0]["grad_norms"].max()

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
# the gradient shrinks to **at most** $0.25^L$ of its size: for $L = 10$ that is
# $0.25^{10} \approx 9.5\times10^{-7}$, less than one millionth. If instead
# $\lVert W_l \rVert_2\max|f'| > 1$ for every layer, the same product *can* grow
# geometrically: **exploding** gradients.
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
# Now a 10-hidden-layer sigmoid MLP with torch's default init. We measure how much the
# gradient shrinks from the last hidden layer back to the input,
# $\lVert \partial L/\partial X \rVert / \lVert \partial L/\partial h_{10} \rVert$, and compare
# it with the bound $\prod_l 0.25\,\lVert W_l\rVert_2$ computed from the actual weights:

# %%
shrink = exp.sigmoid_shrink(depth=10, width=32, seed=0)
print(f"spectral norms of W_l: {np.round(shrink.spectral_norms, 2)}")
print(f"measured shrink {shrink.measured:.1e} <= bound {shrink.bound:.1e}  (0.25^10 = {0.25**10:.1e})")
print(f"weight-gradient norm, first layer / last layer: {shrink.first_over_last:.1e}")
assert shrink.measured <= shrink.bound  # the product-of-Jacobians bound holds on real weights
assert shrink.measured < gradflow.sigmoid_bound(10) and shrink.first_over_last < 1e-8
assert 1.0 < shrink.spectral_norms.min() and shrink.spectral_norms.max() < 1.4

# %% [markdown]
# The weights have $\lVert W_l \rVert_2$ between 1.0 and 1.4, so the bound is looser than
# $0.25^{10}$ — yet the measured shrink is a thousand times smaller still. **Why?** Not
# because $\sigma'$ is small: its root-mean-square over the batch is 0.23–0.25, almost the
# maximum. The bound assumes the gradient is always aligned with each $W_l^\top$'s most-stretched
# direction; a *typical* vector is stretched by the root-mean-square gain instead,
#
# $$ \lVert W^\top g \rVert \approx \sqrt{n_\text{in}\operatorname{Var}(w)}\;\lVert g\rVert, \qquad
# \text{torch's default init: } \operatorname{Var}(w) = \frac{1}{3n_\text{in}} \Rightarrow \text{gain } \tfrac{1}{\sqrt3}\approx 0.58 . $$
#
# So each layer multiplies the gradient by about $0.24 \times 0.58 \approx 0.14$, and ten layers
# by $\approx 3\times10^{-9}$ — the measured value:

# %%
print(f"rms sigma'(z) per layer: {np.round(shrink.rms_slope, 3)}")
print(f"rms gain sqrt(fan_in Var w): {np.round(shrink.rms_gain, 3)}")
print(f"predicted prod(rms slope x rms gain) = {shrink.predicted:.1e}   measured {shrink.measured:.1e}")
assert np.all(shrink.rms_slope > 0.23) and np.all(np.abs(shrink.rms_gain - 3**-0.5) < 0.03)
assert abs(np.log10(shrink.measured / shrink.predicted)) < 0.3  # within a factor of 2

# %% [markdown]
# With one learning rate for all layers, the first layers (about $10^{-9}$ of the last
# layer's weight gradient) barely move.

# %%
stats10 = dg.layer_stats(build_mlp(MLPConfig(d_in=16, hidden=(32,) * 10, d_out=4, activation="sigmoid")), X, y)
fig, ax = plt.subplots(figsize=(6, 3.2))
layers = np.arange(1, stats10.grad_norms.size + 1)
ax.semilogy(layers, stats10.grad_norms, "o-", color=PALETTE[0], label="measured $\\|\\partial L/\\partial W_l\\|$")
ax.semilogy(layers, stats10.grad_norms[-1] * 0.25 ** (layers[-1] - layers), "--", color=PALETTE[5],
            label="last layer $\\times\\, 0.25^{L-l}$")
ax.set(xlabel="layer l (1 = next to the input)", ylabel="gradient norm (log scale)",
       title="10 sigmoid layers: the gradient fades towards the input")
ax.legend(fontsize=8)
fig.tight_layout()
assert np.isclose(stats10.grad_norms[0] / stats10.grad_norms[-1], shrink.first_over_last)

# %% [markdown]
# ## 3. Exploding gradients, and hunting the first NaN
#
# Scale He-initialized weights up by 3 and each ReLU layer multiplies the signal — and the
# gradient — by about 3. Twenty layers give $3^{20} \approx 3\times10^{9}$:

# %%
boom = exp.exploding_growth(depth=20, scale=3.0, seed=0)
print(f"gradient norms from {boom['grad_norms'].min():.1e} to {boom['grad_norms'].max():.1e}; per layer: "
      f"signal x{boom['act_growth']:.2f}, gradient x{boom['grad_growth']:.2f}")
assert boom["grad_norms"].min() > 1e8
assert 2.7 < boom["act_growth"] < 3.3 and 2.7 < boom["grad_growth"] < 3.3

# %% [markdown]
# Push further (50 hidden layers, weights with std 10, no activation) and float32 overflows
# to `inf`; one more operation such as `inf - inf` turns it into `NaN`, and the whole model is
# lost after a single update. (Which one you see first depends on your CPU: a matrix-multiply
# kernel that splits a sum into partial sums can overflow one part to `+inf` and another to
# `-inf` and add them, giving `NaN` in the very layer where `inf` would have appeared.)
# `first_nonfinite` hooks every module and names the first one whose output (forward) or
# gradient (backward) is not finite:

# %%
sig10 = build_mlp(MLPConfig(d_in=16, hidden=(32,) * 10, d_out=4, activation="sigmoid"))
huge = build_mlp(MLPConfig(d_in=16, hidden=(32,) * 50, d_out=4, activation="identity",
                           init="normal", init_scale=10.0))
found = dg.first_nonfinite(huge, X, y)
print(found.message)
assert found.stage == "forward" and found.value in ("inf", "nan") and 0 < found.linear_index < 50
assert dg.first_nonfinite(sig10, X, y) is None  # a healthy network reports nothing

# %% [markdown]
# ## 4. Remedies, each with a measurement
#
# | remedy | what it changes |
# |---|---|
# | **ReLU** (+ He init) | $f'(z) = 1$ for $z > 0$: no factor 0.25 per layer |
# | **matched init** (Xavier for tanh, He for ReLU) | keeps the *typical* gain $\sqrt{n\operatorname{Var}(w)\,\mathbb E[f'^2]}\approx 1$ per layer, so activations and gradients keep their variance (the spectral norm is then ≈ 2, not 1: it is the typical direction that matters) |
# | **normalization** (BatchNorm) | re-scales every layer's pre-activations to unit variance in the *forward* pass; the backward pass still grows by a fixed factor per layer at initialisation (ReLU: 1.21, see below) |
# | **residual connections** $h + F(h)$ | the Jacobian is $I + \partial F/\partial h$: an identity path for the gradient |
# | **gradient clipping** | caps the *size* of an exploding update (does not fix vanishing) |
#
# The "≈ 2, not 1" is measured here on a 32×32 Xavier matrix:

# %%
Wx = build_mlp(MLPConfig(d_in=32, hidden=(32,), d_out=4, init="xavier", seed=0))[0][0].weight.detach().double().numpy()
spectral, rms_gain = np.linalg.norm(Wx, 2), np.sqrt(Wx.shape[1] * Wx.var())
print(f"Xavier 32x32: spectral norm {spectral:.2f}, rms gain sqrt(fan_in Var w) {rms_gain:.2f}")
assert 1.7 < spectral < 2.1 and abs(rms_gain - 1) < 0.05

# %% [markdown]
# We measure 20-hidden-layer networks two ways: the weight gradients
# $\lVert \partial L/\partial W_l\rVert$ (what the optimizer sees) and the gradient reaching each
# hidden layer's output, $\lVert \partial L/\partial h_l\rVert$ (the *flow*: for a residual block,
# $h_l$ is the stream after the addition). The first/last ratio of the flow is 1 for perfect
# flow; $10^{-17}$ means the first layers never learn.

# %%
profiles = exp.remedy_profiles(depth=20, seed=0)
flow = {name: p["act_grads"][0] / p["act_grads"][-1] for name, p in profiles.items()}
wratio = {name: p["weight_grads"][0] / p["weight_grads"][-1] for name, p in profiles.items()}
for name in profiles:
    print(f"{name:22s} flow ||dL/dh_1|| / ||dL/dh_20|| = {flow[name]:.1e};  weights first/last = {wratio[name]:.1e}")
baseline = flow["sigmoid (baseline)"]
assert baseline < 1e-15 and wratio["sigmoid (baseline)"] < 1e-16
assert all(0.1 < r < 10 for name, r in flow.items() if name != "sigmoid (baseline)")
assert 0.9 < flow["sigmoid + residual"] < 1.2 and wratio["sigmoid + residual"] < 3e-3
stream = profiles["sigmoid + residual"]["stream_rms"]
print(f"residual stream RMS: after layer 1 {stream[0]:.2f}, after layer 20 {stream[-1]:.1f}")
assert stream[-1] > 15 * stream[0]

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
for (name, p), color in zip(profiles.items(), PALETTE):
    ax1.semilogy(np.arange(1, p["act_grads"].size + 1), p["act_grads"], "o-", ms=3, color=color, label=name)
    ax2.semilogy(np.arange(1, p["weight_grads"].size + 1), p["weight_grads"], "o-", ms=3, color=color, label=name)
ax1.set(xlabel="hidden layer l (1 = next to the input)", ylabel="$\\|\\partial L/\\partial h_l\\|$ (log)",
        title="gradient flow: every remedy keeps it within 10x")
ax2.set(xlabel="linear layer l", ylabel="$\\|\\partial L/\\partial W_l\\|$ (log)",
        title="weight gradients also scale with each layer's input")
ax1.legend(fontsize=7, loc="lower right")
fig.tight_layout()

# %% [markdown]
# The residual network's flow is flat: the gradient reaching its first hidden layer is
# 0.9–1.2 times the one at its last (seeds 0–4: 1.04–1.17) — the identity path passes it back
# unchanged. Its *weight*-gradient ratio is still about $10^{-3}$, for another reason:
# $\partial L/\partial W_l = \delta_l\, h_{l-1}^\top$ also scales with the layer's *input*, and the
# residual stream grows as each sigmoid branch adds its (positive, ≈ 0.5) output: its RMS goes
# from 0.5 after layer 1 to about 10 after layer 20 (printed above), and the output layer reads
# that large stream while layer 1 reads the raw input. Judge gradient flow by
# $\partial L/\partial h_l$; a small weight gradient can just mean a small input.
#
# ### BatchNorm is not enough at depth: the backward pass still explodes at initialisation
#
# BatchNorm divides each pre-activation by its batch standard deviation, so the **forward**
# signal keeps unit scale at any depth. Backward, each layer multiplies the gradient by the next
# layer's weights divided by that standard deviation, and by $f'$. For $z\sim\mathcal N(0,1)$ the
# squared norm grows per layer by about
#
# $$ \lambda = \frac{\mathbb E[f'(z)^2]}{\operatorname{Var} f(z)}, \qquad
# \text{ReLU: } \frac{1/2}{\tfrac12 - \tfrac{1}{2\pi}} = \frac{\pi}{\pi-1} \approx 1.467,\ \ \sqrt\lambda \approx 1.21 $$
#
# — the part of $\mathbb E[f(z)^2]$ that is the *mean* of ReLU's output is removed by the next
# BatchNorm in the forward pass but not in the backward pass (Yang et al., 2019 derive this
# exactly). Fifty layers give $1.21^{50}\approx 10^{4}$. Measured with batch 256:

# %%
bn = {act: exp.batchnorm_gradient_growth(act, depth=50, seed=0) for act in ("relu", "tanh", "identity")}
bn_res = exp.batchnorm_gradient_growth("relu", depth=50, residual=True, seed=0)
for act, r in bn.items():
    print(f"{act:<8} + BatchNorm, 50 layers: gradient x{r.growth:.3f} per layer (predicted x{r.predicted:.3f}), "
          f"first/last {r.first_over_last:.1e}; activation std {r.act_std[0]:.2f} -> {r.act_std[-1]:.2f}")
print(f"relu + BatchNorm on residual branches: x{bn_res.growth:.3f} per layer, first/last {bn_res.first_over_last:.1e}")
for r in bn.values():
    assert abs(r.growth / r.predicted - 1) < 0.04
    assert abs(np.log(r.act_std[-1] / r.act_std[0])) < 0.2  # the forward signal is fine
assert bn["relu"].first_over_last > 1e3 and bn_res.first_over_last < 1e2 and 1.01 < bn_res.growth < 1.03

# %% [markdown]
# So the remedies table needs its footnote: BatchNorm fixes the forward scale, not the backward
# growth at initialisation — ReLU + BatchNorm at depth 50 starts with first-layer gradients
# $10^4$ times the last layer's. Deep BatchNorm networks in practice put BatchNorm on residual
# branches (ResNets): here that brings the growth down to about 1.02 per layer (1.016–1.025 over
# seeds 0–4).
#
# ### The recurrent case: one matrix, $T$ times
#
# A recurrent network applies the **same** $W$ at every time step, $h_t = f(h_{t-1}W + b)$, so
# the gradient from step $T$ back to step 0 is a *power*:
#
# $$ \frac{\partial h_T}{\partial h_0} = \prod_{t=T}^{1} \operatorname{diag}\big(f'(z_t)\big)\,W^\top
# \;\overset{f=\text{id}}{=}\; (W^\top)^T, \qquad \lVert (W^\top)^T \rVert^{1/T} \xrightarrow{T\to\infty} \rho(W) = \max_i |\lambda_i(W)| . $$
#
# In the long run the **eigenvalues** decide (Gelfand's formula): $\rho < 1$ vanishes,
# $\rho > 1$ explodes, for any $W$. The first steps follow the spectral norm $\lVert W\rVert_2$
# instead, which can exceed 1 even when $\rho < 1$. We scale one random $32\times32$ matrix to
# $\rho = 0.9, 1.0, 1.1$:

# %%
rng_w = np.random.default_rng(0)
A = rng_w.standard_normal((32, 32)) / np.sqrt(32)
A /= np.max(np.abs(np.linalg.eigvals(A)))  # spectral radius 1
T = 60
rnn = {}
for rho in (0.9, 1.0, 1.1):
    norms = gradflow.recurrent_jacobian_norms(rho * A, T)
    rate = (norms[-1] / norms[19]) ** (1 / (T - 20))  # growth per step, t = 20..60
    tanh_norms = gradflow.recurrent_jacobian_norms(rho * A, T, activation="tanh", h0=rng_w.standard_normal(32))
    rnn[rho] = (norms, rate, tanh_norms)
    print(f"rho = {rho}: ||W||_2 = {np.linalg.norm(rho * A, 2):.2f}; ||dh_t/dh_0|| at t=1: {norms[0]:.2f}, "
          f"t=60: {norms[-1]:.1e}; growth per step {rate:.3f}; with tanh at t=60: {tanh_norms[-1]:.1e}")
for rho, (norms, rate, _) in rnn.items():
    assert abs(rate / rho - 1) < 0.02 and norms[0] > 1.4  # long run: rho; first step: ||W||_2 > 1
assert rnn[0.9][0][-1] < 1e-2 and rnn[1.1][0][-1] > 1e2
assert rnn[1.1][2][-1] < rnn[1.1][0][-1] / 3  # tanh's f' < 1 pulls the product down

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.4))
t = np.arange(1, T + 1)
for k, (rho, (norms, _, _)) in enumerate(rnn.items()):
    ax.semilogy(t, norms, color=PALETTE[k], lw=2, label=f"linear, $\\rho$ = {rho}")
    ax.semilogy(t, rho**t, color=PALETTE[k], lw=1, ls=":")
ax.semilogy(t, rnn[1.1][2], color=PALETTE[2], lw=1.5, ls="--", label="tanh, $\\rho$ = 1.1")
ax.set(xlabel="time steps back t", ylabel="$\\|\\partial h_t/\\partial h_0\\|_2$ (log)",
       title="one W, applied t times: eigenvalues decide (dotted: $\\rho^t$)")
ax.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# With tanh, $f' < 1$ wherever the state is away from 0, which pulls the product down: at
# $\rho = 1.1$ it ended below the linear network's in every seed we tried, by a factor between
# 3 and $2\times10^{6}$ (seeds 0–7, `tests/claims`) — how much survives depends on where the state
# sits, and nothing keeps the gradient *alive*. This is why plain RNNs forget after a few dozen
# steps, and why LSTMs add an additive cell path (notebook 12) — the recurrent cousin of a
# residual connection. Clipping (next) handles the exploding side.
#
# ### Gradient clipping: by norm or by value
#
# **By norm** rescales **all** gradients together when their global norm exceeds a threshold, so
# the update keeps its direction but its length is capped:
#
# $$ g \leftarrow g \cdot \min\Big(1, \frac{\tau}{\lVert g\rVert + \varepsilon}\Big), \qquad
# \lVert g\rVert = \sqrt{\textstyle\sum_{\text{all parameters}} \lVert g_i\rVert^2},\quad \varepsilon = 10^{-6}. $$
#
# **By value** clips every entry to $[-c, c]$ on its own (`torch.nn.utils.clip_grad_value_`):
# the big entries are cut, the small ones kept, so the update **turns**. Our numpy versions
# agree with torch to float64 precision (tested):

# %%
nnbasics.show_source(gradflow.clip_grad_norm)

# %%
grads = exp.exploding_gradients(seed=0)  # the x3 network of section 3
clipped, total = gradflow.clip_grad_norm(grads, max_norm=1.0)
new_total = np.sqrt(sum(np.sum(c**2) for c in clipped))
turn = exp.clipping_directions(seed=0, max_norm=1.0, clip_value=1.0)
print(f"total norm before {total:.2e}, after clipping by norm {new_total:.3f}")
print(f"cosine with the original direction: by norm {turn['cos_norm']:.3f}, by value (c = 1) "
      f"{turn['cos_value']:.2f} ({turn['frac_value_clipped']:.0%} of the entries cut)")
assert total > 1e8 and abs(new_total - 1.0) < 1e-6
assert turn["cos_norm"] > 1 - 1e-12 and 0.4 < turn["cos_value"] < 0.6

# %% [markdown]
# Clipping by value turned this update by about 60° (cosine 0.45–0.51 over seeds 0–4): it
# still limits the step, but it no longer points downhill along the gradient. That is why
# global norm clipping is the default for exploding gradients.
#
# A measurement that matters: train a 10-layer ReLU MLP whose weights are 1.5x too large on the
# spirals with plain full-batch SGD (`lr = 0.1`, 60 steps), once without and once with clipping
# at norm 1. `dg.sgd_steps` is a minimal loop that uses the `clip_grad_norm` above.

# %%
runs = {clip: exp.clipping_run(clip, seed=0) for clip in (None, 1.0)}
for clip, r in runs.items():
    print(f"clip={clip}: diverged={r['diverged']} after {len(r['losses'])} steps, "
          f"loss {r['losses'][0]:.3g} -> {r['losses'][-1]:.3g}")
assert runs[None]["diverged"] and len(runs[None]["losses"]) <= 5 and not runs[1.0]["diverged"]
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
# Over seeds 0–9 the unclipped run diverged within 3–4 steps every time, and the clipped run
# ended below 0.2 of its starting loss every time (0.02–0.18).
#
# ## 5. Karpathy-style diagnostics
#
# Before (and while) training, look at every layer at once:
# - **activation histograms** should have similar widths at every depth; tanh outputs piling
#   up at $\pm 1$ mean saturation ($\tanh' \approx 0$, no gradient); a spike at 0 for ReLU
#   means dead units;
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
ok, big = exp.tanh_health(scale=1.0, seed=0), exp.tanh_health(scale=4.0, seed=0)
print("activation std per layer, Xavier   :", np.round(ok["act_std"], 2))
print("saturated fraction (|tanh| > 0.97) per layer, Xavier   :", np.round(ok["saturated"], 2))
print("saturated fraction (|tanh| > 0.97) per layer, Xavier x4:", np.round(big["saturated"], 2))
assert big["saturated"].mean() > 0.5 and ok["saturated"].mean() < 0.01
assert 0.5 < ok["act_std"][0] < 0.6 and 0.2 < ok["act_std"][-1] < 0.32  # narrows slowly

# %% [markdown]
# Even the good case is not perfectly flat: with Xavier the tanh activations narrow from a std
# of about 0.55 to about 0.27 over six layers ($\tanh' < 1$ away from 0 shaves a little off at
# each layer). Piled up at $\pm1$ is the bad sign: more than half of the units with the ×4 init.

# %%
study = exp.update_ratio_study(seed=0)
fig, ax = plt.subplots(figsize=(6, 3.2))
for (lr, r), color in zip(study["ratios"].items(), PALETTE):
    ax.plot(np.arange(1, r.size + 1), np.log10(r), "o-", color=color, label=f"SGD lr = {lr:g}")
ax.axhline(-3, color=PALETTE[7], ls="--", lw=1, label="rule of thumb: $10^{-3}$")
ax.set(xlabel="layer l", ylabel="log10 update / data", title="update-to-data ratio of one step")
ax.legend(fontsize=8)
fig.tight_layout()
r01, r1 = study["ratios"][1e-2], study["ratios"][1.0]
lr1 = study["lr1_losses"]
print(f"lr = 0.01: log10 ratio from {np.log10(r01).min():.2f} to {np.log10(r01).max():.2f}; "
      f"lr = 1: ratio from {r1.min():.1%} to {r1.max():.1%}")
print(f"30 full-batch SGD steps at lr = 1: loss {lr1[0]:.2f} -> {lr1[-1]:.2f}, largest {max(lr1):.2f}")
print(f"rms gradient per weight by layer: {np.round(study['grad_rms'], 3)}; weights per layer: {study['weights_per_layer']}")
assert np.allclose(study["ratios"][1e-3], r1 / 1000) and np.allclose(r01, r1 / 100)  # SGD: linear in lr
assert np.all((-3.5 < np.log10(r01)) & (np.log10(r01) < -2.0))
assert r1.min() > 0.03 and max(lr1) > 1.2 * lr1[0]
assert r1.argmax() == r1.size - 1 and study["grad_rms"].argmax() == r1.size - 1

# %% [markdown]
# For this network `lr = 0.01` sits within half a decade of the $10^{-3}$ line (seeds 0–4:
# $10^{-3.5}$ to $10^{-2.1}$); `lr = 1` changes every layer by 4 % to 67 % of its spread in a
# single step (seeds 0–4) — the loss then jumps up instead of falling steadily — and
# `lr = 0.001` would learn very slowly. The output layer (7) moves fastest: its gradient *per
# weight* is the largest (it has 32 × 4 = 128 weights, the hidden layers 1024 or 512).
#
# ## 6. Exercises (graded)
#
# Open your exercise file **[exercises/ex05_gradients.py](../exercises/ex05_gradients.py)**
# (a click opens it in JupyterLab's editor) and implement:
#
# | exercise | function | what it does |
# |---|---|---|
# | 5.1 | `clip_grad_norm(grads, max_norm)` | global norm clipping in numpy (§4); return `(clipped, total)` like `torch.nn.utils.clip_grad_norm_` |
# | 5.2 | `layer_grad_norms(model, X, y)` | one forward + backward of a torch model, $\lVert\partial L/\partial W_l\rVert$ for every `nn.Linear` |
# | 5.3 | `sigmoid_chain_grad(x, weights)` | $dh_L/dh_0$ of a chain of sigmoid units (§2) |
# | 5.4 | `rnn_state_jacobian(h0, W, b, T)` | **derive** $\partial h_T/\partial h_0$ of the tanh recurrence $h_t = \tanh(h_{t-1}W + b)$ (§4, the recurrent case) |
#
# Save the file (<kbd>Ctrl</kbd>+<kbd>S</kbd>), then click **Grade my exercises** at the end of
# this section: it runs the course's tests on your file and shows your points per exercise,
# the first check that failed and a hint. Prefer a terminal? `python -m nnbasics grade 05`
# in the course folder does the same.
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
W_r = 1.1 * A[:4, :4]
J = exercises.attempt("05", "rnn_state_jacobian", np.full(4, 0.1), W_r, np.zeros(4), 10)
if J is not None:
    assert J.shape == (4, 4), f"rnn_state_jacobian must return an (H, H) matrix, got shape {J.shape}"
    assert np.isclose(np.linalg.norm(J, 2), gradflow.recurrent_jacobian_norms(W_r, 10, activation="tanh",
                                                                               h0=np.full(4, 0.1))[-1])
    print("✅ your rnn_state_jacobian has the norm the library measures for the same recurrence")

# %%
exercises.grade_button("05")

# %% [markdown]
# ## 7. Quiz and key takeaways

# %%
quiz.show("05")

# %% [markdown]
# **Key takeaways**
# - Backprop multiplies one Jacobian $W_l^\top \operatorname{diag}(f'(z_l))$ per layer; the
#   gradient's size is a product of $L$ factors, so it vanishes or explodes geometrically.
# - Sigmoid contributes at most 0.25 per layer; with unit-norm weights 10 layers shrink the
#   gradient to at most $0.25^{10} < 10^{-6}$. The *typical* shrink is $\approx$ rms $\sigma'$ × rms
#   gain per layer ($0.24 \times 0.58$ with torch's default init): $3\times10^{-9}$, as measured.
# - A recurrent network applies one $W$ again and again: in the long run its largest
#   eigenvalue's modulus decides between vanishing and exploding.
# - Too-large weights explode the forward signal and the gradients, up to `inf`/`NaN`; find the
#   first bad layer with hooks instead of guessing.
# - Remedies: ReLU-family activations, init matched to the activation (He, Xavier),
#   normalization (forward scale only: at depth, add residual connections), residual
#   connections; clip the global gradient norm (by value turns the update) against explosions.
# - Judge flow by $\lVert\partial L/\partial h_l\rVert$; monitor histograms and the
#   update-to-data ratio ($\approx 10^{-3}$) — next: **06 · weight initialization**.
