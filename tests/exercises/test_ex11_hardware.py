"""Graded tests for notebook 11's exercises. Oracles: ``nnbasics.lab.hardware`` and ``nnbasics.core.quantize``."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnbasics.core import quantize
from nnbasics.course.grading_plugin import call_unmodified
from nnbasics.lab import hardware
from nnbasics.lab.models import MLPConfig, build_mlp, count_parameters

EXERCISES = {
    "11.1": {"title": "dense-layer FLOPs, bytes, intensity",
             "hint": "flops = 2*B*D*H; bytes = s*(B*D + D*H + H + B*H) for X, W, b and Y; "
                     "intensity = flops / bytes"},
    "11.2": {"title": "training-memory estimate",
             "hint": "s * (P params + P grads + k*P optimizer state + A activations), "
                     "k = 0 sgd, 1 momentum, 2 adam"},
    "11.3": {"title": "int8 per-channel quantization",
             "hint": "per column h: scale[h] = max_d |W[d, h]| / 127 (1 for a zero column); "
                     "q = round(W / scale) as int8 — round to nearest, do not truncate"},
}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("11")


# ---------------------------------------------------------------- 11.1
def _cost_slip(flops, n_bytes, intensity, B, D, H, s) -> str | None:
    """Name the usual counting slips by comparing with what each one gives."""
    want_f, want_b = 2 * B * D * H, s * (B * D + D * H + H + B * H)
    if flops == want_f // 2:
        return "your FLOPs are half the count: a multiply AND an add per term is 2 FLOPs (2*B*D*H)"
    if n_bytes == s * (B * D + D * H + B * H):
        return "your bytes leave out the bias b (H numbers, read once)"
    if n_bytes == s * (B * D + D * H + H):
        return "your bytes leave out the output Y (B*H numbers, written once)"
    if n_bytes == want_b // s and s > 1:
        return "your bytes count numbers, not bytes: multiply by bytes_per_number"
    if flops == want_f and n_bytes == want_b:
        if np.isclose(intensity, want_b / want_f):
            return "your intensity is bytes per FLOP; arithmetic intensity is FLOPs per byte"
        if intensity == want_f // want_b and want_f % want_b:
            return "your intensity was rounded down: use true division (/), not //"
    return None


def _check_cost(ex, B, D, H, s):
    got = call_unmodified(ex.dense_layer_cost, B, D, H, s)
    if got is None or len(got) != 3:
        pytest.fail("dense_layer_cost must return three values: (flops, n_bytes, intensity)")
    flops, n_bytes, intensity = got
    dtype = {2: "bfloat16", 4: "float32", 8: "float64", 1: "int8"}[s]
    want = (hardware.dense_flops(B, D, H), hardware.dense_bytes(B, D, H, dtype), hardware.arithmetic_intensity(B, D, H, dtype))
    slip = _cost_slip(flops, n_bytes, intensity, B, D, H, s)
    if slip and (flops, n_bytes, intensity) != pytest.approx(want, rel=1e-12):
        pytest.fail(f"dense_layer_cost({B}, {D}, {H}, {s}): {slip}")
    assert flops == want[0], f"FLOPs {flops}, expected {want[0]} for B={B}, D={D}, H={H}"
    assert n_bytes == want[1], (f"bytes {n_bytes}, expected {want[1]}: count X (B*D), W (D*H), b (H) and "
                                f"Y (B*H), times bytes_per_number={s}")
    assert intensity == pytest.approx(want[2], rel=1e-12), f"intensity {intensity}, expected {want[2]} FLOP/byte"


@pytest.mark.exercise("11.1")
def test_dense_layer_cost_example(ex):
    _check_cost(ex, 32, 1024, 512, 4)


@pytest.mark.exercise("11.1")
@settings(max_examples=30, deadline=None)
@given(B=st.integers(1, 300), D=st.integers(1, 300), H=st.integers(1, 300), s=st.sampled_from([1, 2, 4, 8]))
def test_dense_layer_cost_property(ex, B, D, H, s):
    _check_cost(ex, B, D, H, s)


# ---------------------------------------------------------------- 11.2
_STATE = {"sgd": 0, "momentum": 1, "adam": 2}


def _memory_slip(got, P, A, opt, s) -> str | None:
    k = _STATE[opt]
    slips = {
        "one buffer of P numbers is missing: Adam keeps TWO buffers per parameter (first and second moment), "
        "and the gradients need one number per parameter too": s * (3 * P + A) if opt == "adam" else None,
        "the gradients are missing: backward stores one gradient per parameter": s * ((1 + k) * P + A),
        "the activations are counted as numbers, not bytes: multiply A by bytes_per_number too": s * (2 + k) * P + A,
        "the activations are missing: the numbers saved for backward count too": s * (2 + k) * P,
        "momentum SGD keeps ONE velocity per parameter": s * (4 * P + A) if opt == "momentum" else None,
        "plain SGD keeps no optimizer state": s * (3 * P + A) if opt == "sgd" else None,
    }
    want = s * ((2 + k) * P + A)
    for why, wrong in slips.items():
        if wrong is not None and got == wrong != want:
            return why
    return None


def _check_memory(ex, P, A, opt, s):
    got = call_unmodified(ex.training_memory, P, A, opt, s)
    dtype = {2: "bfloat16", 4: "float32", 8: "float64"}[s]
    want = hardware.training_memory_estimate(P, A, optimizer=opt, dtype=dtype)["total"]
    if got != want:
        slip = _memory_slip(got, P, A, opt, s)
        pytest.fail(f"training_memory({P}, {A}, {opt!r}, {s}) = {got}, expected {want} bytes"
                    + (f": {slip}" if slip else ""))


@pytest.mark.exercise("11.2")
def test_training_memory_of_a_real_mlp(ex):
    P, A = hardware.mlp_sizes(32, 64, 128, 10)
    assert P == count_parameters(build_mlp(MLPConfig(d_in=64, hidden=(128,), d_out=10)))
    _check_memory(ex, P, A, "adam", 4)


@pytest.mark.exercise("11.2")
@pytest.mark.parametrize("opt", ["sgd", "momentum", "adam"])
def test_training_memory_per_optimizer(ex, opt):
    for P, A, s in [(1000, 7, 4), (10, 500, 2), (0, 7, 4), (3, 0, 8)]:
        _check_memory(ex, P, A, opt, s)


# ---------------------------------------------------------------- 11.3
def _quant_slip(q, scale, W) -> str | None:
    """Name the usual quantization slips by the numbers they produce."""
    amax = np.abs(W).max(axis=0)
    nz = amax > 0  # zero columns may carry any positive scale
    if q.dtype != np.int8:
        return f"q has dtype {q.dtype}: store the integers as np.int8 (one byte each)"
    if not np.all(np.isfinite(scale)) or not np.all(scale[~nz] > 0):
        return "a column of zeros gave a scale of 0 or NaN (0 / 0): give such a column any positive scale, e.g. 1"
    if not nz.any():
        return None
    sc, am = scale[nz], amax[nz]

    def same(a):
        return np.allclose(sc, a, rtol=1e-9, atol=0)

    if not same(am / 127):
        if nz.sum() > 1 and same(np.full(sc.shape, am.max() / 127)):
            return "one scale for the whole matrix: each output channel (column) needs its own scale"
        if W.shape[0] == W.shape[1] and same(np.abs(W).max(axis=1)[nz] / 127):
            return "the scales follow the rows; the output channels of x @ W are the COLUMNS (axis=0 max)"
        if same(am / 128):
            return "scale = max / 128 lets the largest weight round to 128, which does not fit in int8 (it wraps to -128)"
        if same(W.max(axis=0)[nz] / 127):
            return "the scale uses the largest weight, not the largest MAGNITUDE: negative weights get clipped"
        return None
    step = np.abs(W[:, nz] / sc - q[:, nz].astype(np.float64))
    if step.max() > 0.5 + 1e-9:
        return (f"rounding error of {step.max():.2f} steps: astype(int8) truncates towards 0; round to the "
                "nearest integer first (np.round / np.rint)")
    return None


def _check_quant(ex, W, where):
    got = call_unmodified(ex.quantize_per_channel, W)
    if got is None or len(got) != 2:
        pytest.fail("quantize_per_channel must return (q, scale)")
    q, scale = np.asarray(got[0]), np.asarray(got[1], dtype=np.float64) if got[1] is not None else None
    if scale is not None and scale.size == W.shape[1]:
        scale = scale.reshape(-1)  # a keepdims (1, H) scale is the same answer
    if scale is not None and scale.shape == (W.shape[0],) and W.shape[0] != W.shape[1]:
        pytest.fail(f"{where}: scale has one entry per ROW (D={W.shape[0]}); the output channels of x @ W are the "
                    f"H={W.shape[1]} columns: take the maximum over axis 0")
    if scale is None or q.shape != W.shape or scale.shape != (W.shape[1],):
        pytest.fail(f"{where}: q must have W's shape {W.shape} and scale shape (H,) = ({W.shape[1]},), got "
                    f"{q.shape} and {None if scale is None else scale.shape}")
    slip = _quant_slip(q, scale, W)
    if slip:
        pytest.fail(f"{where}: {slip}")
    ref_q, ref_scale = quantize.quantize_symmetric(W)
    # float64: max/127 is one correctly rounded division, so equal scales agree to 1 ulp (rtol 1e-12);
    # zero columns may carry any positive scale.
    nonzero = np.abs(W).max(axis=0) > 0
    bad = ~np.isclose(scale, ref_scale, rtol=1e-12, atol=0) & nonzero
    if bad.any():
        h = int(np.flatnonzero(bad)[0])
        pytest.fail(f"{where}: scale[{h}] = {scale[h]:.6g} but the tightest scale that clips no weight of column "
                    f"{h} is {ref_scale[h]:.6g} (ratio {scale[h] / ref_scale[h]:.4g})")
    if np.abs(q.astype(np.int64)).max() > 127:
        pytest.fail(f"{where}: q reaches {np.abs(q.astype(np.int64)).max()}; the symmetric range is [-127, 127]")
    err = np.abs(q.astype(np.float64) * scale - W)
    bound = scale / 2 * (1 + 1e-9)  # round to nearest: at most half a step (+ float64 rounding)
    if np.any(err > bound):
        d, h = np.unravel_index(np.argmax(err / bound), err.shape)
        pytest.fail(f"{where}: W[{d}, {h}] = {W[d, h]:.6g} comes back as {q[d, h] * scale[h]:.6g}, an error of "
                    f"{err[d, h] / scale[h]:.2f} steps (at most 0.5 with rounding to nearest)")
    assert np.array_equal(q[:, ~nonzero], np.zeros((W.shape[0], int((~nonzero).sum())), np.int8)), \
        f"{where}: a column of zeros must quantize to zeros"
    return q, scale


@pytest.mark.exercise("11.3", points=2)
def test_quantize_per_channel_example(ex):
    W = np.array([[0.5, -2.0, 0.01], [-1.0, 1.0, 0.02], [0.25, 0.5, -0.04], [0.1, 1.5, 0.0]])
    q, scale = _check_quant(ex, W, "a (4, 3) matrix whose columns have different ranges")
    assert np.abs(q.astype(int)).max(axis=0).tolist() == [127, 127, 127]


@pytest.mark.exercise("11.3")
def test_quantize_per_channel_is_per_column(ex):
    """Scaling one column must not change the other columns' integers."""
    W = np.random.default_rng(0).standard_normal((16, 5))
    q1, _ = _check_quant(ex, W, "a random (16, 5) matrix")
    W2 = W.copy()
    W2[:, 2] *= 1000.0
    q2, _ = _check_quant(ex, W2, "the same matrix with column 2 x 1000")
    assert np.array_equal(np.delete(q1, 2, axis=1), np.delete(q2, 2, axis=1)), \
        "scaling column 2 changed other columns: each output channel needs its own scale"


@pytest.mark.exercise("11.3")
def test_quantize_per_channel_edge_cases(ex):
    _check_quant(ex, np.array([[3.0]]), "a 1x1 matrix")
    _check_quant(ex, np.array([[-2.0, 0.0, 1e-30, 4e30]]), "one row: a negative, a zero, a tiny and a huge column")
    _check_quant(ex, np.zeros((3, 2)), "an all-zero matrix")
    _check_quant(ex, np.linspace(-1, 1, 12).reshape(12, 1), "one column")
    _check_quant(ex, -np.abs(np.random.default_rng(1).standard_normal((6, 4))), "all-negative weights")


@pytest.mark.exercise("11.3")
@settings(max_examples=30, deadline=None)
@given(W=arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 6)),
                elements=st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, allow_subnormal=False)))
def test_quantize_per_channel_property(ex, W):
    _check_quant(ex, W, f"a {W.shape} matrix")
