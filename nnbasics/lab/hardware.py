"""Neural networks meet hardware: FLOPs, bytes, honest timing, the roofline, memory, precision.

A dense layer on a batch is a matrix multiply (GEMM): X (B, D) @ W (D, H) costs

    FLOPs = 2 * B * D * H        (one multiply + one add per term)
    bytes = s * (B*D + D*H + H + B*H)   (read X, W, b; write Y; s bytes per number)

and its arithmetic intensity I = FLOPs / bytes decides which roof limits it:
attainable GFLOP/s = min(peak GFLOP/s, bandwidth GB/s * I)  (the roofline model,
Williams, Waterman & Patterson 2009). Every measurement uses :func:`time_fn` (warm-up,
repeats, ``torch.cuda.synchronize()`` on GPU) and reports the median with its 10-90 % spread:
one statistic everywhere, the roofs included. Bandwidth and matmul points are measured with
arrays much larger than the last-level cache (read from the OS by :func:`cache_sizes`), so
they see main memory, not a cache; GPU sizes are large enough not to be launch-bound.
"""

from __future__ import annotations

import functools
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnbasics._validate import NonFiniteError, check_choice, check_float, check_int
from nnbasics.lab.runtime import threads

__all__ = ["dense_flops", "dense_bytes", "arithmetic_intensity", "dense_cost", "conv2d_cost", "attention_cost", "Timing",
           "time_fn", "wall_and_cpu", "default_timer", "device_name", "gpu_available", "cache_sizes", "cpu_flags", "native_bf16", "threads",
           "matmul_gflops", "measure_bandwidth", "torch_call_cost", "out_of_cache_elements", "Roofline", "roofline",
           "measure_roofline", "default_peak_n", "GPU_SIZES", "OVERHEAD_BOUND_S", "batch_sweep", "dtype_compare",
           "underflow_demo", "training_memory_estimate", "measure_numpy_training_peak",
           "saved_activation_bytes", "checkpoint_compare", "checkpoint_memory_sweep", "recomputed_fraction", "quantize_compare",
           "DTYPE_BYTES", "transfer_seconds", "mlp_sizes", "measure_torch_training_peak_cuda"]

DTYPE_BYTES = {"float64": 8, "float32": 4, "bfloat16": 2, "float16": 2, "int8": 1}


# --------------------------------------------------------------------------- counting
def dense_flops(B: int, D: int, H: int) -> int:
    """FLOPs of X (B, D) @ W (D, H): 2·B·D·H (the bias add, B·H, is not counted)."""
    B, D, H = (check_int(v, n, minimum=1) for v, n in ((B, "B"), (D, "D"), (H, "H")))
    return 2 * B * D * H


def dense_bytes(B: int, D: int, H: int, dtype: str = "float32") -> int:
    """Bytes moved by a dense layer at least once: s·(B·D + D·H + H + B·H) for X, W, b and Y."""
    B, D, H = (check_int(v, n, minimum=1) for v, n in ((B, "B"), (D, "D"), (H, "H")))
    s = DTYPE_BYTES[check_choice(dtype, "dtype", tuple(DTYPE_BYTES))]
    return s * (B * D + D * H + H + B * H)


def arithmetic_intensity(B: int, D: int, H: int, dtype: str = "float32") -> float:
    """FLOPs per byte of a dense layer: 2BDH / bytes. Grows with the batch size B (W is reused)."""
    return dense_flops(B, D, H) / dense_bytes(B, D, H, dtype)


def dense_cost(B: int, D: int, H: int, dtype: str = "float32") -> dict:
    """:func:`dense_flops`, :func:`dense_bytes` and :func:`arithmetic_intensity` as one dict
    (``flops``, ``bytes``, ``intensity``), the shape :func:`conv2d_cost` and :func:`attention_cost` return."""
    return {"flops": dense_flops(B, D, H), "bytes": dense_bytes(B, D, H, dtype),
            "intensity": arithmetic_intensity(B, D, H, dtype)}


def _bytes_per(dtype: str) -> int:
    return DTYPE_BYTES[check_choice(dtype, "dtype", tuple(DTYPE_BYTES))]


def conv2d_cost(N: int, C: int, H: int, W: int, F: int, k: int, *, stride: int = 1, padding: int = 0,
                dtype: str = "float32") -> dict:
    """FLOPs, bytes and intensity of a k x k convolution, C -> F channels, on N images of H x W.

    FLOPs = 2 N F H' W' C k^2 (one multiply-add per weight per output position);
    bytes = s (N C H W + F C k^2 + F + N F H' W') reading input, weights and bias, writing output.
    Every weight is reused at N H' W' positions, so the intensity is high even for N = 1.

    Returns
    -------
    dict
        ``flops``, ``bytes``, ``intensity``, ``out_hw`` (H', W').
    """
    from nnbasics.core.conv import output_length

    N, C, F = (check_int(v, n, minimum=1) for v, n in ((N, "N"), (C, "C"), (F, "F")))
    Ho, Wo = output_length(H, k, stride, padding), output_length(W, k, stride, padding)
    s = _bytes_per(dtype)
    flops = 2 * N * F * Ho * Wo * C * k * k
    n_bytes = s * (N * C * H * W + F * C * k * k + F + N * F * Ho * Wo)
    return {"flops": flops, "bytes": n_bytes, "intensity": flops / n_bytes, "out_hw": (Ho, Wo)}


