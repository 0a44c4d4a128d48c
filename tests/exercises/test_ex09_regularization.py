"""Graded tests for notebook 09's exercises (run against --impl solutions|exercises|PATH).

Oracles: torch.optim.AdamW, torch.optim.RMSprop and F.cross_entropy(label_smoothing=...) in float64,
the library's tested ``nnbasics.lab.train.EarlyStopping`` and ``nnbasics.core.optim``, and for 9.4 the
optimality (subgradient) conditions of the L1 proximal problem.

Tolerances: optimizer steps are a few float64 operations per coordinate (F64: rtol 1e-9); soft
thresholding is one subtraction per entry, exact to an ulp (rtol 1e-12).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import optim
from nnbasics.course.grading_plugin import call_unmodified
from nnbasics.testing import F64, assert_close
from nnbasics.lab.train import EarlyStopping

EXERCISES = {
    "9.1": {"title": "AdamW step (decoupled weight decay)",
            "hint": "decay the PARAMETER first, p * (1 - lr*wd), and keep wd out of g (adding wd*p "
                    "to the gradient is Adam+L2, the classic mistake); bias correction divides m by "
                    "1 - beta1**t and v by 1 - beta2**t with t starting at 1; eps goes outside the sqrt"},
    "9.2": {"title": "early stopping with patience",
            "hint": "an improvement is value < best - min_delta; patience counts epochs WITHOUT "
                    "improvement in a row (reset to 0 on a new best); stop at the epoch where the count "
                    "reaches patience; return (best_epoch, stop_epoch or None)"},
    "9.3": {"title": "label-smoothed cross-entropy and its gradient",
            "hint": "targets (1-eps)*onehot + eps/C on EVERY class (torch's convention), loss = mean over "
                    "rows of -sum(t * log_softmax(z)), gradient (softmax - t) / N; subtract the row max"},
    "9.4": {"title": "soft thresholding (the L1 proximal step)",
            "hint": "minimize (1/2)(z - w)^2 + t|z| case by case: for z > 0 the derivative gives z = w - t "
                    "(valid only if w > t), for z < 0 z = w + t (only if w < -t), otherwise z = 0 exactly; "
                    "that is sign(w) * max(|w| - t, 0)"},
    "9.5": {"title": "RMSProp step",
            "hint": "v <- alpha * v + (1 - alpha) * g**2 (alpha weights the OLD average), then "
                    "p <- p - lr * g / (sqrt(v) + eps) with eps OUTSIDE the square root; return new arrays"},
}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("09")


@pytest.fixture(scope="module", autouse=True)
def _warm_torch_optim():
    """torch.optim's first step imports a lot (seconds on a busy machine): pay it outside the timed tests."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    p.grad = torch.zeros_like(p)
    torch.optim.AdamW([p]).step()


# ------------------------------------------------------------------ 9.1 AdamW
def _torch_adamw(p0, grads, **kw):
    t = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.AdamW([t], **kw)
    out = []
    for g in grads:
        t.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(t.detach().numpy().copy())
    return out


def _adamw_diagnosis(got, p, g, m, v, t, lr, betas, eps, wd):
    """Name the usual mistake whose result ``got`` reproduces, or return ''."""
    b1, b2 = betas
    m1 = b1 * m + (1 - b1) * g
    v1 = b2 * v + (1 - b2) * g * g
    variants = {
        "weight decay was added to the gradient (that is Adam + L2, not AdamW): decay the "
        "parameter p * (1 - lr*wd) and leave g alone":
            optim.adam_step(p, g, m, v, t, lr=lr, betas=betas, eps=eps, weight_decay=wd)[0],
        "no bias correction: divide m by (1 - beta1**t) and v by (1 - beta2**t)":
            p * (1 - lr * wd) - lr * m1 / (np.sqrt(v1) + eps),
        "the bias correction uses the wrong step number: t starts at 1 on the first step":
            p * (1 - lr * wd) - lr * (m1 / (1 - b1 ** (t + 1))) / (np.sqrt(v1 / (1 - b2 ** (t + 1))) + eps),
        "the weight decay is missing: p <- p * (1 - lr*wd) before the Adam update":
            optim.adam_step(p, g, m, v, t, lr=lr, betas=betas, eps=eps)[0],
        "eps belongs outside the square root: sqrt(v_hat) + eps":
            p * (1 - lr * wd) - lr * (m1 / (1 - b1**t)) / np.sqrt(v1 / (1 - b2**t) + eps),
        "the decay must use the OLD p (decay first, then the Adam update), not shrink the result":
            optim.adam_step(p, g, m, v, t, lr=lr, betas=betas, eps=eps)[0] * (1 - lr * wd),
    }
    got = np.asarray(got, dtype=float)
    for msg, expected in variants.items():
        if got.shape == np.shape(expected) and np.allclose(got, expected, rtol=1e-9, atol=1e-12):
            return msg
    return ""


