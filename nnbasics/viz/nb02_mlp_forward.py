"""Notebook 02 widgets: decision regions of a one-hidden-layer MLP, and universal approximation."""

from __future__ import annotations

from functools import cache

import numpy as np

from nnbasics import data
from nnbasics.core import mlp
from nnbasics.data import grid
from nnbasics.experiments import nb02_mlp_forward
from nnbasics.viz.explorer import Explorer, register
from nnbasics.viz.plotting import PALETTE, class_colors, scatter_classes

__all__ = ["classifier_regions", "classifier_explorer", "approximation_curve", "approximation_explorer",
           "WIDTHS", "DATASETS"]

WIDTHS = (1, 2, 3, 4, 8, 16, 32)
DATASETS = ("moons", "circles", "spirals")
_GRID_STEPS = 90


@cache
def _fit(dataset: str, width: int, activation: str):
    """Train once per setting (~0.1 s) and keep it: moving back to a setting is instant."""
    X, y = getattr(data, dataset)(150, rng=0)
    hist = mlp.train(X, y, hidden=(width,), activation=activation, lr=0.5 if activation != "relu" else 0.3,
                     epochs=80, batch_size=50, rng=0)
    xx, yy, pts = grid(X, _GRID_STEPS)
    regions = mlp.predict(pts, hist.params, activation).reshape(xx.shape)
    return X, y, hist, (float(xx.min()), float(xx.max()), float(yy.min()), float(yy.max())), regions


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


def _draw_classifier(fig, d) -> None:
    from matplotlib.colors import ListedColormap

    ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    ax.imshow(d["regions"], origin="lower", extent=d["extent"], cmap=ListedColormap(class_colors(2)),
              vmin=0, vmax=1, alpha=0.25, interpolation="nearest", aspect="auto")
    scatter_classes(ax, d["X"], d["y"], size=18)
    ax.set(xlim=d["extent"][:2], ylim=d["extent"][2:], xlabel="$x_1$", ylabel="$x_2$",
           title=f"{d['width']} hidden {d['activation']} units: train accuracy {d['accuracy']:.0%}")
    ax.legend(loc="lower right", fontsize=7)
    ax2.plot(np.arange(1, len(d["loss"]) + 1), d["loss"], color=PALETTE[0], label="training loss")
    ax2.set(xlabel="epoch", ylabel="binary cross-entropy", title="training curve", ylim=(0, None))
    ax2.legend(fontsize=8)


@register("02", "classifier")
def classifier_explorer() -> Explorer:
    """Dataset, hidden width and activation -> the learned decision regions."""
    import ipywidgets as w

    controls = {
        "dataset": w.Dropdown(options=list(DATASETS), value="moons", description="data"),
        "width": w.SelectionSlider(options=list(WIDTHS), value=8, description="hidden width",
                                   continuous_update=False),
        "activation": w.Dropdown(options=list(mlp.HIDDEN_ACTIVATIONS), value="relu",
                                 description="activation"),
    }
    return Explorer(controls, classifier_regions, _draw_classifier, figsize=(8.5, 3.6),
                    summary=lambda d: f"training accuracy <b>{d['accuracy']:.0%}</b> — try "
                                      "'identity': however wide, the boundary stays a straight line",
                    title="What one hidden layer can draw")


@cache
def _approx(width: int, target: str) -> dict:
    return nb02_mlp_forward.universal_approximation(width, target, rng=0)


def approximation_curve(width: int = 4, target: str = "sine", show_units: bool = False) -> dict:
    """Pure data: the least-squares fit of one hidden ReLU layer of ``width`` units to ``target``.

    Returns
    -------
    dict
        Everything :func:`nnbasics.experiments.nb02_mlp_forward.universal_approximation` returns, plus ``show_units``.
    """
    return {**_approx(int(width), target), "show_units": bool(show_units)}


def _draw_approx(fig, d) -> None:
    ax = fig.add_subplot()
    ax.plot(d["x"], d["y"], color=PALETTE[7], lw=2.5, label="target function")
    ax.plot(d["x"], d["fit"], color=PALETTE[5], lw=2, ls="--", label=f"network, {d['width']} ReLU units")
    if d["show_units"]:
        for j in range(min(d["hidden"].shape[1], 32)):
            ax.plot(d["x"], d["hidden"][:, j], color=PALETTE[4], lw=0.8, alpha=0.5,
                    label="weighted hidden units" if j == 0 else None)
    lo, hi = d["y"].min(), d["y"].max()
    pad = 0.4 * (hi - lo)
    ax.set(xlabel="x", ylabel="f(x)", ylim=(lo - pad, hi + pad),
           title=f"one hidden layer, width {d['width']}: mean squared error {d['mse']:.2g}")
    ax.legend(loc="upper left", fontsize=8)


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
    return Explorer(controls, approximation_curve, _draw_approx, figsize=(6.5, 3.6),
                    summary=lambda d: f"mean squared error <b>{d['mse']:.3g}</b> with {d['width']} units",
                    title="Universal approximation in 1-D")
