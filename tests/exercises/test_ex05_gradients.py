"""Graded tests for notebook 05's exercises (run against --impl solutions|exercises|PATH).

Oracles: torch.nn.utils.clip_grad_norm_ and torch autograd in float64, and the tested
``nnbasics.lab.diagnostics``.
"""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import gradflow
from nnbasics.lab import diagnostics
from nnbasics.course.specs import model_spec
from nnbasics.course.grading_plugin import call_unmodified
from nnbasics.lab.models import MLPConfig, build_mlp
from nnbasics.testing import F64, assert_close

EXERCISES = {
    "5.1": {"title": "global gradient-norm clipping",
            "hint": "the norm is over ALL parameters together (sqrt of the sum of every squared entry "
                    "of every array), not each array separately; scale = max_norm / (total + eps) "
                    "only when total > max_norm; return the total from BEFORE clipping"},
    "5.2": {"title": "per-layer gradient-norm probe",
            "hint": "model.zero_grad(); loss = F.cross_entropy(model(X), y); loss.backward(); then "
                    "torch.linalg.norm(m.weight.grad) for every nn.Linear m in model.modules() "
                    "(weights only, not biases)"},
    "5.4": {"title": "Jacobian of a tanh recurrence (derived)",
            "hint": "each step's Jacobian is dh_t/dh_{t-1} = diag(1 - h_t^2) W^T (tanh' at the NEW state, "
                    "W transposed because z = h @ W); multiply them newest on the left, starting from the "
                    "identity: J = D_T W^T ... D_1 W^T"},
    "5.3": {"title": "sigmoid chain: product of local derivatives",
            "hint": "loop over the weights: z = w*h, s = sigmoid(z), multiply the running gradient "
                    "by w * s * (1 - s), then set h = s"},
}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("05")


def _torch_clip(grads, max_norm):
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g, dtype=torch.float64)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad.numpy() for p in params], float(total)


def _eps_rtol(total, eps=1e-6):
    """max_norm / (total + eps) and max_norm / total differ by eps / total (relative): accept both
    (the notebook states torch's eps; a learner who leaves it out is not wrong by more)."""
    return max(F64["rtol"], 2 * eps / total)


def _clip_mistakes(clipped, total, grads, max_norm):
    true_total = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    if np.isclose(float(total), sum(np.linalg.norm(g) for g in grads), rtol=1e-9) and not np.isclose(
            float(total), true_total, rtol=1e-6):
        raise AssertionError("your total is the sum of the arrays' norms; the global norm is the square "
                             "root of the sum of EVERY squared entry")
    by_value = [np.clip(g, -max_norm, max_norm) for g in grads]
    if all(np.asarray(c).shape == v.shape and np.allclose(c, v) for c, v in zip(clipped, by_value)):
        raise AssertionError("you clipped each entry to [-max_norm, max_norm] (clipping by value); norm "
                             "clipping scales every array by one common factor")


def _grads(seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return [scale * rng.standard_normal(s) for s in [(5, 3), (5,), (2, 5), (2,)]]


# ---------------------------------------------------------------- 5.1

@pytest.mark.exercise("5.1", points=2)
def test_clip_large_gradients_like_torch(ex):
    grads = _grads(0, scale=10.0)  # total norm ~ 60
    originals = [g.copy() for g in grads]
    clipped, total = call_unmodified(ex.clip_grad_norm, grads, 1.0)
    for i, (g, o) in enumerate(zip(grads, originals)):
        if not np.array_equal(g, o):
            raise AssertionError(f"clip_grad_norm modified grads[{i}] in place; return new arrays (g * scale)")
    ref, ref_total = _torch_clip(grads, 1.0)
    assert len(clipped) == len(grads), f"return one array per gradient: got {len(clipped)}, expected {len(grads)}"
    if np.isclose(float(total), 1.0):
        raise AssertionError("total must be the norm BEFORE clipping; you returned the clipped norm")
    _clip_mistakes(clipped, total, grads, 1.0)
    assert_close(float(total), ref_total, "total norm", **F64)
    separately = [g * min(1.0, 1.0 / (np.linalg.norm(g) + 1e-6)) for g in grads]
    if all(np.allclose(c, s) for c, s in zip(clipped, separately)):
        raise AssertionError("you clipped each array separately: the norm must be over ALL "
                             "parameters together, and every array scaled by the same factor")
    for i, (c, r) in enumerate(zip(clipped, ref)):
        assert_close(c, r, f"clipped grads[{i}] (one common factor max_norm / (total + eps))",
                     rtol=_eps_rtol(ref_total), atol=F64["atol"])


@pytest.mark.exercise("5.1")
def test_small_gradients_are_left_alone(ex):
    grads = _grads(1, scale=0.01)  # total norm ~ 0.06
    clipped, total = call_unmodified(ex.clip_grad_norm, grads, 5.0)
    for i, (c, g) in enumerate(zip(clipped, grads)):
        c = np.asarray(c)
        if c.shape == g.shape and np.allclose(c, g * 5.0 / (total + 1e-6)):
            raise AssertionError("you scaled gradients UP: only clip when total > max_norm")
        assert_close(c, g, f"grads[{i}] (total {total:.3g} < max_norm 5: must not change)", **F64)


@pytest.mark.exercise("5.1")
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 100.0), max_norm=st.floats(0.05, 20.0))
def test_clip_property_matches_torch(ex, seed, scale, max_norm):
    grads = _grads(seed, scale)
    clipped, total = ex.clip_grad_norm(grads, max_norm)
    ref, ref_total = _torch_clip(grads, max_norm)
    if abs(ref_total - max_norm) < 1e-5:  # torch's eps blurs the exact threshold
        return
    assert_close(float(total), ref_total, "total norm", **F64)
    for i, (c, r) in enumerate(zip(clipped, ref)):
        assert_close(c, r, f"clipped grads[{i}]", rtol=_eps_rtol(ref_total), atol=F64["atol"])
    new_total = np.sqrt(sum(np.sum(np.asarray(c) ** 2) for c in clipped))
    assert new_total <= max_norm * (1 + 1e-9) or ref_total <= max_norm, "after clipping the total must be <= max_norm"


