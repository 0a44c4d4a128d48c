"""Neural networks meet hardware: FLOPs, bytes, honest timing, the roofline, memory, precision.

A dense layer on a batch is a matrix multiply (GEMM): X (B, D) @ W (D, H) costs

    FLOPs = 2 * B * D * H        (one multiply + one add per term)
    bytes = s * (B*D + D*H + H + B*H)   (read X, W, b; write Y; s bytes per number)

and its arithmetic intensity I = FLOPs / bytes decides which roof limits it:
attainable GFLOP/s = min(peak GFLOP/s, bandwidth GB/s * I)  (the roofline model,
Williams, Waterman & Patterson 2009). Every measurement here is short (milliseconds) and
uses :func:`time_fn`: warm-up, repeats, the median, and ``torch.cuda.synchronize()`` on GPU.
"""

from __future__ import annotations

import functools
import io
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnbasics._validate import NonFiniteError, check_choice, check_float, check_int
from nnbasics.lab.runtime import threads

__all__ = ["dense_flops", "dense_bytes", "arithmetic_intensity", "Timing", "time_fn", "device_name",
           "gpu_available", "threads", "matmul_gflops", "bandwidth_gbs", "Roofline", "roofline",
           "measure_roofline", "batch_sweep", "dtype_compare", "underflow_demo",
           "training_memory_estimate", "measure_numpy_training_peak", "saved_activation_bytes",
           "checkpoint_compare", "quantize_compare", "DTYPE_BYTES", "transfer_seconds", "mlp_sizes",
           "measure_torch_training_peak_cuda"]

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
    return f"{platform.processor() or platform.machine()} CPU, {torch.get_num_threads()} torch thread(s)"


def time_fn(fn: Callable[[], object], *, warmup: int = 2, repeats: int = 10, device: str = "cpu",
            timer: Callable[[], float] = time.perf_counter) -> Timing:
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
    timer : callable
        Returns seconds; injectable for tests (a fake clock).

    Returns
    -------
    Timing
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    warmup = check_int(warmup, "warmup", minimum=0)
    repeats = check_int(repeats, "repeats", minimum=1)
    check_choice(device, "device", ("cpu", "cuda"))
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise ValueError("device='cuda' but torch.cuda.is_available() is False")
        sync = torch.cuda.synchronize
    else:
        def sync():
            return None
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(repeats):
        t0 = timer()
        fn()
        sync()
        times.append(timer() - t0)
    q = np.quantile(times, [0.1, 0.9])
    return Timing(float(statistics.median(times)), float(q[0]), float(q[1]), float(min(times)),
                  tuple(times))


_TORCH_DTYPES = ("float32", "bfloat16", "float16", "float64")


def _tdtype(name: str, arg: str = "dtype"):
    import torch

    return getattr(torch, check_choice(name, arg, _TORCH_DTYPES))


def matmul_gflops(n: int = 256, *, dtype: str = "float32", device: str = "cpu", repeats: int = 5,
                  B: int | None = None) -> dict:
    """Achieved GFLOP/s of a (B, n) @ (n, n) matmul (B = n by default): 2·B·n² / median time.

    Returns
    -------
    dict
        ``gflops`` (from the median time), ``best_gflops`` (fastest repeat), ``seconds``, ``flops``, ``intensity`` (FLOP/byte), ``n``, ``B``,
        ``dtype``, ``device``.
    """
    import torch

    n = check_int(n, "n", minimum=1)
    B = n if B is None else check_int(B, "B", minimum=1)
    check_choice(device, "device", ("cpu", "cuda"))
    dt = _tdtype(dtype)
    if dtype == "float16" and device == "cpu":
        raise ValueError("float16 matmul is only measured on a GPU (CPUs emulate it slowly); use bfloat16")
    g = torch.Generator().manual_seed(0)
    a = torch.randn(B, n, generator=g).to(device=device, dtype=dt)
    w = torch.randn(n, n, generator=g).to(device=device, dtype=dt)
    t = time_fn(lambda: a @ w, warmup=1, repeats=repeats, device=device)
    flops = dense_flops(B, n, n)
    dname = "float32" if dtype not in DTYPE_BYTES else dtype
    return {"gflops": flops / t.median / 1e9, "best_gflops": flops / t.minimum / 1e9,
            "seconds": t.median, "flops": flops,
            "intensity": arithmetic_intensity(B, n, n, dname), "n": n, "B": B, "dtype": dtype,
            "device": device}


