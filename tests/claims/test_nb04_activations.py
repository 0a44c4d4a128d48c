"""Notebook 04's claims, re-measured over seeds (issue 15). Each test names the sentence it backs."""

import numpy as np
import pytest

from nnbasics.core import activations
from nnbasics.experiments import nb04_activations as exp

SEEDS = range(10)


@pytest.mark.parametrize("seed", range(5))
def test_widget_facts_sigmoid_starves_a_sixth_at_std_5_relu_half(seed):
    """§1: 'sigmoid starves a sixth of its inputs of gradient once their std is 5 (none at std 1),
    and ReLU gives exactly half of them no gradient whatever their spread'."""
    assert 0.12 < exp.gaussian_response("sigmoid", 5.0, rng=seed)["frac_zero_grad"] < 0.2
    assert exp.gaussian_response("sigmoid", 1.0, rng=seed)["frac_zero_grad"] == 0.0
    for scale in (0.1, 1.0, 10.0):
        assert abs(exp.gaussian_response("relu", scale, rng=seed)["frac_zero_grad"] - 0.5) < 0.01


@pytest.mark.parametrize("seed", range(5))
def test_table_means_and_zero_centred_flags(seed):
    """§2 table: the mean outputs for N(0, 1) inputs (ELU 0.16, ReLU 0.40) and the zero-centred flags."""
    means = {n: exp.gaussian_response(n, 1.0, n=200_000, rng=seed)["mean"] for n in activations.NAMES}
    for name, info in activations.INFO.items():
        assert (abs(means[name]) < 0.01) == info.zero_centred, name
    assert 0.15 < means["elu"] < 0.17 and 0.39 < means["relu"] < 0.41


def test_zigzag_same_sign_steps_and_three_times_slower():
    """§3: 100 % same-sign steps with positive inputs (about half centred); positive inputs needed
    64–109 steps, centred 7–21, always more than three times as many; condition numbers > 10 vs < 2."""
    pos_steps, cen_steps = [], []
    for seed in SEEDS:
        pos = exp.zigzag_descent("positive", steps=150, seed=seed)
        cen = exp.zigzag_descent("centred", steps=150, seed=seed)
        assert pos.same_sign_fraction == 1.0 and 0.35 < cen.same_sign_fraction < 0.65
        assert pos.steps_to_tol > 3 * cen.steps_to_tol
        assert pos.condition_number > 10 > 2 > cen.condition_number
        pos_steps.append(pos.steps_to_tol)
        cen_steps.append(cen.steps_to_tol)
    assert (min(pos_steps), max(pos_steps)) == (64, 109) and (min(cen_steps), max(cen_steps)) == (7, 21)


def test_zigzag_widget_same_sign_from_offset_half_and_every_notch_slower():
    """§3, the explorer: 'the share of same-sign steps climbs from about half to 100 % exactly when the
    last inputs become all-positive (offset 0.5) ... from offset 0.2 on every notch of 0.1 makes SGD
    slower — from 7–21 steps to 0.1 % of the loss at 0 to about 300 or more at offset 1'."""
    from nnbasics.viz import nb04_activations as widgets

    at_zero, at_one = [], []
    for seed in SEEDS:
        runs = {m: widgets.zigzag_view(m, seed) for m in widgets.OFFSETS}
        assert 0.35 < runs[0.0]["same_sign_fraction"] < 0.65
        first_same = min(m for m, r in runs.items() if r["same_sign_fraction"] == 1.0)
        first_positive = min(m for m, r in runs.items() if r["all_positive"] == 1.0)
        assert first_same == first_positive == 0.5
        assert all(r["same_sign_fraction"] == 1.0 for m, r in runs.items() if m >= 0.5)
        steps = [runs[m]["steps_to_tol"] or np.inf for m in widgets.OFFSETS if m <= 1.0]  # inf: not in 300
        assert all(b > a or b == np.inf for a, b in zip(steps[2:], steps[3:])), (seed, steps)
        at_zero.append(steps[0])
        at_one.append(steps[10])
    assert (min(at_zero), max(at_zero)) == (7, 21) and min(at_one) >= 290