@pytest.mark.exercise("5.1")
def test_clip_keeps_shapes_dtypes_and_direction(ex):
    grads = [np.full((1,), 3.0), np.full((2, 1), 4.0)]  # total norm sqrt(9 + 32) = 6.40
    clipped, total = call_unmodified(ex.clip_grad_norm, grads, 0.5)
    assert [np.asarray(c).shape for c in clipped] == [(1,), (2, 1)], "each clipped array keeps its shape"
    flat = np.concatenate([np.ravel(c) for c in clipped])
    ratio = flat / np.concatenate([g.ravel() for g in grads])
    assert np.ptp(ratio) < 1e-12 * ratio.max(), (
        f"every entry must be scaled by the SAME factor (got factors {np.round(ratio, 6)}): that keeps "
        "the update's direction")


# ---------------------------------------------------------------- 5.2

def _probe_setup(depth=6, activation="sigmoid", seed=0):
    cfg = MLPConfig(d_in=8, hidden=(16,) * depth, d_out=3, activation=activation, seed=seed)
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((24, 8)), rng.integers(0, 3, 24)
    return build_mlp(cfg, dtype=torch.float64), X, y


def _probe(ex, model, X, y, calls=1):
    """The learner's layer_grad_norms(model, X, y), run ``calls`` times on one model in the sandbox."""
    out = ex.scenario("layer_grad_norms", model=model_spec(model), X=X, y=y, calls=calls)
    return [np.asarray(r, dtype=np.float64) for r in out["results"]]


@pytest.mark.exercise("5.2", points=2)
def test_probe_matches_torch_autograd(ex):
    model, X, y = _probe_setup()
    norms = _probe(ex, model, X, y)[0]
    ref = diagnostics.layer_grad_norms(model, X, y)
    assert norms.shape == ref.shape, (
        f"one norm per nn.Linear layer: expected shape {ref.shape}, got {norms.shape}"
        + (" — weights only, not the biases" if norms.size == 2 * ref.size else ""))
    if np.allclose(norms, ref * X.shape[0], rtol=1e-6):
        raise AssertionError("your norms are N times too large: use the MEAN cross-entropy "
                             "(F.cross_entropy's default), not the sum")
    if np.allclose(norms, ref[::-1], rtol=1e-6):
        raise AssertionError("your norms are in reversed order: first layer first, as the layers appear "
                             "in model.modules()")
    if np.allclose(norms, ref**2, rtol=1e-6):
        raise AssertionError("you returned squared norms: the Frobenius norm is the square root of the "
                             "sum of squared entries")
    assert_close(norms, ref, "per-layer weight-gradient norms", **F64)


@pytest.mark.exercise("5.2")
def test_probe_twice_gives_the_same_answer(ex):
    model, X, y = _probe_setup(depth=3, activation="relu", seed=1)
    first, second = _probe(ex, model, X, y, calls=2)
    if np.allclose(second, 2 * first, rtol=1e-6):
        raise AssertionError("the second call gave twice the first: gradients accumulate in .grad, "
                             "call model.zero_grad() before backward()")
    assert_close(second, first, "norms on a second call", **F64)