def bandwidth_gbs(n_elements: int = 2_000_000, *, device: str = "cpu", repeats: int = 5) -> float:
    """Measured memory bandwidth (GB/s) of an elementwise op y = x + 1 on float32.

    It reads 4 bytes and writes 4 bytes per element with 1 FLOP: intensity 1/8, so its speed
    is set by memory, not arithmetic. Use arrays much larger than the caches. Reports the
    fastest repeat (a roof is the best the machine can do; other jobs only slow it down).
    """
    import torch

    n_elements = check_int(n_elements, "n_elements", minimum=1)
    check_choice(device, "device", ("cpu", "cuda"))
    x = torch.ones(n_elements, device=device)
    y = torch.empty_like(x)
    t = time_fn(lambda: torch.add(x, 1.0, out=y), warmup=1, repeats=repeats, device=device)
    return 8 * n_elements / t.minimum / 1e9


@dataclass(frozen=True)
class Roofline:
    """A machine's roofline: ``attainable(I) = min(peak_gflops, bandwidth_gbs * I)``.

    Attributes
    ----------
    peak_gflops : float
        Measured (not datasheet) matmul GFLOP/s.
    bandwidth_gbs : float
        Measured elementwise-op bandwidth in GB/s.
    device : str
    """

    peak_gflops: float
    bandwidth_gbs: float
    device: str = "cpu"

    @property
    def ridge(self) -> float:
        """Intensity (FLOP/byte) where the two roofs meet: peak / bandwidth."""
        return self.peak_gflops / self.bandwidth_gbs

    def attainable(self, intensity):
        """Attainable GFLOP/s at each intensity (array_like, FLOP/byte)."""
        i = np.asarray(intensity, dtype=np.float64)
        if np.any(i <= 0):
            raise ValueError("intensity must be > 0 FLOP/byte")
        return np.minimum(self.peak_gflops, self.bandwidth_gbs * i)

    def bound(self, intensity: float) -> str:
        """``"memory"`` left of the ridge, ``"compute"`` right of it."""
        return "memory" if check_float(intensity, "intensity", minimum=0.0) < self.ridge else "compute"


def roofline(peak_gflops: float, bandwidth_gbs: float, device: str = "cpu") -> Roofline:
    """Build a :class:`Roofline` from two (measured) numbers."""
    return Roofline(check_float(peak_gflops, "peak_gflops", minimum=0.0, min_inclusive=False),
                    check_float(bandwidth_gbs, "bandwidth_gbs", minimum=0.0, min_inclusive=False),
                    check_choice(device, "device", ("cpu", "cuda")))


