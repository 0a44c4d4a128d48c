"""Notebook 11 widget: matrix size / batch size / dtype -> achieved GFLOP/s on the measured roofline."""

from __future__ import annotations

import numpy as np

from nnbasics.lab import hardware
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["roofline_point", "roofline_explorer", "SIZES", "BATCHES", "DTYPES"]

#: The settings the explorer offers: matrix size D = H, batch size B and dtype.
SIZES = (32, 64, 128, 256)
BATCHES = (1, 4, 16, 64, 256)
DTYPES = ("float32", "bfloat16")
_INTENSITIES = np.logspace(-1, 3, 100)  # where the roof is drawn (FLOP/byte)


# --------------------------------------------------------------------------- compute
@frozen_cache(maxsize=128)
def _measure(n: int, B: int, dtype: str) -> dict:
    with hardware.threads(1):
        return hardware.matmul_gflops(n, B=B, dtype=dtype, repeats=2)


@frozen_cache(maxsize=len(DTYPES))
def _roof(dtype: str) -> tuple[hardware.Roofline, bool]:
    """The roofline of ``dtype`` (single thread) and whether measured points had to raise it.

    The peak is measured with this dtype's matmul and the bandwidth with an elementwise op;
    both are then raised, if needed, to cover every setting the explorer offers: a point above
    a roof proves the roof was measured too low (noise, or small operands served from cache
    faster than the memory bandwidth allows). So no point can exceed 100 % of attainable.
    """
    with hardware.threads(1):
        base = hardware.measure_roofline("cpu")
        peak = (base.peak_gflops if dtype == "float32"
                else hardware.matmul_gflops(384, dtype=dtype, repeats=5)["best_gflops"])
    best = [(_measure(n, B, dtype)["best_gflops"], hardware.arithmetic_intensity(B, n, n, dtype))
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
        self.ax.set(xlabel="arithmetic intensity (FLOP/byte)", ylabel="GFLOP/s",
                    xlim=self.ax.get_xlim())  # fixed by the roof's range
        return self.update(d)

    def update(self, d):
        roof, p = d["roof"], d["point"]
        self.roof.set_ydata(roof.attainable(_INTENSITIES))
        self.roof.set_label(f"roofline (measured, {p['dtype']})")
        self.ridge.set_xdata([roof.ridge] * 2)
        self.ridge.set_label(f"ridge {roof.ridge:.1f} FLOP/byte")
        self.point.set_data([p["intensity"]], [p["gflops"]])
        self.point.set_color(PALETTE[0] if p["dtype"] == "float32" else PALETTE[1])
        self.point.set_label(f"({p['B']}, {p['n']}) @ ({p['n']}, {p['n']}) {p['dtype']}")
        self.ax.set(ylim=(0.05, roof.peak_gflops * 3),
                    title=f"achieved {p['gflops']:.1f} GFLOP/s = {d['fraction']:.0%} of attainable")
        legend = self.ax.legend(fontsize=7, loc="lower right")
        return [self.roof, self.ridge, self.point, self.ax.yaxis, self.ax.title, legend]


def _summary(d) -> str:
    p, roof = d["point"], d["roof"]
    note = " (the roof is raised to the fastest measured settings)" if d["roof_raised"] else ""
    return (f"{p['gflops']:.2f} GFLOP/s at intensity {p['intensity']:.1f} FLOP/byte "
            f"({roof.bound(p['intensity'])}-bound){note}")


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
