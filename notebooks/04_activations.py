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
# - write down sigmoid, tanh, ReLU, Leaky ReLU, PReLU, ELU, GELU, SiLU, SELU and softmax with
#   their derivatives, ranges and costs, and say which have zero-mean outputs;
# - explain, on a 2-D loss surface, why zero-centred outputs make the next layer learn faster;
# - explain with numbers why a deep sigmoid network barely learns where a ReLU network does;
# - measure the *dying ReLU* problem — units that become dead, some that revive, and the
#   accuracy it costs — and what Leaky ReLU and ELU change;
# - pick an activation for each layer of a network (hidden, transformer, outputs, gates);
# - implement three derivatives yourself, one of them derived from scratch (graded).
#
# **Prerequisites:** 02–03 (the MLP forward pass and backpropagation: the chain rule multiplies
# by $f'(z)$ at every layer).
# **Run time:** about 15 s for *Run All*; 45–60 min to work through.

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
# with input std 5 and ReLU with any input std; look at the output mean of tanh, SELU and ELU.

# %%
explorer = widgets.activation_explorer("sigmoid")
explorer

# %% [markdown]
# What the explorer shows, measured on 20 000 Gaussian inputs: sigmoid starves a sixth of
# its inputs of gradient once their std is 5 (none at std 1), and ReLU gives exactly half of
# them no gradient whatever their spread.

# %%
sig5, sig1 = (exp.gaussian_response("sigmoid", s)["frac_zero_grad"] for s in (5.0, 1.0))
relu_zero = [exp.gaussian_response("relu", s)["frac_zero_grad"] for s in (0.1, 1.0, 10.0)]
print(f"sigmoid, |f'| < 1e-3: {sig5:.0%} of inputs at std 5, {sig1:.0%} at std 1;  "
      f"ReLU at std 0.1/1/10: {np.round(relu_zero, 3)}")
assert 0.12 < sig5 < 0.2 and sig1 == 0.0
assert all(abs(f - 0.5) < 0.01 for f in relu_zero)

# %% [markdown]
# ## 2. The zoo, with derivatives
#
# | name | $f(x)$ | $f'(x)$ | range | mean for $x\sim\mathcal N(0,1)$ |
# |---|---|---|---|---|
# | sigmoid | $\sigma(x) = \dfrac{1}{1+e^{-x}}$ | $\sigma(x)\,(1-\sigma(x))$ | $(0,1)$ | 0.50 |
# | tanh | $\tanh x = 2\sigma(2x)-1$ | $1-\tanh^2 x$ | $(-1,1)$ | **0** (odd function) |
# | ReLU | $\max(0,x)$ | $\mathbb 1[x>0]$ | $[0,\infty)$ | 0.40 |
# | Leaky ReLU | $x$ if $x>0$ else $\alpha x$ ($\alpha=0.01$) | $1$ or $\alpha$ | $\mathbb R$ | 0.40 |
# | PReLU | $x$ if $x>0$ else $a x$, $a$ **learned** | $1$ or $a$; $\partial f/\partial a = \min(x, 0)$ | $\mathbb R$ | 0.30 ($a = 0.25$) |
# | ELU | $x$ if $x>0$ else $\alpha(e^x-1)$ | $1$ or $\alpha e^x$ | $(-\alpha,\infty)$ | 0.16 |
# | GELU | $x\,\Phi(x)$, $\Phi$ the normal CDF | $\Phi(x) + x\,\varphi(x)$ | $[-0.17,\infty)$ | 0.28 |
# | GELU (tanh approx.) | $\tfrac12 x\big(1+\tanh(\sqrt{2/\pi}(x+0.044715x^3))\big)$ | by the chain rule | $[-0.17,\infty)$ | 0.28 |
# | SiLU (Swish) | $x\,\sigma(x)$ | your exercise 4.3 | $[-0.28,\infty)$ | 0.21 |
# | SELU | $\lambda x$ if $x>0$ else $\lambda\alpha(e^x-1)$ | $\lambda$ or $\lambda\alpha e^x$ | $(-1.76,\infty)$ | **0** (by its constants) |
# | softmax | $\operatorname{softmax}(z)_k = e^{z_k} / \sum_j e^{z_j}$ (a whole row) | Jacobian $\operatorname{diag}(p) - pp^\top$ | $(0,1)$, sums to 1 | — |
#
# The last column is measured below; "zero-centred" in the printed table means that mean is
# 0. Every derivative in `nnbasics.core.activations` is tested against torch autograd in
# float64. Sigmoid is computed without overflow (only $e^{-|x|}$ is ever evaluated):

