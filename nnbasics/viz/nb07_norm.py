"""Notebook 07 widgets: one sample's BatchNorm vs LayerNorm output as its batch companions change;
GroupNorm's groups, from LayerNorm to InstanceNorm."""

from __future__ import annotations

import numpy as np

from nnbasics.core import norm
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["population", "companion_effect", "companion_explorer", "GN_SHAPE", "SILENT", "GROUP_CHOICES",
           "gn_batch", "groupnorm_view", "groupnorm_explorer"]

D = 6
DRAWS = 30


@frozen_cache(maxsize=1)
def population() -> dict:
    """A fixed population of 500 rows with D=6 features of different means and scales, and
    BatchNorm running statistics accumulated over 200 training batches of 32 (built once).

    Returns
    -------
    dict
        ``X`` (500, 6), ``sample`` (6,) (the row we follow), ``state`` (BatchNormState).
    """
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, D)) * np.linspace(0.5, 3.0, D) + np.linspace(-2.0, 4.0, D)  # (500, D)
    state = norm.BatchNormState.initial(D)
    ones, zeros = np.ones(D), np.zeros(D)
    for _ in range(200):
        batch = X[rng.choice(len(X), 32, replace=False)]
        state = norm.batchnorm_forward(batch, ones, zeros, state, train=True)[1].state
    return {"X": X, "sample": X[0], "state": state}


@frozen_cache(maxsize=256)
def companion_effect(batch_size: int, mode: str, seed: int = 1) -> dict:
    """Pure data: normalize the same sample in ``DRAWS`` batches with fresh random companions.

    Parameters
    ----------
    batch_size : int >= 2
    mode : {"train", "eval"}
        BatchNorm's mode (LayerNorm has none).
    seed : int
        Draws the companions.

    Returns
    -------
    dict
        ``bn`` and ``ln`` (DRAWS, D): the sample's output row in each draw; ``bn_spread`` and
        ``ln_spread``: their standard deviation across draws, averaged over features;
        ``batch_size``, ``mode``.
    """
    if mode not in ("train", "eval"):
        raise ValueError(f"mode must be 'train' or 'eval', got {mode!r}")
    if int(batch_size) < 2:
        raise ValueError(f"batch_size must be >= 2, got {batch_size}")
    pop = population()
    X, x0, state = pop["X"], pop["sample"], pop["state"]
    rng = np.random.default_rng(seed)
    ones, zeros = np.ones(D), np.zeros(D)
    bn, ln = np.empty((DRAWS, D)), np.empty((DRAWS, D))
    for k in range(DRAWS):
        idx = 1 + rng.choice(len(X) - 1, int(batch_size) - 1, replace=False)
        batch = np.vstack([x0[None, :], X[idx]])  # (B, D): our sample is row 0
        bn[k] = norm.batchnorm_forward(batch, ones, zeros, state, train=(mode == "train"))[0][0]
        ln[k] = norm.layernorm_forward(batch, ones, zeros)[0][0]
    return {"bn": bn, "ln": ln, "bn_spread": float(bn.std(axis=0).mean()),
            "ln_spread": float(ln.std(axis=0).mean()), "batch_size": int(batch_size), "mode": mode}


class _CompanionView(View):
    """The same sample's normalized features over DRAWS batches: BatchNorm left, LayerNorm right."""

    def init(self, fig, d):
        axes = fig.subplots(1, 2, sharey=True)
        jitter = np.random.default_rng(0).uniform(-0.2, 0.2, size=DRAWS)
        xs = (np.arange(D)[None, :] + jitter[:, None]).ravel()  # (DRAWS * D,)
        self.panels = []
        for ax, key, color in ((axes[0], "bn", PALETTE[0]), (axes[1], "ln", PALETTE[1])):
            points = ax.scatter(xs, d[key].ravel(), s=12, color=color, alpha=0.6, label=f"{DRAWS} batches")
            ax.axhline(0, color="gray", lw=0.8)
            ax.set(xlabel="feature", xticks=range(D), ylim=(-4, 4))
            ax.legend(loc="lower right", fontsize=8)
            self.panels.append((ax, key, points))
        axes[0].set_ylabel("normalized value of the SAME sample")
        self.xs = xs
        return self.update(d)

    def update(self, d):
        names = {"bn": f"BatchNorm ({d['mode']} mode)", "ln": "LayerNorm"}
        for ax, key, points in self.panels:
            points.set_offsets(np.column_stack([self.xs, d[key].ravel()]))
            ax.set_title(f"{names[key]}\nspread across batches: {d[key + '_spread']:.3f}")
        return [artist for ax, _, points in self.panels for artist in (points, ax.title)]


