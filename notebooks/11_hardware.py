# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 11 · Hardware: FLOPs, bytes, memory and precision
#
# **Learning goals** — after this notebook you can
# - count the FLOPs and bytes of a dense layer, a convolution and attention, and compute their
#   arithmetic intensity;
# - time code honestly (warm-up, repeats, median with spread, CPU time on a shared machine,
#   GPU synchronisation);
# - measure this machine's memory hierarchy and roofline, and say whether a layer is memory- or
#   compute-bound — and at which batch size that changes;
# - estimate training memory (parameters + gradients + optimizer state + activations), find
#   where a step peaks, and trade compute for memory with gradient checkpointing;
# - weigh float32 / bfloat16 / float16, and quantize weights to int8 yourself.
#
# **Prerequisites:** notebooks 02 (the MLP forward pass), 09 (optimizers: what Adam stores) and
# 12 §3–4 help for the convolution and attention counts (or read them now and come back).
# **Run time:** about 25 s for *Run All* on a CPU; 50 min to work through.
#
# Every number here is **measured on the machine running the notebook**, so yours will differ
# from a classmate's. The course runs on a CPU; the cells that need a GPU detect it
# (`torch.cuda.is_available()`) and otherwise print what they skipped and why.

# %%

import matplotlib.pyplot as plt
import numpy as np
import torch

import nnbasics
from nnbasics import data
from nnbasics.core import quantize
from nnbasics.course import doctor, quiz
from nnbasics.experiments import nb11_hardware as exp
from nnbasics.lab import hardware
from nnbasics.viz import nb11_hardware as viz11

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"
torch.set_num_threads(1)  # one core: stable timings on a shared machine (change it and compare!)
GPU = hardware.gpu_available()
caches = hardware.cache_sizes()
print("CPU:", hardware.device_name("cpu"))
print(f"caches (read from {caches['source']}): " + ", ".join(
    f"{k} {v / 2 ** 20:g} MiB" if v >= 2 ** 20 else f"{k} {v / 2 ** 10:g} KiB"
    for k, v in caches.items() if k != "source" and v))
print("bfloat16 arithmetic units:", "yes" if hardware.native_bf16() else "no (or unknown)")
print("GPU:", hardware.device_name("cuda") if GPU else "none found — GPU cells will say what they skip")

# %% [markdown]
# ## 1. FLOPs, bytes and arithmetic intensity
#
# **A dense layer is a matrix multiply.** For a batch $X \in \mathbb{R}^{B\times D}$ and weights
# $W \in \mathbb{R}^{D\times H}$, every one of the $B\cdot H$ outputs is a dot product of length $D$:
# one multiply and one add per term.
#
# $$ \text{FLOPs} = 2BDH, \qquad \text{bytes} = s\,(BD + DH + H + BH), \qquad
#    I = \frac{\text{FLOPs}}{\text{bytes}} \;\text{(arithmetic intensity, FLOP/byte)} $$
#
# with $s$ bytes per number (4 for float32), counting each of $X, W, b$ read once and $Y$ written
# once. The weights are reused for all $B$ rows, so the intensity grows with the batch size:

# %%
# NBVAL_CHECK_OUTPUT
for B in (1, 32, 1024):
    print(f"B={B:5d}, D=H=1024: {hardware.dense_flops(B, 1024, 1024) / 1e9:6.3f} GFLOP, "
          f"{hardware.dense_bytes(B, 1024, 1024) / 1e6:6.2f} MB, "
          f"intensity {hardware.arithmetic_intensity(B, 1024, 1024):7.2f} FLOP/byte")
assert hardware.arithmetic_intensity(1, 1024, 1024) < 0.6 < 100 < hardware.arithmetic_intensity(1024, 1024, 1024)

# %% [markdown]
# **A convolution reuses every weight at every position.** A $k\times k$ convolution from $C$ to
# $F$ channels producing an $H'\times W'$ map costs $2NFH'W'Ck^2$ FLOPs but reads its $FCk^2$
# weights once: even one image ($N=1$) has a high intensity, and a $3\times3$ kernel reuses each
# input pixel 9 times more than a $1\times1$ one.
#
# **Attention** computes $S = QK^\top$ and $AV$ — $4BL^2d$ FLOPs for $L$ tokens of width $d$ — on
# only $4BLd$ numbers of $Q, K, V$ and the output. A plain implementation, though, **writes the
# $L\times L$ score matrix of every head to memory and reads it back** ($2BhL^2$ numbers), so its
# intensity stops growing at about $2d/(sh) = 2d_{\text{head}}/s$ however long the sequence:
# attention with scores in memory is memory-bound. FlashAttention (Dao et al., 2022) computes the
# softmax block by block in on-chip memory and never stores $S$; its intensity grows like $L/s$.