def _check_adamw_steps(ex, p0, grads, lr, betas, eps, wd):
    expected = _torch_adamw(p0, grads, lr=lr, betas=betas, eps=eps, weight_decay=wd)
    p, m, v = p0.copy(), np.zeros_like(p0), np.zeros_like(p0)
    for t, (g, e) in enumerate(zip(grads, expected), start=1):
        out = call_unmodified(ex.adamw_step, p, g, m, v, t, lr, betas, eps, wd)
        assert isinstance(out, tuple) and len(out) == 3, "adamw_step must return (p_new, m_new, v_new)"
        p_new = np.asarray(out[0])
        if not np.allclose(p_new, e, rtol=F64["rtol"], atol=F64["atol"]):
            why = _adamw_diagnosis(p_new, p, g, m, v, t, lr, betas, eps, wd)
            assert_close(p_new, e, f"p after step {t}" + (f" — looks like {why}" if why else ""))
        p, m, v = p_new, np.asarray(out[1]), np.asarray(out[2])
    return p


@pytest.mark.exercise("9.1", points=2)
def test_adamw_matches_torch_over_many_steps(ex):
    rng = np.random.default_rng(0)
    p0 = rng.normal(size=(3, 4))
    grads = [rng.normal(size=(3, 4)) * 2 for _ in range(30)]
    _check_adamw_steps(ex, p0, grads, lr=0.01, betas=(0.9, 0.999), eps=1e-8, wd=0.1)


@pytest.mark.exercise("9.1")
def test_adamw_first_step_and_moments(ex):
    p = np.array([1.0, -2.0, 3.0])
    g = np.array([0.5, 0.0, -4.0])
    p1, m1, v1 = ex.adamw_step(p, g, np.zeros(3), np.zeros(3), 1, 0.1, (0.9, 0.999), 1e-8, 0.0)
    assert_close(m1, 0.1 * g, "m after the first step (m = beta1*m + (1-beta1)*g)")
    assert_close(v1, 0.001 * g * g, "v after the first step (v = beta2*v + (1-beta2)*g**2)")
    why = _adamw_diagnosis(p1, p, g, np.zeros(3), np.zeros(3), 1, 0.1, (0.9, 0.999), 1e-8, 0.0)
    # bias correction makes the first step exactly lr * sign(g) (up to eps)
    assert_close(p1, p - 0.1 * np.sign(g) * np.abs(g) / (np.abs(g) + 1e-8),
                 "p after the first step (should move by lr per coordinate)" + (f" — {why}" if why else ""))


@pytest.mark.exercise("9.1")
def test_adamw_decay_is_decoupled(ex):
    """With a zero gradient AdamW only shrinks p by (1 - lr*wd); Adam+L2 would move it by ~lr."""
    p = np.array([2.0, -1.0])
    p1, _, _ = ex.adamw_step(p, np.zeros(2), np.zeros(2), np.zeros(2), 1, 0.1, (0.9, 0.999), 1e-8, 0.5)
    if np.allclose(p1, optim.adam_step(p, np.zeros(2), np.zeros(2), np.zeros(2), 1, lr=0.1,
                                       weight_decay=0.5)[0]):
        raise AssertionError("weight decay went into the gradient (Adam + L2): in AdamW it is decoupled, "
                             "p <- p * (1 - lr*wd), and never enters m or v")
    assert_close(p1, p * (1 - 0.1 * 0.5), "p after a zero-gradient step (pure decay)")


@pytest.mark.exercise("9.1")
@settings(max_examples=20, deadline=None)
@given(lr=st.floats(1e-4, 0.5), wd=st.floats(0.0, 1.0), b1=st.floats(0.0, 0.99),
       b2=st.floats(0.5, 0.9999), seed=st.integers(0, 10_000))
def test_adamw_property_matches_torch(ex, lr, wd, b1, b2, seed):
    rng = np.random.default_rng(seed)
    p0 = rng.normal(size=5)
    grads = [rng.normal(size=5) for _ in range(4)]
    _check_adamw_steps(ex, p0, grads, lr=lr, betas=(b1, b2), eps=1e-8, wd=wd)


