"""nnbasics.lab.hardware: counting formulas, timing logic with a fake clock, estimators vs measurements.

No test asserts a wall-clock speed (that belongs to benchmarks and tests/claims); timings are
checked for logic only. GPU code paths are the CPU ones with another device string: they are
run here on the CPU with small sizes, and their GPU sizes are checked against a roofline.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

from nnbasics.experiments import nb11_hardware as exp
from nnbasics.lab import hardware as hw
from nnbasics.lab.models import MLPConfig, build_mlp, count_parameters


def test_dense_counts_match_the_formulas():
    assert hw.dense_flops(2, 3, 4) == 2 * 2 * 3 * 4
    assert hw.dense_bytes(2, 3, 4) == 4 * (6 + 12 + 4 + 8)
    assert hw.dense_bytes(2, 3, 4, "bfloat16") == 2 * (6 + 12 + 4 + 8)
    # square layer, B = D = H = n: intensity -> n/6 FLOP/byte in float32 for large n
    assert hw.arithmetic_intensity(4096, 4096, 4096) == pytest.approx(4096 / 6, rel=1e-3)


@settings(max_examples=25, deadline=None)
@given(B=st.integers(1, 512), D=st.integers(1, 512), H=st.integers(1, 512))
def test_intensity_grows_with_batch(B, D, H):
    assert hw.arithmetic_intensity(B + 1, D, H) >= hw.arithmetic_intensity(B, D, H) - 1e-12


class FakeClock:
    def __init__(self, durations):
        self.t = 0.0
        self.durations = list(durations)
        self.calls = 0

    def __call__(self):
        return self.t

    def work(self):
        self.calls += 1
        self.t += self.durations.pop(0) if self.durations else 0.0


def test_time_fn_discards_warmup_and_reports_the_median():
    clock = FakeClock([100.0, 100.0, 3.0, 1.0, 2.0, 50.0, 4.0])
    t = hw.time_fn(clock.work, warmup=2, repeats=5, timer=clock)
    assert clock.calls == 7
    assert t.times == (3.0, 1.0, 2.0, 50.0, 4.0)
    assert t.median == 3.0 and t.minimum == 1.0
    assert t.q10 <= t.median <= t.q90


def test_time_fn_with_a_sleep_measures_at_least_the_sleep():
    import time

    t = hw.time_fn(lambda: time.sleep(0.002), warmup=0, repeats=3, timer=time.perf_counter)
    assert t.minimum >= 0.002
    cpu = hw.time_fn(lambda: time.sleep(0.002), warmup=0, repeats=3, timer=time.process_time)
    assert cpu.median < 0.001  # CPU time does not count waiting (nor other programs' turns)


def test_wall_and_cpu_read_both_clocks_around_the_same_calls():
    import time

    calls = []
    wall, cpu = hw.wall_and_cpu(lambda: (calls.append(1), time.sleep(0.002)), warmup=1, repeats=4)
    assert len(calls) == 5 and len(wall.times) == len(cpu.times) == 4
    assert wall.minimum >= 0.002 and cpu.median < 0.001
    assert all(w >= c for w, c in zip(wall.times, cpu.times))
    with pytest.raises(TypeError, match="fn must be callable"):
        hw.wall_and_cpu(3)
    with pytest.raises(ValueError, match="repeats"):
        hw.wall_and_cpu(lambda: None, repeats=0)


def test_roofline_logic():
    r = hw.roofline(100.0, 10.0)
    assert r.ridge == 10.0 and r.ridge_range == (10.0, 10.0)
    assert np.allclose(r.attainable([1.0, 10.0, 100.0]), [10.0, 100.0, 100.0])
    assert r.bound(1.0) == "memory" and r.bound(50.0) == "compute" and r.bound(10.0) == "near the ridge"
    assert r.seconds(1e9, 1e9) == pytest.approx(0.1)  # 1 GB at 10 GB/s beats 1 GFLOP at 100 GFLOP/s
    spread = hw.Roofline(100.0, 10.0, "cpu", (80.0, 120.0), (8.0, 12.5))
    assert spread.ridge_range == pytest.approx((80 / 12.5, 120 / 8))
    assert spread.bound(7.0) == "near the ridge" and spread.bound(6.0) == "memory" and spread.bound(16.0) == "compute"


def test_counts_agree_with_torchs_flop_counter():
    """torch.utils.flop_counter counts the FLOPs torch's kernels are charged: the same formulas."""
    x, w = torch.randn(2, 3, 9, 8), torch.randn(4, 3, 3, 3)
    with FlopCounterMode(display=False) as fc:
        out = torch.nn.functional.conv2d(x, w, stride=2, padding=1)
    cost = hw.conv2d_cost(2, 3, 9, 8, 4, 3, stride=2, padding=1)
    assert cost["flops"] == fc.get_total_flops() and cost["out_hw"] == tuple(out.shape[-2:])
    assert cost["bytes"] == 4 * (x.numel() + w.numel() + 4 + out.numel())
    q = torch.randn(2, 4, 16, 8)  # (B, heads, L, d_head): d = 32
    with FlopCounterMode(display=False) as fc:
        torch.softmax(q @ q.transpose(-1, -2) / 8 ** 0.5, -1) @ q
    assert hw.attention_cost(16, 32, n_heads=4, B=2)["flops"] == fc.get_total_flops()
    with FlopCounterMode(display=False) as fc:
        torch.randn(5, 7) @ torch.randn(7, 3)
    assert hw.dense_flops(5, 7, 3) == fc.get_total_flops()


