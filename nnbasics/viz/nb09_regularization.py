"""Notebook 09 widgets: capacity x weight decay on a 1-D regression, an optimizer race on a 2-D surface,
and L1 vs L2 weights along λ."""

from __future__ import annotations

import numpy as np

from nnbasics._validate import check_float
from nnbasics.experiments import nb09_regularization
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE, plain_log_labels

__all__ = ["capacity_view", "capacity_explorer", "race_view", "race_explorer", "SPARSITY_LAMS", "sparsity_view",
           "sparsity_explorer"]

MAX_DEGREE = 15
RACE_OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")  # AdamW without decay = Adam


@frozen_cache(maxsize=4)
def _data(seed: int = 0) -> dict:
    return nb09_regularization.make_regression_1d(20, 200, 0.25, rng=seed)


@frozen_cache(maxsize=64)
def _sweep(lam: float, seed: int) -> dict:
    """Errors at ``lam`` for every degree (the right panel), once per λ: the degree slider reuses it."""
    return nb09_regularization.capacity_sweep(np.arange(0, MAX_DEGREE + 1), [lam], _data(seed))


@frozen_cache(maxsize=256)
def capacity_view(degree: int, lam: float, seed: int = 0) -> dict:
    """Pure data for the capacity explorer: the ridge fit of one (degree, λ) and the error curves.

    Returns
    -------
    dict
        ``data`` (the 1-D regression), ``fit`` (:func:`~nnbasics.experiments.nb09_regularization.capacity_fit`),
        ``degrees`` (K,), ``train_curve`` (K,), ``val_curve`` (K,) — errors at this λ for every degree,
        ``degree`` int, ``lam`` float.
    """
    data = _data(seed)
    fit = nb09_regularization.capacity_fit(degree, lam, data, n_grid=200)
    sweep = _sweep(float(lam), int(seed))
    return {"data": data, "fit": fit, "degrees": np.arange(0, MAX_DEGREE + 1),
            "train_curve": sweep["train_mse"][:, 0], "val_curve": sweep["val_mse"][:, 0],
            "degree": int(degree), "lam": float(lam)}


class _CapacityView(View):
    """Left: the data, the true curve and the ridge fit; right: train/val error against degree."""

    tight_layout = False

    def init(self, fig, d):
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.16, top=0.9, wspace=0.28)
        self.ax1, self.ax2 = fig.subplots(1, 2)
        data, xg = d["data"], d["fit"]["x_grid"]
        self.ax1.plot(xg, nb09_regularization.target_function(xg), color=PALETTE[7], lw=1, ls="--", label="true curve")
        self.ax1.scatter(data["x_val"], data["y_val"], s=6, color=PALETTE[4], alpha=0.5, label="validation")
        self.ax1.scatter(data["x_train"], data["y_train"], s=30, color=PALETTE[1], edgecolors="black",
                         linewidths=0.5, label="train (20)", zorder=3)
        (self.fit,) = self.ax1.plot(xg, d["fit"]["y_grid"], color=PALETTE[0], lw=2, label="fit")
        self.ax1.set(ylim=(-2.2, 2.2), xlabel="x", ylabel="y")
        self.ax1.legend(fontsize=7, loc="lower left")
        (self.train,) = self.ax2.semilogy(d["degrees"], d["train_curve"], "o-", color=PALETTE[1], ms=3,
                                          label="train MSE")
        (self.val,) = self.ax2.semilogy(d["degrees"], d["val_curve"], "s-", color=PALETTE[0], ms=3,
                                        label="validation MSE")
        self.marker = self.ax2.axvline(d["degree"], color=PALETTE[7], lw=1, ls=":")
        self.ax2.set(xlabel="polynomial degree (capacity)", ylabel="MSE (log scale)", ylim=(1e-3, 1e2),
                     title="errors vs capacity at this λ")
        self.ax2.legend(fontsize=7)
        return self.update(d)

    def update(self, d):
        self.fit.set_data(d["fit"]["x_grid"], d["fit"]["y_grid"])
        self.ax1.set_title(f"degree {d['degree']}, λ = {d['lam']:.0e}")
        self.train.set_data(d["degrees"], d["train_curve"])
        self.val.set_data(d["degrees"], d["val_curve"])
        self.marker.set_xdata([d["degree"]] * 2)
        return [self.fit, self.ax1.title, self.train, self.val, self.marker]


