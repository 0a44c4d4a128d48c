"""Graded tests for notebook 06's exercises (run against --impl solutions|exercises|PATH).

The published variances (He: 2 / fan_in; Xavier: 2 / (fan_in + fan_out)) and
``torch.nn.init`` are the oracles; the checks on random weights are statistical with fixed
seeds: a variance estimated from fan_in * fan_out = 62 500 draws has a relative standard error
of sqrt(2 / 62500) = 0.6 %, so the 5 % tolerance is ~9 standard errors (no false failures for
any correct idiom, e.g. std * rng.standard_normal(...)). 6.3 is a closed form: compared with
torch's gain / sqrt(fan) to rtol 1e-12 (float64 rounding of a few operations is ~1e-16).
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.testing import assert_close

FAN_IN, FAN_OUT = 500, 125  # different fans, so fan_in/fan_out mix-ups show

EXERCISES = {
    "6.1": {"title": "He normal init",
            "hint": "std = sqrt(2 / fan_in) — rng.normal takes the standard deviation, not the "
                    "variance; use fan_in (the layer's inputs), shape (fan_in, fan_out)"},
    "6.2": {"title": "Xavier uniform init",
            "hint": "a = sqrt(6 / (fan_in + fan_out)) and rng.uniform(-a, a, size=(fan_in, fan_out)); "
                    "U(-a, a) has variance a^2 / 3"},
    "6.3": {"title": "Kaiming std for Leaky ReLU (derived)",
            "hint": "forward: Var(z) = fan_in sigma^2 E[f(z_prev)^2] and E[f(z)^2] = (1 + a^2)/2 E[z^2] "
                    "for a symmetric z; backward: the same with fan_out and E[f'(z)^2] = (1 + a^2)/2; "
                    "solve for sigma and return sqrt(2 / ((1 + a^2) fan))"},
}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("06")


def _diagnose_var(var, expected, name):
    """Turn a wrong variance into the usual mistake's name."""
    mistakes = {
        2 / FAN_OUT: "you used fan_out; He init divides by fan_in (the number of inputs)",
        (2 / FAN_IN) ** 2: "your variance is (2/fan_in)^2: you passed the variance 2/fan_in as the "
                           "std — take its square root",
        1 / FAN_IN: "variance 1/fan_in is LeCun init; ReLU needs the factor 2 (He)",
        2 / (FAN_IN + FAN_OUT): "that is Xavier's variance 2/(fan_in+fan_out)",
        6 / (FAN_IN + FAN_OUT): "variance 6/(fan_in+fan_out): sqrt(6/(fan_in+fan_out)) is the "
                                "uniform *bound* a, and Var(U(-a, a)) = a^2 / 3",
        (2 / (FAN_IN + FAN_OUT)) ** 2: "you passed the variance as the std/bound: take a square root",
        1 / FAN_IN ** 2: "std = 1/fan_in is too small: the std is sqrt(2/fan_in)",
    }
    if abs(var / expected - 1) < 0.05:
        return
    for wrong, msg in mistakes.items():
        if abs(var / wrong - 1) < 0.1:
            raise AssertionError(f"{name}: variance {var:.3g} but expected {expected:.3g} — {msg}")
    raise AssertionError(f"{name}: variance {var:.3g} but expected {expected:.3g}")


def _check_shape(W, name):
    W = np.asarray(W)
    if W.shape == (FAN_OUT, FAN_IN):
        raise AssertionError(f"{name}: shape {W.shape} is transposed; the course's W is (fan_in, fan_out) "
                             "so that a layer computes x @ W")
    assert W.shape == (FAN_IN, FAN_OUT), f"{name}: shape {W.shape}, expected (fan_in, fan_out) = {(FAN_IN, FAN_OUT)}"
    return W


@pytest.mark.exercise("6.1", points=2)
def test_he_normal_variance_and_shape(ex):
    W = _check_shape(ex.he_normal(FAN_IN, FAN_OUT, np.random.default_rng(0)), "he_normal")
    _diagnose_var(W.var(), 2 / FAN_IN, "he_normal")
    assert abs(W.mean()) < 4 * math.sqrt(2 / FAN_IN / W.size), f"he_normal: mean {W.mean():.3g} is not ~0"
    assert np.abs(W).max() > math.sqrt(6 / FAN_IN), "he_normal: no tails — did you draw a uniform instead of a normal?"