# %%
# NBVAL_CHECK_OUTPUT
kernels = {
    "dense 1024->1024, B=1": hardware.dense_cost(1, 1024, 1024),
    "dense 1024->1024, B=256": hardware.dense_cost(256, 1024, 1024),
    "conv 1x1, 64->64 ch, 56x56, N=1": hardware.conv2d_cost(1, 64, 56, 56, 64, 1),
    "conv 3x3, 64->64 ch, 56x56, N=1": hardware.conv2d_cost(1, 64, 56, 56, 64, 3, padding=1),
    "attention L=1024, d=512, 8 heads, scores in memory": hardware.attention_cost(1024, 512, n_heads=8),
    "attention L=16384, d=512, 8 heads, scores in memory": hardware.attention_cost(16384, 512, n_heads=8),
    "attention L=16384, d=512, 8 heads, fused": hardware.attention_cost(16384, 512, n_heads=8, materialize=False),
}
for name, c in kernels.items():
    print(f"{name:52s} {c['flops'] / 1e9:9.3f} GFLOP {c['bytes'] / 1e6:9.2f} MB  {c['intensity']:8.1f} FLOP/byte")
assert kernels["conv 3x3, 64->64 ch, 56x56, N=1"]["intensity"] > 100 * kernels["dense 1024->1024, B=1"]["intensity"]
assert kernels["conv 1x1, 64->64 ch, 56x56, N=1"]["intensity"] < kernels["conv 3x3, 64->64 ch, 56x56, N=1"]["intensity"]
assert kernels["attention L=16384, d=512, 8 heads, scores in memory"]["intensity"] < 2 * 64 / 4  # 2 d_head / s
assert kernels["attention L=16384, d=512, 8 heads, fused"]["intensity"] > 100 * kernels[
    "attention L=16384, d=512, 8 heads, scores in memory"]["intensity"]

# %% [markdown]
# ## 2. Timing honestly
#
# A single `time.time()` around one call measures noise: the first call pays for lazy
# initialisation and cold caches, other processes interrupt, and on a GPU the call returns
# *before* the kernel has run (launches are asynchronous). So: warm up, repeat, report the
# **median** (robust to interruptions) with its spread, and `torch.cuda.synchronize()` before
# reading the clock on a GPU.
#
# **Which clock?** Wall-clock time (`time.perf_counter`) is what a user waits. But on a machine
# shared with other programs (a JupyterHub, a CI runner, a laptop compiling in the background)
# it also counts the slices of time the operating system gave *our* core to someone else. For
# single-threaded CPU work, this process's **CPU time** (`time.process_time`) counts only our
# own work. `time_fn` uses it for one torch thread (and wall-clock with several threads, whose
# CPU times add up, or on a GPU); every CPU measurement below is CPU time. Compare the two clocks,
# read around the very same calls (`hardware.wall_and_cpu`):

# %%
nnbasics.show_source(hardware.time_fn)

# %%
a = torch.randn(512, 512, generator=torch.Generator().manual_seed(0))
wall, cpu = hardware.wall_and_cpu(lambda: a @ a, warmup=2, repeats=9)
for name, t in (("wall-clock", wall), ("CPU time  ", cpu)):
    print(f"512x512 matmul, {name}: median {t.median * 1e3:.2f} ms (10-90 %: {t.q10 * 1e3:.2f}-{t.q90 * 1e3:.2f} ms)")
print(f"wall-clock / CPU time = {wall.median / cpu.median:.2f} (above 1: other programs shared this core)")
assert wall.median >= 0.9 * cpu.median  # waiting for the core is never negative (10 %: timing noise)

