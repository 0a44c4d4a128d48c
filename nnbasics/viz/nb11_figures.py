"""Notebook 11's static figures: a measured roofline with its spread, and bandwidth vs array size.

(Kept apart from the widget module ``nb11_hardware`` until the widget engine's rebuild lands;
the two can merge then.)
"""

from __future__ import annotations

import numpy as np

from nnbasics.lab.hardware import Roofline
from nnbasics.viz.plotting import PALETTE

__all__ = ["draw_roofline", "draw_bandwidth_curve"]


def draw_roofline(ax, report, title: str) -> None:
    """The two roofs (medians and their 10-90 % band), the ridge range and the measured points.

    ``report`` is a :class:`nnbasics.experiments.nb11_hardware.RooflineReport`.
    """
    r = report.roof
    xs = np.logspace(-1, 3, 200)
    ax.loglog(xs, r.attainable(xs), color="black", lw=2, label="roofline (medians)")
    low = Roofline(r.peak_range[0], r.bandwidth_range[0]).attainable(xs)
    high = Roofline(r.peak_range[1], r.bandwidth_range[1]).attainable(xs)
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
