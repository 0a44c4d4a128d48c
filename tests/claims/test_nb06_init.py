"""Notebook 06's claims, re-measured over seeds (issue 15). Each test names the sentence it backs."""

import numpy as np
import pytest

from nnbasics.experiments import nb06_init as exp
from nnbasics.viz import nb06_init as widgets

SEEDS = range(5)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_symmetry_and_one_unit(seed):
    """§1: zeros never move; constant units move in lockstep and match a one-unit network within
    2 points; He breaks the symmetry and is the most accurate."""
    z, c, h = (exp.symmetry_experiment(n, hidden=16, epochs=20, seed=seed) for n in ("zeros", "constant", "he"))
    one = exp.symmetry_experiment("constant", hidden=1, epochs=20, seed=seed)
    assert z.unit_spread == 0.0 and z.first_layer_change == 0.0
    assert c.first_layer_change > 0.1 and c.unit_spread < 1e-8
    assert h.unit_spread > 0.1 and h.accuracy > c.accuracy > z.accuracy
    assert abs(c.accuracy - one.accuracy) <= 0.02


@pytest.mark.parametrize("seed", SEEDS)
def test_small_and_large_normal_and_the_float32_layer(seed):
    """§2: x0.11 and x11 per layer; ~1e-48 and ~1e52 after 50 layers; float32 overflows at layer 37."""
    small = exp.activation_stats(depth=50, width=256, scheme="normal_0.01", rng=seed)
    large = exp.activation_stats(depth=50, width=256, scheme="normal_1", rng=seed)
    assert 0.10 < (small.rms[-1] / small.rms[0]) ** (1 / 50) < 0.12 and small.rms[-1] < 1e-45
    assert 10.5 < (large.rms[-1] / large.rms[0]) ** (1 / 50) < 12 and large.rms[-1] > 1e50
    assert int(np.argmax(large.rms > np.finfo(np.float32).max)) == 37


def test_widget_tanh_prose():
    """§2 'Try it': Xavier + tanh decays to ~0.15 of the input std over 20 layers; N(0, 1) looks flat
    with most units saturated."""
    x, n1 = widgets.depth_profile(20, 64, "tanh", "xavier_normal"), widgets.depth_profile(20, 64, "tanh", "normal_1")
    assert 0.1 < x.std[-1] / x.std[0] < 0.2 and 0.8 < n1.std[-1] / n1.std[0] < 1.1 and n1.frac_saturated[-1] > 0.5


@pytest.mark.parametrize("seed", range(10))
def test_funnel_one_pass_flat_other_drifts_by_the_width_ratio(seed):
    """§3: with fan_in the forward pass is flat and the backward one drifts by ~sqrt(1024/64) = 4 (and
    the reverse for fan_out), not exponentially."""
    funnel = (2048, 1024, 512, 256, 128, 64)
    fi = exp.signal_propagation(funnel, mode="fan_in", rng=seed)
    fo = exp.signal_propagation(funnel, mode="fan_out", rng=seed)
    assert np.ptp(np.log(fi.forward_rms)) < np.log(1.3) and np.ptp(np.log(fo.backward_rms)) < np.log(1.3)
    assert 3 < fo.forward_rms[-1] / fo.forward_rms[0] < 5 and 3 < fi.backward_rms[-1] / fi.backward_rms[0] < 5


@pytest.mark.parametrize("first", [0, 100, 200])
def test_single_input_random_walk_matches_the_theory(first):
    """§3 self-check: for one input, sd of log(RMS_L/RMS_0) ~ sqrt(5L/H)/2, mean ~ -5L/(4H)."""
    w = exp.log_rms_walk(width=64, n=1, networks=100, first_seed=first)
    assert abs(w["log_ratio"].std() / w["theory_sd"] - 1) < 0.15
    assert abs(w["log_ratio"].mean() - w["theory_mean"]) < 0.3


@pytest.mark.slow
def test_about_seven_in_ten_networks_stay_within_a_factor_two():
    """§3: at width 256, depth 50, 128 inputs: 28 of 40 networks within x2 at every layer (16 of the
    first 20); the batch's sd is below the one-input theory."""
    w = exp.log_rms_walk(width=256, n=128, networks=40)
    assert 0.6 <= w["within2"].mean() <= 0.8 and w["within2"][:20].sum() == 16
    assert w["log_ratio"].std() < w["theory_sd"]


