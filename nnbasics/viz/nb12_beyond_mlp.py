"""Notebook 12 widgets: turn a query and watch the attention weights move between keys; grow a conv
stack and watch the receptive field of its last layer (and the footprint figure they share)."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from nnbasics.core import attention
from nnbasics.experiments import nb12_beyond_mlp as exp12
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["TOKENS", "KEYS", "query_attention", "attention_explorer", "KERNELS", "DEPTHS", "POOL_STRIDES", "stack",
           "receptive_view", "draw_footprint", "receptive_explorer"]

#: Six tokens with 2-D keys (so that a query can be drawn as an arrow); values = keys.
TOKENS = ("the", "cat", "sat", "on", "a", "mat")
_ANGLES = np.deg2rad([10.0, 70.0, 130.0, 190.0, 250.0, 310.0])
_LENGTHS = np.array([1.0, 2.0, 1.4, 0.8, 1.2, 1.8])
KEYS = np.column_stack([_LENGTHS * np.cos(_ANGLES), _LENGTHS * np.sin(_ANGLES)])  # (6, 2)
_SWEEP = np.arange(0, 360, 15)  # query directions of the heat-map rows, degrees
KEYS.flags.writeable = _SWEEP.flags.writeable = False  # shared with every result


def _query(angle_deg, length) -> np.ndarray:
    a = np.deg2rad(np.asarray(angle_deg, dtype=np.float64))
    return np.stack([length * np.cos(a), length * np.sin(a)], axis=-1)


@frozen_cache(maxsize=512)
def query_attention(angle: float = 60.0, length: float = 2.0, scaled: bool = True) -> dict:
    """Attention of one 2-D query over :data:`KEYS`, plus the same for a sweep of query directions.

    Parameters
    ----------
    angle : float
        Query direction in degrees.
    length : float > 0
        Query norm: longer queries give larger scores and a sharper (more one-hot) softmax.
    scaled : bool
        Divide the scores by sqrt(d) (d = 2) as in scaled dot-product attention.

    Returns
    -------
    dict
        ``query`` (2,), ``keys`` (6, 2), ``weights`` (6,), ``output`` (2,) = weights @ values,
        ``sweep_angles`` (24,), ``sweep_weights`` (24, 6), ``entropy`` (nats), ``tokens``.
    """
    if not length > 0:
        raise ValueError(f"length must be > 0, got {length}")
    scale = 1.0 / np.sqrt(2.0) if scaled else 1.0
    q = _query(angle, length)[None, :]  # (1, 2)
    out, cache = attention.attention_forward(q, KEYS, KEYS, scale=scale)
    weights = cache[3][0]
    _, sweep_cache = attention.attention_forward(_query(_SWEEP, length), KEYS, KEYS, scale=scale)
    entropy = float(-np.sum(weights * np.log(weights + 1e-300)))
    return {"query": q[0], "keys": KEYS, "weights": weights, "output": out[0], "angle": float(angle),
            "sweep_angles": _SWEEP, "sweep_weights": sweep_cache[3], "entropy": entropy, "tokens": TOKENS,
            "scaled": bool(scaled), "length": float(length)}


class _AttentionView(View):
    """Left: the query against the keys (line width = weight) and the output; right: weights
    over a sweep of query directions, the current one marked."""

    def init(self, fig, d):
        self.ax1, self.ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.0, 1.1]})
        keys = d["keys"]
        self.keys = [self.ax1.plot([0, kx], [0, ky], color=PALETTE[0], solid_capstyle="round")[0]
                     for kx, ky in keys]
        self.labels = [self.ax1.text(1.15 * kx, 1.15 * ky, "", ha="center", va="center", fontsize=8)
                       for kx, ky in keys]
        self.query = self.ax1.quiver([0], [0], [1.0], [0.0], angles="xy", scale_units="xy", scale=1,
                                     color=PALETTE[5], width=0.015, label="query")
        self.output = self.ax1.scatter([0.0], [0.0], marker="*", s=180, color=PALETTE[2], zorder=5,
                                       label="output = Σ weight·value")
        self.ax1.set(xlim=(-2.8, 2.8), ylim=(-2.8, 2.8), aspect="equal", xlabel="feature 1", ylabel="feature 2",
                     title="query vs keys (values = keys)")
        key_entry = Line2D([], [], color=PALETTE[0], lw=3, solid_capstyle="round")  # a fixed width
        self.ax1.legend([key_entry, self.query, self.output],
                        ["keys (width = weight)", "query", "output = Σ weight·value"], fontsize=7, loc="lower left")
        self.heat = self.ax2.imshow(d["sweep_weights"], aspect="auto", cmap="viridis", vmin=0, vmax=1,
                                    extent=(-0.5, len(d["tokens"]) - 0.5, d["sweep_angles"][-1] + 7.5, -7.5))
        self.current = self.ax2.axhline(d["angle"], color=PALETTE[1], lw=2)
        self.ax2.set_xticks(range(len(d["tokens"])), d["tokens"])
        self.ax2.set_yticks(np.arange(0, 360, 90))
        self.ax2.set(xlabel="key (token)", ylabel="query direction (degrees)")
        return self.update(d)

    def update(self, d):
        w = d["weights"]
        for j, (line, label) in enumerate(zip(self.keys, self.labels)):
            line.set_linewidth(0.8 + 8 * w[j])
            label.set_text(f"{d['tokens'][j]}\n{w[j]:.2f}")
        qx, qy = d["query"] * min(1.0, 2.6 / d["length"])  # long queries are drawn clipped to the axes
        self.query.set_UVC([qx], [qy])
        self.output.set_offsets([d["output"]])
        self.heat.set_data(d["sweep_weights"])
        self.current.set_ydata([d["angle"]] * 2)
        self.ax2.set_title(f"weights (bright = 1; orange = current query)\n|q| = {d['length']:.2f}, "
                           + ("scores / √d" if d["scaled"] else "unscaled scores"))
        return [*self.keys, *self.labels, self.query, self.output, self.heat, self.current,
                self.ax2.title]


@register("12", "attention")
def attention_explorer() -> Explorer:
    """Sliders for the query's direction and length, and the 1/sqrt(d) scaling switch."""
    import ipywidgets as w

    controls = {
        "angle": w.FloatSlider(value=60.0, min=0.0, max=345.0, step=15.0, description="query angle",
                               continuous_update=True, readout_format=".0f"),
        "length": w.FloatSlider(value=2.0, min=0.25, max=6.0, step=0.25, description="|query|",
                                continuous_update=True),
        "scaled": w.Checkbox(value=True, description="divide scores by √d"),
    }
    return Explorer(controls, query_attention, _AttentionView(), figsize=(8.6, 3.9),
                    summary=lambda d: "weights: " + ", ".join(f"{t} {x:.2f}" for t, x in zip(d["tokens"], d["weights"]))
                                      + f" — entropy <b>{d['entropy']:.2f}</b> nats (max {np.log(6):.2f})",
                    title="Scaled dot-product attention: one query, six keys")


