"""nnbasics.core.quantize: symmetric int8 quantization, its error bound and the int32 matmul."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnbasics.core import quantize as qz
from nnbasics.testing import assert_close

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)  # subnormals included


@settings(max_examples=40, deadline=None)
@given(w=arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 5)), elements=finite),
       per_channel=st.booleans())
def test_rounding_error_is_at_most_half_a_step_and_nothing_is_clipped(w, per_channel):
    q, scale = qz.quantize_symmetric(w, per_channel=per_channel)
    assert q.dtype == np.int8 and q.shape == w.shape and scale.shape == (w.shape[1],)
    assert np.all(np.abs(q) <= qz.QMAX) and np.all(scale > 0)
    err = np.abs(qz.dequantize(q, scale) - w)
    assert np.all(err <= scale / 2 * (1 + 1e-12) + 1e-300)
    cols = np.abs(w).max(axis=0) > 0
    if per_channel and cols.any():  # the tightest scale: every non-zero column reaches +-127
        assert np.all(np.abs(q[:, cols]).max(axis=0) == qz.QMAX)


def test_per_channel_beats_per_tensor_on_columns_of_different_scales():
    w = np.random.default_rng(0).standard_normal((64, 8)) * np.logspace(-2, 0, 8)
    err = {pc: np.linalg.norm(qz.dequantize(*qz.quantize_symmetric(w, per_channel=pc)) - w, axis=0)
           / np.linalg.norm(w, axis=0) for pc in (True, False)}
    assert err[False][0] > 10 * err[True][0]  # the smallest column is rounded 100x too coarsely per tensor
    assert np.all(err[True] < 0.01)


def test_zero_columns_and_extreme_magnitudes():
    w = np.array([[0.0, 1e-30, 3e30], [0.0, -2e-30, 1e30]])
    q, scale = qz.quantize_symmetric(w)
    assert np.all(q[:, 0] == 0) and scale[0] == 1.0
    assert np.all(np.abs(qz.dequantize(q, scale) - w) <= scale / 2 * (1 + 1e-12))
    assert_close(scale[1:], [2e-30 / 127, 3e30 / 127], "scales of tiny and huge columns", rtol=1e-15, atol=0)


def test_int8_matmul_matches_float_within_the_rounding_bound():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((5, 32)), rng.standard_normal((32, 4))
    q, scale = qz.quantize_symmetric(w)
    got = qz.int8_matmul(x, q, scale)
    assert np.max(np.abs(got - x @ w)) < 0.05 * np.max(np.abs(x @ w))
    sx = np.abs(x).max(axis=1, keepdims=True) / qz.QMAX
    exact = (np.rint(x / sx) * sx) @ qz.dequantize(q, scale)  # the same numbers in float64
    assert_close(got, exact, "int8 matmul vs the dequantized product", rtol=1e-12, atol=1e-12)


def test_per_row_activation_scales_protect_against_one_outlier_example():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 16))
    x[0] *= 1000.0  # one outlier example
    w = rng.standard_normal((16, 3))
    q, scale = qz.quantize_symmetric(w)
    rel = {pr: np.abs(qz.int8_matmul(x, q, scale, per_row=pr)[1:] - x[1:] @ w).max() for pr in (True, False)}
    assert rel[False] > 10 * rel[True]


def test_int8_products_need_an_int32_accumulator():
    q = np.full((1, 4), 127, dtype=np.int8)
    assert (q.astype(np.int32) @ q.T.astype(np.int32))[0, 0] == 4 * 127 ** 2
    assert (q @ q.T)[0, 0] != 4 * 127 ** 2  # int8 @ int8 wraps around silently


@pytest.mark.parametrize("call, match", [
    (lambda: qz.dequantize(np.zeros((2, 2)), np.ones(2)), "q must be a 2-D int8 array"),
    (lambda: qz.dequantize(np.zeros((2, 2), np.int8), np.ones(3)), "scale has shape"),
    (lambda: qz.int8_matmul(np.ones((1, 3)), np.zeros((2, 2), np.int8), np.ones(2)), "x has 3 features"),
    (lambda: qz.quantize_symmetric(np.ones(3)), "w must be 2-D"),
])
def test_bad_input_is_rejected_with_a_message(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
