"""Notebook 11's measured demos: a memory-hierarchy bandwidth curve and dense layers placed on the roofline."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from nnbasics._validate import check_choice, check_int
from nnbasics.lab.hardware import (
    DTYPE_BYTES,
    GPU_SIZES,
    Roofline,
    arithmetic_intensity,
    cache_sizes,
    default_peak_n,
    matmul_gflops,
    measure_bandwidth,
    measure_roofline,
)

__all__ = ["out_of_cache_width", "dense_points", "compute_bound_batch", "bandwidth_vs_size", "RooflineReport",
           "roofline_report"]


def out_of_cache_width(dtype: str = "float32", *, factor: int = 2) -> int:
    """Smallest multiple of 1024 whose (n, n) weight matrix is ``factor`` x the last-level cache (>= 1024).

    Multiples, not powers of two: with a 300 MiB cache (cloud VMs report the host's) a power of
    two would overshoot to a 1 GiB matrix and a 137 GFLOP call at B=256.
    """
    s = DTYPE_BYTES[check_choice(dtype, "dtype", tuple(DTYPE_BYTES))]
    factor = check_int(factor, "factor", minimum=1)
    llc = cache_sizes()["L3"] or 32 * 2 ** 20
    n = 1024
    while s * n * n < factor * llc:
        n += 1024
    return n


def dense_points(batch_sizes=(1, 4, 16, 64, 256), *, n: int | None = None, device: str = "cpu",
                 dtype: str = "float32", repeats: int = 5) -> list[dict]:
    """Measured dense layers X (B, n) @ W (n, n) for each batch size, W larger than every cache.

    n defaults to :func:`out_of_cache_width` on a CPU (W = 2x the last-level cache: the weights
    stream from main memory on every call) and ``GPU_SIZES["points_n"]`` on a GPU.

    Returns
    -------
    list of dict
        :func:`nnbasics.lab.hardware.matmul_gflops` per batch size.
    """
    check_choice(device, "device", ("cpu", "cuda"))
    if n is None:
        n = out_of_cache_width(dtype) if device == "cpu" else GPU_SIZES["points_n"]
    batch_sizes = tuple(batch_sizes)
    if not batch_sizes:
        raise ValueError("batch_sizes is empty; expected at least one batch size")
    return [matmul_gflops(n, B=check_int(B, "batch_sizes entry", minimum=1), device=device, dtype=dtype,
                          repeats=repeats) for B in batch_sizes]


def compute_bound_batch(roof: Roofline, D: int, H: int, dtype: str = "float32") -> int | None:
    """Smallest batch B at which a D -> H dense layer's intensity passes the ridge (None: never).

    As B grows the intensity 2BDH / s(BD + DH + H + BH) rises towards 2DH / s(D + H); if the
    ridge is above that limit the layer stays memory-bound at any batch size.
    """
    if not isinstance(roof, Roofline):
        raise TypeError(f"roof must be a Roofline, got {type(roof).__name__}")
    D, H = check_int(D, "D", minimum=1), check_int(H, "H", minimum=1)
    s = DTYPE_BYTES[check_choice(dtype, "dtype", tuple(DTYPE_BYTES))]
    if 2 * D * H / (s * (D + H)) <= roof.ridge:
        return None
    lo, hi = 1, 1
    while arithmetic_intensity(hi, D, H, dtype) < roof.ridge:
        hi *= 2
    while lo < hi:  # intensity grows with B: bisect for the first B past the ridge
        mid = (lo + hi) // 2
        lo, hi = (mid + 1, hi) if arithmetic_intensity(mid, D, H, dtype) < roof.ridge else (lo, mid)
    return lo


def bandwidth_vs_size(array_bytes=(2 ** 17, 2 ** 19, 2 ** 21, 2 ** 23, 2 ** 25, 2 ** 28), *,
                      repeats: int = 5) -> list[dict]:
    """Bandwidth of y = x + 1 for float32 arrays of each size: caches first, then main memory.

    Returns
    -------
    list of dict
        :func:`nnbasics.lab.hardware.measure_bandwidth` per size, plus ``array_bytes`` (x alone).
    """
    rows = []
    for nbytes in tuple(array_bytes):
        nbytes = check_int(nbytes, "array_bytes entry", minimum=4)
        rows.append({**measure_bandwidth(nbytes // 4, repeats=repeats), "array_bytes": nbytes})
    return rows


@dataclass(frozen=True)
class RooflineReport:
    """A measured roofline with dense layers placed on it.

    Attributes
    ----------
    roof : Roofline
    points : list of dict
        :func:`dense_points` (one per batch size).
    fractions : ndarray
        Each point's GFLOP/s over the roof's attainable GFLOP/s at its intensity.
    compute_bound_from : int or None
        Predicted smallest batch whose intensity passes the ridge (:func:`compute_bound_batch`).
    notes : list of str
        One sentence for every point above a roof, saying why it may be.
    """

    roof: Roofline
    points: list
    fractions: np.ndarray
    compute_bound_from: int | None
    notes: list


def _higher_peak(roof: Roofline, again: dict) -> Roofline:
    """``roof`` with the higher of its peak and ``again`` (the same matmul, timed after the points).

    Other programs on a shared machine can only slow a measurement down, so of two medians timed
    at different moments the higher is the better estimate of what the machine can do; a peak
    timed during a moment of load would put the points after it above their roof.
    """
    how = f"{roof.how}; peak timed again after the points ({again['gflops']:.1f} GFLOP/s), the higher median kept"
    if again["gflops"] <= roof.peak_gflops:
        return replace(roof, how=how)
    return replace(roof, peak_gflops=again["gflops"], peak_range=(again["q10"], again["q90"]), how=how)


def roofline_report(device: str = "cpu", *, batch_sizes=None, n: int | None = None, peak_n: int | None = None,
                    n_elements: int | None = None, repeats: int = 5) -> RooflineReport:
    """Measure the roofline of ``device`` and place out-of-cache dense layers on it.

    The same code runs on a CPU and on a GPU; the defaults pick sizes for each (``GPU_SIZES`` on a
    GPU, weights twice the last-level cache on a CPU).
    """
    check_choice(device, "device", ("cpu", "cuda"))
    if batch_sizes is None:
        batch_sizes = (1, 4, 16, 64, 256) if device == "cpu" else GPU_SIZES["batch_sizes"]
    roof = measure_roofline(device, n=peak_n, n_elements=n_elements, repeats=max(repeats, 9))
    points = dense_points(batch_sizes, n=n, device=device, repeats=repeats)
    roof = _higher_peak(roof, matmul_gflops(default_peak_n(device) if peak_n is None else peak_n, device=device,
                                            repeats=max(repeats, 9)))
    fractions = np.array([p["gflops"] / float(roof.attainable(p["intensity"])) for p in points])
    notes = []
    for p, f in zip(points, fractions):
        if f <= 1.0:
            continue
        roof_name = "memory" if p["intensity"] < roof.ridge else "compute"
        if p["cache_resident"]:
            why = "its weights fit in the cache, so it is not limited by main-memory bandwidth"
        elif roof_name == "compute" and f < 1.4:
            why = (f"the peak is the median of one square matmul size, not the fastest shape the library runs; "
                   f"{f - 1:.1%} is within the measurements' spread")
        elif roof_name == "compute":
            why = "it beats the measured peak by more than the measurements' spread: re-measure"
        else:
            why = ("one core streams the weights faster than the simple y = x + 1 bandwidth probe, "
                   "probably because the matmul library prefetches and keeps more memory requests in flight")
        notes.append(f"B={p['B']} is {f - 1:.1%} above the {roof_name} roof: {why}")
    width = points[0]["n"]
    return RooflineReport(roof, points, fractions, compute_bound_batch(roof, width, width, points[0]["dtype"]), notes)