# ------------------------------------------------------------------ 9.2 early stopping
def _reference_stop(values, patience, min_delta=0.0):
    stopper = EarlyStopping(patience, min_delta)
    for i, v in enumerate(values):
        if stopper.step(v):
            return stopper.best_index, i
    return stopper.best_index, None


def _check_stop(ex, values, patience, min_delta=0.0):
    got = ex.early_stopping(list(values), patience, min_delta)
    assert isinstance(got, tuple) and len(got) == 2, "return (best_epoch, stop_epoch)"
    want = _reference_stop(values, patience, min_delta)
    if got != want and want[1] is not None and got[1] == want[1] - 1:
        raise AssertionError(f"stopped one epoch early ({got[1]} instead of {want[1]}) on {list(values)} "
                             f"with patience={patience}: patience counts epochs WITHOUT improvement, "
                             "the best epoch itself does not count")
    late = want[1] is not None and (got[1] == want[1] + 1 or (got[1] is None and want[1] == len(values) - 1))
    if got != want and late:
        raise AssertionError(f"stopped one epoch late ({'never' if got[1] is None else got[1]} instead of "
                             f"{want[1]}) on {list(values)} with patience={patience}: stop as soon as "
                             f"{patience} epochs in a row failed to improve")
    assert got == want, (f"early_stopping({list(values)}, patience={patience}, min_delta={min_delta}) "
                         f"returned {got}, expected (best_epoch, stop_epoch) = {want}")


@pytest.mark.exercise("9.2")
def test_early_stopping_basic(ex):
    _check_stop(ex, [1.0, 0.8, 0.9, 0.85], patience=2)  # best at 1, two bad epochs -> stop at 3
    _check_stop(ex, [1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.71], patience=3)


@pytest.mark.exercise("9.2")
def test_early_stopping_never_stops_while_improving(ex):
    _check_stop(ex, [5.0, 4.0, 3.0, 2.5, 2.4], patience=1)
    _check_stop(ex, [1.0, 1.1, 0.9, 1.0, 0.8], patience=2)


@pytest.mark.exercise("9.2")
def test_early_stopping_min_delta_and_ties(ex):
    _check_stop(ex, [1.0, 1.0, 1.0], patience=2)  # an equal value is not an improvement
    _check_stop(ex, [1.0, 0.95, 0.93, 0.5, 0.49], patience=2, min_delta=0.1)


@pytest.mark.exercise("9.2")
@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.floats(0.0, 2.0), min_size=1, max_size=25), patience=st.integers(1, 5),
       min_delta=st.sampled_from([0.0, 0.01, 0.2]))
def test_early_stopping_property_matches_reference(ex, values, patience, min_delta):
    _check_stop(ex, values, patience, min_delta)


# ------------------------------------------------------------------ 9.3 label smoothing
def _torch_ls(logits, y, eps):
    t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(t, torch.tensor(y), label_smoothing=eps)
    loss.backward()
    return loss.item(), t.grad.numpy()


def _check_ls(ex, logits, y, eps):
    loss, dlogits = call_unmodified(ex.label_smoothing_loss, logits, y, eps)
    ref_loss, ref_grad = _torch_ls(logits, y, eps)
    if not (np.all(np.isfinite(loss)) and np.all(np.isfinite(dlogits))):
        raise AssertionError(f"non-finite loss or gradient for logits up to {np.abs(logits).max():g}: exp "
                             "overflowed — subtract each row's maximum before exponentiating (it cancels)")
    n, c = logits.shape
    if not np.isclose(loss, ref_loss, rtol=1e-9, atol=1e-12):
        other = np.full((n, c), eps / (c - 1))
        other[np.arange(n), y] = 1 - eps
        lp = torch.log_softmax(torch.tensor(logits), 1).numpy()
        if np.isclose(loss, -(other * lp).sum() / n):
            raise AssertionError("you spread eps/(C-1) over the wrong classes; torch's convention is "
                                 "(1-eps)*onehot + eps/C on every class, the true one included")
        if np.isclose(loss, ref_loss * n):
            raise AssertionError(f"loss is N={n} times too large: take the mean over the batch, not the sum")
    assert_close(loss, ref_loss, f"loss (eps={eps})")
    if n > 1 and np.allclose(dlogits, ref_grad * n) and not np.allclose(dlogits, ref_grad):
        raise AssertionError(f"dlogits is N={n} times too large: did you forget to divide by the batch size?")
    assert_close(dlogits, ref_grad, f"dlogits (eps={eps})")