@pytest.mark.parametrize("seed", SEEDS)
def test_mismatched_pairs(seed):
    """§3: Xavier + ReLU x 1/sqrt 2 per layer; He + tanh settles near 0.55 with < 1 % saturated;
    Xavier + tanh stays 4x smaller."""
    xr = exp.activation_stats(depth=50, width=256, scheme="xavier_normal", rng=seed)
    ht = exp.activation_stats(depth=50, width=256, activation="tanh", scheme="he_normal", input_std=0.1, rng=seed)
    xt = exp.activation_stats(depth=50, width=256, activation="tanh", scheme="xavier_normal", input_std=0.1, rng=seed)
    assert abs((xr.rms[-1] / xr.rms[0]) ** (1 / 50) - 2**-0.5) < 0.02
    assert 0.5 < ht.std[-1] < 0.6 and ht.frac_saturated.max() < 0.01 and xt.std[-1] < ht.std[-1] / 4


@pytest.mark.parametrize("seed", SEEDS)
def test_gains(seed):
    """§4: tanh gain 1 falls to 0.08-0.11 RMS by layer 50, 5/3 settles at 0.6-0.7 with < 2 % saturated;
    SELU + LeCun keeps mean 0 / std 1; torch's 3/4 shrinks it below 0.3."""
    t1, t53 = (exp.activation_stats(depth=50, width=256, activation="tanh", scheme="xavier_normal", gain=g, rng=seed)
               for g in (1.0, 5 / 3))
    s1, s34 = (exp.activation_stats(depth=50, width=256, activation="selu", scheme="xavier_normal", gain=g, rng=seed)
               for g in (1.0, 0.75))
    assert 0.08 < t1.rms[-1] < 0.11 and 0.6 < t53.rms[-1] < 0.7 and t53.frac_saturated[-1] < 0.02
    assert abs(s1.std[-1] - 1) < 0.05 and abs(s1.mean[-1]) < 0.05 and s34.std[-1] < 0.3


@pytest.mark.parametrize("seed", SEEDS)
def test_dynamical_isometry(seed):
    """§5: orthogonal linear: every singular value 1; tanh orthogonal (small input): between 0.4 and
    0.9; Gaussian: < 20 % within x2, median ~1e-5; ReLU: at least half of them 0."""
    sv = lambda **kw: exp.jacobian_singular_values(depth=32, width=128, rng=seed, **kw)  # noqa: E731
    near = lambda s: np.mean((s > 0.5) & (s < 2))  # noqa: E731
    assert np.allclose(sv(activation="linear", scheme="orthogonal"), 1.0)
    t = sv(activation="tanh", scheme="orthogonal", input_std=0.1)
    assert 0.4 < t.min() and t.max() < 0.9
    for act, kw in (("linear", {}), ("tanh", {"input_std": 0.1})):
        g = sv(activation=act, scheme="xavier_normal", **kw)
        assert near(g) < 0.2 and 1e-6 < np.median(g) < 1e-4
    assert np.median(sv(activation="relu", scheme="orthogonal", gain=2**0.5)) < 1e-12


@pytest.mark.slow(expected_s=20)
def test_training_curves():
    """§6 over seeds 0-9: zero and small never leave ln 10; He and orthogonal end below Xavier < ln 10 - 1
    at > 87 % validation accuracy; orthogonal lowest in 7-9 of 10 seeds
    (measured 8 / 9 / 7 on Intel AVX-512 / AVX2 / SSE kernels, 8 / 8 on AMD AVX-512 / AVX2; the lowest
    validation accuracy was 0.900 on Intel AVX2, seed 4, and 0.878 on both AMD paths, seed 9, He)."""
    orthogonal_lowest = 0
    for seed in range(10):
        c = exp.init_training_curves(("zeros", "small", "xavier", "he", "orthogonal"), depth=8, width=64,
                                     epochs=10, lr=0.01, seed=seed)
        final = {k: v["train_loss"][-1] for k, v in c.items()}
        assert all(abs(final[n] - np.log(10)) < 0.01 for n in ("zeros", "small")), (seed, final)
        assert max(final["orthogonal"], final["he"]) < final["xavier"] < np.log(10) - 1, (seed, final)
        assert min(c["he"]["val_acc"][-1], c["orthogonal"]["val_acc"][-1]) > 0.87, seed
        orthogonal_lowest += final["orthogonal"] < final["he"]
    assert orthogonal_lowest >= 6  # prose: 7-9 of 10
