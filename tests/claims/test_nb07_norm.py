"""Notebook 07's claims, re-measured over seeds 0-4 with the notebook's settings (issue 15).

Each test names the sentence it backs. Where a claim holds only in some seeds, the notebook
says how often and the test asserts that frequency.
"""

import numpy as np
import pytest

from nnbasics import data
from nnbasics.experiments import nb07_norm as exp
from nnbasics.lab.diagnostics import layer_outputs
from nnbasics.lab.models import MLPConfig, build_mlp
from nnbasics.viz import nb07_norm as widgets

SEEDS = range(5)


def test_batch_noise_falls_like_a_power_of_n_and_is_signal_sized_at_batch_2():
    """§4: slope about -0.6; batch 2 noise ~ the unit signal, batch 8 about 0.4; LN exactly 0."""
    pop = widgets.population()["X"]
    for seed in SEEDS:
        r = exp.batch_size_noise(pop[0], pop[1:], batch_sizes=(2, 4, 8, 16, 32, 64), draws=100, rng=seed)
        slope = np.polyfit(np.log(r["batch_sizes"]), np.log(r["bn_std"]), 1)[0]
        assert -0.75 < slope < -0.45, (seed, slope)
        assert np.all(np.diff(r["bn_std"]) < 0), seed
        assert r["bn_std"][0] > 0.8 and 0.3 < r["bn_std"][2] < 0.6, (seed, r["bn_std"])
        assert np.all(r["ln_std"] < 1e-12)


@pytest.mark.slow
def test_forgotten_eval_hurts_in_every_seed():
    """§5: train-mode inference loses > 10 points; single-class batches collapse; running stats change."""
    for seed in SEEDS:
        r = exp.forgotten_eval(batch_size=4, epochs=5, seed=seed)
        assert r["eval_acc"] > 0.85, (seed, r)
        assert r["train_mode_acc"] < r["eval_acc"] - 0.1, (seed, r)
        assert r["train_mode_sorted_acc"] < 0.5 and r["running_mean_changed"], (seed, r)


def test_default_init_shrinks_the_signal_and_he_keeps_it():
    """§7: torch's default init leaves pre-activations ~0.1 by layer 6; He keeps them above 0.5."""
    for seed in SEEDS:
        X = data.digits(rng=seed).X_train[:512]
        for init in ("default", "he"):
            model = build_mlp(MLPConfig(d_in=64, hidden=(32,) * 6, d_out=10, init=init, seed=seed))
            stds = [z.std() for z in layer_outputs(model, X, kind="linear")]
            assert (stds[-1] < 0.2) if init == "default" else (min(stds) > 0.5), (seed, init, stds)


@pytest.fixture(scope="module")
def comparisons():
    return {seed: exp.compare_norms(lrs=(0.1, 0.3, 1.0, 3.0), depth=6, width=32, epochs=4, init="he", seed=seed)
            for seed in SEEDS}


@pytest.mark.xdist_group("nb07-comparisons")  # one worker computes the module fixture, once
@pytest.mark.slow
def test_batchnorm_tolerates_every_rate_and_reaches_the_lowest_loss(comparisons):
    """§7: all train at 0.3; BN at every rate, best at lr 1.0, < 0.6 x the best plain loss; lr 3 fails
    without norm and with LN; at lr 1.0 none and LN are erratic (2-3 of 5 seeds each)."""
    ok_at_1 = {"none": 0, "layer": 0}
    for seed, r in comparisons.items():
        tol, fin = r["tolerated"], r["final"]
        best = {nm: np.nanmin([fin[(nm, lr)] for lr in r["lrs"]]) for nm in r["norms"]}
        assert 0.3 in tol["none"] and 0.3 in tol["layer"], (seed, tol)
        assert tol["batch"] == list(r["lrs"]), (seed, tol)
        assert 3.0 not in tol["none"] and 3.0 not in tol["layer"], (seed, tol)
        assert best["batch"] < 0.6 * best["none"], (seed, best)
        assert best["batch"] == fin[("batch", 1.0)], (seed, fin)
        for nm in ok_at_1:
            ok_at_1[nm] += 1.0 in tol[nm]
    assert 2 <= ok_at_1["none"] <= 3 and 2 <= ok_at_1["layer"] <= 3, ok_at_1