# %% [markdown]
# ## 3. The memory hierarchy and the roofline of this machine
#
# **Bandwidth depends on where the data lives.** An elementwise `y = x + 1` on float32 moves
# 8 bytes per element (read 4, write 4) for 1 FLOP, so its speed *is* the memory bandwidth. While
# $x$ and $y$ fit in a cache, that cache feeds them; once they are larger than the last-level
# cache (L3 here), every byte comes from main memory (DRAM):

# %%
curve = exp.bandwidth_vs_size()
for r in curve:
    print(f"x and y {2 * r['array_bytes'] / 2 ** 20:7.1f} MiB together: {r['gbs']:6.1f} GB/s "
          f"(10-90 %: {r['q10']:.1f}-{r['q90']:.1f})")
fastest = max(curve, key=lambda r: r["gbs"])
dram = curve[-1]  # 2 x 256 MiB: beyond the last-level cache (a laptop's 8-32 MiB, a server VM's up to 300)
assert 2 * dram["array_bytes"] > (caches["L3"] or 32 * 2 ** 20)
assert dram["gbs"] < 0.6 * fastest["gbs"]

fig, ax = plt.subplots(figsize=(6, 3.3))
viz11.draw_bandwidth_curve(ax, curve, caches)
fig.tight_layout()

# %% [markdown]
# The smallest arrays fit in L2, a faster cache than L3, yet their measured bandwidth is held down: one
# call on them lasts only a few microseconds, and every torch call has a fixed cost (argument
# checks, dispatch) that does not depend on the size. Whether that is enough to put them below the
# L3-sized arrays depends on this CPU's cache sizes and on what else shares its L3 at the moment.
# The fixed cost itself, measured on 8 numbers, where the work is nothing:

# %%
call_cost = hardware.torch_call_cost(8)  # seconds per torch.add on 8 numbers: 100 calls per timing
smallest_call = 8 * curve[0]["n_elements"] / (curve[0]["gbs"] * 1e9)  # seconds per pass over the smallest arrays
print(f"fixed cost of one torch.add: {call_cost * 1e6:.2f} us = {call_cost / smallest_call:.0%} of a pass "
      f"over the smallest arrays ({smallest_call * 1e6:.1f} us)")
print(f"smallest arrays: {curve[0]['gbs']:.1f} GB/s, {curve[0]['gbs'] / fastest['gbs']:.0%} of the fastest size here")
assert call_cost > 0.1 * smallest_call, "the fixed cost of a call should be > 10 % of a pass over the smallest arrays"

# %% [markdown]
# **The roofline.** Two measured numbers bound every kernel: the **peak compute** (the median
# speed of a large float32 matmul, timed before and after the points below with the higher median
# kept: other programs on a shared machine can only slow it) and the **memory bandwidth** (the median of `y = x + 1` over
# arrays far larger than the last-level cache: DRAM). A kernel with intensity $I$ can reach at most
#
# $$ \text{attainable GFLOP/s} = \min(\text{peak},\; \text{bandwidth} \times I). $$
#
# Left of the ridge point $I^* = \text{peak}/\text{bandwidth}$ a kernel is **memory-bound** (more
# FLOPs per byte would be free), right of it **compute-bound**. Both roofs are medians with a
# spread, so the ridge is a range; a layer inside it is "near the ridge". We place dense layers
# $X (B, n) \,@\, W (n, n)$ on it, with $W$ **twice the size of the L3 cache**, so the weights
# stream from DRAM on every call — the same situation as a large model's layer:

# %%
report = exp.roofline_report("cpu")
roof = report.roof
print(roof.how)
print(f"peak {roof.peak_gflops:.1f} GFLOP/s (10-90 %: {roof.peak_range[0]:.1f}-{roof.peak_range[1]:.1f}), "
      f"DRAM bandwidth {roof.bandwidth_gbs:.1f} GB/s ({roof.bandwidth_range[0]:.1f}-{roof.bandwidth_range[1]:.1f}), "
      f"ridge {roof.ridge:.1f} FLOP/byte ({roof.ridge_range[0]:.1f}-{roof.ridge_range[1]:.1f})")
for p, f in zip(report.points, report.fractions):
    print(f"  B={p['B']:4d}, n={p['n']}: intensity {p['intensity']:6.1f} FLOP/byte -> {p['gflops']:5.1f} GFLOP/s "
          f"({p['q10']:.1f}-{p['q90']:.1f}), {f:4.0%} of its roof, {roof.bound(p['intensity'])}-bound")