@pytest.mark.exercise("6.1")
def test_he_normal_matches_torch_kaiming_normal(ex):
    W = np.asarray(ex.he_normal(FAN_IN, FAN_OUT, np.random.default_rng(1)))
    ref = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)
    torch.nn.init.kaiming_normal_(ref, nonlinearity="relu", generator=torch.Generator().manual_seed(1))
    q = [0.01, 0.1, 0.5, 0.9, 0.99]
    ours, theirs = np.quantile(W, q), np.quantile(ref.numpy(), q)
    assert np.allclose(ours, theirs, atol=0.1 * math.sqrt(2 / FAN_IN)), (
        f"he_normal quantiles {np.round(ours, 4)} differ from torch.nn.init.kaiming_normal_'s {np.round(theirs, 4)}")


@pytest.mark.exercise("6.1")
def test_he_normal_uses_the_given_rng(ex):
    a = ex.he_normal(20, 10, np.random.default_rng(7))
    b = ex.he_normal(20, 10, np.random.default_rng(7))
    c = ex.he_normal(20, 10, np.random.default_rng(8))
    assert np.array_equal(a, b), "same seed, different weights: draw from the rng argument (not np.random)"
    assert not np.array_equal(a, c), "different seeds gave the same weights: use the rng argument"


@pytest.mark.exercise("6.2", points=2)
def test_xavier_uniform_bound_variance_and_shape(ex):
    W = _check_shape(ex.xavier_uniform(FAN_IN, FAN_OUT, np.random.default_rng(0)), "xavier_uniform")
    a = math.sqrt(6 / (FAN_IN + FAN_OUT))
    assert np.abs(W).max() <= a, (f"xavier_uniform: |W| reaches {np.abs(W).max():.4g} > a = "
                                  f"sqrt(6/(fan_in+fan_out)) = {a:.4g}")
    assert np.abs(W).max() > 0.99 * a, (f"xavier_uniform: the largest |W| is {np.abs(W).max():.4g}, "
                                        f"far inside a = {a:.4g}: the bound is sqrt(6/(fan_in+fan_out))")
    _diagnose_var(W.var(), 2 / (FAN_IN + FAN_OUT), "xavier_uniform")
    hist = np.histogram(W, bins=10, range=(-a, a))[0] / W.size
    assert np.all(np.abs(hist - 0.1) < 0.02), f"xavier_uniform is not flat on [-a, a]: bin fractions {np.round(hist, 3)}"


@pytest.mark.exercise("6.2")
@settings(max_examples=20, deadline=None)
@given(fan_in=st.integers(1, 30), fan_out=st.integers(1, 30), seed=st.integers(0, 1000))
def test_xavier_uniform_property_shape_and_bound(ex, fan_in, fan_out, seed):
    W = np.asarray(ex.xavier_uniform(fan_in, fan_out, np.random.default_rng(seed)))
    assert W.shape == (fan_in, fan_out), f"shape {W.shape}, expected {(fan_in, fan_out)}"
    assert np.abs(W).max() <= math.sqrt(6 / (fan_in + fan_out))


@pytest.mark.exercise("6.2")
def test_xavier_uniform_uses_the_given_rng(ex):
    a = ex.xavier_uniform(20, 10, np.random.default_rng(7))
    b = ex.xavier_uniform(20, 10, np.random.default_rng(7))
    c = ex.xavier_uniform(20, 10, np.random.default_rng(8))
    assert np.array_equal(a, b), "same seed, different weights: draw from the rng argument (not np.random)"
    assert not np.array_equal(a, c), "different seeds gave the same weights: use the rng argument"


# ---------------------------------------------------------------- 6.3