@pytest.mark.slow
def test_sigmoid_net_has_not_started_while_relu_fits():
    """§4: over seeds 0–9 the sigmoid loss stays within 0.02 of ln 2 at chance accuracy, ReLU reaches
    95–100 % with a loss below 0.01 in 9 of 10 seeds (seed 4 ends at 0.20 / 0.45 / 0.06 on AVX-512 /
    AVX2 / SSE kernels), and the sigmoid first layer gets < 1e-3 of its last layer's gradient."""
    fitted = 0
    for seed in SEEDS:
        race = exp.relu_vs_sigmoid(depth=6, width=32, epochs=30, lr=0.05, seed=seed)
        sig, relu = race["sigmoid"], race["relu"]
        assert abs(sig["train_loss"][-1] - np.log(2)) < 0.02 and sig["accuracy"] <= 0.55, seed
        assert relu["train_loss"][-1] < 0.6 and relu["accuracy"] >= 0.95, seed
        fitted += relu["train_loss"][-1] < 0.01
        assert sig["grad_norms"][0] < 1e-3 * sig["grad_norms"][-1], seed
        assert relu["grad_norms"][0] > 10 * sig["grad_norms"][0], seed
        assert 0.4 < relu["sparsity"] < 0.6 and sig["sparsity"] == 0.0, seed
    assert fitted >= 8  # prose: 9 of 10


@pytest.mark.slow(expected_s=25)
def test_dying_relu_costs_accuracy_and_what_leaky_and_elu_change():
    """§6 bullets over seeds 0-9. This training is chaotic: AVX-512, AVX2 and SSE kernels (e.g.
    ``ATEN_CPU_CAPABILITY=avx2``) give different runs per seed, so the bounds below are the ones that
    held for all three code paths, and the per-seed comparisons are counts, not "every seed".
    Measured (AVX-512 / AVX2 / SSE): ReLU lr 0.3 mean accuracy 0.61/0.65/0.65, Leaky 0.83/0.89/0.82;
    Leaky wins 9/10/8, ELU wins 6/4/6; Leaky revives more in 7/9/10 seeds. On an AMD EPYC with AVX-512
    (ATen's AVX-512 and AVX2 kernels, MKL's AMD path; 2026-12-02): ReLU 0.62, Leaky 0.93 (which broke
    the old < 0.9 bound in a clean-clone run), Leaky wins 9, ELU wins 7, Leaky revives more in 10."""
    settings = {"lo": ("relu", 0.01), "hi": ("relu", 0.3), "leaky": ("leaky_relu", 0.3), "elu": ("elu", 0.3)}
    runs = {k: [exp.dying_relu_experiment(act, lr=lr, epochs=40, seed=seed) for seed in SEEDS]
            for k, (act, lr) in settings.items()}
    lo, hi, leaky, elu = runs.values()
    acc = {k: np.array([r.final_accuracy for r in v]) for k, v in runs.items()}
    for seed, (a, b, c) in enumerate(zip(lo, hi, leaky)):
        assert 11 <= b.became_dead <= 19 and 0 <= a.became_dead <= 2, seed
        assert b.revived <= 5 and a.revived <= 5, seed
        assert b.negative_unit_grad == 0.0 < c.negative_unit_grad, seed
    assert sum(r.revived for r in leaky) >= 3 * sum(r.revived for r in hi)
    assert sum(c.revived > b.revived for b, c in zip(hi, leaky)) >= 6          # prose: 7-10 of 10
    assert 0.58 < acc["hi"].mean() < 0.7 and acc["lo"].mean() > 0.99           # prose: 61-65 % vs 99.5 %
    assert 3 <= np.sum(acc["hi"] == 0.5) <= 5                                   # prose: 3-5 at chance
    assert np.sum(acc["lo"] - acc["hi"] > 0.09) >= 8                            # prose: at least 8 of 10
    assert 0.8 < acc["leaky"].mean() < 0.95                                     # prose: 82-93 %
    assert np.sum(acc["leaky"] > acc["hi"]) >= 7                                # prose: 8-10 of 10
    assert 3 <= np.sum(acc["elu"] > acc["hi"]) <= 7                             # prose: 4-7 of 10
    elu_grad = np.median([r.negative_unit_grad for r in elu])
    assert elu_grad < 1e-4 and 10 * elu_grad < np.median([r.negative_unit_grad for r in leaky])
