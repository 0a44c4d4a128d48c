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
# # 06 · Weight initialization
#
# **Learning goals** — after this notebook you can
# - explain why all-equal (e.g. all-zero) weights can never train a hidden layer (symmetry);
# - measure how too-small and too-large weights make activations collapse or explode with depth;
# - derive Xavier/Glorot and He/Kaiming from variance propagation — forward ($n_\text{in}$) *and*
#   backward ($n_\text{out}$) — and say why the choice between them matters less than it seems;
# - explain the gains (ReLU $\sqrt2$, tanh $5/3$, SELU) and what orthogonal init buys
#   (dynamical isometry), with a measurement for each;
# - compare training curves from zero, small, Xavier, He and orthogonal starts;
# - implement He normal and Xavier uniform, and derive the Kaiming std for Leaky ReLU (graded).
#
# **Prerequisites:** 02–05 (MLP forward pass, backprop, activations, vanishing gradients);
# variance of a sum of independent variables.
# **Run time:** about 20 s for *Run All*; 45–60 min to work through.

# %%
import matplotlib.pyplot as plt
import numpy as np

import nnbasics
from nnbasics.core import init
from nnbasics.course import doctor, quiz
from nnbasics.experiments import nb06_init as exp
from nnbasics.viz import nb06_init as widgets
from nnbasics.viz import plotting

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"

# %% [markdown]
# ## 1. Why not start at zero? Symmetry
#
# If every weight of a layer has the same value, every hidden unit computes the same output,
# receives the same gradient and takes the same step — forever. The layer behaves like a single
# unit, however wide it is. With all-**zero** weights it is even worse: $h = \tanh(0) = 0$, so the
# output weights get no gradient ($\partial L/\partial W_2 = h^\top\delta = 0$) and the hidden
# weights none either ($\delta_h = \delta W_2^\top = 0$). Only the output bias learns.
#
# We train a 2-16-2 tanh MLP on two moons from three starts and measure the largest difference
# between any two hidden units' weights after training — and, for comparison, a network with a
# **single** hidden unit started the same constant way:

# %%
sym = {name: exp.symmetry_experiment(name, hidden=16, epochs=20, seed=0) for name in ("zeros", "constant", "he")}
one_unit = exp.symmetry_experiment("constant", hidden=1, epochs=20, seed=0)
for name, r in sym.items():
    print(f"{name:<9} max difference between hidden units: {r.unit_spread:.1g};  "
          f"W1 moved by {r.first_layer_change:.2f};  accuracy {r.accuracy:.0%}")
print(f"one hidden unit, constant start: accuracy {one_unit.accuracy:.1%} (16 constant units: {sym['constant'].accuracy:.1%})")
assert sym["zeros"].unit_spread == 0.0 and sym["zeros"].first_layer_change == 0.0  # nothing moved
assert sym["constant"].first_layer_change > 0.1 and sym["constant"].unit_spread < 1e-8  # moved in lockstep
assert sym["he"].unit_spread > 0.1 and sym["he"].accuracy > sym["constant"].accuracy > sym["zeros"].accuracy
assert abs(sym["constant"].accuracy - one_unit.accuracy) <= 0.02  # 16 copies = one unit

# %% [markdown]
# With constant weights the hidden layer *does* learn — but all 16 units stay copies of each
# other (up to rounding), and the network is as accurate as one with a single hidden unit
# (within 2 points in seeds 0–4). **Random** initialization breaks the symmetry. The question
# is: random with what scale?
#
# ## 2. Too small, too large: what depth does to the signal
#
# `exp.activation_stats` pushes 128 Gaussian inputs through a bias-free MLP of a given depth,
# width, activation and init scheme (numpy only, no training) and records per-layer statistics.
# We plot the root-mean-square $\sqrt{\mathbb E[h^2]}$, the quantity the derivations below keep
# constant:

# %%
nnbasics.show_source(init.he_normal)

# %%
depth, width = 50, 256
runs = {scheme: exp.activation_stats(depth=depth, width=width, activation="relu", scheme=scheme, rng=1)
        for scheme in ("normal_0.01", "normal_1", "he_normal", "xavier_normal")}
