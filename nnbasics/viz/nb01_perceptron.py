"""Notebook 01 widgets: a hand-steered decision line, and the learning-rule explorer."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from matplotlib.colors import ListedColormap

from nnbasics import data
from nnbasics._validate import check_float, check_int
from nnbasics.core import perceptron
from nnbasics.viz.explorer import Explorer, View, freeze, frozen_cache, register
from nnbasics.viz.plotting import PALETTE, scatter_classes

__all__ = ["gate_line", "boundary_explorer", "learning_run", "learning_explorer", "MAX_EPOCHS"]

_XLIM = (-0.5, 1.5)
_REGION_STEPS = 100
#: The epochs slider's maximum (the view keeps one line and one bar per epoch).
MAX_EPOCHS = 30


# --------------------------------------------------------------------------- compute (pure)
@frozen_cache(maxsize=256)
def gate_line(gate: str, w1: float, w2: float, b: float) -> dict:
    """Pure data for the line explorer: a gate's points, the line w·x + b = 0 and its accuracy.

    Returns
    -------
    dict
        ``X`` (4, 2), ``y`` (4,), ``y_hat`` (4,), ``accuracy`` float, ``line`` (xs, ys),
        ``regions`` (100, 100) predicted class over the plotted square, ``w`` (2,), ``b`` float,
        ``gate`` str.
    """
    X, y = data.logic_gate(gate)
    w = np.array([w1, w2], dtype=np.float64)
    y_hat = perceptron.predict(X, w, b)
    return {"X": X, "y": y, "y_hat": y_hat, "accuracy": float(np.mean(y_hat == y)),
            "line": perceptron.boundary_line(w, b, _XLIM), "regions": _regions(w, float(b)),
            "w": w, "b": float(b), "gate": gate}


def _regions(w: np.ndarray, b: float) -> np.ndarray:
    grid = np.linspace(*_XLIM, _REGION_STEPS)
    xx, yy = np.meshgrid(grid, grid)
    classes = perceptron.predict(np.column_stack([xx.ravel(), yy.ravel()]), w, b)
    return classes.reshape(xx.shape).astype(np.uint8)  # small: many settings stay cached


_RUNS: OrderedDict = OrderedDict()  # (lr, separation, seed) -> (X, y, the longest history so far)


def _run(lr: float, separation: float, seed: int, epochs: int):
    """Data and a training history at least ``epochs`` long (or converged), kept per setting."""
    key = (lr, separation, seed)
    run = _RUNS.get(key)
    if run is None or (len(run[2].mistakes) < epochs and not run[2].converged):
        X, y = data.blobs(60, rng=seed, separation=separation)
        history = perceptron.train(X, y, lr=lr, epochs=epochs, rng=np.random.default_rng(seed))
        run = _RUNS[key] = freeze((X, y, history))
        while len(_RUNS) > 64:
            _RUNS.popitem(last=False)
    _RUNS.move_to_end(key)
    return run


def _first_epochs(h: perceptron.PerceptronHistory, epochs: int) -> perceptron.PerceptronHistory:
    """The history ``train(..., epochs=epochs)`` returns: a prefix of a longer run (same seed)."""
    k = min(epochs, len(h.mistakes))
    w, b = h.weights[k - 1]
    return perceptron.PerceptronHistory(w=w, b=b, mistakes=h.mistakes[:k], accuracy=h.accuracy[:k],
                                        weights=h.weights[:k], converged=h.converged and k == len(h.mistakes))


@frozen_cache(maxsize=256)
def learning_run(lr: float, epochs: int, separation: float, seed: int = 0) -> dict:
    """Pure data for the learning-rule explorer: train on blobs and keep the history.

    Training for ``epochs`` epochs is the start of any longer run with the same seed (the
    example order is drawn epoch by epoch), so a longer run already made serves it.

    Returns
    -------
    dict
        ``X`` (N, 2), ``y`` (N,), ``history`` (:class:`~nnbasics.core.perceptron.PerceptronHistory`).
    """
    epochs = check_int(epochs, "epochs", minimum=1)
    lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
    X, y, history = _run(lr, check_float(separation, "separation", minimum=0.0), int(seed), epochs)
    return {"X": X, "y": y, "history": _first_epochs(history, epochs)}


# --------------------------------------------------------------------------- views
class _GateView(View):
    """Decision regions, the four points, misclassified rings and the line w·x + b = 0."""

    def init(self, fig, d):
        ax = fig.add_subplot()
        self.regions = ax.imshow(d["regions"], origin="lower", extent=(*_XLIM, *_XLIM),
                                 cmap=ListedColormap(PALETTE[:2]), vmin=0, vmax=1, alpha=0.18,
                                 interpolation="nearest")
        self.points = scatter_classes(ax, d["X"], d["y"], size=160, labels=["output 0", "output 1"])
        self.wrong = ax.scatter(d["X"][:0, 0], d["X"][:0, 1], s=420, facecolors="none",
                                edgecolors=PALETTE[5], linewidths=2, label="misclassified", zorder=4)
        (self.line,) = ax.plot([], [], color="black", lw=2, label="$w \\cdot x + b = 0$")
        ax.set(xlim=_XLIM, ylim=_XLIM, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
        self.ax = ax
        return self.update(d)

    def update(self, d):
        self.regions.set_data(d["regions"])
        for c, points in enumerate(self.points):
            points.set_offsets(d["X"][d["y"] == c])
        self.wrong.set_offsets(d["X"][d["y_hat"] != d["y"]])
        self.line.set_data(*d["line"])
        self.ax.set_title(f"{d['gate'].upper()}: accuracy {d['accuracy']:.0%}")
        return [self.regions, *self.points, self.wrong, self.line, self.ax.title]


class _LearningView(View):
    """Left: the boundary after each epoch over the data; right: mistakes per epoch."""

    def init(self, fig, d):
        self.ax1, self.ax2 = fig.subplots(1, 2)
        self.points = scatter_classes(self.ax1, d["X"], d["y"], size=25)
        self.epoch_lines = [self.ax1.plot([], [], color=PALETTE[4], alpha=0.35, lw=1)[0]
                            for _ in range(MAX_EPOCHS - 1)]
        (self.final,) = self.ax1.plot([], [], color="black", lw=2, label="final boundary")
        self.ax1.set(xlabel="$x_1$", ylabel="$x_2$", title="boundary after each epoch")
        self.bars = self.ax2.bar(np.arange(1, MAX_EPOCHS + 1), np.zeros(MAX_EPOCHS), color=PALETTE[0])
        self.ax2.set(xlabel="epoch", ylabel="mistakes in epoch")
        return self.update(d)

    def update(self, d):
        X, y, h = d["X"], d["y"], d["history"]
        lo, hi = X.min() - 0.5, X.max() + 0.5
        for c, points in enumerate(self.points):
            points.set_offsets(X[y == c])
        n = len(h.weights)
        for k, line in enumerate([*self.epoch_lines[:n - 1], self.final]):
            w, b = h.weights[k if line is not self.final else n - 1]
            line.set_data(*perceptron.boundary_line(w, b, (lo, hi)))
        for line in self.epoch_lines[n - 1:]:
            line.set_data([], [])
        self.ax1.set(xlim=(lo, hi), ylim=(lo, hi))
        legend = self.ax1.legend(fontsize=8, loc="lower right")
        for k, bar in enumerate(self.bars):
            bar.set_height(h.mistakes[k] if k < n else 0)
            bar.set_visible(k < n)
        epochs = np.arange(1, n + 1)
        pad = 0.05 * (n - 0.2)  # matplotlib's default margin around bars 0.6 .. n + 0.4
        self.ax2.set(xlim=(0.6 - pad, n + 0.4 + pad), ylim=(0, 1.05 * max(max(h.mistakes), 1)))
        self.ax2.set_xticks(epochs if n <= 15 else np.linspace(1, n, 6).astype(int))
        self.ax2.set_title("converged" if h.converged else "not converged yet")
        return [*self.points, *self.epoch_lines, self.final, legend, self.ax1.xaxis, self.ax1.yaxis,
                *self.bars, self.ax2.xaxis, self.ax2.yaxis, self.ax2.title]


# --------------------------------------------------------------------------- builders
@register("01", "boundary")
def boundary_explorer(gate: str = "and") -> Explorer:
    """Sliders for w1, w2 and b move the decision line over the AND/OR/XOR points."""
    import ipywidgets as w

    slider = dict(min=-2.0, max=2.0, step=0.1, continuous_update=True, readout_format=".1f")
    controls = {
        "gate": w.Dropdown(options=["and", "or", "xor"], value=gate, description="gate"),
        "w1": w.FloatSlider(value=1.0, description="w1", **slider),
        "w2": w.FloatSlider(value=1.0, description="w2", **slider),
        "b": w.FloatSlider(value=-1.5, description="b", **slider),
    }
    return Explorer(controls, gate_line, _GateView(), figsize=(6.0, 4.0),
                    summary=lambda d: f"accuracy: <b>{d['accuracy']:.0%}</b> "
                                      f"(predictions {d['y_hat'].tolist()}, targets {d['y'].tolist()})",
                    title="Steer the perceptron's line by hand")


@register("01", "learning")
def learning_explorer() -> Explorer:
    """Learning rate, epochs and class separation -> boundary per epoch and mistakes per epoch."""
    import ipywidgets as w

    controls = {
        "lr": w.FloatLogSlider(value=1.0, base=10, min=-2, max=1, step=0.25, description="lr",
                               continuous_update=False),
        "epochs": w.IntSlider(value=10, min=1, max=MAX_EPOCHS, description="epochs", continuous_update=False),
        "separation": w.FloatSlider(value=3.0, min=0.5, max=6.0, step=0.5, description="separation",
                                    continuous_update=False),
    }
    return Explorer(controls, learning_run, _LearningView(), figsize=(8.5, 3.6),
                    summary=lambda d: f"mistakes per epoch: {list(d['history'].mistakes)} — final accuracy "
                                      f"<b>{d['history'].accuracy[-1]:.0%}</b>",
                    title="The perceptron learning rule")