@pytest.mark.exercise("9.3")
def test_label_smoothing_matches_torch(ex):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 4)) * 2
    y = rng.integers(0, 4, size=6)
    for eps in (0.1, 0.3):
        _check_ls(ex, logits, y, eps)


@pytest.mark.exercise("9.3")
def test_label_smoothing_zero_is_plain_cross_entropy_and_stable(ex):
    logits = np.array([[1000.0, 0.0, -1000.0], [3.0, 2.0, 1.0]])
    _check_ls(ex, logits, np.array([0, 2]), 0.0)
    _check_ls(ex, logits, np.array([1, 0]), 0.2)


@pytest.mark.exercise("9.3")
@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 5), c=st.integers(2, 6), eps=st.floats(0.0, 1.0), seed=st.integers(0, 999))
def test_label_smoothing_property_matches_torch(ex, n, c, eps, seed):
    rng = np.random.default_rng(seed)
    _check_ls(ex, rng.normal(size=(n, c)) * 3, rng.integers(0, c, size=n), eps)


# ------------------------------------------------------------------ 9.4 soft thresholding
def _soft_diagnosis(z, w, t) -> str:
    variants = {
        "hard thresholding keeps the surviving entries unchanged; the minimizer also moves them t "
        "closer to 0": np.where(np.abs(w) > t, w, 0.0),
        "w / (1 + t) is the proximal step of an L2 penalty: it never gives exact zeros": w / (1 + t),
        "entries with |w| < t crossed zero: shrinking by t must stop at exactly 0": w - t * np.sign(w),
        "negative entries must be shrunk towards 0 too (the problem is symmetric in w)": np.maximum(w - t, 0.0),
        "clipping to [-t, t] is not the minimizer": np.clip(w, -t, t),
    }
    za = np.asarray(z, dtype=float)
    for msg, wrong in variants.items():
        if za.shape == np.shape(wrong) and np.allclose(za, wrong, rtol=1e-12, atol=0):
            return msg
    return ""


def _check_soft(ex, w, t, what):
    w = np.asarray(w)
    z = call_unmodified(ex.soft_threshold, w, t)
    assert z is not None, f"{what}: got None — did you forget to return?"
    z = np.asarray(z)
    assert z.shape == w.shape, f"{what}: shape {z.shape}, expected w's shape {w.shape}"
    assert np.issubdtype(z.dtype, np.floating), f"{what}: dtype {z.dtype}; the result must be float (shrunk values)"
    wf, tb = w.astype(float), np.broadcast_to(np.asarray(t, dtype=float), w.shape)
    expected = np.sign(wf) * np.maximum(np.abs(wf) - tb, 0.0)
    if not np.allclose(z, expected, rtol=1e-12, atol=0):
        why = _soft_diagnosis(z, wf, tb)
        if why:
            raise AssertionError(f"{what}: {why}")
    zero = np.abs(wf) <= tb
    if np.any(z[zero] != 0):
        i = tuple(int(k) for k in np.argwhere(zero & (z != 0))[0])
        raise AssertionError(f"{what}: at index {i}, |w| = {abs(wf[i]):.3g} <= t = {tb[i]:.3g}, so the minimizer "
                             f"is exactly 0, got {z[i]:.3g}")
    nz = ~zero  # there the derivative must vanish: z - w + t sign(z) = 0 with sign(z) = sign(w)
    resid = np.abs(z[nz] - wf[nz] + tb[nz] * np.sign(wf[nz]))
    bad = resid > 1e-12 * np.maximum(1.0, np.abs(wf[nz]))
    if np.any(bad):
        i = tuple(int(k) for k in np.argwhere(nz)[np.argmax(bad)])
        raise AssertionError(f"{what}: at index {i} (w = {wf[i]:.4g}, t = {tb[i]:.4g}) the derivative of "
                             f"(1/2)(z - w)^2 + t|z| is not 0 at your z = {z[i]:.4g}")


@pytest.mark.exercise("9.4", points=2)
def test_soft_threshold_basic(ex):
    _check_soft(ex, np.array([3.0, -3.0, 0.4, -0.4, 1.0, 0.0]), 1.0, "soft_threshold(w, 1.0)")


@pytest.mark.exercise("9.4")
def test_soft_threshold_shapes_thresholds_and_dtypes(ex):
    rng = np.random.default_rng(0)
    _check_soft(ex, rng.normal(size=(3, 4)), np.array([0.0, 0.5, 1.0, 2.0]), "a threshold per column, w (3, 4)")
    _check_soft(ex, np.array([3, -1, 0, 2]), 1, "integer w and t")
    _check_soft(ex, np.array(2.5), 0.5, "a 0-d w")
    _check_soft(ex, rng.normal(size=(2, 2, 3)), 0.0, "t = 0 leaves w unchanged")