fig, ax = plt.subplots(figsize=(7, 3.6))
for k, (scheme, s) in enumerate(runs.items()):
    ax.semilogy(np.maximum(s.rms, 1e-300), label=scheme, color=plotting.PALETTE[k], lw=2)
ax.axhspan(runs["he_normal"].rms[0] / 2, runs["he_normal"].rms[0] * 2, color="grey", alpha=0.15,
           label="input RMS ×/÷ 2")
ax.axhline(np.finfo(np.float32).max, color=plotting.PALETTE[5], ls=":", lw=1, label="float32 max")
ax.set(xlabel="layer", ylabel="activation RMS (log scale)", ylim=(1e-60, 1e60),
       title=f"ReLU MLP, width {width}: only He init keeps the signal")
ax.legend(fontsize=8, ncol=2)
fig.tight_layout()

# %% [markdown]
# With $\mathcal N(0, 0.01^2)$ each layer multiplies the RMS by about
# $\sqrt{256\cdot 10^{-4}/2}\approx 0.11$: after 50 layers the activations (and the gradients
# that flow back through the same weights) are ~$10^{-48}$ — nothing can learn. With
# $\mathcal N(0,1)$ each layer multiplies it by $\sqrt{256/2} \approx 11$: after 50 layers it is
# ~$10^{52}$ — still finite in float64 (up to $1.8\times10^{308}$), but in float32 (up to
# $3.4\times10^{38}$) it would have overflowed to `inf` at layer 37:

# %%
small, large = runs["normal_0.01"], runs["normal_1"]
per_layer = {k: (r.rms[-1] / r.rms[0]) ** (1 / depth) for k, r in (("small", small), ("large", large))}
f32_layer = int(np.argmax(large.rms > np.finfo(np.float32).max))
print(f"per layer: N(0, 0.01^2) x{per_layer['small']:.3f}, N(0, 1) x{per_layer['large']:.1f}; "
      f"layer 50 RMS {small.rms[-1]:.0e} and {large.rms[-1]:.0e}; float32 would overflow at layer {f32_layer}")
assert 0.10 < per_layer["small"] < 0.12 and 10.5 < per_layer["large"] < 12
assert small.rms[-1] < 1e-45 and 1e50 < large.rms[-1] < np.finfo(np.float64).max and f32_layer == 37

# %% [markdown]
# **Try it.** Change depth, width, activation and scheme. Which scheme keeps ReLU's std flat?
# Then try tanh: none of the four keeps it perfectly flat. With Xavier it decays slowly (the
# std falls to about 0.15 of the input's over 20 layers, because $\tanh' < 1$ away from 0); with
# $\mathcal N(0,1)$ it only *looks* flat — check the histogram: most units sit at $\pm1$,
# saturated. Section 4 shows the fix (a gain). What happens to sigmoid, whose outputs are never
# zero-centred?

# %%
init_explorer = widgets.init_explorer("he_normal", "relu")
init_explorer

# %%
tanh_x, tanh_n1 = (widgets.depth_profile(20, 64, "tanh", s) for s in ("xavier_normal", "normal_1"))
print(f"widget default size, tanh: Xavier std ratio {tanh_x.std[-1] / tanh_x.std[0]:.2f}; "
      f"N(0, 1) std ratio {tanh_n1.std[-1] / tanh_n1.std[0]:.2f} with {tanh_n1.frac_saturated[-1]:.0%} saturated")
assert tanh_x.std[-1] / tanh_x.std[0] < 0.3 and tanh_n1.frac_saturated[-1] > 0.5

