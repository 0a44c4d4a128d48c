"""Claims of notebook 12, re-run over seeds (issue 15): each assert is a sentence of the notebook."""

import numpy as np
import pytest
import torch

from nnbasics.core import transformer
from nnbasics.experiments import nb12_beyond_mlp as exp
from nnbasics.lab import models
from nnbasics.lab.runtime import one_thread

SEEDS = range(5)


def test_recommender_sees_35_percent_and_beats_the_mean_by_far():
    """§1: 'we only see 35% of the pairs'; held-out RMSE < 0.4 x predicting the mean."""
    for seed in SEEDS:
        ratings = exp.synthetic_ratings(60, 40, rank=3, rng=seed)
        assert 0.33 < ratings.ratings.size / (60 * 40) < 0.38
        rec = exp.train_recommender(ratings, dim=3, epochs=60, lr=1.0, rng=seed)
        assert rec.val_rmse[-1] < 0.4 * rec.baseline_rmse


def test_lstm_carries_gradients_further_than_the_rnn_only_with_an_open_forget_gate():
    """§2: 29 steps back the LSTM (forget bias 1) keeps > 100x the RNN's gradient; bias 0 loses > 100x."""
    for seed in SEEDS:
        flow = exp.gradient_through_time(T=30, forget_bias=1.0, rng=seed)
        closed = exp.gradient_through_time(T=30, forget_bias=0.0, rng=seed)
        assert flow.lstm[-1] > 100 * flow.rnn[-1]
        assert closed.lstm[-1] < flow.lstm[-1] / 100


def test_attention_is_permutation_equivariant_until_positions_are_added():
    """§4: shuffled tokens -> shuffled outputs (to rounding); with sinusoidal positions, not."""
    for seed in SEEDS:
        check = exp.permutation_check(L=6, D=8, n_heads=2, rng=seed)
        assert check.error_without_positions < 1e-12 and check.error_with_positions > 0.5


def test_two_heads_mix_the_tokens_differently():
    """§4 figure: the two heads' causal weights differ (torch's init, any seed)."""
    x = np.random.default_rng(0).standard_normal((1, 6, 8))
    for seed in SEEDS:
        mha = models.build_seeded(lambda: torch.nn.MultiheadAttention(8, 2, batch_first=True,
                                                                      dtype=torch.float64), seed=seed)
        _, cache = transformer.multi_head_attention_forward(x, x, models.mha_params_from_torch(mha), n_heads=2,
                                                            causal=True)
        assert not np.allclose(cache["weights"][0, 0], cache["weights"][0, 1], atol=0.05)


def test_a_fresh_block_is_near_the_identity_only_with_small_output_projections():
    """§4: ratio > 0.5 with the usual init, < 0.15 with the branch outputs scaled by 0.1."""
    for seed in SEEDS:
        assert exp.residual_branch_ratio(1.0, rng=seed).min() > 0.5
        assert exp.residual_branch_ratio(0.1, rng=seed).max() < 0.15


@pytest.mark.slow
def test_cnn_matches_the_mlp_with_about_half_the_parameters():
    """§5: CNN > 0.95, within 2 points of the MLP, < 0.6x its parameters (5 seeds)."""
    with one_thread():
        for seed in SEEDS:
            r = exp.cnn_vs_mlp(seed)
            assert r["cnn"]["params"] < 0.6 * r["mlp"]["params"]
            assert r["cnn"]["val_acc"] > 0.95 and abs(r["cnn"]["val_acc"] - r["mlp"]["val_acc"]) <= 0.02


@pytest.mark.slow
def test_trees_vs_mlp_on_the_breast_cancer_table():
    """§5: the standardised MLP beats the raw MLP and matches or beats the trees in all 8 splits
    (by 2-8 of 171 patients); the raw MLP trails the trees in 6 of 8."""
    with one_thread():
        runs = [exp.tabular_comparison(rng) for rng in range(8)]
    for r in runs:
        assert r["mlp_standardised"] > r["mlp_raw"]
        assert 2 <= round((r["mlp_standardised"] - r["trees"]) * r["n_val"]) <= 8
    assert sum(r["mlp_raw"] < r["trees"] for r in runs) == 6