def attention_cost(L: int, d: int, *, n_heads: int = 1, B: int = 1, materialize: bool = True,
                   dtype: str = "float32") -> dict:
    """FLOPs, bytes and intensity of self-attention's two matmuls for B sequences of L tokens.

    FLOPs = 4 B L^2 d  (S = Q K^T and out = A V, each 2 B L^2 d over all heads);
    bytes = s (4 B L d)  reading Q, K, V and writing out, plus, if the (B, h, L, L) score matrix is
    ``materialize``-d in memory (a plain implementation), s (2 B h L^2) to write it and read it back.
    Materialized, the intensity is capped near 2 d / (s h) = 2 d_head / s however long the sequence;
    a fused kernel (FlashAttention) keeps the scores on chip and its intensity grows like L / s.

    Returns
    -------
    dict
        ``flops``, ``bytes``, ``intensity``.
    """
    L, d, n_heads, B = (check_int(v, n, minimum=1) for v, n in ((L, "L"), (d, "d"), (n_heads, "n_heads"), (B, "B")))
    if d % n_heads:
        raise ValueError(f"d={d} is not divisible by n_heads={n_heads}")
    if not isinstance(materialize, (bool, np.bool_)):
        raise TypeError(f"materialize must be True or False, got {materialize!r}")
    s = _bytes_per(dtype)
    flops = 4 * B * L * L * d
    n_bytes = s * (4 * B * L * d + (2 * B * n_heads * L * L if materialize else 0))
    return {"flops": flops, "bytes": n_bytes, "intensity": flops / n_bytes}


# --------------------------------------------------------------------------- timing
@dataclass(frozen=True)
class Timing:
    """Result of :func:`time_fn` (seconds).

    Attributes
    ----------
    median, q10, q90, minimum : float
    times : tuple of float
        Every timed repeat (warm-up runs excluded).
    """

    median: float
    q10: float
    q90: float
    minimum: float
    times: tuple


def gpu_available() -> bool:
    """True when torch sees a CUDA device."""
    import torch

    return bool(torch.cuda.is_available())


def device_name(device: str = "cpu") -> str:
    """A readable name for ``"cpu"`` or ``"cuda"``."""
    import platform

    import torch

    check_choice(device, "device", ("cpu", "cuda"))
    if device == "cuda":
        return torch.cuda.get_device_name(0)
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{model} ({os.cpu_count()} cores visible), {torch.get_num_threads()} torch thread(s)"


_SYSFS_CACHE = "/sys/devices/system/cpu/cpu0/cache"


def _parse_size(text: str) -> int:
    text = text.strip().upper()
    mult = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}.get(text[-1:], 1)
    return int(text.rstrip("KMG")) * mult


def cache_sizes(root: str = _SYSFS_CACHE) -> dict:
    """This CPU's data-cache sizes in bytes, read from the OS.

    Reads ``<root>/index*/{level,type,size}`` (Linux sysfs); falls back to
    ``os.sysconf("SC_LEVEL*_CACHE_SIZE")``; a level that cannot be read is None.

    Returns
    -------
    dict
        ``L1d``, ``L2``, ``L3`` (bytes or None) and ``source`` (where they were read).
    """
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a path, got {type(root).__name__}")
    out: dict = {"L1d": None, "L2": None, "L3": None, "source": "unknown"}
    try:
        for entry in sorted(os.listdir(root)):
            path = os.path.join(root, entry)
            if not entry.startswith("index"):
                continue
            with open(os.path.join(path, "level")) as f:
                level = int(f.read())
            with open(os.path.join(path, "type")) as f:
                kind = f.read().strip()
            with open(os.path.join(path, "size")) as f:
                size = _parse_size(f.read())
            key = "L1d" if level == 1 and kind == "Data" else f"L{level}" if kind == "Unified" else None
            if key in out:
                out[key] = size
        if out["L2"] or out["L3"]:
            out["source"] = root
            return out
    except (OSError, ValueError):
        pass
    for key, name in (("L1d", "SC_LEVEL1_DCACHE_SIZE"), ("L2", "SC_LEVEL2_CACHE_SIZE"), ("L3", "SC_LEVEL3_CACHE_SIZE")):
        try:
            value = os.sysconf(name)
        except (ValueError, OSError, AttributeError):
            value = 0
        out[key] = int(value) if value and value > 0 else None
    if out["L2"] or out["L3"]:
        out["source"] = "os.sysconf"
    return out


