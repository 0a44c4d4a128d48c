"""nnbasics.lab.debug: the overfit check, every zoo bug's diagnosis, a healthy run has none."""

import math

import numpy as np
import pytest
import torch

from nnbasics import data
from nnbasics.lab import debug
from nnbasics.lab.models import MLPConfig, build_mlp
from nnbasics.lab.runtime import one_thread
from nnbasics.lab.train import History


@pytest.fixture(scope="module")
def runs():
    return {name: debug.run_bug(name) for name in debug.ZOO}


def _codes(run):
    return [f.code for f in debug.diagnose(run, run.model, run.batch)]


def test_healthy_run_learns_and_gets_no_findings(runs):
    r = runs["healthy"]
    assert r.train_loss[-1] < 0.5 * r.train_loss[0]
    assert r.val_acc[-1] > 0.85
    assert _codes(r) == []


@pytest.mark.parametrize("bug", debug.BUGS)
def test_each_bug_gets_its_diagnosis(runs, bug):
    codes = _codes(runs[bug])
    assert debug.ZOO[bug].expected in codes, f"{bug}: expected {debug.ZOO[bug].expected}, got {codes}"


def test_zoo_symptoms_are_real(runs):
    assert runs["lr_too_high"].diverged and math.isnan(runs["lr_too_high"].train_loss[-1])
    assert min(runs["softmax_before_ce"].train_loss) > 0.5  # CE of probabilities has a floor
    g = runs["no_zero_grad"].grad_norm
    assert np.median(g[-10:]) > 4 * np.median(g[:3])
    assert runs["class_imbalance"].val_acc[-1] >= 0.98  # ... while the minority is never found
    assert runs["lr_too_low"].train_loss[-1] > 0.8 * runs["lr_too_low"].train_loss[0]
    assert runs["shuffled_labels"].val_acc[-1] < 0.5
    pre = runs["leakage"].preprocessing
    assert not np.allclose(pre["mean"], pre["train_mean"])
    assert runs["forgot_eval"].model.training and not runs["healthy"].model.training


def test_runs_are_reproducible_and_cached():
    with one_thread():
        a = debug._run("lr_too_low", 3)
        b = debug._run("lr_too_low", 3)
    assert a.train_loss == b.train_loss
    first, again = debug.run_bug("healthy"), debug.run_bug("healthy")
    assert first is not again and first.train_loss == again.train_loss  # a cached run, copied


def test_cached_runs_are_never_shared_with_callers():
    """diagnose() runs a model left in training mode: the cached model's BatchNorm must not move."""
    def bn_state(run):
        bn = [m for m in run.model.modules() if isinstance(m, torch.nn.BatchNorm1d)][0]
        return int(bn.num_batches_tracked), bn.running_mean.clone()

    run = debug.run_bug("forgot_eval")
    before = bn_state(run)
    debug.diagnose(run, run.model, run.batch)  # two forward passes in training mode
    assert bn_state(run)[0] == before[0] + 2  # this caller's copy moved ...
    fresh = bn_state(debug.run_bug("forgot_eval"))
    assert fresh[0] == before[0] and torch.equal(fresh[1], before[1])  # ... the cache did not


def test_overfit_small_batch_passes_for_a_healthy_model():
    X, y = data.blobs(16, rng=0, n_classes=3)
    res = debug.overfit_small_batch(lambda: build_mlp(MLPConfig(2, (32,), 3)), X, y, steps=150)
    assert res.passed and res.final_accuracy == 1.0 and res.final_loss < 0.05


def test_overfit_small_batch_catches_softmax_before_loss_and_tiny_lr():
    X, y = data.blobs(16, rng=0, n_classes=3)
    soft = torch.nn.Sequential(build_mlp(MLPConfig(2, (32,), 3)), torch.nn.Softmax(dim=1))
    assert not debug.overfit_small_batch(soft, X, y, steps=150).passed
    slow = debug.overfit_small_batch(build_mlp(MLPConfig(2, (32,), 3)), X, y, steps=50, lr=1e-6)
    assert not slow.passed and slow.final_loss > 0.5


def test_diagnose_train_val_gap_and_dead_units_on_crafted_inputs():
    h = History(train_loss=list(np.linspace(1.0, 0.1, 20)), train_acc=[1.0] * 20,
                val_loss=[2.0] * 20, val_acc=[0.5] * 20, grad_norm=[0.5] * 20)
    model = build_mlp(MLPConfig(2, (16,), 2))
    X, y = data.blobs(40, rng=1)
    assert "train_val_gap" in [f.code for f in debug.diagnose(h, model.eval(), (X, y))]
    with torch.no_grad():
        model[0][0].bias.fill_(-100.0)  # every ReLU of the first layer is dead
    assert "dead_units" in [f.code for f in debug.diagnose(h, model, (X, y))]
    flat = History(train_loss=[1.0] * 20, grad_norm=[0.0] * 20, val_acc=[0.5] * 20)
    assert "loss_flat" in [f.code for f in debug.diagnose(flat, model, (X, y))]


def test_bad_inputs():
    with pytest.raises(ValueError, match="name must be one of"):
        debug.run_bug("nope")
    with pytest.raises(TypeError, match="model must be"):
        debug.overfit_small_batch(3, np.zeros((2, 2)), [0, 1])
    with pytest.raises(ValueError, match="y has 1 labels"):
        debug.overfit_small_batch(build_mlp(MLPConfig(2, (4,), 2)), np.zeros((2, 2)), [0])
    with pytest.raises(TypeError, match="history must have"):
        debug.diagnose({"loss": [1.0]})
    with pytest.raises(ValueError, match="batch needs a model"):
        debug.diagnose(History(), None, (np.zeros((2, 2)), [0, 1]))
    with pytest.raises(TypeError, match="batch must be a tuple"):
        debug.diagnose(History(), build_mlp(MLPConfig(2, (4,), 2)), np.zeros((2, 2)))


def test_overfit_small_batch_flags_a_diverged_run():
    """Found by the fuzz: a run whose loss turns NaN returned NaN losses with nothing flagged."""
    model = torch.nn.Linear(3, 2)
    with torch.no_grad():
        model.weight.fill_(3e38)  # logits overflow float32 to inf: the loss is NaN at once
    res = debug.overfit_small_batch(model, np.full((2, 3), 10.0), np.array([0, 1]), steps=20, lr=0.1)
    assert res.diverged and not res.passed and math.isnan(res.final_loss) and math.isnan(res.losses[-1])
    healthy = debug.overfit_small_batch(torch.nn.Linear(3, 2), np.eye(3)[:2], np.array([0, 1]), steps=200, lr=0.1)
    assert not healthy.diverged and healthy.passed
