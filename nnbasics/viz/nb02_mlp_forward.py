"""Notebook 02 widgets: decision regions of a one-hidden-layer MLP, and universal approximation."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

from nnbasics import data
from nnbasics.core import mlp
from nnbasics.data import grid
from nnbasics.experiments import nb02_mlp_forward
from nnbasics.viz.explorer import RELAYOUT, Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE, class_colors, scatter_classes

__all__ = ["classifier_regions", "classifier_explorer", "approximation_curve", "approximation_explorer",
           "WIDTHS", "DATASETS", "LOSS_YMAX"]

WIDTHS = (1, 2, 3, 4, 8, 16, 32)
DATASETS = ("moons", "circles", "spirals")
_GRID_STEPS = 90


#: Top of the training-curve axis: above every setting's loss (a test checks it).
LOSS_YMAX = 0.85


def _dataset(name: str):
    return getattr(data, name)(150, rng=0)


@frozen_cache(maxsize=1)
def _grid():
    """One grid over all three datasets, so the picture keeps its axes when the dataset changes."""
    xx, yy, pts = grid(np.vstack([_dataset(name)[0] for name in DATASETS]), _GRID_STEPS)
    return pts, xx.shape, (float(xx.min()), float(xx.max()), float(yy.min()), float(yy.max()))


@frozen_cache(maxsize=128)
def _fit(dataset: str, width: int, activation: str):
    """Train once per setting (~20 ms) and keep it: moving back to a setting is instant."""
    X, y = _dataset(dataset)
    hist = mlp.train(X, y, hidden=(width,), activation=activation, lr=0.5 if activation != "relu" else 0.3,
                     epochs=80, batch_size=50, rng=0)
    pts, shape, extent = _grid()
    return X, y, hist, extent, mlp.predict(pts, hist.params, activation).reshape(shape).astype(np.uint8)


@frozen_cache(maxsize=128)
def classifier_regions(dataset: str = "moons", width: int = 8, activation: str = "relu") -> dict:
    """Pure data: a one-hidden-layer MLP trained on a 2-D dataset and its decision regions.

    Returns
    -------
    dict
        ``X`` (N, 2), ``y`` (N,), ``regions`` (S, S) predicted class on a grid, ``extent``
        (x0, x1, y0, y1), ``accuracy`` float, ``loss`` list per epoch, ``width``, ``activation``.
    """
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {list(DATASETS)}, got {dataset!r}")
    if activation not in mlp.HIDDEN_ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(mlp.HIDDEN_ACTIVATIONS)}, got {activation!r}")
    if int(width) < 1:
        raise ValueError(f"width must be >= 1, got {width}")
    X, y, hist, extent, regions = _fit(dataset, int(width), activation)
    return {"X": X, "y": y, "regions": regions, "extent": extent, "accuracy": hist.train_acc[-1],
            "loss": hist.train_loss, "width": int(width), "activation": activation, "dataset": dataset}


class _ClassifierView(View):
    """Left: learned regions under the data; right: the training loss per epoch (fixed axes)."""

    def init(self, fig, d):
        self.ax, self.ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
        self.regions = self.ax.imshow(d["regions"], origin="lower", extent=d["extent"],
                                      cmap=ListedColormap(class_colors(2)), vmin=0, vmax=1, alpha=0.25,
                                      interpolation="nearest", aspect="auto")
        self.points = scatter_classes(self.ax, d["X"], d["y"], size=18)
        self.ax.set(xlim=d["extent"][:2], ylim=d["extent"][2:], xlabel="$x_1$", ylabel="$x_2$")
        self.ax.legend(loc="lower right", fontsize=7)
        (self.loss,) = self.ax2.plot([], [], color=PALETTE[0], label="training loss")
        pad = 0.05 * (len(d["loss"]) - 1)  # matplotlib's default margin
        self.ax2.set(xlabel="epoch", ylabel="binary cross-entropy", title="training curve",
                     xlim=(1 - pad, len(d["loss"]) + pad), ylim=(0, LOSS_YMAX))
        self.ax2.legend(fontsize=8)
        self.layout = (tuple(d["extent"]), len(d["loss"]))
        return self._show(d)

    def update(self, d):
        if (tuple(d["extent"]), len(d["loss"])) != self.layout:
            return RELAYOUT
        return self._show(d)

    def _show(self, d):
        self.regions.set_data(d["regions"])
        for c, points in enumerate(self.points):
            points.set_offsets(d["X"][d["y"] == c])
        self.ax.set_title(f"{d['width']} hidden {d['activation']} units: train accuracy {d['accuracy']:.0%}")
        self.loss.set_data(np.arange(1, len(d["loss"]) + 1), d["loss"])
        return [self.regions, *self.points, self.ax.title, self.loss]


@register("02", "classifier")
def classifier_explorer() -> Explorer:
    """Dataset, hidden width and activation -> the learned decision regions."""
    import ipywidgets as w

    for dataset in DATASETS:  # train every setting once (84 small fits, ~1.5 s): updates only redraw
        for width in WIDTHS:
            for activation in mlp.HIDDEN_ACTIVATIONS:
                _fit(dataset, width, activation)

    controls = {
        "dataset": w.Dropdown(options=list(DATASETS), value="moons", description="data"),
        "width": w.SelectionSlider(options=list(WIDTHS), value=8, description="hidden width",
                                   continuous_update=False),
        "activation": w.Dropdown(options=list(mlp.HIDDEN_ACTIVATIONS), value="relu",
                                 description="activation"),
    }
    return Explorer(controls, classifier_regions, _ClassifierView(), figsize=(8.5, 3.6),
                    summary=lambda d: f"training accuracy <b>{d['accuracy']:.0%}</b> — try "
                                      "'identity': however wide, the boundary stays a straight line",
                    title="What one hidden layer can draw")


@frozen_cache(maxsize=64)
def _approx(width: int, target: str) -> dict:
    return nb02_mlp_forward.universal_approximation(width, target, rng=0)


@frozen_cache(maxsize=128)
def approximation_curve(width: int = 4, target: str = "sine", show_units: bool = False) -> dict:
    """Pure data: the least-squares fit of one hidden ReLU layer of ``width`` units to ``target``.

    Returns
    -------
    dict
        Everything :func:`nnbasics.experiments.nb02_mlp_forward.universal_approximation` returns, plus ``show_units``.
    """
    return {**_approx(int(width), target), "show_units": bool(show_units)}


_MAX_UNITS_DRAWN = 32


class _ApproxView(View):
    """The target, the network's fit and (optionally) the weighted hidden units."""

    def init(self, fig, d):
        self.ax = fig.add_subplot()
        (self.target,) = self.ax.plot(d["x"], d["y"], color=PALETTE[7], lw=2.5, label="target function")
        (self.fit,) = self.ax.plot(d["x"], d["fit"], color=PALETTE[5], lw=2, ls="--")
        self.units = [self.ax.plot([], [], color=PALETTE[4], lw=0.8, alpha=0.5)[0]
                      for _ in range(_MAX_UNITS_DRAWN)]
        self.ax.set(xlabel="x", ylabel="f(x)")
        return self.update(d)

    def update(self, d):
        self.target.set_data(d["x"], d["y"])
        self.fit.set_data(d["x"], d["fit"])
        self.fit.set_label(f"network, {d['width']} ReLU units")
        shown = min(d["hidden"].shape[1], _MAX_UNITS_DRAWN) if d["show_units"] else 0
        for j, line in enumerate(self.units):
            line.set_data((d["x"], d["hidden"][:, j]) if j < shown else ([], []))
            line.set_label("weighted hidden units" if j == 0 and shown else None)
        lo, hi = d["y"].min(), d["y"].max()
        pad = 0.4 * (hi - lo)
        self.ax.set(ylim=(lo - pad, hi + pad),
                    title=f"one hidden layer, width {d['width']}: mean squared error {d['mse']:.2g}")
        legend = self.ax.legend(loc="upper left", fontsize=8)
        return [self.target, self.fit, *self.units, legend, self.ax.yaxis, self.ax.title]


@register("02", "approximation")
def approximation_explorer() -> Explorer:
    """Width slider: a wider hidden layer follows a 1-D function more closely."""
    import ipywidgets as w

    controls = {
        "width": w.SelectionSlider(options=[1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128], value=4,
                                   description="hidden width"),
        "target": w.Dropdown(options=list(nb02_mlp_forward.UA_TARGETS), value="sine", description="target"),
        "show_units": w.Checkbox(value=False, description="show the hidden units"),
    }
    return Explorer(controls, approximation_curve, _ApproxView(), figsize=(6.5, 3.6),
                    summary=lambda d: f"mean squared error <b>{d['mse']:.3g}</b> with {d['width']} units",
                    title="Universal approximation in 1-D")
