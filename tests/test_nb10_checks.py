"""nnbasics.lab.debug's first checks (initial loss, feature skew) and notebook 10's experiments."""

import copy

import numpy as np
import pytest
import torch

from nnbasics.experiments import nb10_debugging as exp
from nnbasics.lab import debug
from nnbasics.lab.models import MLPConfig, build_mlp


def test_initial_loss_of_uniform_logits_is_exactly_ln_c():
    model = build_mlp(MLPConfig(d_in=3, hidden=(4,), d_out=5, init="zeros"))
    model.train()
    r = debug.initial_loss(model, np.random.default_rng(0).standard_normal((7, 3)), np.arange(7) % 5)
    assert r["loss"] == pytest.approx(np.log(5), rel=1e-6) and r["expected"] == np.log(5) and model.training


def test_feature_skew_flags_shifts_and_spread_changes_only():
    rng = np.random.default_rng(0)
    ref = rng.standard_normal((5000, 3)) * [1.0, 2.0, 0.5] + [0.0, 10.0, -1.0]
    same = rng.standard_normal((5000, 3)) * [1.0, 2.0, 0.5] + [0.0, 10.0, -1.0]
    assert not debug.feature_skew(ref, same)["flagged"].any()
    moved = same + [0.0, 1.0, 0.0]  # half a standard deviation of feature 1
    wider = same * [1.0, 1.0, 2.0] + [0.0, 0.0, 1.0]  # feature 2 twice as spread, same mean
    assert debug.feature_skew(ref, moved)["flagged"].tolist() == [False, True, False]
    r = debug.feature_skew(ref, wider)
    assert r["flagged"].tolist() == [False, False, True] and r["std_ratio"][2] == pytest.approx(2.0, rel=0.05)


def test_mode_accuracies_leave_the_run_and_the_global_rng_alone():
    run = debug.run_bug("forgot_eval")
    before = copy.deepcopy(run.model.state_dict())
    mode, state = run.model.training, torch.random.get_rng_state()
    a = exp.mode_accuracies(run, passes=4, seed=3)
    assert exp.mode_accuracies(run, passes=4, seed=3) == a  # reproducible
    assert torch.equal(torch.random.get_rng_state(), state) and run.model.training == mode
    assert all(torch.equal(v, run.model.state_dict()[k]) for k, v in before.items())  # BatchNorm stats untouched
    assert len(set(a["eval_mode"])) == 1


def test_rare_positives_prevalence_and_spread_shapes():
    y, s = exp.rare_positives(90, 10, rng=0)
    assert y.sum() == 10 and y.size == s.size == 100
    rows = exp.prevalence_sweep((0.5, 0.05), n_pos=50, rng=0)
    assert [r["rate"] for r in rows] == [0.5, 0.05] and rows[1]["chance_ap"] == pytest.approx(0.05, abs=1e-3)
    spread = exp.ap_spread(n_pos=(3,), draws=5, rng=0)
    assert set(spread) == {3} and spread[3]["ap"][0] <= spread[3]["ap"][1]


def test_imbalance_and_skew_experiments_return_what_the_notebook_reads():
    m = exp.imbalance_metrics(0)
    assert m["y"].sum() == 50 and m["y"].size == 5000 and 0 <= m["recall"] <= 1
    s = exp.serving_skew(0)
    assert {"validation_accuracy", "shared code", "milliseconds", "missing -> 0"} <= set(s)
    assert s["shared code"]["parity_gap"] == 0.0


@pytest.mark.parametrize("call, match", [
    (lambda: debug.initial_loss("model", np.ones((2, 2)), [0, 1]), "model must be a torch.nn.Module"),
    (lambda: debug.initial_loss(build_mlp(MLPConfig(d_in=2, hidden=(3,), d_out=2)), np.ones((2, 2)), [0, 5]),
     "labels up to 5"),
    (lambda: debug.feature_skew(np.ones((3, 2)), np.ones((3, 3))), "served has 3 features"),
    (lambda: exp.mode_accuracies("run"), "run must be a ZooRun"),
    (lambda: exp.prevalence_sweep((1.5,)), r"rates must lie in \(0, 1\)"),
])
def test_bad_input_is_rejected_with_a_message(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()



def test_diagnose_is_a_table_of_one_check_per_symptom():
    codes = [code for code, _ in debug.CHECKS]
    assert sorted(codes) == sorted(debug.SYMPTOMS) and len(set(codes)) == len(codes)
    assert all(callable(check) and check.__name__ == f"_check_{code}" for code, check in debug.CHECKS)
    assert codes.index("labels_unrelated") < codes.index("loss_flat") < codes.index("slow_training")