@register("09", "capacity")
def capacity_explorer(degree: int = 9, lam: float = 1e-6) -> Explorer:
    """Degree and weight-decay sliders -> fitted curve and train/validation error."""
    import ipywidgets as w

    controls = {
        "degree": w.IntSlider(value=degree, min=0, max=MAX_DEGREE, description="degree"),
        "lam": w.FloatLogSlider(value=lam, base=10, min=-8, max=1, step=0.5, description="λ",
                                readout_format=".0e"),
    }
    return Explorer(controls, capacity_view, _CapacityView(), figsize=(8.0, 3.2),
                    summary=lambda d: f"train MSE <b>{d['fit']['train_mse']:.3f}</b>, validation MSE "
                                      f"<b>{d['fit']['val_mse']:.3f}</b>, ‖w‖ = {d['fit']['weight_norm']:.1f}",
                    title="Capacity vs weight decay (closed-form ridge on Legendre features)")


@frozen_cache(maxsize=8)
def _background(surface: str) -> dict:
    return nb09_regularization.surface_grid(surface, steps=100)


@frozen_cache(maxsize=128)
def race_view(surface: str, optimizer: str, lr: float, steps: int) -> dict:
    """Pure data for the race: the surface grid and each optimizer's trajectory.

    ``optimizer`` is one name or ``"all"``. Returns ``grid`` (:func:`~nnbasics.experiments.nb09_regularization.surface_grid`),
    ``race`` (:func:`~nnbasics.experiments.nb09_regularization.optimizer_race`), ``surface``, ``lr``, ``steps``.
    """
    if optimizer != "all" and optimizer not in RACE_OPTIMIZERS:
        raise ValueError(f"optimizer must be 'all' or one of {list(RACE_OPTIMIZERS)}, got {optimizer!r}")
    names = RACE_OPTIMIZERS if optimizer == "all" else (optimizer,)
    race = nb09_regularization.optimizer_race(surface, lr=lr, steps=steps, optimizers=names)
    return {"grid": _background(surface), "race": race, "surface": surface, "lr": float(lr), "steps": int(steps)}


class _RaceView(View):
    """Left: trajectories over the loss landscape; right: loss per step (log)."""

    tight_layout = False

    def init(self, fig, d):
        fig.subplots_adjust(left=0.085, right=0.98, bottom=0.16, top=0.9, wspace=0.25)
        self.ax1, self.ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
        g = d["grid"]
        self.surface = self.ax1.imshow(g["z"], origin="lower", extent=g["extent"], cmap="Greys", aspect="auto",
                                       alpha=0.6)
        self.contours, self.shown_surface = None, None
        (self.minimum,) = self.ax1.plot(*g["minimum"], marker="*", color="black", ms=12, label="minimum", ls="none")
        self.paths, self.ends, self.losses = {}, {}, {}
        for name in RACE_OPTIMIZERS:
            col = PALETTE[RACE_OPTIMIZERS.index(name)]
            self.paths[name] = self.ax1.plot([], [], "-", color=col, lw=1.5)[0]
            self.ends[name] = self.ax1.plot([], [], "o", color=col, ms=4)[0]
            self.losses[name] = self.ax2.semilogy([], [], color=col)[0]
        self.ax1.set(xlabel="$w_1$", ylabel="$w_2$")
        self.ax2.set(xlabel="step", ylabel="loss (log scale)", title="loss per step")
        plain_log_labels(self.ax2.yaxis)
        self.legends = (None, None)
        return self.update(d)

    def update(self, d):
        g = d["grid"]
        if d["surface"] != self.shown_surface:
            self.surface.set_data(g["z"])
            self.surface.set_clim(np.min(g["z"]), np.max(g["z"]))  # what a fresh imshow would pick
            self.surface.set_extent(g["extent"])
            if self.contours is not None:
                self.contours.remove()
            self.contours = self.ax1.contour(g["xs"], g["ys"], g["z"], levels=12, colors="grey", linewidths=0.5)
            self.minimum.set_data([g["minimum"][0]], [g["minimum"][1]])
            self.shown_surface = d["surface"]
        labels = []
        for name in RACE_OPTIMIZERS:
            r = d["race"].get(name)
            label = name + (" (diverged)" if r is not None and r["diverged"] else "")
            for line in (self.paths[name], self.losses[name]):
                line.set_label(label if r is not None else "_" + name)
            self.paths[name].set_data(*((r["path"][:, 0], r["path"][:, 1]) if r is not None else ([], [])))
            self.ends[name].set_data(*(([r["path"][-1, 0]], [r["path"][-1, 1]]) if r is not None else ([], [])))
            self.losses[name].set_data(*((np.arange(len(r["loss"])), r["loss"] + 1e-12) if r is not None
                                         else ([], [])))
            if r is not None:
                labels.append(label)
        x0, x1, y0, y1 = g["extent"]
        self.ax1.set(xlim=(x0, x1), ylim=(y0, y1), title=f"{d['surface']}, lr = {d['lr']:.0e}")
        start = max(r["loss"][0] for r in d["race"].values())
        floor = min(r["loss"].min() for r in d["race"].values())
        self.ax2.set(xlim=(0, d["steps"]), ylim=(max(floor, 1e-10) / 2, start * 100))
        if self.legends[0] is None or self._labels(self.legends[1]) != labels:
            self.legends = (self.ax1.legend(fontsize=7, loc="upper right"), self.ax2.legend(fontsize=7))
        return [self.surface, self.contours, self.minimum, *self.paths.values(), *self.ends.values(),
                self.ax1.xaxis, self.ax1.yaxis, self.ax1.title, *self.losses.values(),
                self.ax2.xaxis, self.ax2.yaxis, *self.legends]

    @staticmethod
    def _labels(legend) -> list:
        return [t.get_text() for t in legend.get_texts()]