@pytest.mark.exercise("9.4")
def test_soft_threshold_extreme_magnitudes(ex):
    _check_soft(ex, np.array([1e300, -1e300, 1e-300, -2e-12, 5.0]), 1e-12, "huge and tiny entries")


@pytest.mark.exercise("9.4")
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), t=st.floats(0.0, 3.0), scale=st.floats(0.01, 100))
def test_soft_threshold_property_is_the_l1_minimizer(ex, seed, t, scale):
    _check_soft(ex, np.random.default_rng(seed).normal(size=7) * scale, t, f"soft_threshold(w, {t})")


# ------------------------------------------------------------------ 9.5 RMSProp
def _torch_rmsprop(p0, grads, **kw):
    t = torch.tensor(p0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.RMSprop([t], **kw)
    out = []
    for g in grads:
        t.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(t.detach().numpy().copy())
    return out


def _rmsprop_diagnosis(got, p, g, v, lr, alpha, eps) -> str:
    variants = {
        "eps belongs OUTSIDE the square root: sqrt(v) + eps":
            p - lr * g / np.sqrt(alpha * v + (1 - alpha) * g * g + eps),
        "the new squared gradient enters with weight (1 - alpha): v = alpha * v + (1 - alpha) * g**2":
            p - lr * g / (np.sqrt(alpha * v + g * g) + eps),
        "alpha is the weight of the OLD average, (1 - alpha) that of the new g**2":
            p - lr * g / (np.sqrt((1 - alpha) * v + alpha * g * g) + eps),
        "divide by the square ROOT of the running average of g**2":
            p - lr * g / (alpha * v + (1 - alpha) * g * g + eps),
    }
    got = np.asarray(got, dtype=float)
    for msg, wrong in variants.items():
        if got.shape == np.shape(wrong) and np.allclose(got, wrong, rtol=1e-9, atol=1e-12):
            return msg
    return ""


def _check_rmsprop_steps(ex, p0, grads, lr, alpha, eps):
    expected = _torch_rmsprop(p0, grads, lr=lr, alpha=alpha, eps=eps)
    p, v = p0.copy(), np.zeros_like(p0)
    for t, (g, e) in enumerate(zip(grads, expected), start=1):
        out = call_unmodified(ex.rmsprop_step, p, g, v, lr, alpha, eps)
        assert isinstance(out, tuple) and len(out) == 2, "rmsprop_step must return (p_new, v_new)"
        p_new = np.asarray(out[0])
        if not np.allclose(p_new, e, rtol=F64["rtol"], atol=F64["atol"]):
            why = _rmsprop_diagnosis(p_new, p, g, v, lr, alpha, eps)
            assert_close(p_new, e, f"p after step {t}" + (f" — looks like {why}" if why else ""))
        p, v = p_new, np.asarray(out[1])


@pytest.mark.exercise("9.5", points=2)
def test_rmsprop_matches_torch_over_many_steps(ex):
    rng = np.random.default_rng(1)
    _check_rmsprop_steps(ex, rng.normal(size=(3, 4)), [rng.normal(size=(3, 4)) * 2 for _ in range(30)],
                         lr=0.01, alpha=0.99, eps=1e-8)


@pytest.mark.exercise("9.5")
def test_rmsprop_first_step_and_state(ex):
    p, g = np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.0, -4.0])
    p1, v1 = call_unmodified(ex.rmsprop_step, p, g, np.zeros(3), 0.1, 0.9, 1e-8)
    assert_close(v1, 0.1 * g * g, "v after the first step (alpha = 0.9: the new g**2 gets weight 0.1)")
    assert_close(p1, p - 0.1 * g / (np.sqrt(0.1) * np.abs(g) + 1e-8), "p after the first step")


@pytest.mark.exercise("9.5")
@settings(max_examples=20, deadline=None)
@given(lr=st.floats(1e-4, 0.5), alpha=st.floats(0.0, 0.999), eps=st.sampled_from([1e-8, 1e-3]),
       seed=st.integers(0, 10_000), scale=st.sampled_from([1e-4, 1.0, 1e4]))
def test_rmsprop_property_matches_torch(ex, lr, alpha, eps, seed, scale):
    rng = np.random.default_rng(seed)
    _check_rmsprop_steps(ex, rng.normal(size=5), [rng.normal(size=5) * scale for _ in range(4)],
                         lr=lr, alpha=alpha, eps=eps)
