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
# - count the FLOPs and bytes of a dense layer and compute its arithmetic intensity;
# - time code honestly (warm-up, repeats, median, GPU synchronisation);
# - read a roofline measured on *this* machine and say whether a layer is memory- or compute-bound;
# - estimate training memory (parameters + gradients + optimizer state + activations) and trade
#   compute for memory with gradient checkpointing;
# - weigh float32 / bfloat16 / float16 and int8 quantization: speed, size and accuracy.
#
# **Prerequisites:** notebooks 02 (the MLP forward pass) and 09 (optimizers: what Adam stores).
# **Run time:** about 12 s for *Run All* on a CPU; 40 min to work through.
#
# Every number here is **measured on the machine running the notebook**, so yours will differ
# from a classmate's. All measurements are short (milliseconds). The course runs on a CPU;
# when `torch.cuda.is_available()` the same cells add a GPU column, otherwise they print what
# they skipped.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

import nnbasics
from nnbasics.course import doctor, quiz
from nnbasics.lab import hardware
from nnbasics.viz import nb11_hardware as widgets
from nnbasics.viz import plotting

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"
torch.set_num_threads(1)  # one core: stable timings on a shared machine (change it and compare!)
GPU = hardware.gpu_available()
print("CPU:", hardware.device_name("cpu"))
print("GPU:", hardware.device_name("cuda") if GPU else "none found — GPU cells will say what they skip")

# %% [markdown]
# ## 1. A dense layer is a matrix multiply
#
# For a batch $X \in \mathbb{R}^{B\times D}$ and weights $W \in \mathbb{R}^{D\times H}$, every
# one of the $B\cdot H$ outputs is a dot product of length $D$: one multiply and one add per term.
#
# $$ \text{FLOPs} = 2BDH, \qquad \text{bytes} = s\,(BD + DH + H + BH), \qquad
#    I = \frac{\text{FLOPs}}{\text{bytes}} \;\text{(arithmetic intensity, FLOP/byte)} $$
#
# with $s$ bytes per number (4 for float32). The weights are read once and reused for all
# $B$ rows, so the intensity grows with the batch size:

# %%
# NBVAL_CHECK_OUTPUT
for B in (1, 32, 1024):
    print(f"B={B:5d}, D=H=1024: {hardware.dense_flops(B, 1024, 1024) / 1e9:6.3f} GFLOP, "
          f"{hardware.dense_bytes(B, 1024, 1024) / 1e6:6.2f} MB, "
          f"intensity {hardware.arithmetic_intensity(B, 1024, 1024):7.2f} FLOP/byte")
assert hardware.arithmetic_intensity(1, 1024, 1024) < 0.6 < 100 < hardware.arithmetic_intensity(1024, 1024, 1024)

# %% [markdown]
# ## 2. Timing honestly
#
# A single `time.time()` around one call measures noise: the first call pays for lazy
# initialisation and cold caches, other processes interrupt, and on a GPU the call returns
# *before* the kernel has run (launches are asynchronous). So: warm up, repeat, report the
# **median** (robust to interruptions) with a spread, and `torch.cuda.synchronize()` before
# reading the clock on a GPU.

# %%
nnbasics.show_source(hardware.time_fn)

# %%
a = torch.randn(256, 256)
t = hardware.time_fn(lambda: a @ a, warmup=2, repeats=9)
print(f"256x256 matmul: median {t.median * 1e3:.3f} ms (10-90 %: {t.q10 * 1e3:.3f}-{t.q90 * 1e3:.3f} ms)")
assert t.q10 <= t.median <= t.q90

# %% [markdown]
# ## 3. The roofline of this machine
#
# Two measured numbers bound every kernel: the **peak compute** (best matmul GFLOP/s) and the
# **memory bandwidth** (an elementwise `x + 1` over 16 MB: 8 bytes moved per FLOP). A kernel
# with intensity $I$ can reach at most
#
# $$ \text{attainable GFLOP/s} = \min(\text{peak},\; \text{bandwidth} \times I). $$
#
# Left of the ridge point $I^* = \text{peak}/\text{bandwidth}$ a kernel is **memory-bound**
# (more FLOPs are free), right of it **compute-bound**. Below, dense layers with D = H = 256
# and growing batch are placed on the roofline with their *measured* speed.

