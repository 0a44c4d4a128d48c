"""Graded tests for notebook 06's exercises (run against --impl solutions|exercises|PATH).

The published variances (He: 2 / fan_in; Xavier: 2 / (fan_in + fan_out)) and
``torch.nn.init`` are the oracles; the checks are statistical with fixed seeds.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

FAN_IN, FAN_OUT = 500, 125  # different fans, so fan_in/fan_out mix-ups show

EXERCISES = {
    "6.1": {"title": "He normal init",
            "hint": "std = sqrt(2 / fan_in) — rng.normal takes the standard deviation, not the "
                    "variance; use fan_in (the layer's inputs), shape (fan_in, fan_out)"},
    "6.2": {"title": "Xavier uniform init",
            "hint": "a = sqrt(6 / (fan_in + fan_out)) and rng.uniform(-a, a, size=(fan_in, fan_out)); "
                    "U(-a, a) has variance a^2 / 3"},
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
