"""Notebook 11 widget: matrix size / batch size / dtype -> achieved GFLOP/s on the measured roofline."""

from __future__ import annotations

import functools

import numpy as np

from nnbasics.lab import hardware
from nnbasics.viz.explorer import Explorer, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["roofline_point", "roofline_explorer"]


@functools.lru_cache(maxsize=128)
def _measure(n: int, B: int, dtype: str) -> dict:
    with hardware.threads(1):
        return hardware.matmul_gflops(n, B=B, dtype=dtype, repeats=2)


def roofline_point(n: int, B: int, dtype: str) -> dict:
    """Pure data: the machine's roofline (measured once) and one measured (B, n) @ (n, n) matmul.

    Returns
    -------
    dict
        ``roof`` (:class:`~nnbasics.lab.hardware.Roofline`), ``point`` (see
        :func:`~nnbasics.lab.hardware.matmul_gflops`; its ``intensity`` uses the dtype's bytes),
        ``fraction`` of the attainable speed reached.
    """
    with hardware.threads(1):
        roof = hardware.measure_roofline("cpu")
    point = dict(_measure(int(n), int(B), dtype))
    point["intensity"] = hardware.arithmetic_intensity(int(B), int(n), int(n), dtype)
    frac = point["gflops"] / float(roof.attainable(point["intensity"]))
    return {"roof": roof, "point": point, "fraction": frac}


def _draw(fig, d) -> None:
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.14, top=0.9)
    roof, p = d["roof"], d["point"]
    intensity = np.logspace(-1, 3, 100)
    ax.loglog(intensity, roof.attainable(intensity), color="black", lw=2, label="roofline (measured, float32)")
    ax.axvline(roof.ridge, ls=":", color="0.5", label=f"ridge {roof.ridge:.1f} FLOP/byte")
    colour = PALETTE[0] if p["dtype"] == "float32" else PALETTE[1]
    ax.loglog(p["intensity"], p["gflops"], "o", ms=11, color=colour,
              label=f"({p['B']}, {p['n']}) @ ({p['n']}, {p['n']}) {p['dtype']}")
    ax.set(xlabel="arithmetic intensity (FLOP/byte)", ylabel="GFLOP/s", ylim=(0.05, roof.peak_gflops * 3),
           title=f"achieved {p['gflops']:.1f} GFLOP/s = {d['fraction']:.0%} of attainable")
    ax.legend(fontsize=7, loc="lower right")


@register("11", "roofline")
def roofline_explorer() -> Explorer:
    """Dtype, batch size and matrix size -> the measured matmul speed placed on the roofline."""
    import ipywidgets as w

    controls = {
        "dtype": w.Dropdown(options=["float32", "bfloat16"], value="float32", description="dtype"),
        "B": w.SelectionSlider(options=[1, 4, 16, 64, 256], value=16, description="batch B",
                               continuous_update=False),
        "n": w.SelectionSlider(options=[32, 64, 128, 256], value=128, description="size D=H",
                               continuous_update=False),
    }
    return Explorer(controls, roofline_point, _draw, figsize=(5.5, 3.8),
                    summary=lambda d: f"{d['point']['gflops']:.2f} GFLOP/s at intensity "
                                      f"{d['point']['intensity']:.1f} FLOP/byte "
                                      f"({d['roof'].bound(d['point']['intensity'])}-bound)",
                    title="Where does a matmul land on this machine's roofline?")