def test_materialized_attention_intensity_is_capped_by_the_head_size():
    """Scores written and read back: intensity -> 2 d_head / s as L grows; fused: it grows like L."""
    long = [hw.attention_cost(L, 512, n_heads=8, materialize=True)["intensity"] for L in (1024, 8192, 65536)]
    assert long[-1] < 2 * 64 / 4 and np.all(np.diff(long) > 0)
    fused = [hw.attention_cost(L, 512, n_heads=8, materialize=False)["intensity"] for L in (1024, 8192)]
    assert fused == pytest.approx([1024 / 4, 8192 / 4])


def test_cache_sizes_from_a_fake_sysfs(tmp_path):
    for i, (level, kind, size) in enumerate([(1, "Data", "48K"), (1, "Instruction", "32K"), (2, "Unified", "2048K"),
                                             (3, "Unified", "96M")]):
        d = tmp_path / f"index{i}"
        d.mkdir()
        (d / "level").write_text(f"{level}\n")
        (d / "type").write_text(f"{kind}\n")
        (d / "size").write_text(f"{size}\n")
    c = hw.cache_sizes(str(tmp_path))
    assert (c["L1d"], c["L2"], c["L3"], c["source"]) == (48 * 1024, 2 * 2 ** 20, 96 * 2 ** 20, str(tmp_path))
    missing = hw.cache_sizes(str(tmp_path / "nope"))  # falls back to sysconf (or None)
    assert missing["source"] in ("os.sysconf", "unknown")


def test_cpu_flags_and_native_bf16(tmp_path):
    f = tmp_path / "cpuinfo"
    f.write_text("processor\t: 0\nflags\t\t: fpu avx512f avx512_bf16 avx512_vnni\n")
    assert {"avx512_bf16", "fpu"} <= hw.cpu_flags(str(f))
    assert hw.native_bf16(hw.cpu_flags(str(f))) and not hw.native_bf16({"avx2", "fma"})
    assert hw.cpu_flags(str(tmp_path / "nope")) == frozenset()


def test_default_timer_counts_cpu_time_for_one_thread():
    import time

    with hw.threads(1):
        assert hw.default_timer("cpu") is time.process_time
    with hw.threads(2):
        assert hw.default_timer("cpu") is time.perf_counter
    assert hw.default_timer("cuda") is time.perf_counter


