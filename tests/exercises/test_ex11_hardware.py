"""Graded tests for notebook 11's exercises. Oracle: ``nnbasics.lab.hardware``."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.lab import hardware
from nnbasics.lab.models import MLPConfig, build_mlp, count_parameters

EXERCISES = {
    "11.1": {"title": "dense-layer FLOPs, bytes, intensity",
             "hint": "flops = 2*B*D*H; bytes = s*(B*D + D*H + H + B*H) for X, W, b and Y; "
                     "intensity = flops / bytes"},
    "11.2": {"title": "training-memory estimate",
             "hint": "s * (P params + P grads + k*P optimizer state + A activations), "
                     "k = 0 sgd, 1 momentum, 2 adam"},
}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("11")


@pytest.mark.exercise("11.1")
def test_dense_layer_cost_example(ex):
    flops, n_bytes, intensity = ex.dense_layer_cost(32, 1024, 512, 4)
    assert flops == hardware.dense_flops(32, 1024, 512), (
        f"FLOPs {flops}, expected 2*B*D*H = {hardware.dense_flops(32, 1024, 512)}"
        + (": you forgot the factor 2 (multiply AND add)" if flops * 2 == hardware.dense_flops(32, 1024, 512) else ""))
    assert n_bytes == hardware.dense_bytes(32, 1024, 512), (
        f"bytes {n_bytes}, expected {hardware.dense_bytes(32, 1024, 512)}: count X (B*D), W (D*H), "
        "b (H) and Y (B*H), times bytes_per_number")
    assert intensity == pytest.approx(hardware.arithmetic_intensity(32, 1024, 512))


@pytest.mark.exercise("11.1")
@settings(max_examples=30, deadline=None)
@given(B=st.integers(1, 300), D=st.integers(1, 300), H=st.integers(1, 300), s=st.sampled_from([2, 4]))
def test_dense_layer_cost_property(ex, B, D, H, s):
    dtype = {2: "bfloat16", 4: "float32"}[s]
    flops, n_bytes, intensity = ex.dense_layer_cost(B, D, H, s)
    assert (flops, n_bytes) == (hardware.dense_flops(B, D, H), hardware.dense_bytes(B, D, H, dtype))
    assert intensity == pytest.approx(hardware.arithmetic_intensity(B, D, H, dtype))


@pytest.mark.exercise("11.2")
def test_training_memory_of_a_real_mlp(ex):
    P, A = hardware.mlp_sizes(32, 64, 128, 10)
    got = ex.training_memory(P, A, "adam", 4)
    assert P == count_parameters(build_mlp(MLPConfig(d_in=64, hidden=(128,), d_out=10)))
    want = hardware.training_memory_estimate(P, A, optimizer="adam")["total"]
    assert got == want, (f"{got} bytes, expected {want}"
                         + (": one buffer of P numbers is missing — Adam keeps TWO moment buffers, "
                            "and the gradients need P numbers too" if got == want - 4 * P else ""))


@pytest.mark.exercise("11.2")
@pytest.mark.parametrize("opt", ["sgd", "momentum", "adam"])
def test_training_memory_per_optimizer(ex, opt):
    for P, A, s in [(1000, 0, 4), (10, 500, 2), (0, 7, 4)]:
        dtype = {2: "bfloat16", 4: "float32"}[s]
        got = ex.training_memory(P, A, opt, s)
        want = hardware.training_memory_estimate(P, A, optimizer=opt, dtype=dtype)["total"]
        assert got == want, f"training_memory({P}, {A}, {opt!r}, {s}) = {got}, expected {want}"