@pytest.mark.exercise("5.2")
def test_probe_sees_vanishing_gradients(ex):
    model, X, y = _probe_setup(depth=10, activation="sigmoid", seed=2)
    norms = _probe(ex, model, X, y)[0]
    assert norms.shape == (11,), f"expected 11 norms (10 hidden + output layer), got shape {norms.shape}"
    assert norms[0] / norms[-1] < gradflow.sigmoid_bound(10), (
        "a 10-layer sigmoid MLP must show a first/last layer gradient ratio below 0.25**10")


# ---------------------------------------------------------------- 5.3

def _autograd_chain(x, weights):
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    h = xt
    for w in weights:
        h = torch.sigmoid(float(w) * h)
    h.sum().backward()
    return xt.grad.numpy()


@pytest.mark.exercise("5.3", points=2)
def test_chain_grad_matches_autograd(ex):
    x, w = np.array([-2.0, 0.0, 0.5, 3.0]), np.array([1.5, -2.0, 0.7])
    grad = call_unmodified(ex.sigmoid_chain_grad, x, w)
    ref = _autograd_chain(x, w)
    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape == ref.shape:
        h, prod_s = x.copy(), np.ones_like(x)
        for wl in w:
            s = 1 / (1 + np.exp(-wl * h))
            prod_s, h = prod_s * s * (1 - s), s
        if np.allclose(grad, prod_s):
            raise AssertionError("you forgot the weight: each local derivative is w_l * sigmoid'(w_l h_{l-1})")
        if np.allclose(grad, h):
            raise AssertionError("you returned the chain's output h_L, not its derivative dh_L/dh_0")
        h, at_input = x.copy(), np.ones_like(x)
        for wl in w:
            s_in = 1 / (1 + np.exp(-h))
            at_input, h = at_input * wl * s_in * (1 - s_in), 1 / (1 + np.exp(-wl * h))
        if np.allclose(grad, at_input):
            raise AssertionError("you evaluated sigma' at the unit's input h_{l-1}; take sigma' at z_l = "
                                 "w_l h_{l-1}, where sigma was applied")
    assert_close(grad, ref, "dh_L/dh_0", **F64)


@pytest.mark.exercise("5.3")
def test_chain_grad_one_layer_at_zero_is_quarter_w(ex):
    grad = np.asarray(ex.sigmoid_chain_grad(np.array([0.0]), np.array([2.0])), dtype=np.float64)
    assert_close(grad, [0.5], "one unit, x = 0, w = 2: w * sigmoid'(0) = 2 * 0.25")


@pytest.mark.exercise("5.3")
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), depth=st.integers(1, 15))
def test_chain_grad_property_bound_and_library(ex, seed, depth):
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(6), rng.uniform(-4, 4, depth)
    grad = np.asarray(ex.sigmoid_chain_grad(x, w), dtype=np.float64)
    assert_close(grad, gradflow.chain_grad(x, w, "sigmoid"), "dh_L/dh_0", **F64)
    assert np.all(np.abs(grad) <= gradflow.sigmoid_bound(depth) * np.prod(np.abs(w)) * (1 + 1e-12))


# ---------------------------------------------------------------- 5.4

def _torch_rnn_jacobian(h0, W, b, T):
    Wt, bt = torch.tensor(W), torch.tensor(b)

    def unroll(h):
        for _ in range(T):
            h = torch.tanh(h @ Wt + bt)
        return h

    return torch.autograd.functional.jacobian(unroll, torch.tensor(h0, dtype=torch.float64)).numpy()


