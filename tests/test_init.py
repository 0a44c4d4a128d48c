"""nnbasics.core.init: our schemes have torch.nn.init's distributions (fixed seeds), and the depth
facts notebook 06 cites hold."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import init as I
from nnbasics.experiments import nb06_init

FAN_IN, FAN_OUT = 400, 250


def _torch_sample(fn, **kw):
    g = torch.Generator().manual_seed(0)
    w = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)  # torch: (fan_out, fan_in)
    fn(w, generator=g, **kw)
    return w.numpy().T  # ours: (fan_in, fan_out)


def _ks(a, b):
    """Two-sample Kolmogorov-Smirnov statistic: the largest gap between the two ECDFs."""
    a, b = np.sort(a.ravel()), np.sort(b.ravel())
    grid = np.concatenate([a, b])
    return np.max(np.abs(np.searchsorted(a, grid, side="right") / a.size
                         - np.searchsorted(b, grid, side="right") / b.size))


CASES = [
    ("xavier_uniform", torch.nn.init.xavier_uniform_, {}, 2 / (FAN_IN + FAN_OUT),
     math.sqrt(6 / (FAN_IN + FAN_OUT))),
    ("xavier_normal", torch.nn.init.xavier_normal_, {}, 2 / (FAN_IN + FAN_OUT), None),
    ("he_normal", torch.nn.init.kaiming_normal_, {"nonlinearity": "relu"}, 2 / FAN_IN, None),
    ("he_uniform", torch.nn.init.kaiming_uniform_, {"nonlinearity": "relu"}, 2 / FAN_IN,
     math.sqrt(6 / FAN_IN)),
]


@pytest.mark.parametrize("name, torch_fn, kw, var, bound", CASES, ids=[c[0] for c in CASES])
def test_scheme_matches_torch_nn_init(name, torch_fn, kw, var, bound):
    ours = getattr(I, name)((FAN_IN, FAN_OUT), rng=0)
    ref = _torch_sample(torch_fn, **kw)
    assert ours.shape == ref.shape == (FAN_IN, FAN_OUT)
    n = ours.size
    # variance within 4 standard errors of the published value (sd of a sample variance ~ var*sqrt(2/n))
    for label, w in (("ours", ours), ("torch", ref)):
        assert abs(w.var() / var - 1) < 4 * math.sqrt(2 / n), f"{label}: var {w.var()} vs {var}"
        assert abs(w.mean()) < 4 * math.sqrt(var / n)
    # same distribution: KS statistic below the 1% critical value 1.63 sqrt(2/n)
    assert _ks(ours, ref) < 1.63 * math.sqrt(2 / n)
    if bound is not None:
        assert np.abs(ours).max() <= bound and np.abs(ref).max() <= bound
        assert np.abs(ours).max() > 0.999 * bound


def test_normal_and_zeros_and_constant():
    w = I.normal((300, 300), 0.01, rng=1)
    assert w.std() == pytest.approx(0.01, rel=0.01)
    assert not I.zeros((3, 4)).any() and I.zeros((3, 4)).shape == (3, 4)
    assert np.all(I.constant((2, 2), 0.3) == 0.3)


def test_rng_and_dtype_are_arguments():
    a = I.he_normal((5, 7), rng=np.random.default_rng(3))
    b = I.he_normal((5, 7), rng=3)
    assert np.array_equal(a, b) and not np.array_equal(a, I.he_normal((5, 7), rng=4))
    assert I.xavier_uniform((5, 7), rng=0, dtype=np.float32).dtype == np.float32
    assert I.he_normal((100, 10), rng=0, mode="fan_out").std() == pytest.approx(math.sqrt(2 / 10), rel=0.1)


@settings(max_examples=20, deadline=None)
@given(fan_in=st.integers(1, 40), fan_out=st.integers(1, 40), seed=st.integers(0, 100))
def test_uniform_schemes_respect_their_bounds(fan_in, fan_out, seed):
    w = I.xavier_uniform((fan_in, fan_out), rng=seed)
    assert w.shape == (fan_in, fan_out)
    assert np.abs(w).max() <= math.sqrt(6 / (fan_in + fan_out))
    assert np.abs(I.he_uniform((fan_in, fan_out), rng=seed)).max() <= math.sqrt(6 / fan_in)


# ---- facts cited in notebook 06

def test_he_keeps_the_rms_of_a_50_layer_relu_mlp_and_std_is_083_of_it():
    s = nb06_init.activation_stats(depth=50, width=256, activation="relu", scheme="he_normal", rng=1)
    r = s.rms[1:] / s.rms[0]
    assert np.all((r > 0.5) & (r < 2))  # the network shown in the notebook (seed 1)
    # ReLU outputs are not zero-mean: std = sqrt(1 - 1/pi) RMS for a Gaussian pre-activation
    assert abs(s.std[1] / s.rms[1] - math.sqrt(1 - 1 / math.pi)) < 0.01
    assert s.std[0] == pytest.approx(s.rms[0], rel=1e-3)


def test_small_normal_collapses_xavier_relu_shrinks_he_tanh_grows():
    small = nb06_init.activation_stats(depth=50, width=256, scheme="normal_0.01", rng=1)
    assert small.std[-1] < 1e-20 * small.std[0]
    xr = nb06_init.activation_stats(depth=50, width=256, scheme="xavier_normal", rng=1)
    assert xr.std[-1] < 1e-3 * xr.std[0]
    assert np.all(np.diff(xr.std[1:]) < 0.1 * xr.std[1:-1])  # shrinks layer after layer (~1/sqrt 2)
    he_t = nb06_init.activation_stats(depth=50, width=256, activation="tanh", scheme="he_normal",
                              input_std=0.1, rng=1)
    xa_t = nb06_init.activation_stats(depth=50, width=256, activation="tanh", scheme="xavier_normal",
                              input_std=0.1, rng=1)
    assert he_t.std[-1] > 4 * he_t.std[0]  # grows until tanh's slope balances the doubling
    assert 0.5 < he_t.std[-1] < 0.6 and he_t.frac_saturated.max() < 0.01  # ... without saturating
    assert xa_t.std[-1] < he_t.std[-1] / 4


def test_zero_and_constant_init_keep_every_hidden_unit_identical():
    z = nb06_init.symmetry_experiment("zeros", epochs=4)
    assert z.unit_spread == 0.0 and z.first_layer_change == 0.0
    c = nb06_init.symmetry_experiment("constant", epochs=4)
    assert c.first_layer_change > 0.1 and c.unit_spread < 1e-8
    he = nb06_init.symmetry_experiment("he", epochs=4)
    assert he.unit_spread > 0.1


def test_activation_stats_histograms_are_fractions():
    s = nb06_init.activation_stats(depth=3, width=16, activation="tanh", scheme="xavier_uniform", rng=0)
    assert s.hist.shape == (4, 40) and np.allclose(s.hist.sum(axis=1), 1.0)
    assert s.std.shape == s.mean.shape == s.frac_saturated.shape == (4,)


def test_orthogonal_has_every_singular_value_equal_to_the_gain():
    for shape in [(7, 3), (3, 7), (5, 5)]:
        W = I.orthogonal(shape, rng=1, gain=1.5)
        assert W.shape == shape
        assert np.allclose(np.linalg.svd(W, compute_uv=False), 1.5)
    W = I.orthogonal((7, 3), rng=1)
    assert np.allclose(W.T @ W, np.eye(3))  # fan_in >= fan_out: orthonormal columns
    assert np.array_equal(I.orthogonal((4, 4), rng=2), I.orthogonal((4, 4), rng=2))
    assert I.orthogonal((4, 4), rng=2, dtype=np.float32).dtype == np.float32


def test_orthogonal_entries_are_distributed_like_torchs():
    ours = np.concatenate([I.orthogonal((64, 64), rng=s).ravel() for s in range(20)])
    g = torch.Generator().manual_seed(0)
    ref = np.concatenate([torch.nn.init.orthogonal_(torch.empty(64, 64, dtype=torch.float64), generator=g).numpy().ravel()
                          for _ in range(20)])
    assert _ks(ours, ref) < 1.63 * math.sqrt(2 / ours.size)
    # Haar: the sign fix makes the diagonal symmetric around 0 (without it the diagonal of Q is biased)
    diag = np.array([np.diag(I.orthogonal((16, 16), rng=s)) for s in range(200)])
    assert abs(diag.mean()) < 4 * diag.std() / math.sqrt(diag.size)


@pytest.mark.parametrize("name, param", [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                                         ("selu", None), ("leaky_relu", None), ("leaky_relu", 0.3)])
def test_gain_matches_torch(name, param):
    assert I.gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param), rel=1e-12)


def test_build_mlp_orthogonal_uses_the_activation_gain():
    from nnbasics.lab.models import MLPConfig, build_mlp, linear_layers

    for act, g in (("relu", math.sqrt(2)), ("tanh", 5 / 3), ("identity", 1.0)):
        m = build_mlp(MLPConfig(d_in=6, hidden=(8, 8), d_out=3, activation=act, init="orthogonal", seed=1))
        for lin in linear_layers(m):
            assert np.allclose(torch.linalg.svdvals(lin.weight.detach().double()).numpy(), g, rtol=1e-5)
            assert torch.all(lin.bias == 0)


def test_activation_stats_gain_scales_a_linear_network_exactly():
    a = nb06_init.activation_stats(depth=3, width=16, activation="linear", scheme="xavier_normal", rng=0)
    b = nb06_init.activation_stats(depth=3, width=16, activation="linear", scheme="xavier_normal", rng=0, gain=2.0)
    assert np.allclose(b.rms / a.rms, 2.0 ** np.arange(4))


def test_signal_propagation_matches_a_manual_pass():
    widths = (6, 5, 4)
    p = nb06_init.signal_propagation(widths, activation="relu", mode="fan_out", n=3, rng=0)
    rng = np.random.default_rng(0)
    h = rng.standard_normal((3, 6))
    W1, W2 = I.he_normal((6, 5), rng=rng, mode="fan_out"), I.he_normal((5, 4), rng=rng, mode="fan_out")
    z1 = h @ W1
    z2 = np.maximum(z1, 0) @ W2
    d2 = rng.standard_normal(z2.shape)
    d1 = (z1 > 0) * (d2 @ W2.T)
    rms = lambda a: np.sqrt(np.mean(a * a))  # noqa: E731
    assert np.allclose(p.forward_rms, [rms(z1), rms(z2)]) and np.allclose(p.backward_rms, [rms(d1), rms(d2)])


def test_signal_propagation_fan_in_is_flat_forward_fan_out_backward():
    w = (512, 256, 512, 256, 512)
    fi = nb06_init.signal_propagation(w, mode="fan_in", rng=1)
    fo = nb06_init.signal_propagation(w, mode="fan_out", rng=1)
    assert np.ptp(np.log(fi.forward_rms)) < 0.15 and np.ptp(np.log(fo.backward_rms)) < 0.15
    assert np.ptp(np.log(fi.backward_rms)) > 0.25  # alternating widths: x sqrt 2, / sqrt 2 in the other pass


@pytest.mark.parametrize("activation, scheme", [("tanh", "xavier_normal"), ("relu", "he_normal"), ("linear", "orthogonal")])
def test_jacobian_singular_values_match_torch_autograd(activation, scheme):
    depth, width = 4, 6
    sv = nb06_init.jacobian_singular_values(depth=depth, width=width, activation=activation, scheme=scheme,
                                            input_std=0.7, rng=3)
    rng = np.random.default_rng(3)
    h0 = 0.7 * rng.standard_normal((1, width))
    Ws = [torch.tensor(I.init_weights(scheme, (width, width), rng=rng)) for _ in range(depth)]
    f = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z}[activation]

    def net(h):
        for W in Ws:
            h = f(h @ W)
        return h

    J = torch.autograd.functional.jacobian(net, torch.tensor(h0)).reshape(width, width).numpy()
    # torch's J[i, j] = dh_L[i] / dh_0[j]; ours is its transpose: same singular values
    assert np.allclose(sv, np.linalg.svd(J, compute_uv=False), rtol=1e-10, atol=1e-12)


def test_log_rms_walk_and_theory():
    w = nb06_init.log_rms_walk(width=32, depth=10, n=4, networks=3)
    assert w["log_ratio"].shape == w["within2"].shape == (3,)
    assert w["theory_sd"] == pytest.approx(0.5 * math.sqrt(5 * 10 / 32))
    assert w["theory_mean"] == pytest.approx(-5 * 10 / (4 * 32))
    s = nb06_init.activation_stats(depth=10, width=32, activation="relu", scheme="he_normal", n=4, rng=1, n_bins=2)
    assert w["log_ratio"][1] == pytest.approx(np.log(s.rms[-1] / s.rms[0]))


def test_init_training_curves_zero_init_stays_at_ln_10():
    c = nb06_init.init_training_curves(("zeros", "he"), depth=2, width=16, epochs=2)
    assert set(c) == {"zeros", "he"} and len(c["he"]["train_loss"]) == 2 == len(c["he"]["val_acc"])
    assert c["zeros"]["train_loss"][-1] == pytest.approx(math.log(10), abs=0.01)
    assert c["he"]["train_loss"][-1] < c["zeros"]["train_loss"][-1]


# ---- bad input

def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="shape must be a"):
        I.he_normal(5, rng=0)
    with pytest.raises(ValueError, match="fan_in"):
        I.xavier_uniform((0, 3), rng=0)
    with pytest.raises(TypeError, match="rng must be"):
        I.he_uniform((3, 3), rng=None)
    with pytest.raises(ValueError, match="std must be >= 0"):
        I.normal((3, 3), -1.0, rng=0)
    with pytest.raises(ValueError, match="mode must be one of"):
        I.he_normal((3, 3), rng=0, mode="avg")
    with pytest.raises(TypeError, match="floating dtype"):
        I.zeros((3, 3), dtype=np.int64)
    with pytest.raises(ValueError, match="scheme must be one of"):
        I.init_weights("lecun", (3, 3), rng=0)
    with pytest.raises(ValueError, match="activation must be one of"):
        nb06_init.activation_stats(activation="swish")
    with pytest.raises(ValueError, match="nonlinearity must be one of"):
        I.gain("swish")
    with pytest.raises(ValueError, match="gain must be >= 0"):
        I.orthogonal((3, 3), rng=0, gain=-1.0)
    with pytest.raises(ValueError, match="widths must be a sequence"):
        nb06_init.signal_propagation((4,))
    with pytest.raises(ValueError, match="inits must be one of"):
        nb06_init.init_training_curves(("lecun",))
    with pytest.raises(ValueError, match="x has 3 features"):
        nb06_init.activation_stats(width=4, x=np.ones((2, 3)))
    with pytest.raises(ValueError, match="init must be one of"):
        nb06_init.symmetry_experiment("ones")