for note in report.notes:
    print("  note:", note)
assert not any(p["cache_resident"] for p in report.points)
assert np.all(report.fractions[1:] <= 1.4)  # at or below the roofs, within the spread of a busy machine
assert 0.3 < report.fractions[0] < 2.5  # B = 1 streams W from DRAM: near the probe's bandwidth (see below)
assert report.fractions[1] < 0.95 and report.fractions[2] < 0.6  # B = 4, 16 below their roofs
assert report.fractions[-1] > max(0.5, report.fractions[2])  # the largest batch: over half the peak
gflops = [p["gflops"] for p in report.points]
# from B = 4 on it grows with the batch until it reaches the compute roof, where it levels off: the
# largest batch's faster runs (its 90th percentile) come within 10 % of the best median (a busy machine
# can pull its median lower: 84 against 97 GFLOP/s once, with a 90th percentile of 97)
assert np.all(np.diff(gflops[1:-1]) > 0) and gflops[-1] > gflops[0]
assert report.points[-1]["q90"] > 0.9 * max(gflops)
assert roof.bound(report.points[0]["intensity"]) == "memory" and roof.bound(report.points[-1]["intensity"]) == "compute"

# %%
fig, ax = plt.subplots(figsize=(6.2, 4))
viz11.draw_roofline(ax, report, f"CPU roofline, weights {report.points[0]['weight_bytes'] / 2 ** 20:.0f} MiB "
                      "(out of cache)")
fig.tight_layout()

# %% [markdown]
# **Where the batch size moves a layer across the ridge.** For a square layer with $B \ll n$ the
# intensity is about $2Bn^2 / 4n^2 = B/2$ FLOP/byte in float32, so the layer turns compute-bound
# near $B^* \approx 2I^*$. The measurement agrees with the model where it can: $B=1$ (a
# vector-matrix product) streams the weights at about the DRAM bandwidth — down to about half of it
# when other programs share the memory bus while it runs (the probe ran at another moment), and
# on some CPUs up to 1.7× *above* the measured memory roof (seen on an AVX-512 Xeon, where one core's GEMV read
# 17 GB/s while `y = x + 1` and a plain `x.sum()` moved 12). Our likely explanation, not a
# measured one: one core's bandwidth depends on how many cache-line requests it keeps in
# flight, and the matmul library prefetches far ahead. Either way, a measured roof is only as
# good as the probe that measured it. The largest batch
# gets over half the peak (0.8-1.0 of it on an idle machine; less while other programs share
# the memory bus). In between, the points sit *below* their roofs (B = 16 at under 0.6 of its
# roof; B = 4 under 0.95, at 0.6-0.75 of it on an idle machine and closer only where the probe
# under-measures the memory roof, e.g. 0.88 while other programs loaded both cores): a
# $(4, n)$ or $(16, n)$ product is a shape the matmul library optimises less well than
# a large square one.
# The roofline is an upper bound, not a promise.

# %%
print(f"predicted: compute-bound from B = {report.compute_bound_from} on (ridge {roof.ridge:.1f} FLOP/byte); "
      "measured: " + ", ".join(f"B={p['B']} {roof.bound(p['intensity'])}" for p in report.points))

# %% [markdown]
# **On a GPU** the same code measures the GPU's roofline: a much higher peak and bandwidth, and a
# fixed cost of a few microseconds per kernel launch. Its sizes are chosen so that no kernel is
# launch-bound (each takes over 0.1 ms even on the fastest GPUs).

# %%
if GPU:
    gpu_report = exp.roofline_report("cuda")
    print(gpu_report.roof.how)
    for p, f in zip(gpu_report.points, gpu_report.fractions):
        print(f"  GPU B={p['B']:5d}: {p['gflops']:9.1f} GFLOP/s, {f:4.0%} of its roof, "
              f"{gpu_report.roof.bound(p['intensity'])}-bound, {p['seconds'] * 1e3:.3f} ms per call")
    assert all(p["seconds"] > 20 * hardware.OVERHEAD_BOUND_S for p in gpu_report.points)  # not launch-bound
    fig, ax = plt.subplots(figsize=(6.2, 4))
    viz11.draw_roofline(ax, gpu_report, f"GPU roofline ({hardware.device_name('cuda')})")
    fig.tight_layout()