@register("07", "companions")
def companion_explorer() -> Explorer:
    """Batch size and BatchNorm's train/eval mode -> one sample's BN and LN outputs over 30 batches."""
    import ipywidgets as w

    controls = {
        "batch_size": w.IntSlider(value=4, min=2, max=64, description="batch size",
                                  continuous_update=False),
        "mode": w.ToggleButtons(options=["train", "eval"], value="train", description="BN mode"),
    }
    return Explorer(controls, companion_effect, _CompanionView(), figsize=(8.5, 3.7),
                    summary=lambda d: f"BN spread <b>{d['bn_spread']:.3f}</b> · LN spread "
                                      f"<b>{d['ln_spread']:.3f}</b> (0 = the output depends on the "
                                      "sample alone)",
                    title="Same sample, different batch companions")


# --------------------------------------------------------------------------- GroupNorm
#: The fixed (N, C, H, W) batch of the GroupNorm explorer: each channel has its own mean and
#: spread over the image, the same in every sample; channel SILENT barely varies (noise only).
GN_SHAPE = (4, 8, 5, 5)
CHANNEL_MEANS = (-1.0, 0.0, 1.0, 2.0, 0.5, -0.5, 0.0, 1.5)
CHANNEL_STDS = (0.5, 1.0, 0.8, 0.6, 1.2, 0.4, 0.02, 0.7)
SILENT = 6
GROUP_CHOICES = (1, 2, 4, 8)


@frozen_cache(maxsize=4)
def gn_batch(seed: int = 0) -> np.ndarray:
    """The explorer's activations, shape (4, 8, 5, 5): channel c ~ N(CHANNEL_MEANS[c], CHANNEL_STDS[c]^2)."""
    shape = (1, len(CHANNEL_MEANS), 1, 1)
    noise = np.random.default_rng(seed).standard_normal(GN_SHAPE)  # (N, C, H, W)
    return np.reshape(CHANNEL_MEANS, shape) + np.reshape(CHANNEL_STDS, shape) * noise