# %%
roof = hardware.measure_roofline("cpu")
layers = [hardware.matmul_gflops(256, B=B, repeats=3) for B in (1, 8, 64, 256)]
print(f"peak {roof.peak_gflops:.1f} GFLOP/s, bandwidth {roof.bandwidth_gbs:.1f} GB/s, "
      f"ridge at {roof.ridge:.1f} FLOP/byte")
for m in layers:
    print(f"  B={m['B']:4d}: intensity {m['intensity']:6.1f} FLOP/byte -> {m['gflops']:6.1f} GFLOP/s "
          f"({roof.bound(m['intensity'])}-bound)")
assert layers[0]["intensity"] < layers[-1]["intensity"]

# %%
intensities = np.logspace(-2, 3, 200)
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.loglog(intensities, roof.attainable(intensities), color="black", lw=2, label="roofline (measured, CPU, 1 thread)")
for k, m in enumerate(layers):
    ax.loglog(m["intensity"], m["gflops"], "o", ms=8, color=plotting.PALETTE[k],
              label=f"dense layer, B={m['B']}")
ax.axvline(roof.ridge, ls=":", color="0.5")
ax.set(xlabel="arithmetic intensity (FLOP/byte)", ylabel="GFLOP/s",
       title="Roofline of this machine with dense layers placed on it")
ax.legend(fontsize=7, loc="lower right")
fig.tight_layout()

# %% [markdown]
# **Try it.** Change the matrix size, the batch size and the dtype: where does the point land?
# (bfloat16 matmuls on a CPU without native bfloat16 units are *emulated* and far slower.)

# %%
roofline_explorer = widgets.roofline_explorer()
roofline_explorer

# %% [markdown]
# ## 4. Batch size: throughput vs latency
#
# Larger batches raise the intensity, so **throughput** (examples per second) grows — until
# the compute roof. But each call takes longer: **latency** grows too. Serving one user wants
# small batches; training and offline inference want large ones. On a GPU the same story
# starts from a higher fixed cost per call (kernel launch, host-to-device copies), which is why
# a *small* model can run faster on the CPU.

# %%
sweep = hardware.batch_sweep((1, 8, 64, 512), D=256, H=256, repeats=3)
for r in sweep:
    print(f"B={r['B']:4d}: latency {r['latency_s'] * 1e3:7.3f} ms, throughput {r['throughput']:10.0f} ex/s")
assert sweep[-1]["throughput"] > sweep[0]["throughput"] and sweep[-1]["latency_s"] > sweep[0]["latency_s"]
if GPU:
    gpu_sweep = hardware.batch_sweep((1, 8, 64, 512), D=256, H=256, device="cuda", repeats=3)
    print("GPU:", [f"B={r['B']}: {r['throughput']:.0f} ex/s" for r in gpu_sweep])
    print(f"host->device copy of 4 MB: {hardware.transfer_seconds() * 1e3:.3f} ms")
else:
    print("GPU column skipped: torch.cuda.is_available() is False on this machine.")

# %% [markdown]
# ## 5. Precision: float32, bfloat16, float16
#
# Fewer bits move fewer bytes and, on hardware with matching units (GPU tensor cores, recent
# CPUs), compute faster. The price is precision: bfloat16 keeps float32's exponent range but
# only 8 significant bits (relative error ~ $10^{-3}$); float16 has 11 significant bits but a
# tiny range. Measured here (matmul of 256×256, error against float64):

# %%
rows = hardware.dtype_compare(256, dtypes=("float32", "bfloat16"), repeats=2)
if GPU:
    rows += hardware.dtype_compare(256, dtypes=("float32", "bfloat16", "float16"), device="cuda")
else:
    print("float16 column skipped: it is measured on a GPU only (no torch.cuda device here).")
for r in rows:
    print(f"{r['device']:4s} {r['dtype']:9s}: {r['gflops']:7.2f} GFLOP/s, relative error {r['rel_error']:.1e}")
assert rows[0]["rel_error"] < 1e-5 < rows[1]["rel_error"]

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
# against a measurement: one Adam step of a numpy MLP under `tracemalloc`.