else:
    g = hardware.GPU_SIZES
    print("GPU roofline skipped: torch.cuda.is_available() is False on this machine (no CUDA device, or a "
          f"CPU-only torch). On a GPU this cell measures a {g['peak_n']}^3 matmul, y = x + 1 over "
          f"{g['n_elements'] // 2 ** 20} Mi floats and dense layers with a {g['points_n']}^2 weight, B in "
          f"{g['batch_sizes']} — each over 0.1 ms, far above a ~5 us kernel launch.")

# %% [markdown]
# **Try it.** Change the matrix size, the batch size and the dtype: where does the point land?
# Small sizes are *cache-resident* (the weights stay in L2/L3) and can even beat the DRAM roof;
# tiny ones take microseconds and are dominated by the fixed cost of a call.

# %%
roofline_explorer = viz11.roofline_explorer()
roofline_explorer

# %% [markdown]
# ## 4. Batch size: throughput vs latency
#
# Larger batches raise the intensity, so **throughput** (examples per second) grows — until
# the compute roof. But each call takes longer: **latency** grows too. Serving one user wants
# small batches; training and offline inference want large ones. Measured on a 2-layer MLP
# (256 → 256 → 10; CPU time per call):

# %%
sweep = hardware.batch_sweep((1, 8, 64, 512), D=256, H=256, repeats=5)
for r in sweep:
    print(f"B={r['B']:4d}: latency {r['latency_s'] * 1e3:7.3f} ms, throughput {r['throughput']:10.0f} ex/s")
assert sweep[-1]["throughput"] > sweep[0]["throughput"] and sweep[-1]["latency_s"] > sweep[0]["latency_s"]

# %% [markdown]
# On a GPU every call also pays a fixed launch cost (microseconds per kernel) and, if the data
# starts on the CPU, a host-to-device copy. For a small model at batch 1 these fixed costs can be
# larger than the compute itself, so a GPU is not automatically faster: measure.

# %%
if GPU:
    gpu_sweep = hardware.batch_sweep((1, 8, 64, 512), D=256, H=256, device="cuda", repeats=5)
    for c, g in zip(sweep, gpu_sweep):
        print(f"B={c['B']:4d}: CPU {c['latency_s'] * 1e3:.3f} ms, GPU {g['latency_s'] * 1e3:.3f} ms per call")
    print(f"host->device copy of 4 MB: {hardware.transfer_seconds() * 1e3:.3f} ms")
else:
    print("GPU column skipped: torch.cuda.is_available() is False on this machine.")

# %% [markdown]
# ## 5. Precision: float32, bfloat16, float16
#
# Fewer bits move fewer bytes and, on hardware with matching units (GPU tensor cores, CPUs with
# bfloat16 instructions such as AVX512-BF16 or AMX), compute faster; without such units bfloat16
# is converted to float32 for the arithmetic and typically gains nothing (measure). The price is precision: bfloat16
# keeps float32's exponent range but only 8 significant bits (relative error ~ $10^{-3}$);
# float16 has 11 significant bits but a tiny range. Measured here (a 256×256 matmul, error
# against float64):

# %%
rows = hardware.dtype_compare(256, dtypes=("float32", "bfloat16"), repeats=9)
if GPU:
    rows += hardware.dtype_compare(4096, dtypes=("float32", "bfloat16", "float16"), device="cuda")
else:
    print("float16 column skipped: it is measured on a GPU only (no torch.cuda device here).")
for r in rows:
    print(f"{r['device']:4s} {r['dtype']:9s}: {r['gflops']:7.1f} GFLOP/s ({r['q10']:.1f}-{r['q90']:.1f}), "
          f"relative error {r['rel_error']:.1e}")
fp32, bf16 = rows[0], rows[1]
assert fp32["rel_error"] < 1e-5 < bf16["rel_error"] < 1e-2
if hardware.native_bf16():
    print(f"this CPU has bfloat16 units: bfloat16 runs {bf16['gflops'] / fp32['gflops']:.1f}x as fast as float32")
    assert bf16["gflops"] > fp32["gflops"]
else:
    print(f"no bfloat16 units reported: bfloat16 / float32 speed = {bf16['gflops'] / fp32['gflops']:.2f}")

