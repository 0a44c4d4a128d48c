"""Claims of notebook 11, re-measured (issue 15): each assert is a sentence of the notebook.

Timing claims are re-measured 5 times (the machine's state is the "seed"); they use the CPU-time
clock with one thread, as the notebook does. Weights and data use seeds 0-4.
"""


import numpy as np
import pytest
import torch

from nnbasics.core import quantize
from nnbasics.experiments import nb11_hardware as exp
from nnbasics.lab import hardware
from nnbasics.lab.runtime import one_thread

REPEATS = range(5)
# The roofline streams weights twice the last-level cache: ~17 s per report with a 300 MiB L3.
# Two fresh reports here, plus the notebook's own run under nbval.
ROOFLINE_REPEATS = range(2)

pytestmark = pytest.mark.slow


def test_wall_clock_never_undercounts_cpu_time():
    """§2: wall-clock median >= 0.9 x CPU-time median for a single-threaded matmul."""
    a = torch.randn(512, 512, generator=torch.Generator().manual_seed(0))
    with one_thread():
        for _ in REPEATS:
            wall, cpu = hardware.wall_and_cpu(lambda: a @ a, warmup=2, repeats=9)
            assert wall.median >= 0.9 * cpu.median
            assert all(w >= 0.9 * c for w, c in zip(wall.times, cpu.times))  # call by call


def test_dram_bandwidth_is_well_below_the_cache_bandwidth():
    """§3: arrays far beyond the L3 cache get < 0.6x the best (cache-resident) bandwidth, and the
    fixed cost of one torch call is > 10 % of a pass over the smallest arrays. (Whether that puts the
    smallest arrays below the L3-sized ones is not claimed: it depends on the CPU's cache sizes and on
    what shares its L3. A clean-clone CI run failed the notebook's assert of both; the call-cost half had
    a wide margin wherever it was measured: 55-82 % on a 2-core EPYC VM, idle or beside a memory-streaming process.)"""
    with one_thread():
        for _ in REPEATS:
            curve = exp.bandwidth_vs_size(repeats=5)
            assert curve[-1]["gbs"] < 0.6 * max(r["gbs"] for r in curve)
            call = hardware.torch_call_cost(8)
            assert call > 0.1 * 8 * curve[0]["n_elements"] / (curve[0]["gbs"] * 1e9)


# Never timed beside the loaded-machine test's burners (tests/test_grading_adversarial.py): in
# its xdist group the two run one after the other. Beside them B=256 read 1.54x its roof in a
# clean-clone CI run (the peak timed while the burners ran, the point after).
@pytest.mark.xdist_group("hostile-class")
@pytest.mark.slow(expected_s=30)
def test_out_of_cache_dense_layers_sit_under_the_roofline():
    """§3: every point from B=4 on <= 1.4x its roof (B=256 reached 1.27x while the unit tests loaded both
    cores, and 1.42x once in CI, when the peak was timed only before the points: a moment of load lowered it;
    the report now times it before and after and keeps the higher median); B=1 0.3-2.5x the memory roof (1.5-1.7x on an
    AVX-512 Xeon, whose MKL GEMV out-streams the y = x + 1 probe; 0.46x once on an AMD EPYC while the unit tests loaded
    both cores: the probe and the GEMV are timed at different moments, and the memory bus is shared), B=256 > 0.5x the peak and
    closer to its roof than B=16; B=4 < 0.95x (0.61-0.73 on that Xeon, 0.88 with both cores loaded), B=16 < 0.6x (busy machine
    included); GFLOP/s grows with B from B=4 on (B=4 can fall below B=1) and levels off at the peak (the largest batch's
    90th percentile within 10 % of the best median: once on a busy CI machine its median fell to 84 against 97);
    the smallest batch is memory-bound and the largest compute-bound. Hardware claims are checked on
    real code paths (AVX2, AVX-512), not on ATEN_CPU_CAPABILITY=default's plain SSE kernels."""
    with one_thread():
        for _ in ROOFLINE_REPEATS:
            hardware.measure_roofline.cache_clear()  # a fresh measurement each time
            report = exp.roofline_report("cpu", repeats=3)
            assert np.all(report.fractions[1:] <= 1.4) and 0.3 < report.fractions[0] < 2.5
            assert report.fractions[1] < 0.95 and report.fractions[2] < 0.6
            assert report.fractions[-1] > max(0.5, report.fractions[2])
            gflops = [p["gflops"] for p in report.points]  # B = 4 may not beat B = 1 (~1/4 of its roof)
            assert np.all(np.diff(gflops[1:-1]) > 0) and gflops[-1] > gflops[0]
            assert report.points[-1]["q90"] > 0.9 * max(gflops)
            roof, pts = report.roof, report.points
            assert roof.bound(pts[0]["intensity"]) == "memory" and roof.bound(pts[-1]["intensity"]) == "compute"
    hardware.measure_roofline.cache_clear()