@pytest.mark.xdist_group("nb07-comparisons")  # one worker computes the module fixture, once
@pytest.mark.slow
def test_layernorm_dies_at_lr_3_batchnorm_units_never_do(comparisons):
    """§7 why: LN's last hidden layer > 90 % dead at lr 3; BN < 10 % dead everywhere; BN's first-layer
    weight norm grows with the learning rate."""
    for seed, r in comparisons.items():
        assert r["dead"][("layer", 3.0)][-1] > 0.9, (seed, r["dead"][("layer", 3.0)])
        assert all(np.nanmax(r["dead"][("batch", lr)]) < 0.1 for lr in r["lrs"]), seed
        growth = [r["weight_growth"][("batch", lr)][0] for lr in r["lrs"]]
        assert np.all(np.diff(growth) > 0), (seed, growth)


@pytest.mark.slow
def test_noisy_batchnorm_shifts_more_yet_trains_better_than_no_norm():
    """§8: injected noise moves the inputs 1.2-2.4x as much as no normalization, yet ends with a lower
    loss (0.2-0.9 of it) at lr 1, in seeds 0-9. Measured margins on Intel AVX-512, AVX2 and SSE kernels:
    shift ratio >= 1.24, loss ratio <= 0.81; on an AMD EPYC (AVX-512 and AVX2 kernels, MKL's AMD path,
    2026-12-02): shift ratio 1.40-2.37, loss ratio <= 0.87 / 0.90 (seeds 3 and 6), which broke the old
    0.85 bound."""
    for seed in range(10):
        r = exp.covariate_shift_experiment(lr=1.0, epochs=6, seed=seed)
        sh, fl = r["shift"], r["final_loss"]
        assert sh["batch+noise"] > 1.2 * sh["none"], (seed, sh)
        assert fl["batch+noise"] < 0.95 * fl["none"], (seed, fl)
        assert sh["batch"] < 0.1 * sh["none"], (seed, sh)
        assert fl["batch"] < fl["batch+noise"], (seed, fl)


def test_layernorm_ignores_padding_batchnorm_does_not():
    """§5: a token's LN output is unchanged by padding; BN over tokens changes by > 0.1."""
    from nnbasics.core import norm

    for seed in range(10):
        rng = np.random.default_rng(seed)
        tokens = rng.normal(size=(1, 5, 4))
        padded = np.concatenate([tokens, np.zeros((1, 3, 4))], axis=1)
        ones, zeros = np.ones(4), np.zeros(4)
        ln = np.abs(norm.layernorm_forward(padded, ones, zeros)[0][:, :5] - norm.layernorm_forward(tokens, ones, zeros)[0])
        bn = np.abs(norm.batchnorm_forward(padded[0], ones, zeros)[0][:5] - norm.batchnorm_forward(tokens[0], ones, zeros)[0])
        assert ln.max() < 1e-12 and bn.max() > 0.1, seed


def test_companion_widget_default_shows_the_point():
    """§1 widget: at its default batch of 4 BatchNorm's output jumps (> 0.5), LayerNorm's does not move,
    and in eval mode BatchNorm does not move either; small batches (2-8) jump more than 64."""
    for seed in SEEDS:
        train4 = widgets.companion_effect(4, "train", seed=seed)
        assert train4["bn_spread"] > 0.5 and train4["ln_spread"] < 1e-12, seed
        assert widgets.companion_effect(4, "eval", seed=seed)["bn_spread"] < 1e-12, seed
        assert widgets.companion_effect(8, "train", seed=seed)["bn_spread"] > \
            2 * widgets.companion_effect(64, "train", seed=seed)["bn_spread"], seed


@pytest.mark.parametrize("seed", range(10))
def test_groupnorm_widget_contrast_falls_and_the_silent_channel_is_stretched(seed):
    """§6, the explorer: 'the spread of its channel means falls from about 0.8 to exactly 0 ... the
    silent channel 6 stays near std 0.02 up to G = 4 but is stretched to std ≈ 1 at G = 8'."""
    views = [widgets.groupnorm_view(g, seed) for g in widgets.GROUP_CHOICES]
    contrast = [v["contrast"] for v in views]
    silent = [v["silent_std"] for v in views]
    assert 0.7 < contrast[0] < 0.9 and all(a > b for a, b in zip(contrast, contrast[1:]))
    assert contrast[-1] < 1e-12
    assert max(silent[:-1]) < 0.05 and 0.9 < silent[-1] < 1.1
