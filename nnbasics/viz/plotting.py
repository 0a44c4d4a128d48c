"""Plotting helpers shared by the notebooks and widgets (they consume data, never compute models).

Colours come from the Okabe-Ito palette, which stays distinguishable under the
common forms of colour blindness; classes also get distinct marker shapes.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
from matplotlib.ticker import LogLocator, NullLocator, StrMethodFormatter

from nnbasics._validate import as_float_array, check_int
from nnbasics.data import grid

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def class_colors(n_classes: int) -> list[str]:
    """The first ``n_classes`` palette colours (cycled past 8)."""
    n_classes = check_int(n_classes, "n_classes", minimum=1)
    return [PALETTE[i % len(PALETTE)] for i in range(n_classes)]



def scatter_classes(ax, X, y, *, size: float = 30, labels=None) -> list:
    """Scatter 2-D points ``X`` (N, 2) coloured and shaped by integer class ``y`` (N,).

    Returns
    -------
    list of PathCollection
        One per class present, in increasing class order (``set_offsets`` moves them).
    """
    X = as_float_array(X, "X", ndim=2)
    y = np.asarray(y)
    classes = np.unique(y)
    colors = class_colors(int(classes.max()) + 1)
    artists = []
    for c in classes:
        m = y == c
        label = labels[c] if labels is not None else f"class {c}"
        artists.append(ax.scatter(X[m, 0], X[m, 1], s=size, c=colors[c], marker=MARKERS[c % len(MARKERS)],
                                  edgecolors="white", linewidths=0.6, label=label, zorder=3))
    return artists


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


class PlainLogLocator(LogLocator):
    """Log-axis ticks at 1, 2, 5 x 10^k over a short range, 1 and 3 over a medium one, and
    (thinned) powers of ten over a long one."""

    def tick_values(self, vmin, vmax):
        lo, hi = sorted((vmin, vmax))
        decades = np.log10(hi / lo) if lo > 0 and np.isfinite(hi / lo) else np.inf
        self._subs = np.array([1.0, 2.0, 5.0] if decades < 1.5 else [1.0, 3.0] if decades < 3 else [1.0])
        return super().tick_values(vmin, vmax)


def plain_log_labels(axis) -> None:
    """Plain-text ticks ("0.02", "1e-05") on a log-scale ``ax.xaxis``/``ax.yaxis``, no minor ticks.

    Matplotlib's default log axis has mathtext labels (10 with a superscript) and up to eight
    minor ticks per decade; drawing it costs a widget tens of milliseconds whenever the limits
    change.
    """
    axis.set_major_locator(PlainLogLocator())
    axis.set_major_formatter(StrMethodFormatter("{x:g}"))
    axis.set_minor_locator(NullLocator())


def figure_to_png(fig, dpi: int = 80) -> bytes:
    """Render a matplotlib Figure to PNG bytes (one Agg draw; no pyplot state involved)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    if fig.dpi != dpi:
        fig.set_dpi(dpi)
    canvas.draw()
    return canvas_to_png(canvas)


#: zlib level of widget PNGs: level 1 is the fast end with most of the size gain.
PNG_COMPRESS_LEVEL = 1


def canvas_to_png(canvas, *, error: str | None = None) -> bytes:
    """Encode what an Agg canvas holds now as an RGB PNG (fast, light compression).

    Parameters
    ----------
    canvas : FigureCanvasAgg
        Already drawn (``canvas.draw()`` or blitted artists).
    error : str, optional
        Grey the picture out and write this message over it (a widget's error state).
    """
    rgb = np.asarray(canvas.buffer_rgba())[..., :3]
    if error is not None:
        from PIL import Image

        rgb = np.asarray(_error_card(Image.fromarray(np.ascontiguousarray(rgb)), error))
    return rgb_to_png(rgb)


def rgb_to_png(rgb) -> bytes:
    """A minimal PNG encoder for an (H, W, 3) uint8 array: no row filter, zlib level 1.

    Measured on a 680x288 widget frame: about twice as fast as Pillow (whose adaptive row
    filters cost more than the compression) and no larger, since widget pictures are mostly
    flat colour.
    """
    rgb = np.asarray(rgb)
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"rgb must be an (H, W, 3) uint8 array, got {rgb.dtype} {rgb.shape}")
    height, width, _ = rgb.shape
    rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # each row: filter byte 0, pixels
    rows[:, 1:] = rgb.reshape(height, 3 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows, PNG_COMPRESS_LEVEL)) + _png_chunk(b"IEND", b""))


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _error_card(image, message: str):
    """``image`` washed out to pale grey with ``message`` written across it."""
    import textwrap

    from PIL import ImageDraw, ImageFont

    grey = image.convert("L").point(lambda v: 205 + v // 5).convert("RGB")
    draw = ImageDraw.Draw(grey)
    font = ImageFont.load_default(size=15)
    width = max(20, grey.width // 9)
    text = "\n".join(textwrap.wrap(str(message), width=width)[:8])
    draw.multiline_text((grey.width // 2, grey.height // 2), text, fill=PALETTE[5], font=font,
                        anchor="mm", align="center", spacing=6)
    return grey
