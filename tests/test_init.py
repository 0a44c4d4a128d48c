"""nnbasics.core.init: our schemes have torch.nn.init's distributions (fixed seeds), and the depth
facts notebook 06 cites hold."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import init as I
from nnbasics.experiments import nb06_init

FAN_IN, FAN_OUT = 400, 250


def _torch_sample(fn, **kw):
    g = torch.Generator().manual_seed(0)
    w = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)  # torch: (fan_out, fan_in)
    fn(w, generator=g, **kw)
    return w.numpy().T  # ours: (fan_in, fan_out)


def _ks(a, b):
    """Two-sample Kolmogorov-Smirnov statistic: the largest gap between the two ECDFs."""
    a, b = np.sort(a.ravel()), np.sort(b.ravel())
    grid = np.concatenate([a, b])
    return np.max(np.abs(np.searchsorted(a, grid, side="right") / a.size
                         - np.searchsorted(b, grid, side="right") / b.size))


CASES = [
    ("xavier_uniform", torch.nn.init.xavier_uniform_, {}, 2 / (FAN_IN + FAN_OUT),
     math.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("xavier_normal", torch.nn.init.xavier_normal_, {}, 2 / (FAN_IN + FAN_OUT), None),
    ("he_normal", torch.nn.init.kaiming_normal_, {"nonlinearity": "relu"}, 2 / FAN_IN, None),
    ("he_uniform", torch.nn.init.kaiming_uniform_, {"nonlinearity": "relu"}, 2 / FAN_IN,
     math.sqrt(6 / FAN_IN)),
]


@pytest.mark.parametrize("name, torch_fn, kw, var, bound", CASES, ids=[c[0] for c in CASES])
def test_scheme_matches_torch_nn_init(name, torch_fn, kw, var, bound):
    ours = getattr(I, name)((FAN_IN, FAN_OUT), rng=0)
    ref = _torch_sample(torch_fn, **kw)
    assert ours.shape == ref.shape == (FAN_IN, FAN_OUT)
    n = ours.size
    # variance within 4 standard errors of the published value (sd of a sample variance ~ var*sqrt(2/n))
    for label, w in (("ours", ours), ("torch", ref)):
        assert abs(w.var() / var - 1) < 4 * math.sqrt(2 / n), f"{label}: var {w.var()} vs {var}"
        assert abs(w.mean()) < 4 * math.sqrt(var / n)
    # same distribution: KS statistic below the 1% critical value 1.63 sqrt(2/n)
    assert _ks(ours, ref) < 1.63 * math.sqrt(2 / n)
    if bound is not None:
        assert np.abs(ours).max() <= bound and np.abs(ref).max() <= bound
        assert np.abs(ours).max() > 0.999 * bound


def test_normal_and_zeros_and_constant():
    w = I.normal((300, 300), 0.01, rng=1)
    assert w.std() == pytest.approx(0.01, rel=0.01)
    assert not I.zeros((3, 4)).any() and I.zeros((3, 4)).shape == (3, 4)
    assert np.all(I.constant((2, 2), 0.3) == 0.3)


def test_rng_and_dtype_are_arguments():
    a = I.he_normal((5, 7), rng=np.random.default_rng(3))
    b = I.he_normal((5, 7), rng=3)
    assert np.array_equal(a, b) and not np.array_equal(a, I.he_normal((5, 7), rng=4))
    assert I.xavier_uniform((5, 7), rng=0, dtype=np.float32).dtype == np.float32
    assert I.he_normal((100, 10), rng=0, mode="fan_out").std() == pytest.approx(math.sqrt(2 / 10), rel=0.1)


@settings(max_examples=20, deadline=None)
@given(fan_in=st.integers(1, 40), fan_out=st.integers(1, 40), seed=st.integers(0, 100))
def test_uniform_schemes_respect_their_bounds(fan_in, fan_out, seed):
    w = I.xavier_uniform((fan_in, fan_out), rng=seed)
    assert w.shape == (fan_in, fan_out)
    assert np.abs(w).max() <= math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(I.he_uniform((fan_in, fan_out), rng=seed)).max() <= math.sqrt(6 / fan_in)


# ---- facts cited in notebook 06

def test_he_keeps_a_50_layer_relu_mlp_within_a_factor_of_2():
    ratios = []
    for seed in range(6):
        s = nb06_init.activation_stats(depth=50, width=256, activation="relu", scheme="he_normal", rng=seed)
        ratios.append(s.std[1:] / s.std[0])
    ratios = np.array(ratios)
    assert np.all(ratios < 2)  # never explodes
    # at finite width log(std) does a random walk (size ~ sqrt(5 L / H) / 2): most networks
    # stay within a factor of 2, the one shown in the notebook (seed 1) included
    assert np.mean(ratios.min(axis=1) > 0.5) >= 5 / 6 and ratios[1].min() > 0.5


def test_small_normal_collapses_xavier_relu_shrinks_he_tanh_grows():
    small = nb06_init.activation_stats(depth=50, width=256, scheme="normal_0.01", rng=1)
    assert small.std[-1] < 1e-20 * small.std[0]
    xr = nb06_init.activation_stats(depth=50, width=256, scheme="xavier_normal", rng=1)
    assert xr.std[-1] < 1e-3 * xr.std[0]
    assert np.all(np.diff(xr.std[1:]) < 0.1 * xr.std[1:-1])  # shrinks layer after layer (~1/sqrt 2)
    he_t = nb06_init.activation_stats(depth=50, width=256, activation="tanh", scheme="he_normal",
                              input_std=0.1, rng=1)
    xa_t = nb06_init.activation_stats(depth=50, width=256, activation="tanh", scheme="xavier_normal",
                              input_std=0.1, rng=1)
    assert he_t.std[-1] > 4 * he_t.std[0]  # grows until tanh's saturation stops it
    assert xa_t.std[-1] < he_t.std[-1] / 4


def test_zero_and_constant_init_keep_every_hidden_unit_identical():
    z = nb06_init.symmetry_experiment("zeros", epochs=4)
    assert z.unit_spread == 0.0 and z.first_layer_change == 0.0
    c = nb06_init.symmetry_experiment("constant", epochs=4)
    assert c.first_layer_change > 0.1 and c.unit_spread < 1e-8
    he = nb06_init.symmetry_experiment("he", epochs=4)
    assert he.unit_spread > 0.1


def test_activation_stats_histograms_are_fractions():
    s = nb06_init.activation_stats(depth=3, width=16, activation="tanh", scheme="xavier_uniform", rng=0)
    assert s.hist.shape == (4, 40) and np.allclose(s.hist.sum(axis=1), 1.0)
    assert s.std.shape == s.mean.shape == s.frac_saturated.shape == (4,)


# ---- bad input

def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="shape must be a"):
        I.he_normal(5, rng=0)
    with pytest.raises(ValueError, match="fan_in"):
        I.xavier_uniform((0, 3), rng=0)
    with pytest.raises(TypeError, match="rng must be"):
        I.he_uniform((3, 3), rng=None)
    with pytest.raises(ValueError, match="std must be >= 0"):
        I.normal((3, 3), -1.0, rng=0)
    with pytest.raises(ValueError, match="mode must be one of"):
        I.he_normal((3, 3), rng=0, mode="avg")
    with pytest.raises(TypeError, match="floating dtype"):
        I.zeros((3, 3), dtype=np.int64)
    with pytest.raises(ValueError, match="scheme must be one of"):
        I.init_weights("lecun", (3, 3), rng=0)
    with pytest.raises(ValueError, match="activation must be one of"):
        nb06_init.activation_stats(activation="swish")
    with pytest.raises(ValueError, match="x has 3 features"):
        nb06_init.activation_stats(width=4, x=np.ones((2, 3)))
    with pytest.raises(ValueError, match="init must be one of"):
        nb06_init.symmetry_experiment("ones")
