"""Notebook 01 widgets: a hand-steered decision line, and the learning-rule explorer."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap

from nnbasics import data
from nnbasics.core import perceptron
from nnbasics.viz.explorer import Explorer, register
from nnbasics.viz.plotting import PALETTE, scatter_classes

__all__ = ["gate_line", "boundary_explorer", "learning_run", "learning_explorer"]

_XLIM = (-0.5, 1.5)


def gate_line(gate: str, w1: float, w2: float, b: float) -> dict:
    """Pure data for the line explorer: a gate's points, the line w·x + b = 0 and its accuracy.

    Returns
    -------
    dict
        ``X`` (4, 2), ``y`` (4,), ``y_hat`` (4,), ``accuracy`` float, ``line`` (xs, ys),
        ``w`` (2,), ``b`` float, ``gate`` str.
    """
    X, y = data.logic_gate(gate)
    w = np.array([w1, w2], dtype=np.float64)
    y_hat = perceptron.predict(X, w, b)
    return {"X": X, "y": y, "y_hat": y_hat, "accuracy": float(np.mean(y_hat == y)),
            "line": perceptron.boundary_line(w, b, _XLIM), "w": w, "b": float(b), "gate": gate}


def _draw_gate(fig, d) -> None:
    ax = fig.add_subplot()
    xx, yy = np.meshgrid(np.linspace(*_XLIM, 100), np.linspace(*_XLIM, 100))
    z = perceptron.predict(np.column_stack([xx.ravel(), yy.ravel()]), d["w"], d["b"]).reshape(xx.shape)
    ax.imshow(z, origin="lower", extent=(*_XLIM, *_XLIM), cmap=ListedColormap(PALETTE[:2]),
              vmin=0, vmax=1, alpha=0.18, interpolation="nearest")
    scatter_classes(ax, d["X"], d["y"], size=160, labels=["output 0", "output 1"])
    wrong = d["y_hat"] != d["y"]
    ax.scatter(d["X"][wrong, 0], d["X"][wrong, 1], s=420, facecolors="none",
               edgecolors=PALETTE[5], linewidths=2, label="misclassified", zorder=4)
    xs, ys = d["line"]
    if xs.size:
        ax.plot(xs, ys, color="black", lw=2, label="$w \\cdot x + b = 0$")
    ax.set(xlim=_XLIM, ylim=_XLIM, xlabel="$x_1$", ylabel="$x_2$", aspect="equal",
           title=f"{d['gate'].upper()}: accuracy {d['accuracy']:.0%}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)


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
    return Explorer(controls, gate_line, _draw_gate, figsize=(6.0, 4.0),
                    summary=lambda d: f"accuracy: <b>{d['accuracy']:.0%}</b> "
                                      f"(predictions {d['y_hat'].tolist()}, targets {d['y'].tolist()})",
                    title="Steer the perceptron's line by hand")


def learning_run(lr: float, epochs: int, separation: float, seed: int = 0) -> dict:
    """Pure data for the learning-rule explorer: train on blobs and keep the history.

    Returns
    -------
    dict
        ``X`` (N, 2), ``y`` (N,), ``history`` (:class:`~nnbasics.core.perceptron.PerceptronHistory`).
    """
    X, y = data.blobs(60, rng=seed, separation=separation)
    hist = perceptron.train(X, y, lr=lr, epochs=epochs, rng=np.random.default_rng(seed))
    return {"X": X, "y": y, "history": hist}


def _draw_learning(fig, d) -> None:
    ax1, ax2 = fig.subplots(1, 2)
    X, y, h = d["X"], d["y"], d["history"]
    lo, hi = X.min() - 0.5, X.max() + 0.5
    scatter_classes(ax1, X, y, size=25)
    n = len(h.weights)
    for k, (w, b) in enumerate(h.weights):
        xs, ys = perceptron.boundary_line(w, b, (lo, hi))
        if xs.size:
            last = k == n - 1
            ax1.plot(xs, ys, color="black" if last else PALETTE[4], alpha=1.0 if last else 0.35,
                     lw=2 if last else 1, label="final boundary" if last else None)
    ax1.set(xlim=(lo, hi), ylim=(lo, hi), xlabel="$x_1$", ylabel="$x_2$",
            title="boundary after each epoch")
    ax1.legend(fontsize=8, loc="lower right")
    epochs = np.arange(1, n + 1)
    ax2.bar(epochs, h.mistakes, color=PALETTE[0])
    ax2.set(xlabel="epoch", ylabel="mistakes in epoch",
            title="converged" if h.converged else "not converged yet")
    ax2.set_xticks(epochs if n <= 15 else np.linspace(1, n, 6).astype(int))


@register("01", "learning")
def learning_explorer() -> Explorer:
    """Learning rate, epochs and class separation -> boundary per epoch and mistakes per epoch."""
    import ipywidgets as w

    controls = {
        "lr": w.FloatLogSlider(value=1.0, base=10, min=-2, max=1, step=0.25, description="lr",
                               continuous_update=False),
        "epochs": w.IntSlider(value=10, min=1, max=30, description="epochs", continuous_update=False),
        "separation": w.FloatSlider(value=3.0, min=0.5, max=6.0, step=0.5, description="separation",
                                    continuous_update=False),
    }
    return Explorer(controls, learning_run, _draw_learning, figsize=(8.5, 3.6),
                    summary=lambda d: f"mistakes per epoch: {d['history'].mistakes} — final accuracy "
                                      f"<b>{d['history'].accuracy[-1]:.0%}</b>",
                    title="The perceptron learning rule")