# %% [markdown]
# ## 3. Deriving Xavier and He — forward and backward
#
# **Forward.** Take one layer $z_j = \sum_{i=1}^{n_\text{in}} h_i w_{ij}$ with weights drawn
# independently of the inputs, $\mathbb E[w]=0$, $\operatorname{Var}(w) = \sigma_w^2$. The terms
# are independent with mean zero, so variances add:
#
# $$\operatorname{Var}(z_j) = n_\text{in}\,\sigma_w^2\,\mathbb E[h_i^2].$$
#
# **Backward.** The gradient with respect to the layer's input is
# $\partial L/\partial h_i = \sum_{j=1}^{n_\text{out}} w_{ij}\,\delta_j$ with $\delta_j = \partial L/\partial z_j$,
# and one layer lower $\delta^{\text{prev}}_i = f'(z^\text{prev}_i)\,\partial L/\partial h_i$. The same argument,
# summing over the $n_\text{out}$ units the input feeds, gives
#
# $$\operatorname{Var}(\delta^{\text{prev}}_i) = n_\text{out}\,\sigma_w^2\,\mathbb E[f'(z^\text{prev})^2]\,\operatorname{Var}(\delta_j).$$
#
# **Linear or tanh (near 0):** $h \approx z_\text{prev}$ and $f'\approx 1$: the forward variance is
# kept when $n_\text{in}\sigma_w^2 = 1$, the backward one when $n_\text{out}\sigma_w^2 = 1$.
# Glorot & Bengio (2010) compromise: $\sigma_w^2 = \dfrac{2}{n_\text{in}+n_\text{out}}$.
#
# **ReLU:** $h = \max(0, z_\text{prev})$ with $z_\text{prev}$ symmetric around 0. Half of the
# mass is zeroed and the other half is kept, and $f'$ is 1 on exactly that half, so
#
# $$\mathbb E[h^2] = \int_0^\infty z^2 p(z)\,dz = \tfrac12\operatorname{Var}(z_\text{prev}), \qquad
# \mathbb E[f'(z_\text{prev})^2] = \tfrac12 .$$
#
# Keeping the forward variance requires $\tfrac12 n_\text{in}\sigma_w^2 = 1$, the backward one
# $\tfrac12 n_\text{out}\sigma_w^2 = 1$ — He et al. (2015):
#
# $$\boxed{\sigma_w^2 = \frac{2}{n_\text{in}}\ (\texttt{mode="fan\_in"}) \quad\text{or}\quad \sigma_w^2 = \frac{2}{n_\text{out}}\ (\texttt{mode="fan\_out"})}
# \qquad\text{the factor 2 undoes ReLU's halving.}$$
#
# **Which one?** With unequal widths only one pass can be exactly flat. But the mismatch does
# not compound: with fan_in the backward variance is multiplied by $n_\text{out}/n_\text{in}$ at
# each layer, and the product of those ratios *telescopes* to (first width)/(last width) — a
# constant, not an exponential in depth (He et al. note this). Measured on a funnel
# 2048 → 1024 → … → 64:

# %%
funnel = (2048, 1024, 512, 256, 128, 64)
prop = {mode: exp.signal_propagation(funnel, mode=mode, rng=0) for mode in ("fan_in", "fan_out")}
fig, ax = plt.subplots(figsize=(7, 3.4))
layers = np.arange(1, len(funnel))
for k, (mode, p) in enumerate(prop.items()):
    ax.semilogy(layers, p.forward_rms, "o-", color=plotting.PALETTE[k], label=f"{mode}: forward RMS of $z_l$")
    ax.semilogy(layers, p.backward_rms, "s--", color=plotting.PALETTE[k], label=f"{mode}: backward RMS of $\\delta_l$")
ax.set(xlabel="layer l (widths 2048 → 64)", ylabel="RMS (log)", title="He init on a funnel: one pass is flat, the other drifts by the width ratio")
ax.legend(fontsize=7)
fig.tight_layout()
for mode, p in prop.items():
    print(f"{mode:<7} forward RMS {np.round(p.forward_rms, 2)}; backward RMS {np.round(p.backward_rms, 2)}")
fi, fo = prop["fan_in"], prop["fan_out"]
ratio = np.sqrt(funnel[1] / funnel[-1])  # layer 1 to layer 5: sqrt(1024 / 64) = 4
assert np.ptp(np.log(fi.forward_rms)) < np.log(1.3) and np.ptp(np.log(fo.backward_rms)) < np.log(1.3)  # flat
assert 0.75 * ratio < fo.forward_rms[-1] / fo.forward_rms[0] < 1.25 * ratio  # drifts by ~4, not 4^depth
assert 0.75 * ratio < fi.backward_rms[-1] / fi.backward_rms[0] < 1.25 * ratio