# %%
mem = hardware.measure_numpy_training_peak(B=256, D=256, H=512, C=10)
est = mem["estimate"]
print({k: f"{v / 1e6:.2f} MB" for k, v in est.items()})
print(f"measured peak {mem['peak'] / 1e6:.2f} MB = {mem['peak'] / est['total']:.2f} x the estimate "
      "(the rest: backward temporaries such as dA, dZ and the ReLU mask)")
assert 1.0 <= mem["peak"] / est["total"] <= 2.0
if GPU:
    g = hardware.measure_torch_training_peak_cuda()
    print(f"GPU: torch.cuda.max_memory_allocated {g['peak'] / 1e6:.2f} MB vs estimate "
          f"{g['estimate']['total'] / 1e6:.2f} MB (float32)")
else:
    print("GPU check skipped: no CUDA device (it would use torch.cuda.max_memory_allocated).")

# %% [markdown]
# **Gradient checkpointing** keeps only a few segment inputs during the forward pass and
# recomputes the rest during backward: activation memory drops, compute grows by about one
# extra forward pass. Measured on a 16-layer MLP (saved bytes counted with autograd's
# saved-tensor hooks; time for forward + backward):

# %%
ck = hardware.checkpoint_compare(depth=16, width=128, B=128, segments=4, repeats=3)
for name, r in ck.items():
    print(f"{name:13s}: activations kept {r['saved_bytes'] / 1e6:.2f} MB, forward+backward {r['seconds'] * 1e3:.1f} ms")
assert ck["checkpointed"]["saved_bytes"] < ck["plain"]["saved_bytes"]

# %% [markdown]
# ## 7. Inference at the edge: int8 quantization
#
# Dynamic quantization stores each `Linear`'s weights as int8 (4× smaller than float32) and
# quantizes activations on the fly. We train a small MLP on the bundled digits, quantize it
# with `torch.ao.quantization.quantize_dynamic` and compare size, latency and accuracy:

# %%
qc = hardware.quantize_compare(hidden=128, epochs=5)
for name, r in qc.items():
    print(f"{name:8s}: {r['bytes'] / 1e3:6.1f} kB, latency {r['latency_s'] * 1e3:.3f} ms (batch 256), "
          f"accuracy {r['accuracy']:.3f}")
assert qc["int8"]["bytes"] < 0.4 * qc["float32"]["bytes"]
assert qc["int8"]["accuracy"] > qc["float32"]["accuracy"] - 0.05

# %% [markdown]
# The size shrinks about 3.5× (biases and scales stay float). Latency depends on whether the
# CPU has fast int8 kernels — measure, don't assume.
#
# ## 8. Exercises (graded)
#
# Open **`exercises/ex11_hardware.py`** and implement, using plain Python/numpy:
#
# | exercise | function | what it does |
# |---|---|---|
# | 11.1 | `dense_layer_cost(B, D, H, bytes_per_number)` | FLOPs, bytes and arithmetic intensity of a dense layer |
# | 11.2 | `training_memory(n_params, activation_elements, optimizer, bytes_per_number)` | the training-memory estimate of §6 in bytes |
#
# Check your work:
#
# ```
# python -m nnbasics grade 11
# ```

# %%
from nnbasics.course import exercises

mine = exercises.attempt("11", "dense_layer_cost", 32, 1024, 1024, 4)
if mine is not None:
    assert mine[0] == hardware.dense_flops(32, 1024, 1024), "FLOPs differ from nnbasics.lab.hardware.dense_flops"
    print("✅ your dense_layer_cost matches the library")

# %% [markdown]
# ## 9. Quiz and key takeaways

# %%
quiz.show("11")

# %% [markdown]
# **Key takeaways**
# - A dense layer costs $2BDH$ FLOPs; its intensity grows with the batch because weights are reused.
# - The roofline (measured peak and bandwidth) says whether a kernel is memory- or compute-bound.
# - Time with warm-up, repeats and the median; synchronize before reading the clock on a GPU.
# - Training memory = parameters + gradients + optimizer state + activations; Adam triples the
#   parameter cost, checkpointing trades compute for activation memory.
# - Lower precision buys speed and memory where the hardware supports it; watch underflow
#   (loss scaling) and measure accuracy after int8 quantization.
