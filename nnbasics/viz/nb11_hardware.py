"""Notebook 11: the roofline explorer (matrix size / batch size / dtype -> achieved GFLOP/s on the
measured roofline) and the notebook's static figures (a roofline with its spread, bandwidth vs size)."""

from __future__ import annotations

import numpy as np

from nnbasics.lab import hardware
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["roofline_point", "roofline_explorer", "SIZES", "BATCHES", "DTYPES", "draw_roofline",
           "draw_bandwidth_curve"]

#: The settings the explorer offers: matrix size D = H, batch size B and dtype.
SIZES = (32, 64, 128, 256)
BATCHES = (1, 4, 16, 64, 256)
DTYPES = ("float32", "bfloat16")
_INTENSITIES = np.logspace(-2, 3, 100)  # where the roof is drawn (FLOP/byte): the fixed x-range


# --------------------------------------------------------------------------- compute
@frozen_cache(maxsize=128)
def _measure(n: int, B: int, dtype: str) -> dict:
    with hardware.threads(1):
        return hardware.matmul_gflops(n, B=B, dtype=dtype, repeats=2)


@frozen_cache(maxsize=len(DTYPES))
def _roof(dtype: str) -> tuple[hardware.Roofline, bool]:
    """The roofline of ``dtype`` (single thread) and whether measured points had to raise it.

    The peak is the median speed of this dtype's n^3 matmul (n = ``default_peak_n``: 1024, or 256
    for bfloat16 without bfloat16 units; bfloat16 has its own roof: on a CPU with bfloat16 units
    it is faster than float32, without them far slower) and the bandwidth that of an elementwise
    op on arrays far larger than the caches (DRAM). Both are then raised, if needed, to cover
    every setting the explorer offers (the fast end, q90, of each point's repeats): its small
    matrices stay in the cache, so they are not limited by the DRAM bandwidth. So no point can
    exceed 100 % of attainable, and the summary says when the roof had to move and why.
    """
    with hardware.threads(1):
        base = hardware.measure_roofline("cpu")
        peak = (base.peak_gflops if dtype == "float32"
                else hardware.matmul_gflops(hardware.default_peak_n("cpu", dtype), dtype=dtype,
                                            repeats=9)["gflops"])
    best = [(_measure(n, B, dtype)["q90"], hardware.arithmetic_intensity(B, n, n, dtype))
            for n in SIZES for B in BATCHES]
    top = max(peak, max(g for g, _ in best))
    bandwidth = max(base.bandwidth_gbs, max(g / i for g, i in best))
    return hardware.roofline(top, bandwidth), (top > peak or bandwidth > base.bandwidth_gbs)


@frozen_cache(maxsize=128)
def roofline_point(n: int, B: int, dtype: str) -> dict:
    """Pure data: this machine's roofline for ``dtype`` and one measured (B, n) @ (n, n) matmul.

    ``n`` and ``B`` must be among :data:`SIZES` and :data:`BATCHES`: the roof is the envelope
    of the measured peak, the measured bandwidth and the fastest repeat of every such setting,
    so ``fraction`` (median speed / attainable speed) is at most 1 by construction.

    Returns
    -------
    dict
        ``roof`` (:class:`~nnbasics.lab.hardware.Roofline`), ``roof_raised`` (bool: measured points
        lifted the roof), ``point`` (see :func:`~nnbasics.lab.hardware.matmul_gflops`; its
        ``intensity`` uses the dtype's bytes), ``fraction`` of the attainable speed reached.
    """
    if int(n) not in SIZES:
        raise ValueError(f"n must be one of {list(SIZES)}, got {n}")
    if int(B) not in BATCHES:
        raise ValueError(f"B must be one of {list(BATCHES)}, got {B}")
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {list(DTYPES)}, got {dtype!r}")
    roof, raised = _roof(dtype)
    point = dict(_measure(int(n), int(B), dtype))
    point["intensity"] = hardware.arithmetic_intensity(int(B), int(n), int(n), dtype)
    frac = point["gflops"] / float(roof.attainable(point["intensity"]))
    assert frac <= 1 + 1e-9, f"{frac:.3f} of attainable: the roof must cover every measured point"
    return {"roof": roof, "roof_raised": raised, "point": point, "fraction": frac}


# --------------------------------------------------------------------------- view
class _RooflineView(View):
    """The dtype's roofline (log-log), its ridge, and the measured point."""

    tight_layout = False

    def init(self, fig, d):
        fig.subplots_adjust(left=0.13, right=0.97, bottom=0.14, top=0.9)
        self.ax = fig.add_subplot()
        (self.roof,) = self.ax.loglog(_INTENSITIES, d["roof"].attainable(_INTENSITIES), color="black", lw=2)
        self.ridge = self.ax.axvline(d["roof"].ridge, ls=":", color="0.5")
        (self.point,) = self.ax.loglog([], [], "o", ms=11)
        # A fixed x-range, not autoscaled to the first dtype's ridge: a later dtype's ridge may
        # lie elsewhere (emulated bfloat16: ~0.06 FLOP/byte) and blitting never rescales an axis.
        self.ax.set(xlabel="arithmetic intensity (FLOP/byte)", ylabel="GFLOP/s",
                    xlim=(_INTENSITIES[0], _INTENSITIES[-1]))
        return self.update(d)

    def update(self, d):
        roof, p = d["roof"], d["point"]
        self.roof.set_ydata(roof.attainable(_INTENSITIES))
        self.roof.set_label(f"roofline (measured, {p['dtype']})")
        self.ridge.set_xdata([roof.ridge] * 2)
        off = "" if _INTENSITIES[0] <= roof.ridge <= _INTENSITIES[-1] else " (off the plot)"
        self.ridge.set_label(f"ridge {roof.ridge:.2g} FLOP/byte{off}")
        self.point.set_data([p["intensity"]], [p["gflops"]])
        self.point.set_color(PALETTE[0] if p["dtype"] == "float32" else PALETTE[1])
        self.point.set_label(f"({p['B']}, {p['n']}) @ ({p['n']}, {p['n']}) {p['dtype']}")
        self.ax.set(ylim=(0.05, roof.peak_gflops * 3),
                    title=f"achieved {p['gflops']:.1f} GFLOP/s = {d['fraction']:.0%} of attainable")
        legend = self.ax.legend(fontsize=7, loc="lower right")
        return [self.roof, self.ridge, self.point, self.ax.yaxis, self.ax.title, legend]