def cpu_flags(path: str = "/proc/cpuinfo") -> frozenset:
    """The CPU's feature flags (x86 ``flags`` / ARM ``Features`` line of /proc/cpuinfo); empty if unknown."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a path, got {type(path).__name__}")
    try:
        with open(path) as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("flags", "Features"):
                    return frozenset(value.split())
    except OSError:
        pass
    return frozenset()


def native_bf16(flags=None) -> bool:
    """True when the CPU has bfloat16 arithmetic units (x86 avx512_bf16/amx_bf16, ARM bf16)."""
    if flags is None:
        flags = cpu_flags()
    elif isinstance(flags, (str, bytes)) or not all(isinstance(f, str) for f in flags):
        raise TypeError(f"flags must be a collection of flag names (e.g. cpu_flags()), got {flags!r}")
    flags = frozenset(flags)
    return bool(flags & {"avx512_bf16", "amx_bf16", "bf16"})


def default_timer(device: str = "cpu") -> Callable[[], float]:
    """The clock :func:`time_fn` uses unless told otherwise.

    Single-threaded CPU work: this process's CPU time (``time.process_time``). On a machine
    shared with other programs, wall-clock time also counts the slices of time the OS gave our
    core to someone else; CPU time counts only our own work. Several torch threads (their CPU
    times add up) or a GPU (the work is not on our CPU): wall-clock ``time.perf_counter``.
    """
    import torch

    check_choice(device, "device", ("cpu", "cuda"))
    return time.process_time if device == "cpu" and torch.get_num_threads() == 1 else time.perf_counter


def time_fn(fn: Callable[[], object], *, warmup: int = 2, repeats: int = 10, device: str = "cpu",
            timer: Callable[[], float] | None = None) -> Timing:
    """Time ``fn()`` honestly: warm-up calls first, then ``repeats`` timed calls; report the median.

    On a GPU, kernels run asynchronously: without ``torch.cuda.synchronize()`` before reading the
    clock you time the *launch*, not the work. This helper synchronizes around every call.

    Parameters
    ----------
    fn : callable
        Called with no arguments.
    warmup : int >= 0
        Untimed calls (caches, allocator, lazy initialisation, JIT).
    repeats : int >= 1
    device : {"cpu", "cuda"}
    timer : callable, optional
        Returns seconds (default :func:`default_timer`); injectable for tests (a fake clock).

    Returns
    -------
    Timing
    """
    warmup, repeats = _check_calls(fn, warmup, repeats)
    check_choice(device, "device", ("cpu", "cuda"))
    if timer is None:
        timer = default_timer(device)
    elif not callable(timer):
        raise TypeError(f"timer must be callable (returning seconds), got {type(timer).__name__}")
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise ValueError("device='cuda' but torch.cuda.is_available() is False")
        sync = torch.cuda.synchronize
    else:
        def sync():
            return None
    return _time_calls(fn, (timer,), warmup, repeats, sync)[0]


def _timing(times: list) -> Timing:
    q = np.quantile(times, [0.1, 0.9])
    return Timing(float(statistics.median(times)), float(q[0]), float(q[1]), float(min(times)),
                  tuple(times))


def _check_calls(fn, warmup, repeats) -> tuple[int, int]:
    """The checks :func:`time_fn` and :func:`wall_and_cpu` share; returns (warmup, repeats)."""
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    return check_int(warmup, "warmup", minimum=0), check_int(repeats, "repeats", minimum=1)


def _time_calls(fn, timers, warmup: int, repeats: int, sync) -> list[Timing]:
    """One :class:`Timing` per clock in ``timers``, all read around the very same calls."""
    for _ in range(warmup):
        fn()
    sync()
    times = [[] for _ in timers]
    for _ in range(repeats):
        starts = [t() for t in timers]
        fn()
        sync()
        ends = [t() for t in timers]
        for k in range(len(timers)):
            times[k].append(ends[k] - starts[k])
    return [_timing(t) for t in times]


def wall_and_cpu(fn: Callable[[], object], *, warmup: int = 2, repeats: int = 10) -> tuple[Timing, Timing]:
    """Time the same CPU calls of ``fn()`` with both clocks: wall-clock and this process's CPU time.

    Reading both clocks around each call makes them comparable call by call: for
    single-threaded work the wall-clock time is never less than the CPU time (up to the clocks'
    resolution), and the difference is the time the OS gave our core to other programs.

    Parameters
    ----------
    fn : callable
        Called with no arguments.
    warmup : int >= 0
    repeats : int >= 1

    Returns
    -------
    wall, cpu : Timing
        ``time.perf_counter`` and ``time.process_time`` over the same ``repeats`` calls.
    """
    warmup, repeats = _check_calls(fn, warmup, repeats)
    wall, cpu = _time_calls(fn, (time.perf_counter, time.process_time), warmup, repeats, lambda: None)
    return wall, cpu


_TORCH_DTYPES = ("float32", "bfloat16", "float16", "float64")


def _tdtype(name: str, arg: str = "dtype"):
    import torch

    return getattr(torch, check_choice(name, arg, _TORCH_DTYPES))


#: A call faster than this is dominated by fixed per-call costs (Python, dispatch, kernel launch).
OVERHEAD_BOUND_S = 10e-6

#: Sizes for a GPU roofline, chosen so that no kernel is launch-bound: a 8192^3 matmul (1.1 TFLOP),
#: a 2^28-element y = x + 1 (2 GiB moved) and dense layers with a 16384^2 weight (1 GiB in float32)
#: each take over 0.1 ms even at 2000 TFLOP/s and 8 TB/s, against a kernel launch of ~5 us.
GPU_SIZES = {"peak_n": 8192, "n_elements": 2 ** 28, "points_n": 16384, "batch_sizes": (1, 16, 256, 4096)}


def _rates(amount: float, t: Timing, unit: float) -> dict:
    """A rate (amount / time) as median with its 10-90 % spread (fast times give high rates)."""
    return {"median": amount / t.median / unit, "q10": amount / t.q90 / unit, "q90": amount / t.q10 / unit}


def matmul_gflops(n: int = 256, *, dtype: str = "float32", device: str = "cpu", repeats: int = 5,
                  B: int | None = None) -> dict:
    """Achieved GFLOP/s of a (B, n) @ (n, n) matmul (B = n by default): 2·B·n² / time.

    Returns
    -------
    dict
        ``gflops`` (from the median time) with ``q10``/``q90`` (its 10-90 % spread), ``seconds``
        (median), ``flops``, ``intensity`` (FLOP/byte), ``weight_bytes``, ``cache_resident``
        (the weights fit in the last-level cache, so the point may beat the memory roof),
        ``overhead_bound`` (a call shorter than :data:`OVERHEAD_BOUND_S`), ``n``, ``B``, ``dtype``, ``device``.
    """
    import torch

    n = check_int(n, "n", minimum=1)
    B = n if B is None else check_int(B, "B", minimum=1)
    check_choice(device, "device", ("cpu", "cuda"))
    dt = _tdtype(dtype)
    if dtype == "float16" and device == "cpu":
        raise ValueError("float16 matmul is only measured on a GPU (CPUs emulate it slowly); use bfloat16")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' but torch.cuda.is_available() is False")
    g = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(B, n, generator=g, device=device).to(dt)
    w = torch.randn(n, n, generator=g, device=device).to(dt)
    t = time_fn(lambda: a @ w, warmup=1, repeats=repeats, device=device)
    flops = dense_flops(B, n, n)
    r = _rates(flops, t, 1e9)
    llc = cache_sizes()["L3"] if device == "cpu" else None
    weight_bytes = DTYPE_BYTES[dtype] * n * n
    return {"gflops": r["median"], "q10": r["q10"], "q90": r["q90"], "seconds": t.median, "flops": flops,
            "intensity": arithmetic_intensity(B, n, n, dtype), "weight_bytes": weight_bytes,
            "cache_resident": bool(llc and weight_bytes <= llc), "overhead_bound": t.median < OVERHEAD_BOUND_S,
            "n": n, "B": B, "dtype": dtype, "device": device}


def out_of_cache_elements(factor: int = 4, *, minimum: int = 2 ** 22) -> int:
    """float32 elements for a bandwidth probe that moves ``factor`` times the last-level cache.

    y = x + 1 moves 8 bytes per element, so n = factor * L3 / 8 (at least ``minimum``; 2^25 if
    the cache size is unknown).
    """
    factor = check_int(factor, "factor", minimum=1)
    minimum = check_int(minimum, "minimum", minimum=1)
    llc = cache_sizes()["L3"]
    return max(minimum, factor * llc // 8) if llc else max(minimum, 2 ** 25)


def measure_bandwidth(n_elements: int | None = None, *, device: str = "cpu", repeats: int = 9) -> dict:
    """Measured memory bandwidth (GB/s) of an elementwise y = x + 1 on float32 arrays.

    It reads 4 bytes and writes 4 bytes per element with 1 FLOP: intensity 1/8, so its speed
    is set by memory, not arithmetic. The default size moves 4x the last-level cache on a CPU
    (:func:`out_of_cache_elements`) and :data:`GPU_SIZES` on a GPU: main memory, not a cache.
    Arrays under 2^22 elements are added several times per timed call (at least 32 MiB moved),
    so the fixed cost of one call does not hide a cache's bandwidth.

    Returns
    -------
    dict
        ``gbs`` (median) with ``q10``/``q90``, ``n_elements``, ``bytes_moved`` per call, ``device``.
    """
    import torch

    check_choice(device, "device", ("cpu", "cuda"))
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' but torch.cuda.is_available() is False")
    if n_elements is None:
        n_elements = out_of_cache_elements() if device == "cpu" else GPU_SIZES["n_elements"]
    n_elements = check_int(n_elements, "n_elements", minimum=1)
    inner = max(1, 2 ** 22 // n_elements)  # small arrays: several passes per timing, so a call's fixed cost fades
    t = _time_adds(n_elements, inner, device=device, warmup=1, repeats=repeats)
    r = _rates(8 * n_elements * inner, t, 1e9)
    return {"gbs": r["median"], "q10": r["q10"], "q90": r["q90"], "n_elements": n_elements,
            "bytes_moved": 8 * n_elements, "device": device}


def torch_call_cost(n_elements: int = 8, *, calls: int = 100, repeats: int = 21) -> float:
    """Seconds per ``torch.add(x, 1.0, out=y)`` call on ``n_elements`` float32 numbers (median, CPU).

    With a handful of numbers the work is nothing, so this is the fixed cost every torch call
    pays (argument checks, dispatch). ``calls`` calls share one timing, as small arrays do in
    :func:`measure_bandwidth`: reading the clock costs about a microsecond itself (CPU time on
    a VM) and would otherwise be charged to a single call.
    """
    n_elements = check_int(n_elements, "n_elements", minimum=1)
    calls = check_int(calls, "calls", minimum=1)
    return _time_adds(n_elements, calls, device="cpu", warmup=2, repeats=repeats).median / calls


def _time_adds(n_elements: int, calls: int, *, device: str, warmup: int, repeats: int) -> Timing:
    """:func:`time_fn` of ``calls`` back-to-back ``y = x + 1`` on float32 arrays of ``n_elements``."""
    import torch

    x = torch.ones(n_elements, device=device)
    y = torch.empty_like(x)

    def adds():
        for _ in range(calls):
            torch.add(x, 1.0, out=y)

    return time_fn(adds, warmup=warmup, repeats=repeats, device=device)


@dataclass(frozen=True)
class Roofline:
    """A machine's roofline: ``attainable(I) = min(peak_gflops, bandwidth_gbs * I)``.

    Attributes
    ----------
    peak_gflops : float
        Measured (not datasheet) matmul GFLOP/s (a median).
    bandwidth_gbs : float
        Measured elementwise-op bandwidth in GB/s (a median).
    device : str
    peak_range, bandwidth_range : tuple (q10, q90), optional
        The spread of the two measurements; they make the ridge a range.
    how : str
        What was measured (sizes), for printing.
    """

    peak_gflops: float
    bandwidth_gbs: float
    device: str = "cpu"
    peak_range: tuple | None = None
    bandwidth_range: tuple | None = None
    how: str = ""

    @property
    def ridge(self) -> float:
        """Intensity (FLOP/byte) where the two roofs meet: peak / bandwidth."""
        return self.peak_gflops / self.bandwidth_gbs

    @property
    def ridge_range(self) -> tuple[float, float]:
        """(low, high) ridge from the measurements' spreads (the ridge itself if none were given)."""
        if not (self.peak_range and self.bandwidth_range):
            return (self.ridge, self.ridge)
        return (self.peak_range[0] / self.bandwidth_range[1], self.peak_range[1] / self.bandwidth_range[0])

    def attainable(self, intensity):
        """Attainable GFLOP/s at each intensity (array_like, FLOP/byte)."""
        i = np.asarray(intensity, dtype=np.float64)
        if np.any(i <= 0):
            raise ValueError("intensity must be > 0 FLOP/byte")
        return np.minimum(self.peak_gflops, self.bandwidth_gbs * i)

    def bound(self, intensity: float) -> str:
        """``"memory"`` left of the ridge range, ``"compute"`` right of it, ``"near the ridge"`` inside."""
        i = check_float(intensity, "intensity", minimum=0.0, min_inclusive=False)
        low, high = self.ridge_range
        return "memory" if i < low else "compute" if i > high else "near the ridge"

    def seconds(self, flops: float, n_bytes: float) -> float:
        """Fastest possible time of a kernel on this roofline: max(flops / peak, bytes / bandwidth)."""
        flops = check_float(flops, "flops", minimum=0.0)
        n_bytes = check_float(n_bytes, "n_bytes", minimum=0.0)
        return max(flops / (self.peak_gflops * 1e9), n_bytes / (self.bandwidth_gbs * 1e9))