# %% [markdown]
# Uniform versions use $U(-a, a)$, whose variance is $a^2/3$: Xavier $a=\sqrt{6/(n_\text{in}+n_\text{out})}$,
# He $a=\sqrt{6/n_\text{in}}$.
#
# **Self-check: finite width.** The derivation is about averages; a real network draws its
# weights once. For one input, each ReLU layer multiplies the squared norm by a ratio with mean 1
# and variance $5/H$ (from $\mathbb E[\operatorname{relu}(z)^4] = \tfrac32\sigma^4$), so
# $\log(\mathrm{RMS}_L/\mathrm{RMS}_0)$ does a random walk with mean $\approx -5L/(4H)$ and
# standard deviation $\approx \tfrac12\sqrt{5L/H}$. Checked on 100 single-input networks of
# width 64, then on the notebook's setting (128 inputs sharing the weights, width 256), where
# we count the networks whose RMS stays within a factor 2 of the input's at every layer:

# %%
single = exp.log_rms_walk(width=64, n=1, networks=100)
batch = exp.log_rms_walk(width=256, n=128, networks=20)
print(f"one input, width 64: sd {single['log_ratio'].std():.2f} (theory {single['theory_sd']:.2f}), "
      f"mean {single['log_ratio'].mean():.2f} (theory {single['theory_mean']:.2f})")
print(f"128 inputs, width 256: sd {batch['log_ratio'].std():.2f} (one-input theory {batch['theory_sd']:.2f}); "
      f"within x2 at every layer: {batch['within2'].sum()} of {batch['within2'].size} networks")
assert abs(single["log_ratio"].std() / single["theory_sd"] - 1) < 0.15
assert abs(single["log_ratio"].mean() - single["theory_mean"]) < 0.3
assert batch["log_ratio"].std() < batch["theory_sd"] and 0.6 <= batch["within2"].mean() <= 0.9

# %% [markdown]
# The walk's size grows like $\sqrt{L/H}$: deep *and* narrow networks wander off even with the
# right init. At width 256 and depth 50 about 7 in 10 networks stay within ×2 (28 of 40 draws,
# `tests/claims`; 16 of these 20); the batch of inputs sharing the weights averages part of
# the one-input walk away.
#
# The mismatched pairs, measured: Xavier + ReLU shrinks layer after layer (× $1/\sqrt2$), while
# He + tanh grows a small input signal (std 0.1) until tanh's flattening slope balances the
# doubling: it settles near std 0.55, with almost no unit saturated. Xavier + tanh keeps it small.

# %%
mismatch = {
    "xavier + relu": exp.activation_stats(depth=50, width=256, activation="relu", scheme="xavier_normal", rng=1),
    "he + tanh": exp.activation_stats(depth=50, width=256, activation="tanh", scheme="he_normal", input_std=0.1, rng=1),
    "xavier + tanh": exp.activation_stats(depth=50, width=256, activation="tanh", scheme="xavier_normal", input_std=0.1, rng=1),
}
fig, ax = plt.subplots(figsize=(7, 3.4))
for k, (label, s) in enumerate(mismatch.items()):
    ax.semilogy(s.std / s.std[0], label=label, color=plotting.PALETTE[k + 3], lw=2)
ax.set(xlabel="layer", ylabel="std / input std (log)", title="mismatched activation and init drift")
ax.legend(fontsize=8)
fig.tight_layout()
xr, ht, xt = mismatch.values()
print(f"xavier + relu: layer-50 std ratio {xr.std[-1] / xr.std[0]:.1e} (x{(xr.rms[-1] / xr.rms[0]) ** (1 / 50):.3f} "
      f"per layer); he + tanh: std {ht.std[-1]:.2f}, largest saturated fraction {ht.frac_saturated.max():.1%}; "
      f"xavier + tanh: std ratio {xt.std[-1] / xt.std[0]:.2f}")