# %%
nnbasics.show_source(activations.sigmoid)

# %%
x = np.linspace(-4, 4, 401)
fig, axes = plt.subplots(2, 5, figsize=(14, 5), sharex=True)
for ax, name in zip(axes.ravel(), activations.NAMES):
    ax.plot(x, activations.apply(name, x), color=plotting.PALETTE[0], lw=2, label="f(x)")
    ax.plot(x, activations.derivative(name, x), color=plotting.PALETTE[1], lw=2, ls="--", label="f'(x)")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set(title=name, xlabel="x", ylim=(-1.9, 2.2))
axes[0, 0].legend(fontsize=8)
axes[0, 0].set_ylabel("value")
axes[1, 0].set_ylabel("value")
fig.suptitle("The activation zoo: f (solid) and f' (dashed)")
fig.tight_layout()

# %% [markdown]
# The properties in one table (`cost`: what each element needs — a comparison is cheaper than
# an `exp`, which is cheaper than `erf`). The table's `zero-centred` flag is checked against
# the measured mean output for $\mathcal N(0,1)$ inputs:

# %%
# NBVAL_CHECK_OUTPUT
for row in activations.properties_table():
    print(f"{row['name']:<11} range {row['output_range']:<22} zero-centred {row['zero_centred']!s:<5} "
          f"cost {row['cost']:<13} use: {row['typical_use']}")
means = {name: exp.gaussian_response(name, 1.0, n=200_000)["mean"] for name in activations.NAMES}
print("mean output for x ~ N(0, 1):", {k: round(v, 2) for k, v in means.items()})
for name, info in activations.INFO.items():
    assert (abs(means[name]) < 0.01) == info.zero_centred, name
assert 0.15 < means["elu"] < 0.17 and 0.39 < means["relu"] < 0.41

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
# lives with the losses as `nnbasics.core.losses.softmax(logits, axis=-1)` (notebook 02).
# It is invariant to adding a constant to every logit, which is how it is computed stably:
# $\operatorname{softmax}(z) = \operatorname{softmax}(z - \max_j z_j)$. For two classes it is
# the sigmoid of the logit difference:

# %%
from nnbasics.core.losses import softmax

logits = np.array([[2.0, -1.0, 0.5], [1000.0, 1001.0, 999.0]])
p = softmax(logits, axis=-1)
print(np.round(p, 4))
assert np.allclose(p.sum(axis=1), 1.0) and np.all(np.isfinite(p))
z = np.array([[1.3, -0.4]])
assert np.isclose(softmax(z, axis=-1)[0, 0], activations.sigmoid(z[0, 0] - z[0, 1]))

# %% [markdown]
# ## 3. Why zero-centred outputs matter: the zig-zag
#
# **Intuition.** Look at one neuron of the *next* layer, $z = w \cdot h$, whose inputs $h$ are
# the previous layer's outputs. For a single example its weight gradient is
#
# $$ \frac{\partial L}{\partial w_i} = \underbrace{\frac{\partial L}{\partial z}}_{\text{one number}} \cdot\, h_i . $$
#
# If every $h_i > 0$ (sigmoid outputs, ReLU outputs) all components of the gradient share the
# sign of $\partial L/\partial z$: each step moves **all** of the neuron's weights up together or
# down together. To reach weights of mixed signs, such as $w^* = (1, -1)$, gradient descent
# has to zig-zag. Zero-mean inputs (tanh, SELU, or any input minus its mean) remove the
# constraint.
#
# **The same thing as a loss surface.** For the squared error $\tfrac12\mathbb E[(w\cdot h - t)^2]$
# the Hessian is $\mathbb E[hh^\top] = \operatorname{Cov}(h) + \mu\mu^\top$. A mean $\mu$ far
# from 0 adds a large eigenvalue along $\mu$: the valley becomes long and narrow, and the step
# size that is stable across it is tiny along it.
#
# Below, one 2-weight neuron learns $t = w^*\cdot h$ by per-example SGD from $w = 0$, once with
# $h = \sigma(u)$, $u\sim\mathcal N(0, I)$ (all positive), once with the same $h$ minus their
# mean. Both use the same step relative to the size of their inputs, $\eta = 0.5/\mathbb E\lVert h\rVert^2$:

# %%
zz = {kind: exp.zigzag_descent(kind, steps=150, seed=0) for kind in ("positive", "centred")}
w1, w2 = np.linspace(-0.6, 1.6, 120), np.linspace(-1.6, 0.6, 120)
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharex=True, sharey=True)
for ax, (kind, r) in zip(axes, zz.items()):
    ax.contour(w1, w2, np.log10(r.loss_grid(w1, w2) + 1e-12), levels=12, cmap="viridis", linewidths=0.8)
    ax.plot(r.path[:, 0], r.path[:, 1], ".-", color=plotting.PALETTE[1], ms=3, lw=1, label="SGD path")
    ax.plot(*r.w_star, "*", color=plotting.PALETTE[5], ms=14, label="$w^*$")
    ax.set(xlabel="$w_1$", title=f"{kind} inputs: {r.steps_to_tol} steps to 0.1% of the loss\n"
           f"same-sign steps {r.same_sign_fraction:.0%}, Hessian condition number {r.condition_number:.1f}")
axes[0].set_ylabel("$w_2$")
axes[0].legend(fontsize=8, loc="lower left")
fig.suptitle("one neuron, per-example SGD: contours of log10 loss")
fig.tight_layout()
pos, cen = zz["positive"], zz["centred"]
assert pos.same_sign_fraction == 1.0 and 0.35 < cen.same_sign_fraction < 0.65
assert pos.steps_to_tol > 3 * cen.steps_to_tol
assert pos.condition_number > 10 > 2 > cen.condition_number

# %% [markdown]
# With positive inputs *every* step moves both weights in the same direction (100 % of the
# steps, by the argument above; about half with centred inputs), and the path staircases down
# a valley whose Hessian has a condition number above 10; the centred neuron sees an almost
# round bowl (condition number below 2). Over seeds 0–9 the positive inputs needed 64–109
# steps, the centred ones 7–21 — always more than three times as many (`tests/claims`).
# This is one reason tanh replaced sigmoid in hidden layers, and why inputs are standardized.
# ReLU's outputs are not zero-centred either; normalization layers (notebook 07) re-centre them.
#
# **Try it.** The same neuron, with the centred inputs shifted by a mean *offset* in both
# coordinates (0 = centred; 0.5 ≈ the sigmoid outputs above; the path has 300 steps). Move the
# offset up from 0: the share of same-sign steps climbs from about half to 100 % exactly when the
# last inputs become all-positive (offset 0.5), the contours stretch into a valley, and from
# offset 0.2 on every notch of 0.1 makes SGD slower — from 7–21 steps to 0.1 % of the loss at 0 to
# about 300 or more at offset 1 (seeds 0–9, `tests/claims`).

# %%
zz_explorer = widgets.zigzag_explorer(offset=0.5)
zz_explorer

# %%
zz_runs = [widgets.zigzag_view(m) for m in widgets.OFFSETS]  # what the slider shows (cached)
same = {r["offset"]: r["same_sign_fraction"] for r in zz_runs}
steps_needed = [r["steps_to_tol"] or np.inf for r in zz_runs]  # None: not within 300 steps
first_all_positive = min(r["offset"] for r in zz_runs if r["all_positive"] == 1.0)
print(f"same-sign steps: {same[0.0]:.0%} at offset 0, {same[0.4]:.0%} at 0.4, {same[0.5]:.0%} at 0.5; "
      f"all inputs positive from offset {first_all_positive}")
print("steps to 0.1% of the loss, offsets 0, 0.1, ..., 1:", steps_needed[:11])
assert 0.35 < same[0.0] < 0.65 and same[0.4] < 1.0 and first_all_positive == 0.5
assert all(r["same_sign_fraction"] == 1.0 for r in zz_runs if r["offset"] >= 0.5)
slower = [b > a or b == np.inf for a, b in zip(steps_needed[2:10], steps_needed[3:11])]  # inf: not reached
assert all(slower) and steps_needed[0] <= 21 and steps_needed[10] >= 290

