"""nnbasics.core.conv: im2col convolutions against torch.nn.functional.conv1d/conv2d in float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import conv
from nnbasics.experiments import nb12_beyond_mlp
from nnbasics.testing import assert_close


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), (3, 2)])
def test_conv1d_matches_torch(stride, padding):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 11)), rng.standard_normal((4, 3, 3)), rng.standard_normal(4)
    out, _ = conv.conv1d_forward(x, w, b, stride=stride, padding=padding)
    ref = F.conv1d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride=stride, padding=padding)
    assert_close(out, ref, "conv1d")


@pytest.mark.parametrize("stride, padding, k", [(1, 0, 3), (2, 1, 3), (1, 2, 5), (2, 0, 2)])
def test_conv2d_forward_and_backward_match_torch(stride, padding, k):
    rng = np.random.default_rng(1)
    x = torch.from_numpy(rng.standard_normal((2, 3, 7, 6))).requires_grad_()
    w = torch.from_numpy(rng.standard_normal((4, 3, k, k))).requires_grad_()
    b = torch.from_numpy(rng.standard_normal(4)).requires_grad_()
    ref = F.conv2d(x, w, b, stride=stride, padding=padding)
    dout = torch.from_numpy(rng.standard_normal(ref.shape))
    (ref * dout).sum().backward()
    out, cache = conv.conv2d_forward(x.detach().numpy(), w.detach().numpy(), b.detach().numpy(),
                                     stride=stride, padding=padding)
    assert_close(out, ref, "conv2d")
    dx, dw, db = conv.conv2d_backward(dout.numpy(), cache)
    assert_close(dx, x.grad, "dx")
    assert_close(dw, w.grad, "dw")
    assert_close(db, b.grad, "db")


def test_conv_is_a_dense_layer_applied_to_every_patch():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    out, _ = conv.conv2d_forward(x, w)
    patch = x[0, :, 1:4, 2:5].ravel()  # the receptive field of output (1, 2)
    assert_close(out[0, :, 1, 2], w.reshape(3, -1) @ patch, "out at (1, 2)")
    cols = conv.im2col_2d(x, 3, 3)
    assert cols.shape == (1, 9, 18)


def test_cross_correlation_not_flipped():
    x = np.array([[[0.0, 1.0, 2.0, 3.0]]])
    out, _ = conv.conv1d_forward(x, np.array([[[1.0, 0.0]]]))
    assert_close(out, [[[0.0, 1.0, 2.0]]], "kernel [1, 0] picks the left element")


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 1000), n=st.integers(3, 9), k=st.integers(1, 3),
       stride=st.integers(1, 3), padding=st.integers(0, 2))
def test_col2im_is_the_adjoint_of_im2col(seed, n, k, stride, padding):
    """<im2col(x), y> == <x, col2im(y)> for all x, y: the definition of the backward pass."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, 2, n, n))
    cols = conv.im2col_2d(x, k, k, stride, padding)
    y = rng.standard_normal(cols.shape)
    lhs = np.sum(cols * y)
    rhs = np.sum(x * conv.col2im_2d(y, x.shape, k, k, stride, padding))
    assert abs(lhs - rhs) < 1e-9 * (1 + abs(lhs))


def test_parameter_counts_digit_example():
    """The notebook's fact: 8 filters of 3x3 on an 8x8 image need 80 parameters; a dense layer
    producing the same 8x8x8 output needs (64 + 1) * 512 = 33,280 — 416 times more."""
    counts = conv.parameter_counts((1, 8, 8), 8, 3, padding=1)
    assert counts["conv"] == 8 * (9 + 1) == 80
    assert counts["dense"] == 65 * 512 == 33_280
    assert counts["ratio"] == 416
    layer = torch.nn.Conv2d(1, 8, 3, padding=1)
    assert sum(p.numel() for p in layer.parameters()) == counts["conv"]


def test_tiny_cnn_shapes_and_reproducibility():
    a, b = nb12_beyond_mlp.build_tiny_cnn(seed=0), nb12_beyond_mlp.build_tiny_cnn(seed=0)
    x = torch.zeros(5, 64)
    assert a(x).shape == (5, 10)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