# %% [markdown]
# **Mixed-precision risk: underflow.** float16's smallest positive number is
# $2^{-24} \approx 6\times10^{-8}$. Gradients smaller than that become exactly 0 — the
# update is silently lost. **Loss scaling** multiplies the loss (hence every gradient) by
# e.g. 1024 before the backward pass and divides the float32 gradients by 1024 afterwards
# (`torch.amp.GradScaler` does this automatically, lowering the scale when it sees inf):

# %%
# NBVAL_CHECK_OUTPUT
for r in hardware.underflow_demo((1e-3, 1e-5, 1e-7, 1e-9), scale=1024.0):
    print(f"gradient {r['value']:.0e}: float16 -> {r['float16']:.3e}, with loss scaling -> {r['scaled']:.3e}")
demo = hardware.underflow_demo((1e-9,), scale=1024.0)[0]
assert demo["lost"] and not demo["lost_scaled"]

# %% [markdown]
# ## 6. Training memory
#
# Training keeps, at the peak of a step:
#
# $$ M \approx \underbrace{sP}_{\text{parameters}} + \underbrace{sP}_{\text{gradients}}
#    + \underbrace{k\,sP}_{\text{optimizer}} + \underbrace{sA}_{\text{activations}} $$
#
# with $k = 0$ for SGD, 1 for momentum, 2 for Adam (two moment buffers), and $A$ the numbers
# saved for the backward pass (for a D→H→C MLP about $B(D + 2H + C)$). We check the estimate
# against a measurement: one Adam step of a numpy MLP under `tracemalloc`, phase by phase.

# %%
mem = hardware.measure_numpy_training_peak(B=256, D=256, H=512, C=10)
est = mem["estimate"]
print("estimate:", {k: f"{v / 1e6:.2f} MB" for k, v in est.items()})
print("measured peak during each phase:", {k: f"{v / 1e6:.2f} MB" for k, v in mem["phases"].items()})
update_extra = mem["phases"]["update"] - mem["phases"]["backward"]
print(f"measured peak {mem['peak'] / 1e6:.2f} MB = {mem['peak'] / est['total']:.2f} x the estimate, reached during "
      f"the {mem['peak_phase']}; the update's temporaries add {update_extra / 1e6:.2f} MB = "
      f"{update_extra / mem['weight_bytes']:.1f} x the size of W1")
assert 1.0 <= mem["peak"] / est["total"] <= 2.0
assert mem["peak_phase"] == "update" and 1.5 <= update_extra / mem["weight_bytes"] <= 2.5

# %% [markdown]
# The estimate counts what must be *kept*; the measured peak also holds **temporaries**: during
# backward the upstream gradient $dA$, $dZ$ and the ReLU mask (each $B\times H$), and during the
# Adam update expressions such as `0.001 * g * g` or `np.sqrt(v) + 1e-8`, each of which allocates
# a new array the size of the parameter — about two $W_1$-sized arrays at once, where the step
# peaks. In-place updates (`np.multiply(g, g, out=buf)`, or a fused optimizer kernel) would avoid them.

# %%
if GPU:
    g = hardware.measure_torch_training_peak_cuda()
    print(f"GPU: torch.cuda.max_memory_allocated {g['peak'] / 1e6:.2f} MB vs estimate "
          f"{g['estimate']['total'] / 1e6:.2f} MB (float32)")
else:
    print("GPU check skipped: no CUDA device (it would use torch.cuda.max_memory_allocated).")

# %% [markdown]
# **Gradient checkpointing** keeps only the inputs of a few segments during the forward pass and
# recomputes each segment's activations during backward. torch's `checkpoint_sequential` cuts the
# model into $s$ chunks and runs the **last chunk normally** (its activations are needed at once),
# so it keeps $(s-1)$ chunk inputs plus the last chunk's activations: too few segments keep a long
# last chunk, too many keep many inputs — a U-shape with its minimum near $\sqrt{\text{depth}}$.
# Measured on a 16-layer MLP (saved bytes counted with autograd's saved-tensor hooks) and
# explained by that count:

# %%
for r in hardware.checkpoint_memory_sweep(depth=16, width=128, B=128):
    print(f"{r['segments']:2d} segments: {r['saved_bytes'] / 1e6:.2f} MB kept "
          f"(= (s-1) inputs + the last chunk: {r['explained'] / 1e6:.2f} MB)")
    assert r["saved_bytes"] == r["explained"]