assert xr.std[-1] < 1e-3 * xr.std[0] and abs((xr.rms[-1] / xr.rms[0]) ** (1 / 50) - 2**-0.5) < 0.02
assert 0.5 < ht.std[-1] < 0.6 and ht.frac_saturated.max() < 0.01
assert xt.std[-1] < ht.std[-1] / 4

# %% [markdown]
# ## 4. Gains: ReLU $\sqrt2$, tanh $5/3$, SELU
#
# A **gain** $g$ multiplies a scheme's std: He is Xavier-style $1/n$ variance times $g^2 = 2$.
# `torch.nn.init.calculate_gain` (our `init.gain`) lists: linear and sigmoid 1, ReLU $\sqrt2$,
# Leaky ReLU $\sqrt{2/(1+a^2)}$ (exercise 6.3 derives it), tanh $5/3$, SELU $3/4$.
#
# **tanh, 5/3.** For a layer of width $n$ with $\operatorname{Var}(w)=g^2/n$, the variance map is
# $q_{l} = g^2\,\mathbb E[\tanh(\sqrt{q_{l-1}}\,\varepsilon)^2]$. Near $q=0$ it is $q_l \approx g^2 q_{l-1}$: with $g = 1$
# the only fixed point is 0, approached slowly (the decay you saw in the widget); any $g>1$
# creates a non-zero fixed point. $5/3$ is a choice that puts it at a moderate RMS with few
# saturated units. **SELU.** Its constants make mean 0, variance 1 a stable fixed point — *if*
# $\operatorname{Var}(w) = 1/n$ (LeCun, gain 1). torch's gain $3/4$ trades that for smaller
# gradients (torch's documentation says to use `nonlinearity="linear"` for self-normalizing
# networks). Both measured at depth 50, width 256:

# %%
torch_gains = {"relu": 2**0.5, "tanh": 5 / 3, "selu": 0.75, "leaky_relu": (2 / (1 + 0.2**2)) ** 0.5}
for name, g in torch_gains.items():
    assert abs(init.gain(name, 0.2 if name == "leaky_relu" else None) - g) < 1e-12, name
gains = {f"tanh, gain {g:.2f}": exp.activation_stats(depth=50, width=256, activation="tanh",
                                                      scheme="xavier_normal", gain=g, rng=1) for g in (1.0, 5 / 3)}
gains.update({f"selu, gain {g:.2f}": exp.activation_stats(depth=50, width=256, activation="selu",
                                                           scheme="xavier_normal", gain=g, rng=1) for g in (1.0, 0.75)})
fig, ax = plt.subplots(figsize=(7, 3.4))
for k, (label, s) in enumerate(gains.items()):
    ax.semilogy(s.rms, label=label, color=plotting.PALETTE[k], lw=2)
    print(f"{label}: RMS at layers 1, 10, 50 = {np.round(s.rms[[1, 10, 50]], 3)}; mean at layer 50 "
          f"{s.mean[-1]:+.3f}; saturated at layer 50 {s.frac_saturated[-1]:.1%}")
ax.set(xlabel="layer", ylabel="activation RMS (log)", title="gains, width 256 (Xavier = LeCun for square layers)")
ax.legend(fontsize=8)
fig.tight_layout()
t1, t53, s1, s34 = gains.values()
assert t1.rms[-1] < 0.12 and 0.6 < t53.rms[-1] < 0.7 and t53.frac_saturated[-1] < 0.02  # 5/3: stable, few saturated
assert abs(s1.std[-1] - 1) < 0.05 and abs(s1.mean[-1]) < 0.05                         # SELU + LeCun: the fixed point
assert s34.std[-1] < 0.3                                                              # torch's 3/4: shrinks