def test_gpu_sizes_are_not_launch_bound_even_on_a_very_fast_gpu():
    """2000 TFLOP/s and 8 TB/s (beyond any GPU today): every GPU kernel still takes >= 20 launches (5 us)."""
    fast = hw.roofline(2e6, 8e3, "cuda")
    g = hw.GPU_SIZES
    kernels = [(hw.dense_flops(g["peak_n"], g["peak_n"], g["peak_n"]), 3 * 4 * g["peak_n"] ** 2),
               (g["n_elements"], 8 * g["n_elements"])]
    kernels += [(hw.dense_flops(B, g["points_n"], g["points_n"]), hw.dense_bytes(B, g["points_n"], g["points_n"]))
                for B in g["batch_sizes"]]
    for flops, n_bytes in kernels:
        assert fast.seconds(flops, n_bytes) >= 20 * 5e-6


def test_gpu_paths_refuse_clearly_without_a_gpu():
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    for call in (lambda: hw.matmul_gflops(8, device="cuda"), lambda: hw.measure_bandwidth(8, device="cuda"),
                 lambda: exp.roofline_report("cuda"), lambda: hw.time_fn(lambda: None, device="cuda")):
        with pytest.raises(ValueError, match="torch.cuda.is_available"):
            call()


def test_roofline_report_runs_the_device_generic_path_on_the_cpu():
    """The code the GPU column runs, with CPU-sized inputs: roofs, points, fractions, crossover, notes."""
    with hw.threads(1):
        r = exp.roofline_report("cpu", batch_sizes=(1, 8), n=64, peak_n=64, n_elements=50_000, repeats=2)
    assert [p["B"] for p in r.points] == [1, 8] and r.fractions.shape == (2,)
    assert np.all(r.fractions > 0) and "64x64x64" in r.roof.how
    assert r.compute_bound_from is None or r.compute_bound_from >= 1
    assert all(("above the" in n) for n in r.notes)
    assert "timed again after the points" in r.roof.how


def test_the_report_keeps_the_higher_of_two_peak_medians():
    """A peak timed during a moment of load must not put later points above their roof."""
    roof = hw.Roofline(100.0, 10.0, "cpu", (90.0, 110.0), (9.0, 11.0), "first")
    higher = exp._higher_peak(roof, {"gflops": 120.0, "q10": 115.0, "q90": 125.0})
    assert (higher.peak_gflops, higher.peak_range, higher.bandwidth_gbs) == (120.0, (115.0, 125.0), 10.0)
    lower = exp._higher_peak(roof, {"gflops": 80.0, "q10": 70.0, "q90": 85.0})
    assert (lower.peak_gflops, lower.peak_range) == (100.0, (90.0, 110.0)) and "80.0 GFLOP/s" in lower.how
    assert hw.default_peak_n("cpu") == 1024 and hw.default_peak_n("cuda") == hw.GPU_SIZES["peak_n"]


def test_the_bfloat16_peak_probe_is_small_without_bfloat16_units(monkeypatch):
    """Emulated bfloat16 runs ~1 GFLOP/s: a 1024^3 probe would take seconds per call."""
    for native, n in ((True, 1024), (False, 256)):
        monkeypatch.setattr(hw, "native_bf16", lambda flags=None, native=native: native)
        assert hw.default_peak_n("cpu", "bfloat16") == n
        assert hw.default_peak_n("cpu", "float32") == 1024
        assert hw.default_peak_n("cuda", "bfloat16") == hw.GPU_SIZES["peak_n"]
    with pytest.raises(ValueError, match="dtype"):
        hw.default_peak_n("cpu", "int8")


def test_compute_bound_batch_is_the_first_batch_past_the_ridge():
    roof = hw.roofline(100.0, 20.0)  # ridge 5 FLOP/byte
    B = exp.compute_bound_batch(roof, 1024, 1024)
    assert hw.arithmetic_intensity(B, 1024, 1024) >= 5 > hw.arithmetic_intensity(B - 1, 1024, 1024)
    assert exp.compute_bound_batch(hw.roofline(1e6, 1.0), 8, 8) is None  # never compute-bound


