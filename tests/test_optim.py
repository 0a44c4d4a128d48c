"""nnbasics.core.optim: numpy optimizers match torch.optim step for step (float64), schedules match
torch.optim.lr_scheduler, the 2-D surfaces' gradients match autograd, and the cited facts hold."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import optim
from nnbasics.experiments import nb09_regularization
from nnbasics.testing import F64, assert_close

SHAPES = [(3, 4), (4,), (2, 2, 2)]


def _torch_run(torch_cls, kwargs, params0, grads_seq):
    ps = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params0]
    opt = torch_cls(ps, **kwargs)
    out = []
    for grads in grads_seq:
        for p, g in zip(ps, grads):
            p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append([p.detach().numpy().copy() for p in ps])
    return out


def _grads(seed, n_steps=30):
    rng = np.random.default_rng(seed)
    params0 = [rng.normal(size=s) for s in SHAPES]
    grads_seq = [[rng.normal(size=s) * 3 for s in SHAPES] for _ in range(n_steps)]
    return params0, grads_seq


CASES = [
    (optim.SGD, torch.optim.SGD, dict(lr=0.1)),
    (optim.SGD, torch.optim.SGD, dict(lr=0.05, weight_decay=0.1)),
    (optim.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9)),
    (optim.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    (optim.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.02)),
    (optim.Adam, torch.optim.Adam, dict(lr=0.01)),
    (optim.Adam, torch.optim.Adam, dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    (optim.AdamW, torch.optim.AdamW, dict(lr=0.01)),
    (optim.AdamW, torch.optim.AdamW, dict(lr=0.03, betas=(0.85, 0.95), weight_decay=0.5)),
    (optim.RMSprop, torch.optim.RMSprop, dict(lr=0.01)),
    (optim.RMSprop, torch.optim.RMSprop, dict(lr=0.02, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    (optim.Adagrad, torch.optim.Adagrad, dict(lr=0.1)),
    (optim.Adagrad, torch.optim.Adagrad, dict(lr=0.05, lr_decay=0.01, eps=1e-8, weight_decay=0.05)),
]


@pytest.mark.parametrize("ours, theirs, kw", CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_matches_torch_step_for_step(ours, theirs, kw):
    params0, grads_seq = _grads(0)
    expected = _torch_run(theirs, kw, params0, grads_seq)
    opt = ours(**kw)
    params = [p.copy() for p in params0]
    for t, (grads, exp) in enumerate(zip(grads_seq, expected), start=1):
        params = opt.step(params, grads)
        for i, (p, e) in enumerate(zip(params, exp)):
            assert_close(p, e, f"{ours.__name__} param {i} after step {t}", **F64)


def test_step_does_not_modify_inputs():
    params0, grads_seq = _grads(1, 2)
    keep = [p.copy() for p in params0]
    opt = optim.AdamW(lr=0.1)
    opt.step(params0, grads_seq[0])
    for p, k in zip(params0, keep):
        assert np.array_equal(p, k)


@settings(max_examples=25, deadline=None)
@given(lr=st.floats(1e-4, 1.0), wd=st.floats(0.0, 1.0), b1=st.floats(0.0, 0.99), b2=st.floats(0.5, 0.9999),
       seed=st.integers(0, 1000))
def test_adamw_property_matches_torch(lr, wd, b1, b2, seed):
    params0, grads_seq = _grads(seed, 5)
    kw = dict(lr=lr, weight_decay=wd, betas=(b1, b2))
    expected = _torch_run(torch.optim.AdamW, kw, params0, grads_seq)[-1]
    opt = optim.AdamW(**kw)
    params = params0
    for grads in grads_seq:
        params = opt.step(params, grads)
    for p, e in zip(params, expected):
        assert_close(p, e, "AdamW after 5 steps", **F64)


def test_first_adam_step_moves_each_coordinate_by_lr():
    """Bias correction makes the first Adam step ±lr per coordinate (|m̂|/sqrt(v̂) = 1)."""
    g = np.array([1e-4, -3.0, 250.0])
    p, _, _ = optim.adam_step(np.zeros(3), g, np.zeros(3), np.zeros(3), 1, lr=0.01, eps=0.0)
    assert_close(p, -0.01 * np.sign(g), "first Adam step")


def test_adamw_zero_grad_only_decays():
    p = np.array([1.0, -2.0])
    p_new, m, v = optim.adamw_step(p, np.zeros(2), np.zeros(2), np.zeros(2), 1, lr=0.1, weight_decay=0.5)
    assert_close(p_new, p * (1 - 0.05), "AdamW with zero gradient")
    assert np.all(m == 0) and np.all(v == 0)


# ------------------------------------------------------------------ schedules
def _torch_lrs(make_sched, n, base=0.1):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    sched = make_sched(opt)
    lrs = []
    for _ in range(n):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(lrs)


def test_step_lr_matches_torch():
    ref = _torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5), 40)
    ours = np.array([optim.step_lr(t, 0.1, 7, 0.5) for t in range(40)])
    assert_close(ours, ref, "StepLR", **F64)


def test_cosine_matches_torch():
    ref = _torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=25, eta_min=0.001), 26)
    ours = np.array([optim.cosine_lr(t, 0.1, 25, 0.001) for t in range(26)])
    assert_close(ours, ref, "CosineAnnealingLR", rtol=1e-9, atol=1e-12)


def test_linear_warmup_matches_torch():
    ref = _torch_lrs(lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=8), 20)
    ours = np.array([optim.warmup_lr(t, 0.1, 8, start_factor=0.1) for t in range(20)])
    assert_close(ours, ref, "LinearLR warmup", **F64)


def test_warmup_cosine_matches_torch_sequential():
    def make(o):
        lin = torch.optim.lr_scheduler.LinearLR(o, start_factor=0.01, end_factor=1.0, total_iters=5)
        cos = torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=15)
        return torch.optim.lr_scheduler.SequentialLR(o, [lin, cos], milestones=[5])

    ref = _torch_lrs(make, 20)
    ours = np.array([optim.warmup_cosine_lr(t, 0.1, 5, 20, start_factor=0.01) for t in range(20)])
    assert_close(ours, ref, "warmup + cosine (SequentialLR)", rtol=1e-9, atol=1e-12)


def test_schedule_shapes_and_endpoints():
    for name in ("constant", "step", "cosine", "warmup_cosine"):
        lr = optim.schedule(name, 50, 0.2)
        assert lr.shape == (50,) and np.all(lr >= 0) and lr.max() <= 0.2 + 1e-15
    assert optim.schedule("warmup_cosine", 50, 0.2)[0] == 0.0
    assert math.isclose(optim.cosine_lr(50, 0.2, 50), 0.0, abs_tol=1e-15)


# ------------------------------------------------------------------ surfaces and race
@pytest.mark.parametrize("name", list(nb09_regularization.SURFACES))
def test_surface_grad_matches_autograd(name):
    xy = np.random.default_rng(2).uniform(-1.5, 1.5, size=(6, 2))
    t = torch.tensor(xy, dtype=torch.float64, requires_grad=True)
    x, y = t[:, 0], t[:, 1]
    if name == "quadratic":
        f = 0.5 * (x**2 + 20 * y**2)
    elif name == "rosenbrock":
        f = (1 - x) ** 2 + 100 * (y - x**2) ** 2
    else:
        f = (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2
    f.sum().backward()
    assert_close(nb09_regularization.surface_value(name, xy), f.detach().numpy(), f"{name} value")
    assert_close(nb09_regularization.surface_grad(name, xy), t.grad.numpy(), f"{name} gradient")
    for k in range(len(xy)):  # one point (shape (2,)), as an optimizer step asks for it
        assert_close(nb09_regularization.surface_grad(name, xy[k]), t.grad.numpy()[k], f"{name} gradient at a point")


@pytest.mark.parametrize("name", list(nb09_regularization.SURFACES))
def test_surface_minimum_is_zero(name):
    m = np.array(nb09_regularization.SURFACES[name][2])
    assert nb09_regularization.surface_value(name, m) == pytest.approx(0.0, abs=1e-12)
    assert_close(nb09_regularization.surface_grad(name, m), np.zeros(2), "gradient at the minimum")


def test_race_returns_paths_from_the_same_start():
    race = nb09_regularization.optimizer_race("rosenbrock", lr=1e-3, steps=100, optimizers=("sgd", "momentum", "adam"))
    for r in race.values():
        assert r["path"].shape == (101, 2) and r["loss"].shape == (101,)
        assert_close(r["path"][0], nb09_regularization.SURFACES["rosenbrock"][0], "start")
        assert not r["diverged"] and r["final_loss"] < r["loss"][0]
    # momentum outruns plain SGD in the curved valley
    assert race["momentum"]["final_loss"] < race["sgd"]["final_loss"]


def test_quadratic_lr_threshold_is_two_over_L():
    """GD on a quadratic converges iff lr < 2/L: just below 2/L converges, just above diverges."""
    lr_max = nb09_regularization.quadratic_max_stable_lr()
    sweep = nb09_regularization.lr_sweep([0.001, 0.95 * lr_max, 1.05 * lr_max], steps=400)
    assert not sweep["diverged"][1] and sweep["final_loss"][1] < 1e-6
    assert sweep["diverged"][2] and np.isinf(sweep["final_loss"][2])
    assert sweep["final_loss"][0] > 1e-2  # too small: barely moved along the flat direction


def test_diverged_race_has_no_nan():
    r = nb09_regularization.optimizer_race("quadratic", lr=1.0, steps=200, optimizers=("sgd",))["sgd"]
    assert r["diverged"] and np.all(np.isfinite(r["path"]))


# ------------------------------------------------------------------ bad input
def test_bad_inputs():
    with pytest.raises(ValueError, match="g has shape"):
        optim.sgd_step(np.zeros(3), np.zeros(2), lr=0.1)
    with pytest.raises(ValueError, match="lr must be >= 0"):
        optim.sgd_step(np.zeros(3), np.zeros(3), lr=-1.0)
    with pytest.raises(ValueError, match="nesterov"):
        optim.SGD(0.1, nesterov=True)
    with pytest.raises(ValueError, match="t must be >= 1"):
        optim.adam_step(np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), 0)
    with pytest.raises(ValueError, match="beta1"):
        optim.adamw_step(np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), 1, betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="betas must be a pair"):
        optim.Adam(betas=0.9)
    with pytest.raises(ValueError, match="m .* must have p's shape"):
        optim.adam_step(np.zeros(2), np.zeros(2), np.zeros(3), np.zeros(2), 1)
    with pytest.raises(ValueError, match="NaN"):
        optim.adam_step(np.array([np.nan]), np.zeros(1), np.zeros(1), np.zeros(1), 1)
    with pytest.raises(ValueError, match="2 params but 1 grads"):
        optim.SGD(0.1).step([np.zeros(1), np.zeros(1)], [np.zeros(1)])
    with pytest.raises(TypeError, match="lists of arrays"):
        optim.SGD(0.1).step(np.zeros(1), np.zeros(1))
    with pytest.raises(ValueError, match="name must be one of"):
        optim.make("lion", 0.1)
    with pytest.raises(ValueError, match="v has shape"):
        optim.rmsprop_step(np.zeros(3), np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="alpha must be <= 1"):
        optim.RMSprop(alpha=1.5)
    with pytest.raises(ValueError, match="t must be >= 1"):
        optim.adagrad_step(np.zeros(2), np.zeros(2), np.zeros(2), 0)
    with pytest.raises(ValueError, match="factor must be < 1"):
        optim.ReduceLROnPlateau(0.1, factor=1.0)
    with pytest.raises(ValueError, match="value must be finite"):
        optim.ReduceLROnPlateau(0.1).step(float("nan"))
    with pytest.raises(ValueError, match="step_size must be >= 1"):
        optim.step_lr(3, 0.1, 0)
    with pytest.raises(ValueError, match="step must be >= 0"):
        optim.cosine_lr(-1, 0.1, 10)
    with pytest.raises(ValueError, match="start_factor must be <= 1"):
        optim.warmup_lr(0, 0.1, 5, start_factor=2.0)
    with pytest.raises(ValueError, match="total_steps must be >= 6"):
        optim.warmup_cosine_lr(0, 0.1, 5, 5)
    with pytest.raises(ValueError, match="name must be one of"):
        optim.schedule("exp", 10)
    with pytest.raises(ValueError, match="last axis of size 2"):
        nb09_regularization.surface_value("beale", np.zeros(3))
    with pytest.raises(ValueError, match="last axis of size 2"):
        nb09_regularization.surface_grad("beale", np.zeros(3))
    with pytest.raises(ValueError, match="name must be one of"):
        nb09_regularization.surface_grid("himmelblau")
    with pytest.raises(ValueError, match="lr must be > 0"):
        nb09_regularization.optimizer_race("beale", lr=0.0)
    with pytest.raises(ValueError, match="start must be a point"):
        nb09_regularization.optimizer_race("beale", start=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="lrs must all be > 0"):
        nb09_regularization.lr_sweep([0.1, -1.0])


def test_lr_experiment_shapes_and_bad_input():
    r = nb09_regularization.lr_experiment([1e-3, 0.5], epochs=3)
    assert r["final_loss"].shape == (2,) and len(r["train_loss"]) == 2 and len(r["train_loss"][0]) == 3
    assert r["final_loss"][1] < r["final_loss"][0]  # lr 1e-3 barely moves in 3 epochs
    with pytest.raises(ValueError, match="lrs must all be > 0"):
        nb09_regularization.lr_experiment([0.0])
    with pytest.raises(ValueError, match="optimizer must be one of"):
        nb09_regularization.lr_experiment([0.1], optimizer="adamw")


def test_pure_rmsprop_and_adagrad_steps_match_the_classes():
    rng = np.random.default_rng(3)
    p, g = rng.normal(size=4), rng.normal(size=4)
    assert_close(optim.rmsprop_step(p, g, np.zeros(4), lr=0.01)[0], optim.RMSprop(0.01).step([p], [g])[0], "rmsprop")
    assert_close(optim.adagrad_step(p, g, np.zeros(4), 1, lr=0.1)[0], optim.Adagrad(0.1).step([p], [g])[0], "adagrad")
    # Adagrad's first step moves every coordinate by exactly lr (up to eps): g / sqrt(g^2)
    assert_close(np.abs(optim.adagrad_step(p, g, np.zeros(4), 1, lr=0.1)[0] - p), np.full(4, 0.1), "Adagrad step 1",
                 rtol=1e-8)
    assert optim.make("rmsprop", 0.1).lr == 0.1 and isinstance(optim.make("adagrad", 0.1), optim.Adagrad)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.floats(0.01, 10.0), min_size=1, max_size=30), factor=st.sampled_from([0.1, 0.5]),
       patience=st.integers(0, 3), cooldown=st.integers(0, 2), min_lr=st.sampled_from([0.0, 0.02]),
       threshold=st.sampled_from([1e-4, 0.1]))
def test_reduce_lr_on_plateau_matches_torch(values, factor, patience, cooldown, min_lr, threshold):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=factor, patience=patience, cooldown=cooldown,
                                                        min_lr=min_lr, threshold=threshold)
    ours = optim.ReduceLROnPlateau(0.1, factor=factor, patience=patience, cooldown=cooldown, min_lr=min_lr,
                                   threshold=threshold)
    for v in values:
        theirs.step(v)
        assert ours.step(v) == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12)