# %% [markdown]
# With gain 1 tanh's RMS falls to about 0.1 by layer 50 (0.08–0.11 over seeds 0–4); with 5/3
# it settles at 0.65 with under 2 % of units saturated. SELU with LeCun's variance keeps mean 0 and std 1 through 50 layers;
# with torch's 3/4 its std shrinks to under 0.2.
#
# ## 5. Orthogonal init and dynamical isometry
#
# Keeping the *average* size of the signal is not the whole story: the gradient is a vector, and
# the input-output Jacobian $J = \partial h_L/\partial h_0$ can stretch some directions and
# crush others while the average looks fine. **Dynamical isometry** (Saxe et al., 2014;
# Pennington et al., 2017) asks for *all* singular values of $J$ near 1. A product of $L$
# Gaussian matrices spreads them exponentially with depth; a product of **orthogonal** matrices
# (`init.orthogonal`: QR of a Gaussian matrix, every singular value equal to the gain) keeps
# them all at exactly 1 for a linear network, and near 1 for tanh while the pre-activations stay
# small (tanh' ≈ 1 there). ReLU cannot have it: for any input it switches off about half of the
# units, so $J$ has zero singular values whatever the init. Depth 32, width 128:

# %%
cases = {"linear, Gaussian (Xavier)": dict(activation="linear", scheme="xavier_normal"),
         "linear, orthogonal": dict(activation="linear", scheme="orthogonal"),
         "tanh, Gaussian (Xavier)": dict(activation="tanh", scheme="xavier_normal", input_std=0.1),
         "tanh, orthogonal": dict(activation="tanh", scheme="orthogonal", input_std=0.1),
         "relu, orthogonal (gain √2)": dict(activation="relu", scheme="orthogonal", gain=2**0.5)}
svals = {label: exp.jacobian_singular_values(depth=32, width=128, rng=0, **kw) for label, kw in cases.items()}
fig, ax = plt.subplots(figsize=(8, 3.6))
bins = np.linspace(-20, 2, 89)
for k, (label, sv) in enumerate(svals.items()):
    ax.hist(np.log10(np.maximum(sv, 1e-20)), bins=bins, histtype="step", lw=2, color=plotting.PALETTE[k], label=label)
ax.axvline(0, color="grey", lw=0.5)
ax.set(xlabel="log10 singular value of $\\partial h_{32}/\\partial h_0$ (zeros drawn at -20)", ylabel="count (of 128)",
       title="one picture: orthogonal init keeps every direction, Gaussian spreads them over many decades")
ax.legend(fontsize=7, loc="upper left")
fig.tight_layout()
near = {label: float(np.mean((sv > 0.5) & (sv < 2))) for label, sv in svals.items()}
for label, sv in svals.items():
    print(f"{label:<28} within x2 of 1: {near[label]:4.0%};  largest {sv.max():.2f}, median {np.median(sv):.1e}")
assert near["linear, orthogonal"] == 1.0 and np.allclose(svals["linear, orthogonal"], 1.0)
assert 0.4 < svals["tanh, orthogonal"].min() and svals["tanh, orthogonal"].max() < 1
assert near["linear, Gaussian (Xavier)"] < 0.2 and near["tanh, Gaussian (Xavier)"] < 0.2
assert np.median(svals["relu, orthogonal (gain √2)"]) < 1e-12  # ReLU: no isometry possible

# %% [markdown]
# Over seeds 0–4 (`tests/claims`): the orthogonal linear network's singular values are all 1 to
# rounding; the orthogonal tanh network's lie between 0.4 and 0.9 ($\tanh' < 1$ shaves a little
# off at each layer); with Gaussian weights fewer than a fifth are within ×2 of 1 and the median
# is around $10^{-5}$; with ReLU at least half of them are 0.
#
# ## 6. Training curves: zero, small, Xavier, He, orthogonal
#
# Does any of this matter once training starts? The same 8-hidden-layer ReLU MLP (width 64)
# learns the digits with SGD (momentum 0.9, lr 0.01, 10 epochs) from five starts:

# %%
curves = exp.init_training_curves(("zeros", "small", "xavier", "he", "orthogonal"), depth=8, width=64,
                                   epochs=10, lr=0.01, seed=0)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
for k, (name, c) in enumerate(curves.items()):
    epochs = np.arange(1, len(c["train_loss"]) + 1)
    ax1.plot(epochs, c["train_loss"], "o-", ms=3, color=plotting.PALETTE[k], label=name)
    ax2.plot(epochs, c["val_acc"], "o-", ms=3, color=plotting.PALETTE[k], label=name)