@functools.lru_cache(maxsize=4)
def measure_roofline(device: str = "cpu", n: int = 384, n_elements: int = 4_000_000) -> Roofline:
    """Measure this machine's roofline from the fastest repeats (cached: about 0.3 s on CPU)."""
    peak = matmul_gflops(n, device=device, repeats=5)["best_gflops"]
    bw = bandwidth_gbs(n_elements, device=device, repeats=5)
    return roofline(peak, bw, device)


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
                  repeats: int = 3) -> list[dict]:
    """Speed and accuracy of an (n, n) matmul in each dtype against a float64 reference.

    Returns
    -------
    list of dict
        ``dtype``, ``device``, ``seconds``, ``gflops``, ``rel_error`` = ||C - C64|| / ||C64||.
    """
    import torch

    n = check_int(n, "n", minimum=1)
    g = torch.Generator().manual_seed(0)
    a64 = torch.randn(n, n, generator=g, dtype=torch.float64)
    b64 = torch.randn(n, n, generator=g, dtype=torch.float64)
    ref = a64 @ b64
    rows = []
    for name in dtypes:
        if name == "float16" and device == "cpu":
            raise ValueError("float16 is compared on a GPU only; on CPU use bfloat16")
        dt = _tdtype(name, "dtypes entry")
        a, b = a64.to(device=device, dtype=dt), b64.to(device=device, dtype=dt)
        t = time_fn(lambda a=a, b=b: a @ b, warmup=1, repeats=repeats, device=device)
        c = (a @ b).to("cpu", torch.float64)
        rows.append({"dtype": name, "device": device, "seconds": t.median, "gflops": dense_flops(n, n, n) / t.median / 1e9,
                     "rel_error": float((c - ref).norm() / ref.norm())})
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
    """Peak traced memory of one Adam training step of a numpy D -> H -> C MLP (tracemalloc).

    Everything (data excluded) is allocated while ``tracemalloc`` runs: parameters, Adam's two
    moment buffers, the forward activations, the gradients, then the update. numpy reports its
    allocations to tracemalloc, so the peak is a real measurement of this process's buffers.

    Returns
    -------
    dict
        ``peak`` (bytes), ``estimate`` (:func:`training_memory_estimate` for float64 Adam).
    """
    import tracemalloc

    mlp_sizes(B, D, H, C)  # checks B, D, H, C >= 1
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((B, D))  # the data set lives outside the measurement
    y = rng.integers(0, C, B)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        W1 = rng.standard_normal((D, H)) * 0.05
        b1 = np.zeros(H)
        W2 = rng.standard_normal((H, C)) * 0.05
        b2 = np.zeros(C)
        params = [W1, b1, W2, b2]
        m = [np.zeros_like(p) for p in params]
        v = [np.zeros_like(p) for p in params]
        Z = X @ W1 + b1  # (B, H)
        A = np.maximum(Z, 0)  # (B, H)
        S = A @ W2 + b2  # (B, C)
        S -= S.max(1, keepdims=True)
        Pr = np.exp(S)
        Pr /= Pr.sum(1, keepdims=True)
        Pr[np.arange(B), y] -= 1
        dS = Pr / B  # (B, C)
        grads = [None, None, A.T @ dS, dS.sum(0)]
        dA = dS @ W2.T  # (B, H)
        dZ = dA * (Z > 0)
        grads[0], grads[1] = X.T @ dZ, dZ.sum(0)  # (D, H), (H,)
        for p, g, mi, vi in zip(params, grads, m, v):
            mi *= 0.9
            mi += 0.1 * g
            vi *= 0.999
            vi += 0.001 * g * g
            p -= 1e-3 * mi / (np.sqrt(vi) + 1e-8)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    P, Aels = mlp_sizes(B, D, H, C)
    return {"peak": int(peak), "estimate": training_memory_estimate(P, Aels, optimizer="adam",
                                                                     dtype="float64")}


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
                       repeats: int = 3) -> dict:
    """Gradient checkpointing: activation memory saved vs extra compute, measured on this machine.

    ``torch.utils.checkpoint.checkpoint_sequential`` keeps only the inputs of ``segments``
    segments and recomputes the rest during backward: memory ~ O(segments + depth/segments)
    instead of O(depth), for roughly one extra forward pass.

    Returns
    -------
    dict
        ``plain`` and ``checkpointed``: each ``saved_bytes`` and ``seconds`` (forward+backward).
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
        out[name] = {"saved_bytes": saved, "seconds": t.median}
    return out


# --------------------------------------------------------------------------- quantization
def _state_bytes(model) -> int:
    import torch

    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.getbuffer().nbytes


def quantize_compare(*, hidden: int = 128, epochs: int = 5, seed: int = 0, repeats: int = 5) -> dict:
    """Train an MLP on the digits, quantize its Linear layers to int8 (dynamic), compare.

    ``torch.ao.quantization.quantize_dynamic`` stores weights as int8 (4x smaller than float32)
    and quantizes activations on the fly; accuracy usually drops by well under a point.

    Returns
    -------
    dict
        For ``"float32"`` and ``"int8"``: ``bytes`` (serialized state dict), ``latency_s``
        (median, batch of 256) and ``accuracy`` on the validation split.
    """
    import torch

    from nnbasics import data
    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.train import TrainConfig, fit

    split = data.digits(rng=seed)
    model = build_mlp(MLPConfig(d_in=64, hidden=(check_int(hidden, "hidden", minimum=1),) * 2,
                                d_out=10, seed=seed))
    fit(model, split.X_train, split.y_train, cfg=TrainConfig(epochs=check_int(epochs, "epochs", minimum=1),
                                                              batch_size=64, lr=3e-3, seed=seed))
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated in favour of torchao
        from torch.ao.quantization import quantize_dynamic

        qmodel = quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    xb = torch.as_tensor(split.X_val[:256], dtype=torch.float32)
    out = {}
    for name, m in (("float32", model), ("int8", qmodel)):
        with torch.no_grad():
            t = time_fn(lambda m=m: m(xb), warmup=1, repeats=repeats)
            acc = float((m(torch.as_tensor(split.X_val, dtype=torch.float32)).argmax(1).numpy()
                         == split.y_val).mean())
        out[name] = {"bytes": _state_bytes(m), "latency_s": t.median, "accuracy": acc}
    return out