@register("09", "race")
def race_explorer(surface: str = "rosenbrock", optimizer: str = "all", lr: float = 1e-3) -> Explorer:
    """Surface, optimizer, learning rate and steps -> trajectories on the loss landscape."""
    import ipywidgets as w

    controls = {
        "surface": w.Dropdown(options=list(nb09_regularization.SURFACES), value=surface, description="surface"),
        "optimizer": w.Dropdown(options=["all", *RACE_OPTIMIZERS], value=optimizer, description="optimizer"),
        "lr": w.FloatLogSlider(value=lr, base=10, min=-4, max=0, step=0.25, description="lr",
                               readout_format=".0e", continuous_update=False),
        "steps": w.IntSlider(value=200, min=20, max=500, step=20, description="steps",
                             continuous_update=False),
    }
    return Explorer(controls, race_view, _RaceView(), figsize=(8.0, 3.3),
                    summary=lambda d: "final loss: " + ", ".join(
                        f"{k} <b>{'diverged' if r['diverged'] else format(r['final_loss'], '.2e')}</b>"
                        for k, r in d["race"].items()),
                    title="Optimizer race on a 2-D loss surface")


# --------------------------------------------------------------------------- L1 vs L2
#: Penalty strengths offered by the λ slider: 10^-3 ... 10^0.5 in quarter decades.
SPARSITY_LAMS = tuple(float(f"{v:.3g}") for v in 10.0 ** np.arange(-3.0, 0.51, 0.25))


@frozen_cache(maxsize=4)
def _sparse_path(seed: int) -> dict:
    """The regression of §3 and both weight paths over :data:`SPARSITY_LAMS` (warm-started ISTA, ~0.3 s)."""
    problem = nb09_regularization.sparse_regression(n=50, d=20, rng=seed)
    return {"problem": problem,
            "path": nb09_regularization.sparsity_path(problem["X"], problem["y"], SPARSITY_LAMS)}


@frozen_cache(maxsize=64)
def sparsity_view(lam: float, seed: int = 0) -> dict:
    """Pure data for the L1-vs-L2 explorer: lasso and ridge weights at one penalty strength.

    The regression of notebook 09 §3 (:func:`nnbasics.experiments.nb09_regularization.sparse_regression`:
    20 features, 3 of them relevant), fitted by
    :func:`nnbasics.experiments.nb09_regularization.sparsity_path`.

    Parameters
    ----------
    lam : float >= 0
        Penalty strength (values of :data:`SPARSITY_LAMS` come from a precomputed path; others
        are fitted on demand).
    seed : int
        Draws the regression.

    Returns
    -------
    dict
        ``lam``; ``w_l1``, ``w_l2``, ``w_true`` (D,); ``zeros_l1``, ``zeros_l2`` (int): exact zeros;
        ``support`` (3,) the relevant features; ``selects_truth`` (bool): the lasso keeps exactly
        them; over :data:`SPARSITY_LAMS`, ``lams`` (K,), ``path_zeros_l1`` and ``path_zeros_l2`` (K,).
    """
    lam = check_float(lam, "lam", minimum=0.0)
    cached = _sparse_path(int(seed))
    problem, path = cached["problem"], cached["path"]
    if lam in SPARSITY_LAMS:
        k = SPARSITY_LAMS.index(lam)
        w_l1, w_l2 = path["w_l1"][k], path["w_l2"][k]
    else:
        one = nb09_regularization.sparsity_path(problem["X"], problem["y"], [lam])
        w_l1, w_l2 = one["w_l1"][0], one["w_l2"][0]
    return {"lam": lam, "w_l1": w_l1, "w_l2": w_l2, "w_true": problem["w_true"],
            "zeros_l1": int(np.sum(w_l1 == 0)), "zeros_l2": int(np.sum(w_l2 == 0)),
            "support": problem["support"],
            "selects_truth": bool(np.array_equal(np.flatnonzero(w_l1), problem["support"])),
            "lams": np.array(SPARSITY_LAMS), "path_zeros_l1": path["zeros_l1"], "path_zeros_l2": path["zeros_l2"]}