ax1.axhline(np.log(10), color="grey", ls=":", lw=1, label="ln 10 (guessing)")
ax1.set(xlabel="epoch", ylabel="training loss", title="8 ReLU layers on the digits, SGD")
ax2.set(xlabel="epoch", ylabel="validation accuracy", title="same runs", ylim=(0, 1))
ax1.legend(fontsize=8)
fig.tight_layout()
final = {name: c["train_loss"][-1] for name, c in curves.items()}
print({name: round(v, 3) for name, v in final.items()})
assert all(abs(final[n] - np.log(10)) < 0.01 for n in ("zeros", "small"))  # never leave ln 10
assert max(final["orthogonal"], final["he"]) < final["xavier"] < np.log(10) - 1
assert min(curves["he"]["val_acc"][-1], curves["orthogonal"]["val_acc"][-1]) > 0.87

# %% [markdown]
# Zero and $\mathcal N(0, 0.01^2)$ starts never leave the loss of guessing ($\ln 10$) in 10 epochs:
# the first has no gradient at all; the second shrinks the signal by $\sqrt{64\cdot 0.01^2/2}\approx 0.06$
# per layer, and its gradients with it. Xavier learns, more
# slowly (its ReLU signal shrinks ×$1/\sqrt2$ per layer); He and orthogonal learn fastest (both
# end below Xavier in each of seeds 0–9, at 87 % validation accuracy or more), and orthogonal
# reached the lowest training loss in 7–9 of the 10 seeds — the count depends on the CPU's
# rounding, which this training amplifies (`tests/claims`, on five CPU code paths). We used
# plain SGD on purpose: its steps are proportional to the gradients, so a scale problem at
# initialisation shows up directly in the step sizes.
#
# ## 7. Our initializers have torch's distributions
#
# `nnbasics.core.init` draws from a numpy `rng` with shape (fan_in, fan_out) (we compute `x @ W`);
# `torch.nn.init` fills a `weight` of shape (fan_out, fan_in). Same distributions — the unit
# tests compare them with a Kolmogorov–Smirnov statistic; here we compare variances, and the
# singular values of the orthogonal ones:

# %%
# NBVAL_CHECK_OUTPUT
import torch

fan_in, fan_out = 400, 250
pairs = {"xavier_uniform": torch.nn.init.xavier_uniform_, "xavier_normal": torch.nn.init.xavier_normal_,
         "he_normal": torch.nn.init.kaiming_normal_, "he_uniform": torch.nn.init.kaiming_uniform_}
for name, torch_fn in pairs.items():
    ours = getattr(init, name)((fan_in, fan_out), rng=0)
    ref = torch.empty(fan_out, fan_in, dtype=torch.float64)
    torch_fn(ref, generator=torch.Generator().manual_seed(0), **({"nonlinearity": "relu"} if "he" in name else {}))
    print(f"{name:<15} var ours {ours.var():.5f}   torch {ref.var().item():.5f}")
    assert abs(ours.var() / ref.var().item() - 1) < 0.03
ours = init.orthogonal((fan_in, fan_out), rng=0, gain=2.0)
ref = torch.nn.init.orthogonal_(torch.empty(fan_out, fan_in, dtype=torch.float64), gain=2.0,
                                generator=torch.Generator().manual_seed(0))
sv_ours, sv_torch = (np.linalg.svd(w, compute_uv=False) for w in (ours, ref.numpy()))
print(f"orthogonal      singular values ours {sv_ours.min():.5f} to {sv_ours.max():.5f}   "
      f"torch {sv_torch.min():.5f} to {sv_torch.max():.5f}")
assert np.allclose(sv_ours, 2.0) and np.allclose(sv_torch, 2.0)