ck = hardware.checkpoint_compare(depth=16, width=128, B=128, segments=4, repeats=5)
for name in ("plain", "checkpointed"):
    r = ck[name]
    print(f"{name:13s}: activations kept {r['saved_bytes'] / 1e6:.2f} MB, forward+backward {r['seconds'] * 1e3:.1f} ms "
          f"({r['q10'] * 1e3:.1f}-{r['q90'] * 1e3:.1f})")
print(f"extra time: {ck['extra_forwards']:.1f} forward passes; "
      f"matmul FLOPs run twice: {ck['recomputed_fraction']:.0%} of a forward pass")
assert ck["checkpointed"]["saved_bytes"] < 0.6 * ck["plain"]["saved_bytes"]
assert ck["checkpointed"]["seconds"] > ck["plain"]["seconds"]
assert abs(ck["recomputed_fraction"] - 12 / 17) < 1e-12  # 12 of the 17 equal linear layers

# %% [markdown]
# With 4 segments the activation memory halves (not quarters: the last chunk is kept in full).
# The price is time: the 17 modules (16 hidden layers and the output layer) are cut into chunks
# of 17 // 4 = 4, and the first three chunks run again during backward: 12 of the 17 equal
# linear layers, 71 % of a forward pass's matmul FLOPs (printed above). On a large model, where
# the matmuls dominate, that is the extra time. On this tiny one (a few milliseconds per pass) the
# measured extra time also holds the checkpoint machinery's own per-call work and the timer's
# noise: read it as "slower than without checkpointing" (asserted), not as a measure of the 71 %.
#
# ## 7. Inference at the edge: int8 quantization, from scratch
#
# Storing a weight as an 8-bit integer $q$ plus a float **scale** $s$ — read back as $q\,s$ —
# makes a model 4× smaller than float32. *Symmetric* int8 uses $q \in [-127, 127]$. The scale is a
# trade-off: too small and large weights do not fit (they are clipped), too large and the
# rounding steps are coarse (the rounding error is up to $s/2$). Which scale is best is
# **exercise 11.3**. One scale per **output channel** (a column of $W$ in $x\,W$) instead of one
# per matrix keeps a channel of small weights from being rounded with the coarse step of a
# channel of large ones:

# %%
W_demo = np.random.default_rng(0).standard_normal((256, 8)) * np.logspace(-2, 0, 8)  # column scales 0.01 .. 1
col_error = {}
for per_channel in (True, False):
    q_demo, s_demo = quantize.quantize_symmetric(W_demo, per_channel=per_channel)
    col_error[per_channel] = (np.linalg.norm(quantize.dequantize(q_demo, s_demo) - W_demo, axis=0)
                              / np.linalg.norm(W_demo, axis=0))
print("relative error per column, per channel:", np.round(col_error[True], 4))
print("relative error per column, per tensor: ", np.round(col_error[False], 4))
assert col_error[False][0] > 10 * col_error[True][0] and col_error[True].max() < 0.01

# %% [markdown]
# **Integer arithmetic.** An int8 matmul multiplies the integers and sums the products in
# **int32**, then rescales once: $x\,W \approx s_x\, s_w\, (q_x\, q_w)$. Activations are quantized
# on the fly, one scale per example. Summing in int8 would be wrong at once — $127 \times 127 =
# 16129$ does not fit, and numpy's integer arithmetic wraps around *silently*:

# %%
q_row = np.full((1, 64), 127, dtype=np.int8)
exact = int((q_row.astype(np.int32) @ q_row.T.astype(np.int32))[0, 0])
wrapped = int((q_row @ q_row.T)[0, 0])
print(f"64 products of 127 x 127: int32 accumulator {exact}, int8 accumulator {wrapped}")
assert exact == 64 * 127 ** 2 and wrapped != exact

# %% [markdown]
# Now a whole model: an MLP trained on the digits, every weight matrix stored as int8, the forward
# pass run with integer matmuls (`quantize.int8_matmul`). Two schemes: per output channel with
# one activation scale per example, and one scale per tensor for weights and activations:

# %%
qc = hardware.quantize_compare(hidden=128, epochs=5)
for name, r in qc.items():
    print(f"{name:17s}: {r['bytes'] / 1e3:6.1f} kB, weight error {r['weight_error']:.4f}, "
          f"validation accuracy {r['accuracy']:.3f}")