def test_out_of_cache_sizes_exceed_the_last_level_cache():
    llc = hw.cache_sizes()["L3"]
    if llc is None:
        pytest.skip("the OS does not report a last-level cache")
    assert 8 * hw.out_of_cache_elements() >= 4 * llc  # bytes moved by y = x + 1: 4x the cache
    n = exp.out_of_cache_width()
    assert n % 1024 == 0 and (4 * n * n >= 2 * llc and 4 * (n - 1024) ** 2 < 2 * llc or n == 1024)


def test_measurements_return_positive_numbers_with_a_spread():
    with hw.threads(1):
        m = hw.matmul_gflops(64, repeats=3)
        assert 0 < m["q10"] <= m["gflops"] <= m["q90"] and m["flops"] == 2 * 64**3
        assert m["weight_bytes"] == 4 * 64 * 64 and m["cache_resident"] in (True, False)
        bw = hw.measure_bandwidth(100_000, repeats=3)
        assert 0 < bw["q10"] <= bw["gbs"] <= bw["q90"] and bw["bytes_moved"] == 800_000
        rows = hw.batch_sweep((1, 16), D=32, H=32, repeats=2)
        assert [r["B"] for r in rows] == [1, 16] and all(r["throughput"] > 0 for r in rows)
        curve = exp.bandwidth_vs_size((2 ** 12, 2 ** 14), repeats=2)
        assert [r["array_bytes"] for r in curve] == [2 ** 12, 2 ** 14] and curve[1]["n_elements"] == 2 ** 12


def test_torch_call_cost_shares_one_timing_among_its_calls(monkeypatch):
    seen = []

    def fake_time_fn(fn, *, warmup, repeats, device):
        seen.append((warmup, repeats, device))
        return hw.Timing(2.0, 1.0, 3.0, 1.0, (2.0,))

    monkeypatch.setattr(hw, "time_fn", fake_time_fn)
    assert hw.torch_call_cost(8, calls=50, repeats=7) == pytest.approx(2.0 / 50)
    assert seen == [(2, 7, "cpu")]
    monkeypatch.undo()
    with hw.threads(1):
        assert 0 < hw.torch_call_cost(8, calls=10, repeats=3) < 1e-3  # microseconds, not a clock tick


def test_bfloat16_is_less_accurate_than_float32():
    rows = {r["dtype"]: r for r in hw.dtype_compare(32, repeats=2)}
    assert rows["float32"]["rel_error"] < 1e-5 < rows["bfloat16"]["rel_error"] < 2e-2


def test_float16_underflow_and_loss_scaling():
    rows = {r["value"]: r for r in hw.underflow_demo((1e-3, 1e-9), scale=1024.0)}
    assert not rows[1e-3]["lost"]
    assert rows[1e-9]["lost"] and not rows[1e-9]["lost_scaled"]
    assert np.float16(2.0**-24) > 0 and np.float16(2.0**-26) == 0  # fp16's smallest subnormal


def test_memory_estimate_counts_params_grads_and_adam_state():
    model = build_mlp(MLPConfig(10, (20,), 3))
    P, A = hw.mlp_sizes(8, 10, 20, 3)
    assert P == count_parameters(model)
    est = hw.training_memory_estimate(P, A, optimizer="adam")
    assert est["params"] == est["grads"] == 4 * P and est["optimizer"] == 8 * P
    assert est["total"] == 16 * P + 4 * A
    assert hw.training_memory_estimate(P, A, optimizer="sgd")["optimizer"] == 0


def test_estimate_is_close_to_measured_numpy_peak_and_the_peak_is_in_the_update():
    m = hw.measure_numpy_training_peak(B=64, D=64, H=128, C=10)
    ratio = m["peak"] / m["estimate"]["total"]
    assert 1.0 <= ratio <= 2.0, f"peak {m['peak']} vs estimate {m['estimate']['total']}"
    assert m["peak_phase"] == "update" and list(m["phases"]) == ["setup", "forward", "backward", "update"]
    assert m["phases"]["setup"] <= m["phases"]["forward"] <= m["phases"]["backward"] <= m["phases"]["update"]