def roofline(peak_gflops: float, bandwidth_gbs: float, device: str = "cpu") -> Roofline:
    """Build a :class:`Roofline` from two (measured) numbers."""
    return Roofline(check_float(peak_gflops, "peak_gflops", minimum=0.0, min_inclusive=False),
                    check_float(bandwidth_gbs, "bandwidth_gbs", minimum=0.0, min_inclusive=False),
                    check_choice(device, "device", ("cpu", "cuda")))


def default_peak_n(device: str = "cpu", dtype: str = "float32") -> int:
    """Side of the square matmul that measures the peak: 1024 on a CPU, ``GPU_SIZES["peak_n"]`` on a GPU.

    bfloat16 on a CPU without bfloat16 units (:func:`native_bf16`) gets 256: emulated, it runs at
    about 1 GFLOP/s and *slower* for larger matrices (measured on an AVX2 EPYC: 1.8 GFLOP/s at 256,
    0.8 at 1024), so a 1024 probe costs seconds per call and measures less than the peak.
    """
    check_choice(dtype, "dtype", _TORCH_DTYPES)
    if check_choice(device, "device", ("cpu", "cuda")) == "cuda":
        return GPU_SIZES["peak_n"]
    return 256 if dtype == "bfloat16" and not native_bf16() else 1024


