"""nnbasics.lab.models (the shared torch MLP builder) and nnbasics.lab.train (fit -> History)."""

import numpy as np
import pytest
import torch

from nnbasics import data
from nnbasics.lab import models
from nnbasics.lab.models import MLPConfig, build_mlp, count_parameters, linear_layers
from nnbasics.lab.train import EarlyStopping, TrainConfig, evaluate, fit


def test_shapes_parameters_and_seed():
    cfg = MLPConfig(d_in=4, hidden=(8, 8), d_out=3)
    m1, m2 = build_mlp(cfg), build_mlp(cfg)
    assert m1(torch.zeros(5, 4)).shape == (5, 3)
    assert count_parameters(m1) == (4 * 8 + 8) + (8 * 8 + 8) + (8 * 3 + 3)
    for a, b in zip(m1.parameters(), m2.parameters()):
        assert torch.equal(a, b)


@pytest.mark.parametrize("init, expected_var", [("he", 2 / 400), ("xavier", 2 / (400 + 400))])
def test_init_variance(init, expected_var):
    m = build_mlp(MLPConfig(d_in=400, hidden=(400,), d_out=400, init=init))
    w = linear_layers(m)[1].weight.detach().double()
    assert abs(w.var().item() / expected_var - 1) < 0.03


def test_zeros_init_and_residual_identity():
    m = build_mlp(MLPConfig(d_in=3, hidden=(3, 3), d_out=2, init="zeros", residual=True))
    assert all(torch.count_nonzero(p) == 0 for p in m.parameters())


def test_fit_learns_digits_and_early_stopping_restores_best():
    s = data.digits(rng=0)
    model = build_mlp(MLPConfig(64, (32,), 10))
    hist = fit(model, s.X_train, s.y_train, s.X_val, s.y_val,
               TrainConfig(epochs=40, lr=3e-3, patience=3))
    assert hist.val_acc[hist.best_epoch] > 0.93
    loss, acc = evaluate(model, s.X_val, s.y_val)
    assert loss == pytest.approx(hist.val_loss[hist.best_epoch], rel=1e-6)
    assert len(hist.train_loss) == len(hist.val_loss) == len(hist.grad_norm)


def test_divergence_is_flagged_not_silent():
    X, y = data.blobs(64, rng=0)
    model = build_mlp(MLPConfig(2, (16,), 2, init="normal", init_scale=50.0))
    hist = fit(model, X * 1e6, y, cfg=TrainConfig(epochs=5, lr=1e6, optimizer="sgd"))
    assert hist.diverged and np.isnan(hist.train_loss[-1])


def test_early_stopping_helper():
    stop = EarlyStopping(patience=2)
    assert [stop.step(v) for v in [1.0, 0.8, 0.9, 0.85]] == [False, False, False, True]
    assert stop.best_index == 1


@pytest.mark.parametrize("make, match", [
    (lambda: MLPConfig(d_in=0), "d_in must be >= 1"),
    (lambda: MLPConfig(d_in=2, activation="swish"), "activation must be one of"),
    (lambda: MLPConfig(d_in=2, dropout=1.0), "dropout must be < 1"),
    (lambda: TrainConfig(lr=0), "lr must be > 0"),
    (lambda: TrainConfig(loss="hinge"), "loss must be one of"),
    (lambda: fit(build_mlp(MLPConfig(2)), np.ones((4, 2)), np.zeros(3)), "N=4 rows but y_train has 3"),
    (lambda: fit(build_mlp(MLPConfig(2)), np.ones((4, 2)), np.zeros(4, int),
                 cfg=TrainConfig(patience=2)), "needs validation data"),
])
def test_bad_settings_are_named(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_fit_lr_schedule_sets_the_rate_each_epoch_and_validates_it():
    import numpy as np
    import pytest as _pytest
    import torch

    from nnbasics.lab.models import MLPConfig, build_mlp
    from nnbasics.lab.train import TrainConfig, fit

    X = np.random.default_rng(0).normal(size=(16, 3))
    y = (X[:, 0] > 0).astype(int)
    calls = []

    def schedule(epoch, hist):
        calls.append((epoch, len(hist.train_loss)))  # called before each epoch with the epochs so far
        return 0.01

    scheduled, plain = (build_mlp(MLPConfig(d_in=3, hidden=(4,), d_out=2)) for _ in range(2))
    fit(scheduled, X, y, cfg=TrainConfig(epochs=2, batch_size=8, lr=1.0, optimizer="sgd"), lr_schedule=schedule)
    fit(plain, X, y, cfg=TrainConfig(epochs=2, batch_size=8, lr=0.01, optimizer="sgd"))
    assert calls == [(0, 0), (1, 1)]
    for a, b in zip(scheduled.parameters(), plain.parameters()):
        assert torch.equal(a, b), "the schedule's rate (0.01) must replace cfg.lr (1.0)"
    with _pytest.raises(ValueError, match="lr_schedule"):
        fit(scheduled, X, y, cfg=TrainConfig(epochs=1, batch_size=8), lr_schedule=lambda e, h: 0.0)


def test_build_seeded_is_reproducible_and_leaves_the_global_generator_alone():
    state = torch.random.get_rng_state()
    a = models.build_seeded(lambda: torch.nn.LSTMCell(3, 4), seed=5)
    b = models.build_seeded(lambda: torch.nn.LSTMCell(3, 4), seed=5)
    c = models.build_seeded(lambda: torch.nn.LSTMCell(3, 4), seed=6)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.equal(a.weight_ih, b.weight_ih) and not torch.equal(a.weight_ih, c.weight_ih)