# --------------------------------------------------------------------------- receptive field
#: Kernel sizes, numbers of conv layers and pooling strides the receptive-field explorer offers.
KERNELS = (1, 3, 5)
DEPTHS = (1, 2, 3, 4)
POOL_STRIDES = (1, 2, 3)


def stack(k: int, depth: int, pool_stride: int) -> tuple[list, list]:
    """``depth`` conv layers of kernel ``k`` (stride 1) with a max-pool (window = stride = ``pool_stride``)
    after the first one (none for stride 1): the (kernels, strides) of the explorer's stack."""
    kernels, strides = [k], [1]
    if pool_stride > 1:
        kernels, strides = kernels + [pool_stride], strides + [pool_stride]
    return kernels + [k] * (depth - 1), strides + [1] * (depth - 1)


@frozen_cache(maxsize=64)
def receptive_view(k: int = 3, depth: int = 3, pool_stride: int = 2) -> dict:
    """The measured footprint (:func:`~nnbasics.experiments.nb12_beyond_mlp.gradient_footprint`) of one
    unit of the last layer of :func:`stack`'s layers.

    Returns
    -------
    dict
        ``masks``, ``centres`` (per layer, input first), ``sizes`` (receptive field of each layer),
        ``names`` (a label per row).
    """
    for value, name, allowed in ((k, "k", KERNELS), (depth, "depth", DEPTHS), (pool_stride, "pool_stride", POOL_STRIDES)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")
    kernels, strides = stack(k, depth, pool_stride)
    fp = exp12.gradient_footprint(kernels, strides, n=60)  # wide enough for every setting offered
    names = ["input"] + [f"pool {kk}/{s}" if s > 1 else f"conv {kk}" for kk, s in zip(kernels, strides)]
    return {"masks": fp.masks, "centres": fp.centres, "sizes": fp.sizes, "names": names}


def draw_footprint(ax, masks, centres, names) -> None:
    """One row of units per layer (input at the bottom), blue where the top unit depends on them."""
    for row, (mask, xs) in enumerate(zip(masks, centres)):
        ax.scatter(xs[~mask], np.full(int((~mask).sum()), row), s=18, color="0.8")
        ax.scatter(xs[mask], np.full(int(mask.sum()), row), s=30, color=PALETTE[0],
                   label="the top unit depends on it" if row == 0 else None)
    ax.set_yticks(range(len(names)), names)
    ax.set(xlabel="position (input pixels)", ylabel="layer")
    ax.legend(fontsize=7, loc="upper right")


class _ReceptiveView(View):
    """One row of units per layer (input at the bottom), blue where the top unit depends on them."""

    tight_layout = False
    ROWS = 1 + 1 + max(DEPTHS)  # input, the pooling layer, the conv layers

    def init(self, fig, d):
        fig.subplots_adjust(left=0.15, right=0.98, bottom=0.16, top=0.88)
        self.ax = fig.add_subplot()
        self.rest = [self.ax.scatter([], [], s=18, color="0.8") for _ in range(self.ROWS)]
        self.seen = [self.ax.scatter([], [], s=30, color=PALETTE[0]) for _ in range(self.ROWS)]
        self.seen[0].set_label("the top unit depends on it")
        self.ax.set(xlim=(-1, 60), ylim=(-0.5, self.ROWS - 0.5), xlabel="position (input pixels)",
                    ylabel="layer")  # the same frame for every setting
        self.ax.legend(fontsize=7, loc="upper right")
        return self.update(d)

    def update(self, d):
        empty = np.empty((0, 2))
        for row in range(self.ROWS):
            if row < len(d["masks"]):
                mask, xs = d["masks"][row], d["centres"][row]
                self.rest[row].set_offsets(np.column_stack([xs[~mask], np.full(int((~mask).sum()), row)]))
                self.seen[row].set_offsets(np.column_stack([xs[mask], np.full(int(mask.sum()), row)]))
            else:
                self.rest[row].set_offsets(empty)
                self.seen[row].set_offsets(empty)
        self.ax.set_yticks(range(len(d["names"])), d["names"])
        self.ax.set_title(f"one unit of the last layer sees {d['sizes'][-1]} input pixels")
        return [*self.rest, *self.seen, self.ax.yaxis, self.ax.title]


@register("12", "receptive_field")
def receptive_explorer() -> Explorer:
    """Kernel size, depth and a pooling stride -> which input pixels one output unit depends on."""
    import ipywidgets as w

    controls = {
        "k": w.SelectionSlider(options=list(KERNELS), value=3, description="kernel k", continuous_update=False),
        "depth": w.SelectionSlider(options=list(DEPTHS), value=3, description="conv layers", continuous_update=False),
        "pool_stride": w.SelectionSlider(options=list(POOL_STRIDES), value=2, description="pool stride",
                                         continuous_update=False),
    }
    return Explorer(controls, receptive_view, _ReceptiveView(), figsize=(7, 3.2),
                    summary=lambda d: "receptive field per layer: " + ", ".join(
                        f"{n} {s}" for n, s in zip(d["names"][1:], d["sizes"])),
                    title="Receptive field: which input pixels does one output unit see?")