def measure_roofline(device: str = "cpu", *, n: int | None = None, n_elements: int | None = None,
                     dtype: str = "float32", repeats: int = 9) -> Roofline:
    """Measure this machine's roofline: medians of ``repeats`` timings (cached per setting).

    Peak: an (n, n) @ (n, n) matmul in ``dtype`` (n = :func:`default_peak_n`: 1024 on a CPU, about
    0.3 s at one thread; 8192 on a GPU). Bandwidth: :func:`measure_bandwidth` moving 4x the last-level cache
    (CPU) or 2^28 elements (GPU). ``measure_roofline.cache_clear()`` forces a new measurement.
    """
    check_choice(device, "device", ("cpu", "cuda"))
    check_choice(dtype, "dtype", _TORCH_DTYPES)
    n = default_peak_n(device, dtype) if n is None else check_int(n, "n", minimum=1)
    if n_elements is None:
        n_elements = out_of_cache_elements() if device == "cpu" else GPU_SIZES["n_elements"]
    return _measure_roofline(device, n, check_int(n_elements, "n_elements", minimum=1), dtype,
                             check_int(repeats, "repeats", minimum=1))


@functools.lru_cache(maxsize=8)
def _measure_roofline(device: str, n: int, n_elements: int, dtype: str, repeats: int) -> Roofline:
    """:func:`measure_roofline` with every default resolved, so equal settings share one measurement."""
    mm = matmul_gflops(n, dtype=dtype, device=device, repeats=repeats)
    bw = measure_bandwidth(n_elements, device=device, repeats=repeats)
    clock = "CPU time" if default_timer(device) is time.process_time else "wall-clock time"
    how = (f"peak: median of {repeats} {dtype} {n}x{n}x{n} matmuls; bandwidth: median of {repeats} "
           f"y = x + 1 over {bw['n_elements'] / 2 ** 20:.0f} Mi float32 ({bw['bytes_moved'] / 2 ** 20:.0f} MiB moved); "
           f"{clock}")
    return Roofline(mm["gflops"], bw["gbs"], device, (mm["q10"], mm["q90"]), (bw["q10"], bw["q90"]), how)


measure_roofline.cache_clear = _measure_roofline.cache_clear


# --------------------------------------------------------------------------- batch size
def batch_sweep(batch_sizes=(1, 8, 64, 512), *, D: int = 256, H: int = 256, device: str = "cpu",
                repeats: int = 5) -> list[dict]:
    """Latency and throughput of a 2-layer MLP forward pass (D -> H -> 10) per batch size.

    Returns
    -------
    list of dict
        ``B``, ``latency_s`` (median per call), ``throughput`` (examples/s).
    """
    import torch

    check_choice(device, "device", ("cpu", "cuda"))
    D, H = check_int(D, "D", minimum=1), check_int(H, "H", minimum=1)
    batch_sizes = tuple(batch_sizes)
    if not batch_sizes:
        raise ValueError("batch_sizes is empty; expected at least one batch size")
    from nnbasics.lab.models import MLPConfig, build_mlp

    model = build_mlp(MLPConfig(d_in=D, hidden=(H,), d_out=10)).to(device).eval()
    g = torch.Generator().manual_seed(0)
    rows = []
    for B in batch_sizes:
        B = check_int(B, "batch_sizes entry", minimum=1)
        x = torch.randn(B, D, generator=g).to(device)
        with torch.no_grad():
            t = time_fn(lambda x=x: model(x), warmup=1, repeats=repeats, device=device)
        rows.append({"B": B, "latency_s": t.median, "throughput": B / t.median})
    return rows


def transfer_seconds(n_elements: int = 1_000_000, repeats: int = 5) -> float | None:
    """Median host->device copy time of a float32 tensor, or None without a GPU."""
    import torch

    if not torch.cuda.is_available():
        return None
    x = torch.ones(check_int(n_elements, "n_elements", minimum=1))
    return time_fn(lambda: x.to("cuda"), warmup=1, repeats=repeats, device="cuda").median