def test_batch_size_trades_latency_for_throughput():
    """§4: the largest batch has more throughput and more latency than batch 1."""
    with one_thread():
        for _ in REPEATS:
            sweep = hardware.batch_sweep((1, 8, 64, 512), D=256, H=256, repeats=5)
            assert sweep[-1]["throughput"] > sweep[0]["throughput"] and sweep[-1]["latency_s"] > sweep[0]["latency_s"]


def test_bfloat16_error_and_speed():
    """§5: fp32 error < 1e-5 < bf16 error < 1e-2; with bf16 units, bf16 is faster."""
    with one_thread():
        for _ in REPEATS:
            fp32, bf16 = hardware.dtype_compare(256, dtypes=("float32", "bfloat16"), repeats=9)
            assert fp32["rel_error"] < 1e-5 < bf16["rel_error"] < 1e-2
            if hardware.native_bf16():
                assert bf16["gflops"] > fp32["gflops"]


def test_training_memory_peaks_in_the_update():
    """§6: measured peak in [1, 2] x the estimate, at the update, whose temporaries are ~2 W1."""
    for seed in REPEATS:
        mem = hardware.measure_numpy_training_peak(B=256, D=256, H=512, C=10, seed=seed)
        extra = mem["phases"]["update"] - mem["phases"]["backward"]
        assert 1.0 <= mem["peak"] / mem["estimate"]["total"] <= 2.0
        assert mem["peak_phase"] == "update" and 1.5 <= extra / mem["weight_bytes"] <= 2.5


def test_checkpointing_halves_memory_and_costs_time():
    """§6: the saved bytes are explained exactly; 4 segments keep < 0.6x; recomputation is slower and
    repeats 12 of the 17 linear layers' FLOPs."""
    assert all(r["saved_bytes"] == r["explained"] for r in hardware.checkpoint_memory_sweep())
    with one_thread():
        for _ in REPEATS:
            ck = hardware.checkpoint_compare(depth=16, width=128, B=128, segments=4, repeats=5)
            assert ck["checkpointed"]["saved_bytes"] < 0.6 * ck["plain"]["saved_bytes"]
            assert ck["checkpointed"]["seconds"] > ck["plain"]["seconds"]
            assert ck["recomputed_fraction"] == pytest.approx(12 / 17, rel=1e-12)


def test_per_channel_scales_protect_small_channels():
    """§7: columns spanning 100x in scale: per tensor, the smallest column's error is > 10x per channel's."""
    for seed in REPEATS:
        W = np.random.default_rng(seed).standard_normal((256, 8)) * np.logspace(-2, 0, 8)
        err = {pc: np.linalg.norm(quantize.dequantize(*quantize.quantize_symmetric(W, per_channel=pc)) - W, axis=0)
               / np.linalg.norm(W, axis=0) for pc in (True, False)}
        assert err[False][0] > 10 * err[True][0] and err[True].max() < 0.01


def test_int8_model_keeps_its_accuracy_per_channel():
    """§7: 3.6-3.8x smaller; per channel loses <= 0.3 points (and never less accurate than per
    tensor, with a smaller weight error); per tensor loses <= 2 points."""
    with one_thread():
        for seed in REPEATS:
            qc = hardware.quantize_compare(hidden=128, epochs=5, seed=seed)
            full, per_ch, per_t = qc["float32"], qc["int8 per channel"], qc["int8 per tensor"]
            assert 3.6 < full["bytes"] / per_ch["bytes"] < 3.8 and per_ch["weight_error"] < per_t["weight_error"]
            assert per_ch["accuracy"] >= full["accuracy"] - 0.003 and per_ch["accuracy"] >= per_t["accuracy"]
            assert per_t["accuracy"] >= full["accuracy"] - 0.02


def test_standardised_digits_have_rare_outliers():
    """§7: per-tensor int8 suffers from outliers: 99% of standardised pixel values are below 3,
    the largest is more than 8x that (26-93 over seeds 0-5)."""
    from nnbasics import data

    for seed in range(6):
        x = np.abs(data.digits(rng=seed).X_val)
        p99 = np.percentile(x, 99)
        assert p99 < 3 and x.max() > 8 * p99, (seed, p99, x.max())