# %% [markdown]
# ## 4. Why a ReLU network trains where a sigmoid network stalls
#
# Backpropagation through $L$ layers multiplies $L$ factors $W_l^\top \operatorname{diag}(f'(z_l))$.
# With sigmoid each $f'$ is at most $\tfrac14$, so the gradient reaching the first layer shrinks
# roughly like $(\tfrac14)^L$ (notebook 05 studies this in depth). ReLU's derivative is exactly
# 1 for active units: the gradient passes unchanged through the active paths. And about half
# of ReLU's outputs are exactly 0 — a **sparse** representation that is cheap to compute.
#
# Same 6-hidden-layer MLP (width 32), same spiral data, same SGD budget (30 epochs, lr 0.05,
# momentum 0.9); each activation gets the init made for it (notebook 06): He for ReLU,
# Xavier for sigmoid. We measure the weight-gradient norm of every layer at initialisation,
# the fraction of exactly-zero hidden activations, and the training loss:

# %%
race = exp.relu_vs_sigmoid(depth=6, width=32, epochs=30, lr=0.05, seed=0)
for name, r in race.items():
    print(f"{name:<8} ({r['init']} init) |dL/dW| first layer {r['grad_norms'][0]:.1e}, last layer "
          f"{r['grad_norms'][-1]:.1e}; zeros {r['sparsity']:.0%}; final loss {r['train_loss'][-1]:.3f}; "
          f"accuracy {r['accuracy']:.0%}")
sig, relu = race["sigmoid"], race["relu"]
assert sig["grad_norms"][0] < 1e-2 * sig["grad_norms"][-1]   # sigmoid: vanishing towards the input
assert relu["grad_norms"][0] > 10 * sig["grad_norms"][0]      # ReLU: the first layer gets a real gradient
assert 0.4 < relu["sparsity"] < 0.6 and sig["sparsity"] == 0.0
assert abs(sig["train_loss"][-1] - np.log(2)) < 0.02 and sig["accuracy"] <= 0.55  # has not started
assert relu["train_loss"][-1] < 0.2 and relu["accuracy"] > 0.9

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
for k, (name, r) in enumerate(race.items()):
    ax1.semilogy(np.arange(1, len(r["grad_norms"]) + 1), r["grad_norms"], "o-", color=plotting.PALETTE[k], label=name)
    ax2.plot(np.arange(1, len(r["train_loss"]) + 1), r["train_loss"], color=plotting.PALETTE[k], label=name)
ax2.axhline(np.log(2), color="grey", ls=":", lw=1, label="ln 2 (guessing)")
ax1.set(xlabel="linear layer (1 = next to the input)", ylabel="‖dL/dW‖ at init (log)",
        title="gradient reaching each layer")
ax2.set(xlabel="epoch", ylabel="training loss", title="same budget, different activation")
ax1.legend()
ax2.legend()
fig.tight_layout()

# %% [markdown]
# In 30 epochs the sigmoid network has not started to learn: its loss sits at $\ln 2$ (the
# loss of guessing 50/50) and its accuracy at chance, while the ReLU network fits the
# spirals. Over seeds 0–9 this held every time, on five CPU code paths (sigmoid loss within
# 0.02 of $\ln 2$, ReLU accuracy 95–100 %; `tests/claims`): the ReLU loss ended below 0.01 in 9
# of 10 seeds, and in the tenth between 0.06 and 0.45 depending on the CPU's rounding. The
# sigmoid network's first layer always received less than $10^{-3}$ of the gradient of its last
# layer.
#
# ## 5. Smooth ReLUs: GELU and SiLU
#
# **Intuition.** ReLU multiplies its input by a hard gate, $x\cdot\mathbb 1[x>0]$. GELU and SiLU
# use a *soft* gate that grows from 0 to 1: $\operatorname{GELU}(x) = x\,\Phi(x)$ and
# $\operatorname{SiLU}(x) = x\,\sigma(x)$. Both are smooth, let a little signal (and gradient)
# through for negative $x$, dip below zero before rising, and become ReLU for large $|x|$.
#
# **Math.** $\Phi(x) = P(\varepsilon \le x)$ for $\varepsilon\sim\mathcal N(0,1)$, so GELU is the
# *expected* output of a random gate: $\operatorname{GELU}(x) = \mathbb E\big[x\cdot\mathbb 1[\varepsilon \le x]\big]$
# — units with a larger input are more likely to be kept (Hendrycks & Gimpel, 2016). And since
# $\sigma(1.702x)\approx\Phi(x)$, GELU $\approx x\,\sigma(1.702x)$: SiLU is the same idea with a
# gentler gate. Their derivatives exceed 1 a little (they overshoot ReLU before settling):
#
# $$ \operatorname{GELU}'(x) = \Phi(x) + x\varphi(x), \qquad \operatorname{SiLU}'(x) = \text{exercise 4.3}. $$
#
# **Where they are used.** GELU: BERT, GPT-2/3, the Vision Transformer. SiLU (called Swish
# when it was found by search): EfficientNet, and as the gate of **SwiGLU**,
# $\operatorname{SiLU}(xW)\odot(xV)$, in the feed-forward layers of PaLM and LLaMA (Shazeer, 2020).
# Checked numerically:

# %%
xg = np.linspace(-6, 6, 120001)
rows = {}
for name in ("gelu", "silu"):
    f, df = activations.apply(name, xg), activations.derivative(name, xg)
    rows[name] = (f.min(), xg[f.argmin()], df.max(), xg[df.argmax()],
                  np.max(np.abs(f - activations.relu(xg))[np.abs(xg) > 4]))
    print(f"{name}: minimum {rows[name][0]:.3f} at x = {rows[name][1]:.2f}; largest slope "
          f"{rows[name][2]:.3f} at x = {rows[name][3]:.2f}; max |f - ReLU| for |x| > 4: {rows[name][4]:.1e}")
Phi = activations.gelu(xg) / np.where(xg == 0, 1.0, xg)
gate_gap = np.max(np.abs(activations.sigmoid(1.702 * xg) - Phi)[xg != 0])
rng = np.random.default_rng(0)
xs = np.array([-2.0, -0.75, 0.5, 1.5])
kept = xs * (rng.standard_normal((200_000, 1)) <= xs)  # (200000, 4): x times a random gate
mc, se = kept.mean(axis=0), kept.std(axis=0) / np.sqrt(len(kept))
print(f"|sigma(1.702 x) - Phi(x)| <= {gate_gap:.4f};  Monte-Carlo E[x 1(eps <= x)] = {np.round(mc, 3)} "
      f"vs GELU(x) = {np.round(activations.gelu(xs), 3)}")
assert -0.171 < rows["gelu"][0] < -0.169 and -0.279 < rows["silu"][0] < -0.278   # the dips
assert 1.12 < rows["gelu"][2] < 1.13 and 1.09 < rows["silu"][2] < 1.11            # slopes above 1
assert rows["gelu"][4] < 1e-3 < 0.05 < rows["silu"][4]                            # SiLU reaches ReLU later
assert gate_gap < 0.01 and np.all(np.abs(mc - activations.gelu(xs)) < 4 * se)

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
xp = np.linspace(-5, 3, 400)
for k, name in enumerate(("relu", "gelu", "silu")):
    ax1.plot(xp, activations.apply(name, xp), color=plotting.PALETTE[k], lw=2, label=name)
    ax2.plot(xp, activations.derivative(name, xp), color=plotting.PALETTE[k], lw=2, label=name)
ax1.set(xlabel="x", ylabel="f(x)", title="smooth ReLUs dip below 0", ylim=(-0.5, 3))
ax2.set(xlabel="x", ylabel="f'(x)", title="their slopes overshoot 1 and leak for x < 0")
ax2.axhline(1, color="grey", lw=0.5)
ax1.legend()
fig.tight_layout()

# %% [markdown]
# ## 6. Dying ReLU
#
# A ReLU unit whose pre-activation $z = w\cdot h + b$ is $\le 0$ for **every** training input
# outputs 0 and has $f'(z) = 0$ on all of them: no example sends a gradient to its weights. It
# is *dead*. In the first layer, whose inputs are fixed, plain SGD can never bring it back;
# deeper units can revive when the layers below change their inputs, and Adam's momentum
# keeps moving weights for a few steps after their gradient became 0. Leaky ReLU ($f' = \alpha$)
# keeps a gradient on the negative side; ELU's $f' = \alpha e^z$ is positive but fades for very
# negative $z$.
#
# We train a narrow 3×8 He-initialised MLP on two-class spirals (300 points: every unit is
# needed) with Adam for 40 epochs, at a sensible learning rate (0.01) and a too-large one
# (0.3), and after every epoch count the units that are negative on all inputs:

# %%
settings = {"relu, lr=0.01": ("relu", 0.01), "relu, lr=0.3": ("relu", 0.3),
            "leaky_relu, lr=0.3": ("leaky_relu", 0.3), "elu, lr=0.3": ("elu", 0.3)}
SEEDS = (0, 1, 2)  # chaotic training: one seed (or one CPU) can flip a comparison, three rarely do
runs = {label: [exp.dying_relu_experiment(act, lr=lr, epochs=40, seed=s) for s in SEEDS]
        for label, (act, lr) in settings.items()}
for label, rs in runs.items():
    print(f"{label:<18} became all-negative {[r.became_dead for r in rs]}, revived {[r.revived for r in rs]}, "
          f"accuracy {[f'{r.final_accuracy:.0%}' for r in rs]}, largest |dL/dw| of an all-negative unit "
          f"{[f'{r.negative_unit_grad:.0e}' for r in rs]}")
lo, hi, leaky, elu = runs.values()
acc = {label: np.mean([r.final_accuracy for r in rs]) for label, rs in runs.items()}  # mean over seeds
assert min(r.became_dead for r in hi) > 8 > max(r.became_dead for r in lo)  # big steps kill units
assert all(r.negative_unit_grad == 0.0 for r in hi)                        # dead ReLUs: exactly no gradient
assert all(r.negative_unit_grad > 0.0 for r in leaky)                      # all-negative Leaky units: some
assert acc["relu, lr=0.01"] > acc["relu, lr=0.3"] + 0.1                    # ... and dying costs accuracy
assert acc["leaky_relu, lr=0.3"] > acc["relu, lr=0.3"]                     # Leaky ReLU loses less
assert sum(r.revived for r in leaky) > sum(r.revived for r in hi)          # ... its units revive
assert (np.median([r.negative_unit_grad for r in elu])                     # ELU's left side fades (e^z)
        < np.median([r.negative_unit_grad for r in leaky]))

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.4), gridspec_kw={"width_ratios": [3, 2]})
for k, (label, rs) in enumerate(runs.items()):
    dead = np.mean([r.dead_per_epoch.mean(axis=1) for r in rs], axis=0)
    ax1.plot(dead, color=plotting.PALETTE[k], lw=2, label=label)
    accs = [r.final_accuracy for r in rs]
    ax2.bar(k, np.mean(accs), color=plotting.PALETTE[k])
    ax2.plot([k] * len(accs), accs, "o", color="black", ms=4)
ax1.set(xlabel="epoch (0 = initialisation)", ylabel="fraction of units negative on all inputs",
        title=f"units become all-negative during training (mean of seeds {SEEDS})", ylim=(0, 1))
ax1.legend(fontsize=8)
ax2.set_xticks(range(len(runs)), [label.replace(", ", "\n") for label in runs], fontsize=8)
ax2.set(ylabel="training accuracy", title="what it costs (bar: mean, dots: seeds; chance = 50 %)",
        ylim=(0, 1))
fig.tight_layout()