# --------------------------------------------------------------------------- precision
def dtype_compare(n: int = 256, *, dtypes=("float32", "bfloat16"), device: str = "cpu",
                  repeats: int = 9) -> list[dict]:
    """Speed and accuracy of an (n, n) @ (n, n) matmul in each dtype against a float64 reference.

    Returns
    -------
    list of dict
        ``dtype``, ``device``, ``gflops`` with ``q10``/``q90`` (from :func:`matmul_gflops`) and
        ``rel_error`` = ||C - C64|| / ||C64|| for random standard-normal operands.
    """
    import torch

    n = check_int(n, "n", minimum=1)
    check_choice(device, "device", ("cpu", "cuda"))
    g = torch.Generator().manual_seed(0)
    a64 = torch.randn(n, n, generator=g, dtype=torch.float64)
    b64 = torch.randn(n, n, generator=g, dtype=torch.float64)
    ref = a64 @ b64
    rows = []
    for name in dtypes:
        if name == "float16" and device == "cpu":
            raise ValueError("float16 is compared on a GPU only; on CPU use bfloat16")
        dt = _tdtype(name, "dtypes entry")
        c = (a64.to(device=device, dtype=dt) @ b64.to(device=device, dtype=dt)).to("cpu", torch.float64)
        speed = matmul_gflops(n, dtype=name, device=device, repeats=repeats)
        rows.append({"dtype": name, "device": device, "gflops": speed["gflops"], "q10": speed["q10"],
                     "q90": speed["q90"], "rel_error": float((c - ref).norm() / ref.norm())})
    return rows


def underflow_demo(grads=(1e-3, 1e-5, 1e-7, 1e-9), scale: float = 1024.0) -> list[dict]:
    """What float16 does to small gradient values, with and without loss scaling.

    float16's smallest subnormal is 2^-24 ≈ 6e-8 (normal min 2^-14 ≈ 6e-5): smaller values
    flush to 0. Multiplying the loss (hence every gradient) by ``scale`` before the backward
    pass and dividing afterwards in float32 keeps them (what ``torch.amp.GradScaler`` does).

    Returns
    -------
    list of dict
        ``value``, ``float16`` (value cast to fp16), ``scaled`` (value*scale cast to fp16, then
        divided by scale in float32), ``lost`` / ``lost_scaled`` (became 0).

    Raises
    ------
    NonFiniteError
        When value * scale overflows float16 (max 65504): the scale is too large, which is
        exactly when ``GradScaler`` skips the step and halves its scale.
    """
    scale = check_float(scale, "scale", minimum=1.0)
    rows = []
    for v in grads:
        v = check_float(v, "grads entry")
        if abs(v) * scale > float(np.finfo(np.float16).max):
            raise NonFiniteError(f"underflow_demo: grads entry {v:g} * scale {scale:g} overflows float16 "
                                 "(max 65504); use a smaller scale (GradScaler halves it on overflow)")
        f16 = float(np.float16(v))
        scaled = float(np.float32(np.float16(v * scale)) / np.float32(scale))
        rows.append({"value": v, "float16": f16, "scaled": scaled, "lost": f16 == 0.0 and v != 0,
                     "lost_scaled": scaled == 0.0 and v != 0})
    return rows


# --------------------------------------------------------------------------- memory
_OPT_STATE = {"sgd": 0, "momentum": 1, "adam": 2}


def training_memory_estimate(n_params: int, activation_elements: int, *, optimizer: str = "adam",
                             dtype: str = "float32") -> dict:
    """Bytes to train a model: parameters + gradients + optimizer state + saved activations.

        total = s·P (params) + s·P (grads) + k·s·P (optimizer: k = 0 SGD, 1 momentum, 2 Adam)
                + s·A (activations kept for the backward pass)

    Parameters
    ----------
    n_params : int
        P, trainable scalars.
    activation_elements : int
        A, numbers saved for backward (for an MLP about B·(D + 2·sum(H)) + B·C).
    optimizer : {"sgd", "momentum", "adam"}
    dtype : str
        Storage type (bytes s per number).

    Returns
    -------
    dict
        ``params``, ``grads``, ``optimizer``, ``activations``, ``total`` (bytes).
    """
    P = check_int(n_params, "n_params", minimum=0)
    A = check_int(activation_elements, "activation_elements", minimum=0)
    k = _OPT_STATE[check_choice(optimizer, "optimizer", tuple(_OPT_STATE))]
    s = DTYPE_BYTES[check_choice(dtype, "dtype", tuple(DTYPE_BYTES))]
    out = {"params": s * P, "grads": s * P, "optimizer": k * s * P, "activations": s * A}
    out["total"] = sum(out.values())
    return out


def mlp_sizes(B: int, D: int, H: int, C: int) -> tuple[int, int]:
    """(P, A) for a D -> H -> C ReLU MLP on a batch of B: parameters and saved activations.

    Saved for backward: the input X (B, D), the pre-activation Z (B, H), the hidden A (B, H),
    and the logits/probabilities (B, C).
    """
    B, D, H, C = (check_int(v, n, minimum=1) for v, n in ((B, "B"), (D, "D"), (H, "H"), (C, "C")))
    return D * H + H + H * C + C, B * D + 2 * B * H + B * C