class _SparsityView(View):
    """Lasso weights, ridge weights (as bars; the true weights as ticks), and exact zeros against λ."""

    tight_layout = False

    def init(self, fig, d):
        from matplotlib.lines import Line2D

        fig.subplots_adjust(left=0.06, right=0.985, bottom=0.15, top=0.84, wspace=0.28)
        self.ax1, self.ax2, self.ax3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.2, 1.2, 1]})
        D = len(d["w_true"])
        self.feats = np.arange(D)
        colors = [PALETTE[0] if j in d["support"] else PALETTE[1] for j in self.feats]
        self.bars, self.zeros = {}, {}
        for ax, key in ((self.ax1, "w_l1"), (self.ax2, "w_l2")):
            # one collection of thick vertical segments per panel: 20 bars in one draw call
            self.bars[key] = ax.vlines(self.feats, 0.0, d[key], colors=colors, lw=7)
            # static artists get a zorder apart from the moving bars' (2), so that a blitted frame
            # stacks them as a full redraw does: the zero line below, the true weights above
            ax.plot(self.feats, d["w_true"], "_", color=PALETTE[7], ms=10, mew=1.5, ls="none", zorder=3)
            (self.zeros[key],) = ax.plot([], [], "x", color=PALETTE[5], ms=5, mew=1.2, ls="none", zorder=4)
            ax.axhline(0, color="grey", lw=0.6, zorder=1)
            ax.set(xlim=(-0.7, D - 0.3), ylim=(-2.2, 3.3), xticks=self.feats[::2], xlabel="feature")
        self.ax1.set_ylabel("weight")
        handles = [Line2D([], [], color=PALETTE[0], lw=6), Line2D([], [], color=PALETTE[1], lw=6),
                   Line2D([], [], color=PALETTE[7], marker="_", ms=10, mew=1.5, ls="none"),
                   Line2D([], [], color=PALETTE[5], marker="x", ms=5, mew=1.2, ls="none")]
        self.ax2.legend(handles, ["3 relevant features", "17 irrelevant ones", "true weight", "exactly 0"],
                        fontsize=7, loc="upper right", ncols=2)
        self.ax3.plot(d["lams"], d["path_zeros_l1"], "o-", color=PALETTE[2], ms=3, label="L1 (lasso)")
        self.ax3.plot(d["lams"], d["path_zeros_l2"], "s--", color=PALETTE[3], ms=3, label="L2 (ridge)")
        (self.marker,) = self.ax3.plot([], [], "o", color=PALETTE[7], ms=8, mfc="none", mew=1.5)
        self.ax3.set(xscale="log", ylim=(-0.5, D + 0.5), yticks=range(0, D + 1, 5), xlabel="λ (log scale)",
                     ylabel="weights exactly 0")
        plain_log_labels(self.ax3.xaxis)
        self.ax3.set_title("exact zeros along the λ path", fontsize=9)
        self.ax3.legend(fontsize=7, loc="upper left")
        return self.update(d)

    def update(self, d):
        D = len(d["w_true"])
        for key in ("w_l1", "w_l2"):
            self.bars[key].set_segments([[(j, 0.0), (j, h)] for j, h in zip(self.feats, d[key])])
            zero = np.flatnonzero(d[key] == 0)
            self.zeros[key].set_data(zero, np.zeros(zero.size))
        # titles change only when a count does (each new text costs a render; revisits are cached)
        picked = " (the 3 relevant)" if d["selects_truth"] else ""
        self.ax1.set_title(f"L1 (lasso): {D - d['zeros_l1']} of {D} weights non-zero{picked}", fontsize=9)
        self.ax2.set_title(f"L2 (ridge): {D - d['zeros_l2']} of {D} weights non-zero", fontsize=9)
        self.marker.set_data([d["lam"], d["lam"]], [d["zeros_l1"], d["zeros_l2"]])
        return [*self.bars.values(), *self.zeros.values(), self.ax1.title, self.ax2.title, self.marker]


@register("09", "sparsity")
def sparsity_explorer(lam: float = 0.01) -> Explorer:
    """A λ slider (log) -> lasso and ridge weights side by side, and how many are exactly 0."""
    import ipywidgets as w

    _sparse_path(0)  # the whole path once (~0.3 s): the slider then only looks it up
    options = [(f"{v:.2g}", v) for v in SPARSITY_LAMS]
    controls = {"lam": w.SelectionSlider(options=options, value=lam, description="λ (log)")}
    return Explorer(controls, sparsity_view, _SparsityView(), figsize=(12, 3.6),
                    summary=lambda d: (f"λ = {d['lam']:.2g}: lasso <b>{d['zeros_l1']}</b> weights exactly 0, "
                                       f"ridge <b>{d['zeros_l2']}</b> (its smallest |w|: "
                                       f"{np.min(np.abs(d['w_l2'])):.1e})"),
                    title="L1 vs L2: the same regression, the same λ")