# %% [markdown]
# What the measurement shows, and how often (seeds 0–9 on five CPU code paths — Intel's AVX-512,
# AVX2 and plain SSE kernels and AMD's AVX-512 and AVX2 round differently, and this chaotic
# training amplifies the difference; `tests/claims`):
# - Units are not born dead so much as **killed during training**: at lr = 0.3, 11–19 of the
#   24 units become all-negative (0–2 at lr = 0.01). A few born-dead or killed units **revive**
#   later (0–5 per ReLU run) — "dead forever" is only guaranteed for first-layer units under
#   plain SGD.
# - Dead ReLU units get **exactly zero** gradient; all-negative Leaky ReLU units still get one,
#   and revive far more often: over ten seeds at least three times as many revivals as ReLU at
#   the same lr (more than ReLU in 7–10 of the 10 seeds).
# - The cost is real: ReLU at lr = 0.3 averages 61–65 % accuracy over the ten seeds (chance is
#   50 %, where 3–5 of its ten runs end) against 99.5 % at lr = 0.01, and ends more than 9 points
#   lower in at least 8 of 10 seeds — but one lucky seed can reach 98 %. Leaky ReLU at lr = 0.3
#   averages 82–93 % and beats ReLU in 8–10 of 10 seeds. ELU helps less reliably (4–7 of 10):
#   its gradient $\alpha e^z$ for very negative $z$ is tiny (the median over seeds of the
#   largest one reaching its all-negative units is below $10^{-4}$, ten times smaller than
#   Leaky ReLU's).
#
# Remedies for dying ReLUs: first of all a smaller learning rate (or a warm-up), then Leaky
# ReLU/GELU, careful initialisation (notebook 06) and normalisation layers (notebook 07).
#
# ## 7. Which activation where
#
# | layer | usual choice | why |
# |---|---|---|
# | hidden layers of an MLP/CNN | **ReLU** (Leaky ReLU if units die) | cheap, $f'=1$ on active units, sparse |
# | transformer feed-forward hidden layer | **GELU**, or **SwiGLU** (SiLU gate) | smooth ReLU; BERT/GPT use GELU, PaLM/LLaMA SwiGLU |
# | deep MLP without normalization | **SELU** with LeCun init | mean 0 / variance 1 is its fixed point (notebook 06) |
# | binary output | **sigmoid** → $P(y=1)$ | range (0, 1); pair with BCE on logits |
# | multi-class output | **softmax** → class probabilities | rows sum to 1; pair with cross-entropy on logits |
# | regression output | **identity** (no activation) | any real value; pair with MSE |
# | gates (LSTM/GRU, attention gates) | **sigmoid** | a soft 0–1 switch that multiplies a signal |
# | bounded hidden state (RNNs) | **tanh** | zero-centred, in (-1, 1) |
#
# In practice the output activation is folded into the loss (`BCEWithLogits`, `cross_entropy`
# on logits) for numerical stability: the network outputs logits.
#
# ## 8. Exercises (graded)
#
# Open your exercise file **[exercises/ex04_activations.py](../exercises/ex04_activations.py)**
# (a click opens it in JupyterLab's editor) and implement, using numpy only:
#
# | exercise | function | what it does |
# |---|---|---|
# | 4.1 | `sigmoid_derivative(x)` | $\sigma'(x)$, without overflow for $|x| = 1000$ (§2) |
# | 4.2 | `leaky_relu_derivative(x, alpha)` | Leaky ReLU's slope, with torch's convention at 0 (§2) |
# | 4.3 | `silu_derivative(x)` | **derive** $\frac{d}{dx}\,x\sigma(x)$ yourself (§5), exact and overflow-free |
#
# Save the file (<kbd>Ctrl</kbd>+<kbd>S</kbd>), then click **Grade my exercises** at the end of
# this section: it runs the course's tests on your file and shows your points per exercise,
# the first check that failed and a hint. Prefer a terminal? `python -m nnbasics grade 04`
# in the course folder does the same.
#
# The cell below compares your functions with the library's once you have implemented them.

# %%
from nnbasics.course import exercises

probe = np.array([-1000.0, -2.0, 0.0, 0.5, 1000.0])
for fn in ("sigmoid_derivative", "silu_derivative"):
    mine = exercises.attempt("04", fn, probe)
    if mine is not None:
        assert np.allclose(mine, getattr(activations, fn)(probe)), \
            f"your {fn} disagrees with nnbasics.core.activations.{fn}"
        print(f"✅ your {fn} matches the library")

# %%
exercises.grade_button("04")

# %% [markdown]
# ## 9. Quiz and key takeaways

# %%
quiz.show("04")

# %% [markdown]
# **Key takeaways**
# - Every layer's gradient is multiplied by $f'(z)$: sigmoid's $f' \le \tfrac14$ shrinks it at
#   every layer, tanh's $f' \le 1$ less so; both saturate (f' → 0) for large $|x|$.
# - All-positive outputs (sigmoid, ReLU) make every per-example step move a neuron's weights
#   in the same direction: a zig-zag down a narrow valley. Zero-mean outputs (tanh, SELU) or
#   normalization avoid it.
# - ReLU passes gradients unchanged through active units and is sparse and cheap — the default
#   for hidden layers; GELU and SiLU are its smooth cousins used in transformers (SwiGLU).
# - A ReLU unit negative on all inputs gets no gradient: too-large learning rates kill many
#   during training, and on a task that needs every unit that costs accuracy. Some revive; Leaky
#   ReLU keeps a gradient and revives more; a smaller learning rate is the first fix.
# - Output activations follow the task: sigmoid (binary), softmax (multi-class), identity
#   (regression) — usually folded into the loss on logits. Next: **05 · vanishing and
#   exploding gradients**.