def measure_numpy_training_peak(B: int = 256, D: int = 256, H: int = 512, C: int = 10, *,
                                seed: int = 0) -> dict:
    """Peak traced memory of one Adam training step of a numpy D -> H -> C MLP (tracemalloc), by phase.

    Everything is allocated while ``tracemalloc`` runs, the batch X included (copied in, as
    loading it onto the device would): parameters and Adam's two moment buffers, the forward
    activations, the gradients, then the update. numpy reports its allocations to tracemalloc,
    so the peaks are real measurements of this process's buffers.

    Returns
    -------
    dict
        ``peak`` (bytes, the whole step), ``phases`` (the peak reached during each of ``"setup"``,
        ``"forward"``, ``"backward"``, ``"update"``), ``peak_phase`` (where the step peaked),
        ``weight_bytes`` (one W1, the biggest buffer: the unit for the update's temporaries) and
        ``estimate`` (:func:`training_memory_estimate` for float64 Adam).
    """
    import tracemalloc

    P, Aels = mlp_sizes(B, D, H, C)  # checks B, D, H, C >= 1
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    X0 = rng.standard_normal((B, D))
    y = rng.integers(0, C, B)
    phases = {}
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        X = X0.copy()  # the batch, on the "device"
        W1 = rng.standard_normal((D, H)) * 0.05
        b1 = np.zeros(H)
        W2 = rng.standard_normal((H, C)) * 0.05
        b2 = np.zeros(C)
        params = [W1, b1, W2, b2]
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        phases["setup"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        Z = X @ W1 + b1  # (B, H)
        A = np.maximum(Z, 0)  # (B, H)
        S = A @ W2 + b2  # (B, C)
        S -= S.max(1, keepdims=True)
        Pr = np.exp(S)
        Pr /= Pr.sum(1, keepdims=True)
        phases["forward"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        Pr[np.arange(B), y] -= 1
        dS = Pr / B  # (B, C)
        grads = [None, None, A.T @ dS, dS.sum(0)]
        dA = dS @ W2.T  # (B, H)
        dZ = dA * (Z > 0)  # the ReLU mask (B, H) is a temporary too
        grads[0], grads[1] = X.T @ dZ, dZ.sum(0)  # (D, H), (H,)
        phases["backward"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        for p, g, mi, vi in zip(params, grads, m, v):
            mi *= 0.9
            mi += 0.1 * g  # a temporary the size of p
            vi *= 0.999
            vi += 0.001 * g * g  # two temporaries
            p -= 1e-3 * mi / (np.sqrt(vi) + 1e-8)  # several more
        phases["update"] = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    peak_phase = max(phases, key=phases.get)
    return {"peak": int(phases[peak_phase]), "phases": phases, "peak_phase": peak_phase,
            "weight_bytes": 8 * D * H,
            "estimate": training_memory_estimate(P, Aels, optimizer="adam", dtype="float64")}


def measure_torch_training_peak_cuda(B: int = 256, D: int = 256, H: int = 512, C: int = 10) -> dict | None:
    """GPU only: torch.cuda.max_memory_allocated over one Adam step of a D -> H -> C MLP; else None."""
    import torch

    if not torch.cuda.is_available():
        return None
    from nnbasics.lab.models import MLPConfig, build_mlp

    model = build_mlp(MLPConfig(d_in=D, hidden=(H,), d_out=C)).cuda()
    opt = torch.optim.Adam(model.parameters())
    x = torch.randn(B, D, device="cuda")
    y = torch.randint(0, C, (B,), device="cuda")
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    torch.cuda.synchronize()
    P, A = mlp_sizes(B, D, H, C)
    return {"peak": int(torch.cuda.max_memory_allocated() - base + 4 * P),
            "estimate": training_memory_estimate(P, A, optimizer="adam")}


def _deep_mlp(depth: int, width: int):
    from nnbasics.lab.models import MLPConfig, build_mlp

    return build_mlp(MLPConfig(d_in=width, hidden=(width,) * depth, d_out=width))


def saved_activation_bytes(fn: Callable[[], object], params=()) -> int:
    """Bytes of the tensors autograd saves for backward while ``fn()`` runs (parameters excluded).

    Uses ``torch.autograd.graph.saved_tensors_hooks``; storages are counted once.
    """
    import torch

    skip = {p.untyped_storage().data_ptr() for p in params}
    seen = {}

    def pack(t):
        st = t.untyped_storage()
        if st.data_ptr() not in skip:
            seen[st.data_ptr()] = st.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    return int(sum(seen.values()))


def checkpoint_compare(depth: int = 16, width: int = 128, B: int = 128, segments: int = 4,
                       repeats: int = 5) -> dict:
    """Gradient checkpointing: activation memory saved vs extra compute, measured on this machine.

    ``torch.utils.checkpoint.checkpoint_sequential`` keeps only the inputs of the first
    ``segments - 1`` segments and recomputes them during backward; the last segment runs
    normally (it is needed for backward at once). See :func:`checkpoint_memory_sweep`.

    Returns
    -------
    dict
        ``plain`` and ``checkpointed``: each ``saved_bytes``, ``seconds`` (median forward+backward)
        with ``q10``/``q90``; ``forward_seconds`` (median plain forward) and ``extra_forwards`` =
        (checkpointed - plain) / forward: the cost in forward passes; ``recomputed_fraction``:
        the share of the forward pass's matmul FLOPs that runs twice (:func:`recomputed_fraction`).
    """
    import torch
    from torch.utils.checkpoint import checkpoint_sequential

    depth = check_int(depth, "depth", minimum=2)
    segments = check_int(segments, "segments", minimum=1, maximum=depth)
    model = _deep_mlp(depth, check_int(width, "width", minimum=1))
    params = list(model.parameters())
    x = torch.randn(check_int(B, "B", minimum=1), width, generator=torch.Generator().manual_seed(0))
    x.requires_grad_(True)

    def plain():
        return model(x).square().mean()

    def ckpt():
        return checkpoint_sequential(model, segments, x, use_reentrant=False).square().mean()

    out = {}
    for name, f in (("plain", plain), ("checkpointed", ckpt)):
        saved = saved_activation_bytes(f, params)
        t = time_fn(lambda f=f: f().backward(), warmup=1, repeats=repeats)
        out[name] = {"saved_bytes": saved, "seconds": t.median, "q10": t.q10, "q90": t.q90}
    out["forward_seconds"] = time_fn(plain, warmup=1, repeats=repeats).median  # with autograd, as recomputed
    out["extra_forwards"] = (out["checkpointed"]["seconds"] - out["plain"]["seconds"]) / out["forward_seconds"]
    out["recomputed_fraction"] = recomputed_fraction(model, segments)
    return out


def recomputed_fraction(model, segments: int) -> float:
    """The share of a forward pass's matmul FLOPs that ``checkpoint_sequential`` runs a second time.

    It cuts the model's top-level modules into chunks of ``len // segments`` and recomputes
    every chunk but the last during backward (the last takes the remainder). A linear layer's
    FLOPs are 2 B in out, so the batch size cancels in the share.

    Parameters
    ----------
    model : torch.nn.Sequential
    segments : int, 1 .. len(model)

    Returns
    -------
    float in [0, 1)
    """
    import torch

    children = list(model.children())
    segments = check_int(segments, "segments", minimum=1, maximum=len(children))

    def matmul_flops(modules) -> int:
        return sum(m.in_features * m.out_features for c in modules for m in c.modules()
                   if isinstance(m, torch.nn.Linear))

    return matmul_flops(children[:_last_chunk_start(len(children), segments)]) / matmul_flops(children)


def _last_chunk_start(n_modules: int, segments: int) -> int:
    """Where ``checkpoint_sequential``'s last chunk begins: chunks of ``n_modules // segments``,
    the last one taking the remainder (everything before it is recomputed during backward)."""
    return (segments - 1) * (n_modules // segments)


def checkpoint_memory_sweep(depth: int = 16, width: int = 128, B: int = 128, segments=(1, 2, 4, 8, 16)) -> list[dict]:
    """Saved activation bytes of ``checkpoint_sequential`` for each number of segments, measured and explained.

    The model's modules are cut into ``segments`` consecutive chunks. Chunks 1 .. s-1 keep only
    their input (B x width numbers); the last chunk keeps everything a plain forward would. So
    ``explained`` = (s - 1) x input bytes + the plain saved bytes of the last chunk alone, which
    falls and then rises with s: a U-shape, the optimum near sqrt(depth) segments.

    Returns
    -------
    list of dict
        ``segments``, ``saved_bytes`` (measured with saved-tensor hooks), ``explained``.
    """
    import torch
    from torch.utils.checkpoint import checkpoint_sequential

    depth = check_int(depth, "depth", minimum=2)
    model = _deep_mlp(depth, check_int(width, "width", minimum=1))
    params = list(model.parameters())
    x = torch.randn(check_int(B, "B", minimum=1), width, generator=torch.Generator().manual_seed(0))
    x.requires_grad_(True)
    modules = list(model)
    rows = []
    for s in segments:
        s = check_int(s, "segments entry", minimum=1, maximum=len(modules))
        saved = saved_activation_bytes(lambda s=s: checkpoint_sequential(model, s, x, use_reentrant=False), params)
        start = _last_chunk_start(len(modules), s)
        with torch.no_grad():
            h_in = torch.nn.Sequential(*modules[:start])(x) if start else x
        h_in.requires_grad_(True)
        tail = torch.nn.Sequential(*modules[start:])
        last = saved_activation_bytes(lambda h=h_in, tail=tail: tail(h), params)
        rows.append({"segments": s, "saved_bytes": saved, "explained": (s - 1) * x.numel() * x.element_size() + last})
    return rows


# --------------------------------------------------------------------------- quantization
def quantize_compare(*, hidden: int = 128, epochs: int = 5, seed: int = 0) -> dict:
    """Train an MLP on the digits, quantize its weights to int8 from scratch, compare.

    Every ``nn.Linear`` weight is stored as int8 with :func:`nnbasics.core.quantize.quantize_symmetric`;
    the forward pass then runs in numpy with :func:`~nnbasics.core.quantize.int8_matmul`
    (activations quantized on the fly, int32 accumulation), biases in float32. Two schemes:
    per output channel with one activation scale per example, and one scale per tensor for
    both (a few outlier features then coarsen every number). Speed is not compared: numpy has no
    fast int8 kernels (a real deployment uses VNNI/AMX on CPUs or tensor cores on GPUs).

    Returns
    -------
    dict
        For ``"float32"``, ``"int8 per channel"`` and ``"int8 per tensor"``: ``bytes`` (weights +
        biases + scales), ``accuracy`` on the validation split and ``weight_error`` (relative
        Frobenius error of the dequantized weights, 0 for float32).
    """
    import torch

    from nnbasics import data
    from nnbasics.core.quantize import dequantize, int8_matmul, quantize_symmetric
    from nnbasics.lab.models import MLPConfig, build_mlp, linear_layers
    from nnbasics.lab.train import TrainConfig, fit

    seed = check_int(seed, "seed", minimum=0)
    split = data.digits(rng=seed)
    model = build_mlp(MLPConfig(d_in=64, hidden=(check_int(hidden, "hidden", minimum=1),) * 2,
                                d_out=10, seed=seed))
    fit(model, split.X_train, split.y_train, cfg=TrainConfig(epochs=check_int(epochs, "epochs", minimum=1),
                                                              batch_size=64, lr=3e-3, seed=seed))
    layers = [(m.weight.detach().double().numpy().T, m.bias.detach().double().numpy())
              for m in linear_layers(model)]  # W (D, H) in the x @ W layout
    model.eval()
    with torch.no_grad():
        logits = model(torch.as_tensor(split.X_val, dtype=torch.float32)).double().numpy()
    n_weights = sum(W.size for W, _ in layers)
    n_bias = sum(b.size for _, b in layers)
    out = {"float32": {"bytes": 4 * (n_weights + n_bias), "weight_error": 0.0,
                       "accuracy": float((logits.argmax(1) == split.y_val).mean())}}
    for name, per_channel in (("int8 per channel", True), ("int8 per tensor", False)):
        quantized = [(quantize_symmetric(W, per_channel=per_channel), b) for W, b in layers]
        err = np.sqrt(sum(np.sum((dequantize(*qs) - W) ** 2) for (qs, _), (W, _) in zip(quantized, layers))
                      / sum(np.sum(W ** 2) for W, _ in layers))
        h = split.X_val
        for k, ((q, scale), b) in enumerate(quantized):
            h = int8_matmul(h, q, scale, per_row=per_channel) + b.astype(np.float32)
            if k < len(quantized) - 1:
                h = np.maximum(h, 0.0)
        n_scales = sum(scale.size if per_channel else 1 for (q, scale), _ in quantized)
        out[name] = {"bytes": n_weights + 4 * (n_bias + n_scales), "weight_error": float(err),
                     "accuracy": float((h.argmax(1) == split.y_val).mean())}
    return out