def _summary(d) -> str:
    p, roof = d["point"], d["roof"]
    notes = []
    if p["overhead_bound"]:
        notes.append(f"one call takes {p['seconds'] * 1e6:.1f} us: the fixed cost of a call dominates "
                     "(overhead-bound, whatever the roofline says)")
    if p["cache_resident"]:
        notes.append(f"the weights ({p['weight_bytes'] / 2 ** 10:.0f} KiB) stay in the cache, so this kernel "
                     "is not limited by the DRAM bandwidth")
    if d["roof_raised"]:
        notes.append("the roof is raised to cover the fastest measured settings (cache-resident ones beat DRAM)")
    return (f"{p['gflops']:.2f} GFLOP/s at intensity {p['intensity']:.1f} FLOP/byte "
            f"({roof.bound(p['intensity'])}-bound)" + "".join(f"<br>{n}" for n in notes))


@register("11", "roofline")
def roofline_explorer() -> Explorer:
    """Dtype, batch size and matrix size -> the measured matmul speed placed on the roofline."""
    import ipywidgets as w

    for dtype in DTYPES:  # measure every setting once (~1 s): updates only redraw
        _roof(dtype)
    controls = {
        "dtype": w.Dropdown(options=list(DTYPES), value="float32", description="dtype"),
        "B": w.SelectionSlider(options=list(BATCHES), value=16, description="batch B",
                               continuous_update=False),
        "n": w.SelectionSlider(options=list(SIZES), value=128, description="size D=H",
                               continuous_update=False),
    }
    return Explorer(controls, roofline_point, _RooflineView(), figsize=(5.5, 3.8), summary=_summary,
                    title="Where does a matmul land on this machine's roofline?")


# --------------------------------------------------------------------------- static figures
def draw_roofline(ax, report, title: str) -> None:
    """The two roofs (medians and their 10-90 % band), the ridge range and the measured points.

    ``report`` is a :class:`nnbasics.experiments.nb11_hardware.RooflineReport`.
    """
    r = report.roof
    xs = np.logspace(-1, 3, 200)
    ax.loglog(xs, r.attainable(xs), color="black", lw=2, label="roofline (medians)")
    low = hardware.Roofline(r.peak_range[0], r.bandwidth_range[0]).attainable(xs)
    high = hardware.Roofline(r.peak_range[1], r.bandwidth_range[1]).attainable(xs)
    ax.fill_between(xs, low, high, color="0.8", label="10-90 % of the roofs")
    ax.axvspan(*r.ridge_range, color=PALETTE[4], alpha=0.25, label="ridge")
    for k, p in enumerate(report.points):
        ax.errorbar(p["intensity"], p["gflops"], yerr=[[p["gflops"] - p["q10"]], [p["q90"] - p["gflops"]]],
                    fmt="o", ms=7, color=PALETTE[k % len(PALETTE)], label=f"dense, B={p['B']}")
    ax.set(xlabel="arithmetic intensity (FLOP/byte)", ylabel="GFLOP/s", title=title)
    ax.legend(fontsize=7, loc="lower right")


def draw_bandwidth_curve(ax, curve, caches: dict) -> None:
    """Bandwidth (median and 10-90 %) against the bytes touched, with the L2 and L3 sizes marked.

    ``curve`` is :func:`nnbasics.experiments.nb11_hardware.bandwidth_vs_size`'s list; ``caches`` is
    :func:`nnbasics.lab.hardware.cache_sizes`.
    """
    sizes = np.array([2 * r["array_bytes"] for r in curve]) / 2 ** 20
    ax.semilogx(sizes, [r["gbs"] for r in curve], "o-", color=PALETTE[0], label="y = x + 1 (median)")
    ax.fill_between(sizes, [r["q10"] for r in curve], [r["q90"] for r in curve], color=PALETTE[0], alpha=0.2,
                    label="10-90 % of repeats")
    for k, ls in (("L2", ":"), ("L3", "--")):
        if caches.get(k):
            ax.axvline(caches[k] / 2 ** 20, ls=ls, color="0.4", label=f"{k} = {caches[k] / 2 ** 20:g} MiB")
    ax.set(xlabel="bytes touched: x and y together (MiB)", ylabel="GB/s", ylim=(0, None),
           title="Bandwidth falls once the data leaves the caches")
    ax.legend(fontsize=7)