def _torch_std(fan_in, fan_out, a, mode):
    return torch.nn.init.calculate_gain("leaky_relu", a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def _kaiming_mistakes(got, fan_in, fan_out, a, mode):
    fan, other = (fan_in, fan_out) if mode == "fan_in" else (fan_out, fan_in)
    ref = _torch_std(fan_in, fan_out, a, mode)
    mistakes = [
        (ref**2, "you returned the variance sigma^2; return the standard deviation sigma"),
        (math.sqrt(2 / ((1 + a) * fan)), "Leaky ReLU keeps a^2 (not a) times the negative half of "
                                          "E[z^2]: the factor is (1 + a^2) / 2"),
        (math.sqrt(2 / fan), "your std does not depend on negative_slope: Leaky ReLU keeps more of "
                             "E[z^2] than ReLU does"),
        (math.sqrt(2 / ((1 + a * a) * other)), f"mode={mode!r} keeps the "
                                               f"{'forward pass: divide by fan_in' if mode == 'fan_in' else 'backward pass: divide by fan_out'}"),
    ]
    for wrong, msg in mistakes:
        if abs(got / wrong - 1) < 1e-9 and abs(wrong / ref - 1) > 1e-6:
            raise AssertionError(f"kaiming_std({fan_in}, {fan_out}, {a}, {mode!r}) = {got:.6g}: {msg}")


CASES = [(500, 125, 0.2, "fan_in"), (500, 125, 0.2, "fan_out"), (64, 256, 0.5, "fan_out"),
         (64, 256, 0.5, "fan_in"), (500, 125, 0.0, "fan_in"), (7, 3, 1.0, "fan_out")]


@pytest.mark.exercise("6.3", points=2)
def test_kaiming_std_matches_torch(ex):
    for fan_in, fan_out, a, mode in CASES:
        got = ex.kaiming_std(fan_in, fan_out, a, mode)
        assert np.ndim(got) == 0, f"kaiming_std must return one number, got {type(got).__name__} of shape {np.shape(got)}"
        got = float(got)
        _kaiming_mistakes(got, fan_in, fan_out, a, mode)
        assert_close(got, _torch_std(fan_in, fan_out, a, mode),
                     f"kaiming_std({fan_in}, {fan_out}, {a}, {mode!r}) vs torch's gain / sqrt(fan)", rtol=1e-12, atol=0)


@pytest.mark.exercise("6.3")
def test_kaiming_std_relu_and_linear_limits(ex):
    assert_close(float(ex.kaiming_std(50, 20, 0.0, "fan_in")), math.sqrt(2 / 50),
                 "negative_slope = 0 is ReLU: He's sqrt(2 / fan_in)", rtol=1e-12, atol=0)
    assert_close(float(ex.kaiming_std(50, 20, 1.0, "fan_in")), math.sqrt(1 / 50),
                 "negative_slope = 1 is a linear layer: sqrt(1 / fan_in)", rtol=1e-12, atol=0)
    assert_close(float(ex.kaiming_std(1, 1, 0.0, "fan_out")), math.sqrt(2), "fan 1", rtol=1e-12, atol=0)


def _leaky(z, a):
    return np.where(z > 0, z, a * z)


@pytest.mark.exercise("6.3")
def test_kaiming_std_keeps_second_moments_through_depth(ex):
    """The property the std is for: 20 Leaky ReLU layers of alternating widths."""
    a, widths = 0.3, [300, 150] * 10 + [300]
    rng = np.random.default_rng(0)
    for mode in ("fan_in", "fan_out"):
        h = rng.standard_normal((200, widths[0]))
        Ws, zs = [], []
        for n_in, n_out in zip(widths[:-1], widths[1:]):
            W = float(ex.kaiming_std(n_in, n_out, a, mode)) * rng.standard_normal((n_in, n_out))
            z = (_leaky(h, a) if zs else h) @ W
            Ws.append(W)
            zs.append(z)
            h = z
        if mode == "fan_in":
            m = [np.mean(z**2) for z in zs[1:]]  # z_1 sees the raw input, not f(z)
            what = "forward E[z^2]"
        else:
            d = rng.standard_normal(zs[-1].shape)
            m = [np.mean(d**2)]
            for W, z in zip(Ws[:0:-1], zs[-2::-1]):
                d = np.where(z > 0, 1.0, a) * (d @ W.T)
                m.append(np.mean(d**2))
            what = "backward E[(dL/dz)^2]"
        per_layer = np.exp(np.mean(np.diff(np.log(m))))
        assert 0.9 < per_layer < 1.1, (f"with mode={mode!r} your std multiplies the {what} by {per_layer:.3f} "
                                       "per layer on average; it must keep it (factor 1)")