def test_checkpointing_saves_activation_memory():
    r = hw.checkpoint_compare(depth=8, width=16, B=8, segments=4, repeats=1)
    assert r["checkpointed"]["saved_bytes"] < r["plain"]["saved_bytes"]
    assert r["forward_seconds"] > 0 and np.isfinite(r["extra_forwards"])


def test_recomputed_fraction_counts_the_linear_layers_of_all_but_the_last_chunk():
    # 16 hidden blocks + the output layer, all 128 x 128: chunks of 17 // 4 = 4 blocks, 12 recomputed
    from nnbasics.lab.models import MLPConfig, build_mlp

    model = build_mlp(MLPConfig(d_in=128, hidden=(128,) * 16, d_out=128))  # as checkpoint_compare builds it
    assert hw.recomputed_fraction(model, 4) == pytest.approx(12 / 17, rel=1e-15)
    assert hw.recomputed_fraction(model, 1) == 0.0  # one segment: nothing is checkpointed
    assert hw.recomputed_fraction(model, 17) == pytest.approx(16 / 17, rel=1e-15)
    wide = torch.nn.Sequential(torch.nn.Linear(2, 100), torch.nn.ReLU(), torch.nn.Linear(100, 1))
    assert hw.recomputed_fraction(wide, 3) == pytest.approx(200 / 300, rel=1e-15)  # FLOPs, not layer counts
    with pytest.raises(ValueError, match="segments must be <= 3"):
        hw.recomputed_fraction(wide, 4)


def test_checkpoint_memory_is_explained_by_segment_inputs_plus_the_last_segment():
    rows = hw.checkpoint_memory_sweep(depth=8, width=16, B=8, segments=(1, 2, 4, 8))
    assert all(r["saved_bytes"] == r["explained"] for r in rows)
    saved = [r["saved_bytes"] for r in rows]
    assert saved[0] > min(saved) < saved[-1]  # U-shape: too few or too many segments keep more


def test_saved_activation_bytes_of_one_linear_is_its_input():
    lin = torch.nn.Linear(5, 3)
    x = torch.randn(7, 5)
    assert hw.saved_activation_bytes(lambda: lin(x), lin.parameters()) == 7 * 5 * 4


def test_gpu_helpers_degrade_without_a_gpu():
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert hw.transfer_seconds() is None
    assert hw.measure_torch_training_peak_cuda() is None


def test_bad_inputs():
    with pytest.raises(ValueError, match="B must be >= 1"):
        hw.dense_flops(0, 2, 2)
    with pytest.raises(ValueError, match="dtype must be one of"):
        hw.dense_bytes(1, 1, 1, "float8")
    with pytest.raises(TypeError, match="fn must be callable"):
        hw.time_fn(3)
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        hw.time_fn(lambda: None, repeats=0)
    with pytest.raises(ValueError, match="device must be one of"):
        hw.time_fn(lambda: None, device="tpu")
    with pytest.raises(ValueError, match="intensity must be > 0"):
        hw.roofline(1.0, 1.0).attainable([0.0])
    with pytest.raises(ValueError, match="peak_gflops must be >"):
        hw.roofline(0.0, 1.0)
    with pytest.raises(ValueError, match="float16"):
        hw.dtype_compare(8, dtypes=("float16",))
    with pytest.raises(ValueError, match="optimizer must be one of"):
        hw.training_memory_estimate(1, 1, optimizer="lion")
    with pytest.raises(ValueError, match="segments must be <= 4"):
        hw.checkpoint_compare(depth=4, segments=5)
    with pytest.raises(ValueError, match="scale must be >= 1"):
        hw.underflow_demo(scale=0.5)
    with pytest.raises(TypeError, match="timer must be callable"):
        hw.time_fn(lambda: None, timer=3)
    with pytest.raises(ValueError, match="not divisible by n_heads"):
        hw.attention_cost(8, 10, n_heads=3)
    with pytest.raises(TypeError, match="roof must be a Roofline"):
        exp.compute_bound_batch(3, 8, 8)