@pytest.mark.parametrize("call, match", [
    (lambda: conv.conv1d_forward(np.ones((1, 2, 5)), np.ones((3, 4, 2))), "C=2 channels but w expects C=4"),
    (lambda: conv.conv1d_forward(np.ones((1, 2, 5)), np.ones((3, 2, 2)), np.ones(2)), r"b must have shape \(F,\)"),
    (lambda: conv.conv1d_forward(np.ones((1, 2, 2)), np.ones((3, 2, 5))), "larger than the padded input"),
    (lambda: conv.conv2d_forward(np.ones((2, 5, 5)), np.ones((3, 2, 2, 2))), "x must be 4-D"),
    (lambda: conv.conv2d_forward(np.ones((1, 2, 5, 5)), np.ones((3, 2, 2, 2)), stride=0), "stride must be >= 1"),
    (lambda: conv.conv2d_backward(np.ones((1, 3, 2, 2)),
                                  conv.conv2d_forward(np.ones((1, 2, 5, 5)), np.ones((3, 2, 2, 2)))[1]),
     "dout must have shape"),
    (lambda: conv.parameter_counts((8, 8), 0, 3), "out_channels must be >= 1"),
    (lambda: conv.parameter_counts(64, 4, 3), "in_shape must be"),
    (lambda: nb12_beyond_mlp.build_tiny_cnn(n_classes=1), "n_classes must be >= 2"),
])
def test_bad_input_is_rejected_with_a_message(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# --------------------------------------------------------------------------- pooling
@pytest.mark.parametrize("shape, k, stride", [((2, 3, 7, 6), 2, None), ((1, 2, 7, 7), 3, 2),
                                              ((2, 1, 5, 4), 2, 1), ((1, 1, 1, 1), 1, None)])
def test_maxpool_forward_and_backward_match_torch(shape, k, stride):
    x = np.random.default_rng(0).standard_normal(shape)
    t = torch.from_numpy(x).requires_grad_()
    ref = F.max_pool2d(t, k, stride=stride)
    dout = np.random.default_rng(1).standard_normal(ref.shape)
    (ref * torch.from_numpy(dout)).sum().backward()
    out, cache = conv.maxpool2d_forward(x, k, stride=stride)
    assert_close(out, ref, "maxpool output")
    assert_close(conv.maxpool2d_backward(dout, cache), t.grad, "maxpool dx")


def test_maxpool_gradient_goes_to_the_winner_only():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    out, cache = conv.maxpool2d_forward(x, 2)
    dx = conv.maxpool2d_backward(np.ones_like(out), cache)
    assert out.ravel().tolist() == [5.0, 7.0, 13.0, 15.0]
    assert dx.sum() == 4 and dx[0, 0, 1, 1] == dx[0, 0, 3, 3] == 1 and dx[0, 0, 0, 0] == 0


# --------------------------------------------------------------------------- receptive field
@settings(max_examples=25, deadline=None)
@given(layers=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3)), min_size=1, max_size=4))
def test_receptive_field_equals_the_gradient_footprint(layers):
    """The formula against autograd: which inputs does one unit of each layer depend on?"""
    kernels, strides = zip(*layers)
    sizes, jumps = conv.receptive_field(kernels, strides)
    assert_close(sizes, nb12_beyond_mlp.gradient_footprint(kernels, strides).sizes, "receptive field sizes")
    assert jumps.tolist() == np.cumprod(strides).tolist()


def test_receptive_field_of_stride_one_stacks_grows_by_k_minus_one():
    sizes, _ = conv.receptive_field([3] * 5, [1] * 5)
    assert sizes.tolist() == [3, 5, 7, 9, 11]


def test_footprint_masks_cover_the_receptive_field():
    fp = nb12_beyond_mlp.gradient_footprint([3, 2, 3], [1, 2, 1])
    sizes, _ = conv.receptive_field([3, 2, 3], [1, 2, 1])
    idx = np.flatnonzero(fp.masks[0])
    assert idx[-1] - idx[0] + 1 == sizes[-1] and fp.masks[-1].sum() == 1


@pytest.mark.parametrize("call, match", [
    (lambda: conv.receptive_field([3, 3], [1]), "kernels has 2 layers but strides has 1"),
    (lambda: conv.receptive_field([], []), "kernels must be a non-empty sequence"),
    (lambda: conv.receptive_field([0], [1]), r"kernels\[0\] must be >= 1"),
    (lambda: conv.maxpool2d_forward(np.ones((1, 1, 2, 2)), 3), "kernel size k=3 is larger"),
    (lambda: conv.maxpool2d_backward(np.ones((1, 1, 2, 2)), conv.maxpool2d_forward(np.ones((1, 1, 2, 2)), 2)[1]),
     "dout must have shape"),
])
def test_new_bad_input_is_rejected_with_a_message(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
