"""nnbasics.core.mlp: the from-scratch MLP against torch autograd, and the facts notebooks 02-03 cite."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnbasics import data
from nnbasics.core import gradcheck, mlp
from nnbasics.experiments import nb02_mlp_forward, nb03_backprop
from nnbasics.lab import models
from nnbasics.testing import F64, assert_close


def _torch_grads(X, y, params, activation):
    model = models.torch_model_from_params(params, activation)
    out = model(torch.tensor(X))
    if out.shape[1] == 1:
        loss = F.binary_cross_entropy_with_logits(out, torch.tensor(y, dtype=torch.float64)[:, None])
    else:
        loss = F.cross_entropy(out, torch.tensor(y))
    loss.backward()
    lin = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    grads = {}
    for i, m in enumerate(lin, start=1):
        grads[f"W{i}"] = m.weight.grad.T
        grads[f"b{i}"] = m.bias.grad
    return float(loss.detach()), grads


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity"])
@pytest.mark.parametrize("sizes", [(3, 5, 4), (3, 6, 5, 1)])
def test_loss_and_grads_match_torch_autograd(activation, sizes):
    rng = np.random.default_rng(0)
    params = mlp.init_params(sizes, rng=rng)
    for k in params:
        if k.startswith("b"):
            params[k] = 0.1 * rng.standard_normal(params[k].shape)
    X = rng.standard_normal((7, sizes[0]))
    y = rng.integers(0, max(2, sizes[-1]), size=7)
    loss, grads = mlp.loss_and_grads(X, y, params, activation)
    tl, tg = _torch_grads(X, y, params, activation)
    assert_close(loss, tl, "loss", **F64)
    for k in params:
        assert_close(grads[k], tg[k], f"d{k}", **F64)


@pytest.mark.parametrize("c", [1, 3])
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "identity"])
def test_two_layer_written_out_equals_cache_api(c, activation):
    rng = np.random.default_rng(2)
    params = mlp.init_params((4, 6, c), rng=rng)
    X = rng.standard_normal((5, 4))
    y = rng.integers(0, max(2, c), size=5)
    Y = y[:, None].astype(float) if c == 1 else np.eye(c)[y]
    Y_hat, cache = mlp.two_layer_forward(X, params, activation)
    grads = mlp.two_layer_backward(Y, cache, params, activation)
    _, ref = mlp.loss_and_grads(X, y, params, activation)
    assert_close(Y_hat, mlp.predict_proba(X, params, activation), "Y_hat", **F64)
    for k in params:
        assert_close(grads[k], ref[k], f"d{k}", **F64)


def test_gradients_pass_finite_differences():
    rng = np.random.default_rng(4)
    params = mlp.init_params((3, 4, 3), rng=rng)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 3, size=6)
    _, grads = mlp.loss_and_grads(X, y, params, "tanh")
    res = gradcheck.check_gradients(lambda: mlp.loss_and_grads(X, y, params, "tanh")[0], params, grads)
    assert max(res.errors.values()) < gradcheck.GOOD


def test_digits_reaches_95_percent_in_a_few_seconds():
    split = data.digits(rng=0)
    hist = mlp.train(split.X_train, split.y_train, hidden=(64,), lr=0.1, epochs=10, batch_size=32,
                     rng=0, X_val=split.X_val, y_val=split.y_val)
    assert hist.val_acc[-1] >= 0.95, f"test accuracy {hist.val_acc[-1]:.3f} < 0.95"
    assert hist.seconds < 10.0
    assert hist.train_loss[-1] < hist.train_loss[0]


def test_xor_is_learned():
    X, y = data.xor()
    hist = mlp.train(X, y, hidden=(8,), activation="tanh", lr=0.5, epochs=300, batch_size=4, rng=0)
    assert hist.train_acc[-1] == 1.0 and hist.train_loss[-1] < 0.1
    assert np.array_equal(mlp.predict(X, hist.params, "tanh"), y)


def test_torch_twin_in_float64_follows_the_numpy_training_exactly():
    X, y = data.moons(40, rng=0)
    kw = dict(hidden=(6,), activation="tanh", lr=0.3, epochs=5, batch_size=8, rng=3)
    ours = mlp.train(X, y, **kw)
    twin = nb03_backprop.train_torch(X, y, dtype=torch.float64, **kw)
    assert_close(twin["history"].train_loss, ours.train_loss, "torch vs numpy loss per epoch", rtol=1e-9, atol=1e-12)
    for k in ours.params:
        assert_close(twin["history"].params[k], ours.params[k], f"final {k}", rtol=1e-8, atol=1e-10)


def test_torch_twin_learns_in_float32():
    X, y = data.xor()
    out = nb03_backprop.train_torch(X, y, hidden=(8,), activation="tanh", lr=0.5, epochs=300, batch_size=4, rng=0)
    assert out["history"].train_acc[-1] == 1.0


def test_worked_example_numbers():
    ex = nb02_mlp_forward.worked_example()
    assert_close(ex["z1"], [[0.93, 0.64]], "z1", rtol=0, atol=1e-12)
    assert_close(ex["a1"], ex["z1"], "a1 (both z1 > 0, ReLU passes them)")
    assert_close(ex["z2"], [[0.689]], "z2", rtol=0, atol=1e-12)
    assert round(float(ex["y_hat"][0, 0]), 4) == 0.6657


def test_stacked_linear_layers_collapse_but_relu_layers_do_not():
    d = nb02_mlp_forward.linear_collapse((2, 8, 8, 3), rng=0)
    assert d["W_eff"].shape == (2, 3) and d["max_abs_diff"] < 1e-12
    assert np.max(np.abs(d["relu_stacked"] - d["single"])) > 1e-3


def test_universal_approximation_improves_with_width():
    mses = [nb02_mlp_forward.universal_approximation(w, "sine", rng=0)["mse"] for w in (2, 8, 32, 128)]
    assert all(a > b for a, b in zip(mses, mses[1:])), mses
    assert mses[-1] < 1e-3


@pytest.mark.parametrize("target", nb02_mlp_forward.UA_TARGETS)
def test_universal_approximation_units_are_nested(target):
    narrow = nb02_mlp_forward.universal_approximation(5, target, rng=3)
    wide = nb02_mlp_forward.universal_approximation(9, target, rng=3)
    assert_close(wide["kinks"][:5], narrow["kinks"], "the first 5 kinks of the wider layer")
    assert wide["mse"] <= narrow["mse"] * (1 + 1e-6)


def test_worked_example_with_a_unit_zeroed_by_relu():
    ex = nb02_mlp_forward.worked_example("relu", x=[-1.0, 0.5, 1.0])
    assert_close(ex["z1"], [[-0.85, 0.95]], "z1", rtol=0, atol=1e-12)
    assert_close(ex["a1"], [[0.0, 0.95]], "a1 (the negative unit is zeroed)", rtol=0, atol=1e-12)
    assert_close(ex["z2"], [[-0.52]], "z2", rtol=0, atol=1e-12)


def test_tiny_network_trace_matches_torch():
    tr = nb03_backprop.tiny_network_trace(1.0, -0.5, 1.0)
    p = tr["params"]
    x = torch.tensor(tr["x"], requires_grad=True)
    W1, b1, W2 = (torch.tensor(p[k], requires_grad=True) for k in ("W1", "b1", "W2"))
    b2 = torch.tensor(p["b2"], dtype=torch.float64, requires_grad=True)
    z1 = x @ W1 + b1
    z1.retain_grad()
    a1 = torch.sigmoid(z1)
    z2 = a1 @ W2 + b2
    loss = F.binary_cross_entropy_with_logits(z2, torch.tensor(1.0, dtype=torch.float64))
    loss.backward()
    assert_close(tr["nodes"]["L"]["value"], float(loss.detach()), "L", **F64)
    assert_close([tr["nodes"]["x[0]"]["grad"], tr["nodes"]["x[1]"]["grad"]], x.grad, "dL/dx", **F64)
    assert_close([tr["nodes"]["z1[0]"]["grad"], tr["nodes"]["z1[1]"]["grad"]], z1.grad, "dL/dz1", **F64)
    for name, t in (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)):
        assert_close(tr["grads"][name], t.grad, f"dL/d{name}", **F64)
    assert_close(tr["nodes"]["z2"]["grad"], tr["nodes"]["y_hat"]["value"] - 1.0, "dL/dz2 = y_hat - y")
    assert [n for n, _ in tr["backward"]][:3] == ["L", "z2", "W2"]


@pytest.mark.parametrize("x, y, z, w", [(3.0, -4.0, 2.0, -1.0), (0.5, 2.0, -3.0, 1.0), (-1.5, 0.0, 7.0, 7.0)])
def test_gate_graph_trace_matches_torch(x, y, z, w):
    tr = nb03_backprop.gate_graph_trace(x, y, z, w)
    leaves = torch.tensor([x, y, z, w], dtype=torch.float64, requires_grad=True)
    f = 2 * (leaves[0] * leaves[1] + torch.maximum(leaves[2], leaves[3]))
    f.backward()
    assert_close(tr["nodes"]["f"]["value"], float(f.detach()), "f", **F64)
    grads = [tr["nodes"][k]["grad"] for k in "xyzw"]
    if z == w:  # torch splits a tie evenly; the gate (and the notebook) routes it to z
        assert grads[2:] == [2.0, 0.0]
        grads, expected = grads[:2], leaves.grad[:2]
    else:
        expected = leaves.grad
    assert_close(grads, expected, "df/d(x, y, z, w)", **F64)
    assert [p for _, p, _ in tr["backward"]] == ["seed", "scale", "add distributes", "max routes", "multiply swaps"]


def test_dense_jacobian_matches_torch_and_its_vjp():
    d = nb03_backprop.dense_jacobian(N=3, D=2, H=4, rng=1)
    X = torch.zeros(3, 2, dtype=torch.float64)
    J = torch.autograd.functional.jacobian(lambda X: X @ torch.tensor(d["W"]), X).reshape(12, 6)
    assert_close(d["J"], J, "dZ/dX", **F64)
    assert_close(d["vjp"], d["G"] @ d["W"].T, "the VJP", **F64)
    assert d["max_abs_diff"] < 1e-12 and d["nonzero_fraction"] == 1 / 3


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "identity"])
def test_forward_mode_gradient_matches_torch(activation):
    rng = np.random.default_rng(5)
    params = mlp.init_params((3, 4, 4, 3), rng=rng)
    params["b1"] = 0.3 * rng.standard_normal(4)  # no ReLU input exactly at its kink
    X, y = rng.standard_normal((5, 3)), rng.integers(0, 3, size=5)
    out = nb03_backprop.forward_mode_gradient(X, y, params, activation)
    model = models.torch_model_from_params(params, activation)
    F.cross_entropy(model(torch.tensor(X)), torch.tensor(y)).backward()
    lin = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    for i, layer in enumerate(lin, start=1):
        assert_close(out["grads"][f"W{i}"], layer.weight.grad.T, f"forward-mode dW{i}", **F64)
        assert_close(out["grads"][f"b{i}"], layer.bias.grad, f"forward-mode db{i}", **F64)
        assert_close(out["reverse"][f"W{i}"], layer.weight.grad.T, f"reverse-mode dW{i}", **F64)
    assert out["passes"] == sum(v.size for v in params.values())


def test_time_forward_backward_reports_positive_times_and_the_flop_count():
    t = nb03_backprop.time_forward_backward((8, 16, 3), 4, repeats=2, rounds=3)
    assert t["forward"] > 0 and t["backward"] > 0 and len(t["ratios"]) == 3
    assert t["ratio"] == np.median(t["ratios"]) and min(t["ratios"]) <= t["ratio"] <= max(t["ratios"])
    assert t["backward_flops"] == 2 * t["forward_flops"] == 2 * 2 * 4 * (8 * 16 + 16 * 3)


def test_two_layer_backward_intermediate_convention():
    # every d<name> is dL/d<name> of the MEAN loss: the batch's 1/N sits in dZ2, not in dW
    rng = np.random.default_rng(2)
    params = mlp.init_params((3, 4, 2), rng=rng)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, size=6)
    params["W2"] = rng.standard_normal((4, 3))
    params["b2"] = np.zeros(3)
    y = rng.integers(0, 3, size=6)
    Y_hat, cache = mlp.two_layer_forward(X, params, "tanh")
    grads = mlp.two_layer_backward(np.eye(3)[y], cache, params, "tanh")
    dZ2 = (Y_hat - np.eye(3)[y]) / 6
    assert_close(grads["W2"], cache["A1"].T @ dZ2, "dW2 = A1^T dZ2", **F64)
    assert_close(grads["b2"], dZ2.sum(axis=0), "db2 = sum_rows dZ2", **F64)


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="sizes must list at least 2"):
        mlp.init_params((3,), rng=0)
    with pytest.raises(TypeError, match="rng must be"):
        mlp.init_params((3, 2), rng=None)
    params = mlp.init_params((3, 4, 2), rng=0)
    with pytest.raises(ValueError, match="activation must be one of"):
        mlp.forward(np.zeros((1, 3)), params, "swish")
    with pytest.raises(ValueError, match="x has 2 features but w expects D=3"):
        mlp.forward(np.zeros((1, 2)), params)
    with pytest.raises(TypeError, match="params must be a dict"):
        mlp.forward(np.zeros((1, 3)), {"W": 1})
    with pytest.raises(ValueError, match="y must be < C=2"):
        mlp.loss_and_grads(np.zeros((2, 3)), [0, 2], params)
    with pytest.raises(ValueError, match="y has 1 labels but there are N=2"):
        mlp.train(np.zeros((2, 3)), [0], rng=0)
    with pytest.raises(ValueError, match="lr must be >"):
        mlp.train(np.zeros((2, 3)), [0, 1], lr=0.0, rng=0)
    with pytest.raises(ValueError, match="give both X_val and y_val"):
        mlp.train(np.zeros((2, 3)), [0, 1], rng=0, X_val=np.zeros((1, 3)))
    with pytest.raises(ValueError, match="exactly W1 and W2"):
        mlp.two_layer_forward(np.zeros((1, 3)), mlp.init_params((3, 2, 2, 2), rng=0))
    Y_hat, cache = mlp.two_layer_forward(np.zeros((2, 3)), params)
    with pytest.raises(ValueError, match="Y has shape"):
        mlp.two_layer_backward(np.zeros((2, 3)), cache, params)
    with pytest.raises(ValueError, match="width must be >= 1"):
        nb02_mlp_forward.universal_approximation(0)
    with pytest.raises(ValueError, match="target must be one of"):
        nb02_mlp_forward.universal_approximation(3, "cubic")
    with pytest.raises(ValueError, match="y must be <= 1"):
        nb03_backprop.tiny_network_trace(1.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="X has N=2 rows but y has N=3"):
        mlp.accuracy(np.zeros((2, 3)), [0, 1, 1], params)
    with pytest.raises(ValueError, match="n must be >= 1"):
        nb02_mlp_forward.linear_collapse(rng=0, n=0)
    with pytest.raises(ValueError, match="activation must be one of"):
        nb02_mlp_forward.worked_example("swish")