# %% [markdown]
# **Rules of thumb.** ReLU family → He (`kaiming_*`, PyTorch's `nonlinearity="relu"`); tanh,
# sigmoid, linear → Xavier/Glorot (tanh with gain 5/3); SELU → LeCun ($1/n_\text{in}$); deep
# linear or tanh stacks and RNNs → orthogonal; biases → 0. PyTorch's `nn.Linear` default is a
# uniform with variance $1/(3n_\text{in})$ — fine for shallow nets (notebook 05 measured what it
# does to a deep sigmoid net); normalization layers (notebook 07) and residual connections make
# deep nets far less sensitive to the init.
#
# ## 8. Exercises (graded)
#
# Open your exercise file **[exercises/ex06_init.py](../exercises/ex06_init.py)**
# (a click opens it in JupyterLab's editor) and implement, using numpy and the `rng` argument only:
#
# | exercise | function | what it does |
# |---|---|---|
# | 6.1 | `he_normal(fan_in, fan_out, rng)` | He normal weights, shape (fan_in, fan_out) (§3) |
# | 6.2 | `xavier_uniform(fan_in, fan_out, rng)` | Xavier uniform weights, shape (fan_in, fan_out) (§3) |
# | 6.3 | `kaiming_std(fan_in, fan_out, negative_slope, mode)` | **derive** the std that keeps the forward (or backward) variance through a Leaky ReLU layer (§3, §4) |
#
# Common mistakes the grader recognises: fan_out instead of fan_in, the variance passed as the
# standard deviation, and the uniform bound taken as the variance.
# Save the file (<kbd>Ctrl</kbd>+<kbd>S</kbd>), then click **Grade my exercises** at the end of
# this section: it runs the course's tests on your file and shows your points per exercise,
# the first check that failed and a hint. Prefer a terminal? `python -m nnbasics grade 06`
# in the course folder does the same.

# %%
from nnbasics.course import exercises

mine = exercises.attempt("06", "he_normal", 512, 128, np.random.default_rng(0))
if mine is not None:
    assert mine.shape == (512, 128), f"he_normal must return shape (fan_in, fan_out), got {mine.shape}"
    assert abs(mine.var() / (2 / 512) - 1) < 0.05, f"variance {mine.var():.4g}, expected 2/fan_in = {2 / 512:.4g}"
    print("✅ your he_normal has the right shape and variance")
std = exercises.attempt("06", "kaiming_std", 512, 128, 0.2, "fan_in")
if std is not None:
    assert abs(std - init.gain("leaky_relu", 0.2) / 512**0.5) < 1e-12, "your kaiming_std differs from gain / sqrt(fan)"
    print("✅ your kaiming_std matches torch's gain / sqrt(fan_in)")

# %%
exercises.grade_button("06")

# %% [markdown]
# ## 9. Quiz and key takeaways

# %%
quiz.show("06")

# %% [markdown]
# **Key takeaways**
# - Equal weights (zeros or any constant) keep hidden units identical forever: initialise weights
#   randomly (biases can be 0).
# - The scale matters exponentially with depth: each layer multiplies the activations' root-mean-
#   square by $\sqrt{n_\text{in}\sigma_w^2\cdot c}$ ($c = \tfrac12$ for ReLU), so a bit too small or
#   too large collapses or explodes the signal — and the gradients.
# - Forward needs $n_\text{in}\sigma_w^2 c = 1$, backward $n_\text{out}\sigma_w^2\,\mathbb E[f'^2] = 1$.
#   Xavier: $\operatorname{Var}(w) = 2/(n_\text{in}+n_\text{out})$ for tanh/linear; He:
#   $\operatorname{Var}(w) = 2/n_\text{in}$ (or $2/n_\text{out}$) for ReLU; the mismatch of the
#   other pass telescopes to the ratio of the end widths.
# - Gains adapt a scheme to an activation: ReLU $\sqrt2$, tanh $5/3$ (a stable non-zero RMS),
#   SELU needs LeCun ($1/n$) for its fixed point. Finite width adds a random walk of size
#   $\approx\tfrac12\sqrt{5L/H}$ per input.
# - Orthogonal init keeps *every* singular value of a linear (or small-signal tanh) network's
#   Jacobian at 1; Gaussian init spreads them over many decades; ReLU cannot be isometric.
# - Mismatched pairs drift (Xavier + ReLU shrinks ×$1/\sqrt2$ per layer; He + tanh settles at a
#   larger std, without saturating); normalization and residual connections reduce the
#   sensitivity further. Next: **07 · BatchNorm vs LayerNorm**.