@frozen_cache(maxsize=32)
def groupnorm_view(groups: int, seed: int = 0) -> dict:
    """Pure data for the GroupNorm explorer: which entries share statistics, and sample 0 normalized.

    Parameters
    ----------
    groups : int, divides C = 8
        1 is LayerNorm over (C, H, W), 8 is InstanceNorm.
    seed : int
        Draws the batch (:func:`gn_batch`).

    Returns
    -------
    dict
        ``sets`` (N, C) int: the statistics set of every (sample, channel)
        (:func:`nnbasics.core.norm.normalization_sets`); ``group_of`` (C,) each channel's group;
        ``x0`` and ``out0`` (C, H*W): sample 0 before and after GroupNorm (gamma = 1, beta = 0);
        ``channel_means`` and ``channel_stds`` (C,) of ``out0``; ``contrast``: the std of
        ``channel_means`` (how much of "which channel fired more" survives); ``silent_std``: the
        output std of channel SILENT (input std 0.02); ``n_sets``, ``set_size`` (entries sharing one
        mean and variance), ``groups``.
    """
    N, C, H, W = GN_SHAPE
    if groups not in GROUP_CHOICES:
        raise ValueError(f"groups must be one of {GROUP_CHOICES} (the divisors of C={C}), got {groups!r}")
    x = gn_batch(seed)
    out = norm.groupnorm_forward(x, np.ones(C), np.zeros(C), int(groups))[0]  # (N, C, H, W)
    out0 = out[0].reshape(C, H * W)
    means = out0.mean(axis=1)
    return {"groups": int(groups), "sets": norm.normalization_sets("group", N, C, int(groups)),
            "group_of": np.arange(C) // (C // int(groups)), "x0": x[0].reshape(C, H * W), "out0": out0,
            "channel_means": means, "channel_stds": out0.std(axis=1), "contrast": float(means.std()),
            "silent_std": float(out0[SILENT].std()), "n_sets": N * int(groups),
            "set_size": C // int(groups) * H * W}


class _GroupNormView(View):
    """Left: the N x C grid coloured by group; middle: sample 0's input; right: its GroupNorm output."""

    tight_layout = False

    def init(self, fig, d):
        from matplotlib.colors import ListedColormap

        fig.subplots_adjust(left=0.055, right=0.985, bottom=0.15, top=0.85, wspace=0.3)
        self.ax1, self.ax2, self.ax3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1.1, 1.1]})
        N, C = d["sets"].shape
        self.grid = self.ax1.imshow(self._group_grid(d), cmap=ListedColormap(PALETTE), vmin=-0.5,
                                    vmax=len(PALETTE) - 0.5, aspect="auto", interpolation="nearest")
        self.ax1.set_xticks(np.arange(C) - 0.5, minor=True)
        self.ax1.set_yticks(np.arange(N) - 0.5, minor=True)
        self.ax1.grid(which="minor", axis="x", color="white", lw=0.6)
        self.ax1.grid(which="minor", axis="y", color="white", lw=4)
        self.ax1.tick_params(which="minor", length=0)
        self.ax1.set(xticks=range(C), yticks=range(N), xlabel="channel c", ylabel="sample n")
        per = d["x0"].shape[1]
        self.xs = (np.arange(C)[:, None] + np.random.default_rng(0).uniform(-0.25, 0.25, (C, per))).ravel()
        self.ax2.scatter(self.xs, d["x0"].ravel(), s=5, color=PALETTE[7], alpha=0.6)
        self.ax2.annotate(f"channel {SILENT}: std {np.std(d['x0'][SILENT]):.2f}", (SILENT, d["x0"][SILENT].mean()),
                          xytext=(SILENT - 3.5, -2.6), fontsize=7, arrowprops={"arrowstyle": "->", "lw": 0.6})
        self.ax2.set(xticks=range(C), ylim=(-3.5, 3.5), xlabel="channel c", ylabel="activation",
                     title="sample 0 before normalization (25 pixels per channel)")
        self.ax2.title.set_fontsize(9)
        self.points = self.ax3.scatter(self.xs, d["out0"].ravel(), s=5)
        (self.means,) = self.ax3.plot(range(C), d["channel_means"], "_", color=PALETTE[7], ms=14, mew=2,
                                      label="channel mean")
        self.ax3.axhline(0, color="grey", lw=0.6, zorder=0.5)  # below the moving points (1) and means (2)
        self.ax3.set(xticks=range(C), ylim=(-3.5, 3.5), xlabel="channel c (colour: its group)",
                     ylabel="normalized value")
        self.ax3.legend(fontsize=7, loc="lower right")
        return self.update(d)

    @staticmethod
    def _group_grid(d) -> np.ndarray:
        return np.broadcast_to(d["group_of"], d["sets"].shape)  # (N, C): colour = group, rows = samples

    def update(self, d):
        C = len(d["group_of"])
        self.grid.set_data(self._group_grid(d))
        name = {1: " = LayerNorm", C: " = InstanceNorm"}.get(d["groups"], "")
        self.ax1.set_title(f"G = {d['groups']}{name}: {d['n_sets']} sets of {d['set_size']} entries\n"
                           "(one colour in one row = one mean and variance)", fontsize=9)
        per = d["out0"].shape[1]
        self.points.set_offsets(np.column_stack([self.xs, d["out0"].ravel()]))
        self.points.set_facecolor([PALETTE[g] for g in np.repeat(d["group_of"], per)])
        self.means.set_ydata(d["channel_means"])
        self.ax3.set_title(f"after GroupNorm: spread of channel means {d['contrast']:.2f},\n"
                           f"channel {SILENT} std {d['silent_std']:.2f}", fontsize=9)
        return [self.grid, self.ax1.title, self.points, self.means, self.ax3.title]


@register("07", "groupnorm")
def groupnorm_explorer(groups: int = 2) -> Explorer:
    """A groups slider (1 = LayerNorm ... 8 = InstanceNorm) -> shared statistics and one sample's output."""
    import ipywidgets as w

    C = GN_SHAPE[1]
    options = [(f"{g}" + {1: " (LayerNorm)", C: " (InstanceNorm)"}.get(g, ""), g) for g in GROUP_CHOICES]
    controls = {"groups": w.SelectionSlider(options=options, value=groups, description="groups G",
                                            layout=w.Layout(width="420px"))}
    return Explorer(controls, groupnorm_view, _GroupNormView(), figsize=(12, 3.6),
                    summary=lambda d: (f"G = {d['groups']}: spread of sample 0's channel means "
                                       f"<b>{d['contrast']:.2f}</b>, channel {SILENT} (input std 0.02) "
                                       f"stretched to std <b>{d['silent_std']:.2f}</b>"),
                    title="GroupNorm between LayerNorm (G = 1) and InstanceNorm (G = C)")