full, per_ch, per_t = qc["float32"], qc["int8 per channel"], qc["int8 per tensor"]
print(f"int8 per channel is {full['bytes'] / per_ch['bytes']:.1f}x smaller than float32")
assert 3.6 < full["bytes"] / per_ch["bytes"] < 3.8 and per_ch["weight_error"] < per_t["weight_error"]
assert per_ch["accuracy"] >= full["accuracy"] - 0.005 and per_ch["accuracy"] >= per_t["accuracy"]

# %% [markdown]
# The model shrinks 3.7× (biases and scales stay float32). Per channel, the accuracy stays within
# half a point of float32 (over 5 seeds: 0 to 0.3 points lost). One scale per tensor loses up to
# 2 points, because of outliers: a pixel that is almost always blank gets a tiny standard deviation,
# so the rare image that inks it gives a huge standardised value:

# %%
X_q = data.digits(rng=0).X_val  # the split quantize_compare evaluates on
p99, biggest = np.percentile(np.abs(X_q), 99), np.abs(X_q).max()
print(f"|x|: 99% of the entries below {p99:.1f}, the largest {biggest:.0f}")
assert p99 < 3 and biggest > 8 * p99  # over seeds 0-5: p99 2.7-2.8, largest 26-93

# %% [markdown]
# A single activation scale sized for the largest value rounds every ordinary value coarsely —
# the outlier problem that large language models' quantizers work around. Speed is not measured here: numpy has no fast int8
# kernels; real int8 inference uses CPU instructions such as VNNI/AMX or GPU tensor cores.
#
# ## 8. Exercises (graded)
#
# Open your exercise file **[exercises/ex11_hardware.py](../exercises/ex11_hardware.py)**
# (a click opens it in JupyterLab's editor) and implement, using plain Python/numpy:
#
# | exercise | function | what it does |
# |---|---|---|
# | 11.1 | `dense_layer_cost(B, D, H, bytes_per_number)` | FLOPs, bytes and arithmetic intensity of a dense layer (§1) |
# | 11.2 | `training_memory(n_params, activation_elements, optimizer, bytes_per_number)` | the training-memory estimate of §6 in bytes |
# | 11.3 | `quantize_per_channel(W)` | derive the int8 scale of each output channel and quantize (§7) |
#
# Save the file (<kbd>Ctrl</kbd>+<kbd>S</kbd>), then click **Grade my exercises** at the end of
# this section: it runs the course's tests on your file and shows your points per exercise,
# the first check that failed and a hint. Prefer a terminal? `python -m nnbasics grade 11`
# in the course folder does the same.

# %%
from nnbasics.course import exercises

mine = exercises.attempt("11", "dense_layer_cost", 32, 1024, 1024, 4)
if mine is not None:
    assert mine[0] == hardware.dense_flops(32, 1024, 1024), "FLOPs differ from nnbasics.lab.hardware.dense_flops"
    print("✅ your dense_layer_cost matches the library")

# %%
exercises.grade_button("11")

# %% [markdown]
# ## 9. Quiz and key takeaways

# %%
quiz.show("11")

# %% [markdown]
# **Key takeaways**
# - A dense layer costs $2BDH$ FLOPs; its intensity grows with the batch because weights are
#   reused. Convolutions reuse weights at every position; attention with its scores in memory is
#   capped near $2d_{\text{head}}/s$ FLOP/byte — the reason for fused (Flash) attention.
# - Time with warm-up, repeats, the median and its spread; use CPU time on a shared machine and
#   synchronize before reading the clock on a GPU.
# - Data beyond the last-level cache comes from DRAM at a fraction of the cache bandwidth; the
#   roofline (measured peak and DRAM bandwidth) says whether a kernel is memory- or compute-bound,
#   and from which batch size on a layer is compute-bound.
# - Training memory = parameters + gradients + optimizer state + activations: with Adam, 4× the
#   parameter memory (16 bytes per float32 parameter), twice what SGD needs; a step peaks where
#   temporaries pile up. Checkpointing trades recomputation for activation memory.
# - Lower precision buys speed and memory where the hardware supports it; watch underflow (loss
#   scaling). int8 weights with one scale per output channel keep the accuracy at ¼ of the size.
