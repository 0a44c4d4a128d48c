"""Notebook 09 widgets: capacity x weight decay on a 1-D regression, and an optimizer race on a 2-D surface."""

from __future__ import annotations

import numpy as np

from nnbasics.experiments import nb09_regularization
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE, plain_log_labels

__all__ = ["capacity_view", "capacity_explorer", "race_view", "race_explorer"]

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