def _rnn_mistakes(got, h0, W, b, T):
    """Candidate slips of the chain rule, each as the matrix it would produce."""
    def chain(step, steps=T):
        h, J = np.array(h0, dtype=np.float64), np.eye(len(h0))
        for _ in range(steps):
            z = h @ W + b
            h_new = np.tanh(z)
            J = step(J, h, h_new, z)
            h = h_new
        return J

    candidates = [
        (lambda J, h, hn, z: ((1 - hn**2)[:, None] * W) @ J,
         "you used W where the chain rule needs W^T: d(h @ W)[i]/dh[j] = W[j, i]"),
        (lambda J, h, hn, z: J @ ((1 - hn**2)[:, None] * W.T),
         "you multiplied in the wrong order: the new step's Jacobian goes on the LEFT, "
         "dh_t/dh_0 = (dh_t/dh_{t-1}) (dh_{t-1}/dh_0)"),
        (lambda J, h, hn, z: ((1 - h**2)[:, None] * W.T) @ J,
         "you took tanh' at the previous state h_{t-1}; it belongs to the new state: 1 - h_t^2"),
        (lambda J, h, hn, z: ((1 - z**2)[:, None] * W.T) @ J,
         "you used 1 - z^2 with the pre-activation z; tanh'(z) = 1 - tanh(z)^2 = 1 - h_t^2"),
        (lambda J, h, hn, z: W.T @ J, "you left out tanh's derivative: each step multiplies by diag(1 - h_t^2)"),
    ]
    def correct(J, h, hn, z):
        return ((1 - hn**2)[:, None] * W.T) @ J

    right = chain(correct)
    wrongs = [(chain(step), msg) for step, msg in candidates]
    wrongs += [(chain(correct, steps), f"off by one: your Jacobian has {steps} steps, not T = {T}")
               for steps in (T - 1, T + 1) if steps >= 0]
    for wrong, msg in wrongs:
        # a slip is only named when it gives a different answer here (e.g. the order cannot matter at T = 1)
        if got.shape == wrong.shape and np.allclose(got, wrong, rtol=1e-9, atol=1e-12) \
                and not np.allclose(wrong, right, rtol=1e-9, atol=1e-12):
            raise AssertionError(msg)


def _rnn_case(H=4, T=5, seed=0, scale=0.6):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(H), scale * rng.standard_normal((H, H)), 0.3 * rng.standard_normal(H), T


@pytest.mark.exercise("5.4", points=2)
def test_rnn_jacobian_matches_autograd(ex):
    h0, W, b, T = _rnn_case()
    got = call_unmodified(ex.rnn_state_jacobian, h0.copy(), W.copy(), b.copy(), T)
    ref = _torch_rnn_jacobian(h0, W, b, T)
    got = np.asarray(got, dtype=np.float64)
    if got.shape == ref.shape and np.allclose(got, ref.T) and not np.allclose(ref, ref.T):
        raise AssertionError("your Jacobian is transposed: J[i, j] = d h_T[i] / d h_0[j] (rows: outputs)")
    _rnn_mistakes(got, h0, W, b, T)
    # float64: T (H x H) products of O(1) entries, error ~ T H eps << atol + rtol |J|
    assert_close(got, ref, "d h_T / d h_0 (T = 5, H = 4)", **F64)


@pytest.mark.exercise("5.4")
def test_rnn_jacobian_zero_and_one_step(ex):
    h0, W, b, _ = _rnn_case(H=3, seed=1)
    assert_close(np.asarray(ex.rnn_state_jacobian(h0, W, b, 0), dtype=np.float64), np.eye(3),
                 "T = 0: no step, d h_0 / d h_0 is the identity")
    got = np.asarray(ex.rnn_state_jacobian(h0, W, b, 1), dtype=np.float64)
    _rnn_mistakes(got, h0, W, b, 1)
    assert_close(got, _torch_rnn_jacobian(h0, W, b, 1), "T = 1 (one step)", **F64)


@pytest.mark.exercise("5.4")
def test_rnn_jacobian_orthogonal_linear_regime_is_an_isometry(ex):
    Q, _ = np.linalg.qr(np.random.default_rng(2).standard_normal((5, 5)))
    J = np.asarray(ex.rnn_state_jacobian(np.zeros(5), Q, np.zeros(5), 7), dtype=np.float64)
    # h stays 0, tanh'(0) = 1: J = (Q^T)^7, orthogonal
    assert_close(J @ J.T, np.eye(5), "J J^T for an orthogonal W at h = 0 (must be the identity)", atol=1e-12)
    assert_close(J, np.linalg.matrix_power(Q.T, 7), "J for an orthogonal W at h = 0", **F64)


@pytest.mark.exercise("5.4")
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), H=st.sampled_from([1, 2, 5]), T=st.integers(0, 8),
       scale=st.sampled_from([0.1, 1.0, 3.0]))
def test_rnn_jacobian_property_matches_autograd(ex, seed, H, T, scale):
    h0, W, b, T = _rnn_case(H=H, T=T, seed=seed, scale=scale)
    got = np.asarray(ex.rnn_state_jacobian(h0, W, b, T), dtype=np.float64)
    ref = _torch_rnn_jacobian(h0, W, b, T)
    assert_close(got, ref.reshape(H, H), f"d h_T / d h_0 (H = {H}, T = {T}, weight scale {scale})", **F64)
