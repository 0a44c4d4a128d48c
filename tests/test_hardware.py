"""nnbasics.lab.hardware: counting formulas, timing logic with a fake clock, estimators vs measurements.

No test asserts a wall-clock speed (that belongs to benchmarks); timings are checked for logic only.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

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

    t = hw.time_fn(lambda: time.sleep(0.002), warmup=0, repeats=3)
    assert t.minimum >= 0.002


def test_roofline_logic():
    r = hw.roofline(100.0, 10.0)
    assert r.ridge == 10.0
    assert np.allclose(r.attainable([1.0, 10.0, 100.0]), [10.0, 100.0, 100.0])
    assert r.bound(1.0) == "memory" and r.bound(50.0) == "compute"


def test_measurements_return_positive_numbers():
    with hw.threads(1):
        m = hw.matmul_gflops(64, repeats=2)
        assert m["gflops"] > 0 and m["best_gflops"] >= m["gflops"] and m["flops"] == 2 * 64**3
        assert hw.bandwidth_gbs(100_000, repeats=2) > 0
        rows = hw.batch_sweep((1, 16), D=32, H=32, repeats=2)
        assert [r["B"] for r in rows] == [1, 16] and all(r["throughput"] > 0 for r in rows)


def test_bfloat16_is_less_accurate_than_float32():
    rows = {r["dtype"]: r for r in hw.dtype_compare(32, repeats=1)}
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


def test_estimate_is_close_to_measured_numpy_peak():
    m = hw.measure_numpy_training_peak(B=64, D=64, H=128, C=10)
    ratio = m["peak"] / m["estimate"]["total"]
    assert 1.0 <= ratio <= 2.0, f"peak {m['peak']} vs estimate {m['estimate']['total']}"


def test_checkpointing_saves_activation_memory():
    r = hw.checkpoint_compare(depth=8, width=16, B=8, segments=4, repeats=1)
    assert r["checkpointed"]["saved_bytes"] < r["plain"]["saved_bytes"]


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
