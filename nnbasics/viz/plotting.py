"""Plotting helpers shared by the notebooks and widgets (they consume data, never compute models).

Colours come from the Okabe-Ito palette, which stays distinguishable under the
common forms of colour blindness; classes also get distinct marker shapes.
"""

from __future__ import annotations

import io

import numpy as np

from nnbasics._validate import as_float_array, check_int
from nnbasics.data import grid

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def class_colors(n_classes: int) -> list[str]:
    """The first ``n_classes`` palette colours (cycled past 8)."""
    n_classes = check_int(n_classes, "n_classes", minimum=1)
    return [PALETTE[i % len(PALETTE)] for i in range(n_classes)]



def scatter_classes(ax, X, y, *, size: float = 30, labels=None) -> None:
    """Scatter 2-D points ``X`` (N, 2) coloured and shaped by integer class ``y`` (N,)."""
    X = as_float_array(X, "X", ndim=2)
    y = np.asarray(y)
    classes = np.unique(y)
    colors = class_colors(int(classes.max()) + 1)
    for c in classes:
        m = y == c
        label = labels[c] if labels is not None else f"class {c}"
        ax.scatter(X[m, 0], X[m, 1], s=size, c=colors[c], marker=MARKERS[c % len(MARKERS)],
                   edgecolors="white", linewidths=0.6, label=label, zorder=3)


def plot_regions(ax, xx, yy, classes, n_classes: int, alpha: float = 0.25) -> None:
    """Shade decision regions; ``classes`` is the predicted class per mesh point, shape (steps, steps)."""
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap(class_colors(n_classes))
    ax.contourf(xx, yy, classes, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=alpha,
                zorder=1)


def decision_boundary(ax, predict_fn, X, y, *, steps: int = 150, title: str | None = None) -> None:
    """Draw the regions a classifier assigns over the plane, with the data on top.

    Parameters
    ----------
    ax : matplotlib Axes
    predict_fn : callable
        Maps points (M, 2) to integer classes (M,).
    X : array_like, shape (N, 2)
    y : array_like, shape (N,)
    """
    xx, yy, pts = grid(X, steps)
    classes = np.asarray(predict_fn(pts)).reshape(xx.shape)
    n_classes = int(max(np.max(classes), np.max(y))) + 1
    plot_regions(ax, xx, yy, classes, n_classes)
    scatter_classes(ax, X, y)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)


def figure_to_png(fig, dpi: int = 80) -> bytes:
    """Render a matplotlib Figure to PNG bytes (used by widgets; no pyplot state involved).

    Draws once with Agg and encodes with a light PNG compression: widget updates spend
    most of their time here, and size matters less than speed on a local kernel.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    if fig.dpi != dpi:
        fig.set_dpi(dpi)
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="png", compress_level=1)
    return buf.getvalue()
