"""Each widget's compute function, on its own: what the picture must show.

(The Explorer machinery — blitting, memoization, immutability, coalescing — is tested in
tests/test_widgets.py.)
"""

import numpy as np
import pytest

from nnbasics.core import conv, mlp, perceptron
from nnbasics.experiments import nb03_backprop
from nnbasics.lab import debug
from nnbasics.testing import assert_close
from nnbasics.viz import nb01_perceptron as w01
from nnbasics.viz import nb02_mlp_forward as w02
from nnbasics.viz import nb03_backprop as w03
from nnbasics.viz import nb04_activations as w04
from nnbasics.viz import nb05_gradients as w05
from nnbasics.viz import nb06_init as w06
from nnbasics.viz import nb07_norm as w07
from nnbasics.viz import nb08_dropout as w08
from nnbasics.viz import nb09_regularization as w09
from nnbasics.viz import nb10_debugging as w10
from nnbasics.viz import nb11_hardware as w11
from nnbasics.viz import nb12_beyond_mlp as w12


# --------------------------------------------------------------------------- 01
def test_gate_line_accuracy_follows_the_bias():
    """AND with w = (1, 1): b = -1.5 separates it; raising b to -0.5 turns the line into OR."""
    acc = {b: w01.gate_line("and", 1.0, 1.0, b)["accuracy"] for b in (-2.5, -1.5, -0.5)}
    assert acc == {-2.5: 0.75, -1.5: 1.0, -0.5: 0.5}
    d = w01.gate_line("and", 1.0, 1.0, -1.5)
    xs, ys = d["line"]
    assert_close(d["w"][0] * xs + d["w"][1] * ys + d["b"], np.zeros(2), "points on the drawn line")


def test_gate_line_regions_agree_with_the_predictions_and_xor_has_no_line():
    d = w01.gate_line("or", 0.7, 1.3, -0.4)
    steps = d["regions"].shape[0]
    idx = np.rint((d["X"] + 0.5) / 2.0 * (steps - 1)).astype(int)  # the points on the region grid
    assert np.array_equal(d["regions"][idx[:, 1], idx[:, 0]], d["y_hat"])
    grid = np.round(np.arange(-2.0, 2.01, 0.5), 1)
    best = max(w01.gate_line("xor", a, b, c)["accuracy"] for a in grid for b in grid for c in grid)
    assert best == 0.75  # no line gets all four XOR points right


@pytest.mark.parametrize("separation", [0.5, 3.0, 6.0])
def test_learning_run_is_training_for_that_many_epochs(separation):
    """The slider's runs are prefixes of one long run: identical to training for k epochs."""
    from nnbasics import data

    X, y = data.blobs(60, rng=0, separation=separation)
    for epochs in (3, 1, 10, w01.MAX_EPOCHS, 5):  # shorter, longer, then shorter than a cached run
        got = w01.learning_run(1.0, epochs, separation)["history"]
        want = perceptron.train(X, y, lr=1.0, epochs=epochs, rng=np.random.default_rng(0))
        assert list(got.mistakes) == want.mistakes and list(got.accuracy) == want.accuracy
        assert got.converged == want.converged and got.b == want.b
        assert_close(got.w, want.w, "final weights")
    assert w01.learning_run(1.0, 30, 6.0)["history"].converged
    assert not w01.learning_run(1.0, 30, 0.5)["history"].converged  # overlapping classes


def test_learning_defaults_converge_and_overlap_shows_the_pocket():
    """The explorer's default separation (5.5) converges; at 3 the pocket line beats the last one."""
    from nnbasics.viz.explorer import registry

    builder = next(r.build for r in registry() if r.key == "01/learning")
    defaults = {k: c.value for k, c in builder().controls.items()}
    assert w01.learning_run(**defaults)["history"].converged
    overlap = w01.learning_run(1.0, 10, 3.0)["history"]
    assert not overlap.converged and overlap.best_accuracy > overlap.accuracy[-1]
    for epochs in (1, 4, 10):  # a shorter run's pocket: the pocket of the prefix, as training that long gives
        d = w01.learning_run(1.0, epochs, 3.0)
        want = perceptron.train(d["X"], d["y"], epochs=epochs, rng=np.random.default_rng(0), pocket=True)
        assert d["history"].best_accuracy == want.best_accuracy
        assert_close(d["history"].best_w, want.best_w, "the pocket's weights")


def test_boundary_default_is_not_already_a_gate():
    """The line explorer asks the learner to find AND and OR: its default must be neither."""
    from nnbasics.viz.explorer import registry

    builder = next(r.build for r in registry() if r.key == "01/boundary")
    c = builder().controls
    for gate in ("and", "or"):
        assert w01.gate_line(gate, c["w1"].value, c["w2"].value, c["b"].value)["accuracy"] < 1
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        w01.learning_run(1.0, 0, 3.0)


# --------------------------------------------------------------------------- 02
def _changes_per_line(regions) -> int:
    regions = np.asarray(regions, dtype=int)
    return int(max(np.abs(np.diff(regions, axis=1)).sum(axis=1).max(),
                   np.abs(np.diff(regions, axis=0)).sum(axis=0).max()))


@pytest.mark.parametrize("dataset", w02.DATASETS)
def test_identity_units_draw_a_straight_boundary_and_relu_units_bend_it(dataset):
    """The summary's claim: however wide, 'identity' gives a half-plane (each grid row and column
    changes class at most once); ReLU units bend the boundary and fit better."""
    lin = w02.classifier_regions(dataset, 32, "identity")
    bent = w02.classifier_regions(dataset, 32, "relu")
    assert _changes_per_line(lin["regions"]) <= 1
    assert _changes_per_line(bent["regions"]) >= 2
    assert bent["accuracy"] > lin["accuracy"]
    assert not np.array_equal(w02.classifier_regions(dataset)["regions"],
                              w02.classifier_regions(dataset, activation="identity")["regions"])


def test_classifier_default_shows_what_a_hidden_layer_adds():
    """The explorer's default (circles, 16 relu units) against identity units: a large gap."""
    default = w02.classifier_regions()
    assert default["dataset"] == "circles" and default["width"] == 16
    assert default["accuracy"] - w02.classifier_regions(activation="identity")["accuracy"] > 0.3


def test_classifier_axes_hold_every_setting():
    """One extent for all datasets and a loss axis above every curve: the axes never change."""
    extent = w02.classifier_regions("moons")["extent"]
    for dataset in w02.DATASETS:
        X = w02.classifier_regions(dataset)["X"]
        assert extent[0] < X[:, 0].min() and X[:, 0].max() < extent[1]
        assert extent[2] < X[:, 1].min() and X[:, 1].max() < extent[3]
        for width in w02.WIDTHS:
            for act in mlp.HIDDEN_ACTIVATIONS:
                d = w02.classifier_regions(dataset, width, act)
                assert d["extent"] == extent and max(d["loss"]) < w02.LOSS_YMAX, (dataset, width, act)
    with pytest.raises(ValueError, match="dataset must be one of"):
        w02.classifier_regions("blobs")


def test_init_loss_sits_on_ln_c_for_small_scales_and_climbs_for_large_ones():
    small, large = w02.init_loss_view(w02.INIT_SCALES[0]), w02.init_loss_view(w02.INIT_SCALES[-1])
    assert abs(small["loss"] - small["ln_c"]) < 1e-3 and np.allclose(small["p_true"], 0.1, atol=0.01)
    assert large["loss"] > large["ln_c"] + 5
    curve = np.asarray(small["losses"])
    from_one = curve[list(w02.INIT_SCALES).index(1.0):]
    assert np.all(np.diff(from_one) > 0)  # from a scale of 1 on, the loss only climbs
    assert w02.init_loss_view(1.0)["loss"] == curve[list(w02.INIT_SCALES).index(1.0)]
    with pytest.raises(ValueError, match="last_layer_scale must be one of"):
        w02.init_loss_view(0.123)


def test_approximation_improves_with_width_and_units_sum_to_the_fit():
    narrow, wide = w02.approximation_curve(1, "sine"), w02.approximation_curve(64, "sine")
    assert wide["mse"] < 1e-3 < 0.1 < narrow["mse"]
    offset = wide["fit"] - wide["hidden"].sum(axis=1)  # the output bias, the same everywhere
    assert np.ptp(offset) < 1e-9
    assert w02.approximation_curve(8, "sine", True)["show_units"]


# --------------------------------------------------------------------------- 03
def test_backprop_steps_reveal_values_forward_then_gradients_backward():
    trace = nb03_backprop.tiny_network_trace(1.0, -0.5, 1.0)
    known_v = known_g = frozenset()
    for step in range(w03.N_STEPS):
        d = w03.backprop_step(step, 1.0, 1)
        assert d["known_values"] >= known_v and d["known_grads"] >= known_g  # knowledge only grows
        known_v, known_g = d["known_values"], d["known_grads"]
        assert d["phase"] == ("forward" if step < len(trace["forward"]) else "backward")
    assert known_v == set(trace["forward"]) and known_g == {n for n, _ in trace["backward"]}
    first = w03.backprop_step(0, 1.0, 1)
    assert first["known_values"] == {"x[0]"} and not first["known_grads"]
    last0, last1 = w03.backprop_step(w03.N_STEPS - 1, 1.0, 0), w03.backprop_step(w03.N_STEPS - 1, 1.0, 1)
    assert last0["nodes"]["z2"]["grad"] > 0 > last1["nodes"]["z2"]["grad"]  # dL/dz2 = y_hat - y
    assert_close(last1["weight_grads"]["W1"], trace["grads"]["W1"], "dL/dW1 on the edges")
    before_w1 = w03.backprop_step(len(trace["forward"]) + 6, 1.0, 1)  # dL/dz1 known, W1 not yet
    assert "W2" in before_w1["known_grads"] and "W1" not in before_w1["known_grads"]
    with pytest.raises(ValueError, match=f"step must be in 0..{w03.N_STEPS - 1}"):
        w03.backprop_step(w03.N_STEPS)


def test_gate_stepper_fills_gradients_gate_by_gate_and_max_routes_to_the_winner():
    first = w03.gate_step(0)
    assert not first["known_grads"] and first["nodes"]["f"]["value"] == -20.0
    order = [w03.gate_step(k)["current"] for k in range(1, w03.N_GATE_STEPS)]
    assert order == [("f",), ("s",), ("a", "m"), ("z", "w"), ("x", "y")]
    last = w03.gate_step(w03.N_GATE_STEPS - 1)
    assert last["known_grads"] == set("xyzwamsf")
    g = {k: v["grad"] for k, v in last["nodes"].items()}
    assert (g["x"], g["y"], g["z"], g["w"]) == (-8.0, 6.0, 2.0, 0.0)  # swaps; routes to z (the larger)
    flipped = w03.gate_step(w03.N_GATE_STEPS - 1, w=4.0)  # now w wins the max
    assert flipped["nodes"]["w"]["grad"] == 2.0 and flipped["nodes"]["z"]["grad"] == 0.0
    with pytest.raises(ValueError, match="step must be in 0..5"):
        w03.gate_step(6)


# --------------------------------------------------------------------------- 04
def test_activation_view_histogram_and_saturation():
    d = w04.activation_view("relu", 5.0, 1.0)
    assert_close(np.sum(d["density"] * np.diff(d["edges"])), 1.0, "histogram area")
    assert d["x"][0] == -5.0 and d["x"][-1] == 5.0
    assert abs(d["frac_zero_grad"] - 0.5) < 0.03  # half the Gaussian inputs are negative
    narrow, wide = w04.activation_view("sigmoid", 5.0, 0.1), w04.activation_view("sigmoid", 5.0, 10.0)
    assert wide["frac_zero_grad"] > 0.4 > 0.01 > narrow["frac_zero_grad"]  # large inputs saturate
    with pytest.raises(ValueError, match="x_max"):
        w04.activation_view("relu", 0.0, 1.0)


def test_zigzag_view_same_sign_steps_rise_with_the_offset_and_sgd_slows():
    """Default (offset 0.5): every input positive, every step same-signed, 3+ times slower than
    centred inputs (offset 0, about half the steps same-signed); at offset 1, 0.1 % is out of reach."""
    centred, default, far = (w04.zigzag_view(m) for m in (0.0, 0.5, 1.0))
    assert 0.35 < centred["same_sign_fraction"] < 0.65 and centred["all_positive"] < 0.5
    assert default["same_sign_fraction"] == 1.0 and default["all_positive"] == 1.0
    assert default["steps_to_tol"] > 3 * centred["steps_to_tol"]
    assert far["steps_to_tol"] is None or far["steps_to_tol"] > 250
    assert centred["condition_number"] < 2 < 10 < default["condition_number"] < far["condition_number"]
    sweep = default["sweep"]
    assert_close(sweep["same_sign"][list(w04.OFFSETS).index(0.5)], 1.0, "the marker's point on the curve")
    assert_close(sweep["centred_loss"], centred["loss_ratio"], "the reference loss curve is offset 0's")
    assert default["path"].shape == (w04.ZIGZAG_STEPS + 1, 2) and np.all(default["path"][0] == 0)
    with pytest.raises(ValueError, match="offset"):
        w04.zigzag_view(-0.1)


def test_zigzag_contours_are_the_loss_levels():
    """Every point of contour k has loss LOSS_LEVELS[k] x the starting loss, measured on the inputs."""
    from nnbasics.experiments import nb04_activations

    d = w04.zigzag_view(0.7)
    r = nb04_activations.zigzag_descent("centred", steps=w04.ZIGZAG_STEPS, offset=0.7)
    for level, ellipse in zip(w04.LOSS_LEVELS, d["contours"]):
        loss = 0.5 * np.mean((ellipse @ r.X.T - r.X @ r.w_star) ** 2, axis=1)  # (P,)
        assert_close(loss, np.full(len(loss), level * r.loss[0]), f"contour at {level:g} x the start loss")
    with pytest.raises(ValueError, match="positive definite"):
        w04.loss_ellipses(np.diag([1.0, 0.0]), np.zeros(2), [1.0])
    with pytest.raises(ValueError, match="losses"):
        w04.loss_ellipses(np.eye(2), np.zeros(2), [0.0])


# --------------------------------------------------------------------------- 05, 06
def test_gradient_profile_has_one_norm_per_layer():
    d = w05.gradient_profile(7, "tanh")
    assert d["grad_norms"].shape == (8,) and d["act_std"].shape == (7,)
    assert w05.gradient_profile(10, "sigmoid")["ratio"] < 1e-3 < w05.gradient_profile(10, "relu", "he")["ratio"]


def test_depth_profile_he_keeps_the_signal_and_tiny_init_kills_it():
    """The band "input std ×/÷ 2": He + ReLU stays inside it after 20 layers, N(0, 0.01²) collapses."""
    he = w06.depth_profile(20, 64, "relu", "he_normal")
    tiny = w06.depth_profile(20, 64, "relu", "normal_0.01")
    assert 0.5 < he.std[-1] / he.std[0] < 2.0
    assert tiny.std[-1] / tiny.std[0] < 1e-10
    assert he.hist.shape == (21, he.bins.size - 1)


# --------------------------------------------------------------------------- 07, 08
def test_companions_move_batchnorm_in_train_mode_only():
    spreads = [w07.companion_effect(b, "train")["bn_spread"] for b in (2, 4, 16, 64)]
    assert all(a > b for a, b in zip(spreads, spreads[1:]))  # bigger batch, less noise
    for b in (2, 16):
        assert w07.companion_effect(b, "train")["ln_spread"] < 1e-12  # LayerNorm: the sample alone
        assert w07.companion_effect(b, "eval")["bn_spread"] < 1e-12  # running statistics only
    with pytest.raises(ValueError, match="mode must be"):
        w07.companion_effect(4, "test")


def test_groupnorm_view_runs_from_layernorm_to_instancenorm():
    """G = 1 is LayerNorm of the whole sample, G = 8 standardizes every channel: the channel-mean
    spread falls to 0 and the silent channel is stretched from its noise to unit std."""
    from nnbasics.core import norm

    x0 = w07.gn_batch()[0]  # (C, H, W)
    views = {g: w07.groupnorm_view(g) for g in w07.GROUP_CHOICES}
    ln = norm.layernorm_forward(x0.reshape(1, -1), np.ones(x0.size), np.zeros(x0.size))[0]
    assert_close(views[1]["out0"], ln.reshape(views[1]["out0"].shape), "G = 1 against LayerNorm")
    inst = views[8]
    assert_close(inst["channel_means"], np.zeros(8), "InstanceNorm: every channel mean 0", atol=1e-12)
    assert np.all(np.abs(inst["channel_stds"][np.arange(8) != w07.SILENT] - 1) < 1e-3)
    contrast = [views[g]["contrast"] for g in w07.GROUP_CHOICES]
    assert contrast[0] > 0.7 and all(a > b for a, b in zip(contrast, contrast[1:]))
    assert views[2]["silent_std"] < 0.05 < 0.9 < inst["silent_std"]
    for g, v in views.items():  # rows never share; each row has g sets of 8/g channels
        assert v["n_sets"] == 4 * g == len(np.unique(v["sets"])) and v["set_size"] == 8 // g * 25
        assert np.array_equal(v["sets"][0], v["group_of"])
    with pytest.raises(ValueError, match="groups must be one of"):
        w07.groupnorm_view(3)


def test_dropout_view_keeps_the_mean_and_shrinks_the_gap():
    for p in w08.RATES:
        d = w08.dropout_view(p)
        assert abs(d["kept_fraction"] - (1 - p)) < 0.06
        assert abs(d["mean_out"] / d["mean_in"] - 1) < 0.15  # inverted dropout keeps the mean
    none, half = w08.dropout_view(0.0), w08.dropout_view(0.5)
    assert np.array_equal(none["out"], none["h"])
    assert half["gap"] < none["gap"] / 2


def test_bn_shift_view_eval_variance_falls_with_p():
    """p = 0: no shift (train and eval variances agree, BN passes on ~1). p = 0.5 (the default):
    the training variance is larger, and BN's eval output keeps a fifth to a half of the variance."""
    none, half = w08.bn_shift_view(0.0), w08.bn_shift_view(0.5)
    assert_close(none["running_var"], none["eval_input_var"], "no dropout: nothing to shift", rtol=0.05)
    assert np.all(np.abs(none["eval_output_var"] - 1) < 0.05)
    assert np.all(half["running_var"] > 2 * half["eval_input_var"])
    assert np.all((0.2 < half["eval_output_var"]) & (half["eval_output_var"] < 0.5))
    assert np.all(np.diff(half["sweep_output_var"], axis=0) < 0)  # more dropout, more shift
    k = w08.SHIFT_RATES.index(0.5)
    assert np.array_equal(half["sweep_output_var"][k], half["eval_output_var"])  # the marker sits on its curve
    assert_close(half["eval_input_var"], np.asarray(w08.post_relu_pool()).var(axis=0), "eval sees the pool")


# --------------------------------------------------------------------------- 09
def test_capacity_view_overfits_at_high_degree_unless_lambda_grows():
    tiny, some = w09.capacity_view(15, 1e-8), w09.capacity_view(15, 1e-3)
    assert tiny["train_curve"][-1] < tiny["train_curve"][0]  # more capacity fits the train set
    assert tiny["val_curve"][-1] > 10 * tiny["val_curve"].min()  # ... and overfits it
    assert some["val_curve"][-1] < tiny["val_curve"][-1] / 10  # weight decay tames degree 15
    assert np.argmin(tiny["val_curve"]) not in (0, w09.MAX_DEGREE)
    assert_close(tiny["fit"]["train_mse"], tiny["train_curve"][15], "the marked degree's error")


def test_race_view_runs_the_chosen_optimizers_from_one_start():
    race = w09.race_view("rosenbrock", "all", 1e-3, 200)["race"]
    assert tuple(race) == w09.RACE_OPTIMIZERS
    starts = {tuple(r["path"][0]) for r in race.values()}
    assert len(starts) == 1
    assert race["nesterov"]["final_loss"] < race["sgd"]["final_loss"]
    assert w09.race_view("quadratic", "sgd", 0.2, 50)["race"]["sgd"]["diverged"]  # lr > 2/L
    with pytest.raises(ValueError, match="optimizer must be"):
        w09.race_view("quadratic", "lbfgs", 0.1, 10)


def test_sparsity_view_lasso_zeroes_weights_and_ridge_never_does():
    """Default λ = 0.01: the lasso has a few exact zeros, ridge none; λ ≈ 0.56 keeps exactly the
    3 relevant features; the path's weights are the lasso's optimum at each λ (not an artefact
    of warm starts), and a λ off the slider's grid is fitted on demand."""
    from nnbasics.core import regularization
    from nnbasics.experiments import nb09_regularization

    default = w09.sparsity_view(0.01)
    assert 0 < default["zeros_l1"] < 10 and default["zeros_l2"] == 0
    assert w09.sparsity_view(0.562)["selects_truth"] and not default["selects_truth"]
    assert w09.sparsity_view(w09.SPARSITY_LAMS[-1])["zeros_l1"] == 20
    assert np.all(np.diff(default["path_zeros_l1"]) >= 0) and np.all(default["path_zeros_l2"] == 0)
    problem = nb09_regularization.sparse_regression(n=50, d=20, rng=0)  # the explorer's regression
    X, y = problem["X"], problem["y"]
    assert np.array_equal(np.flatnonzero(problem["w_true"]), default["support"])
    for lam in (0.01, 0.178, 0.25):  # two on the grid, one off it
        d = w09.sparsity_view(lam)
        assert_close(d["w_l1"], regularization.lasso_ista(X, y, lam), f"lasso at λ={lam}", atol=1e-8)
        assert_close(d["w_l2"], regularization.ridge_fit(X, y, lam), f"ridge at λ={lam}")
    with pytest.raises(ValueError, match="lam"):
        w09.sparsity_view(-1.0)


# --------------------------------------------------------------------------- 10
@pytest.mark.parametrize("bug", list(debug.ZOO))
def test_zoo_view_diagnoses_each_bug(bug):
    d = w10.zoo_view(bug)
    codes = [f.code for f in d["findings"]]
    assert codes == [] if bug == "healthy" else debug.ZOO[bug].expected in codes
    assert d["layer_grad_norms"].shape[0] == len(d["train_loss"]) - d["diverged"]
    assert len(d["val_loss"]) <= len(d["train_loss"]) // w10.EVAL_EVERY + 1


# --------------------------------------------------------------------------- 11
def test_roofline_point_never_exceeds_the_roof():
    """Every setting the explorer offers, in both dtypes, lands at or below 100 % of attainable."""
    for dtype in w11.DTYPES:
        for n in w11.SIZES:
            for B in w11.BATCHES:
                d = w11.roofline_point(n, B, dtype)
                assert 0 < d["fraction"] <= 1.0, (n, B, dtype, d["fraction"])
                p = d["point"]
                assert p["gflops"] <= float(d["roof"].attainable(p["intensity"]))
    with pytest.raises(ValueError, match="n must be one of"):
        w11.roofline_point(100, 16, "float32")
    with pytest.raises(ValueError, match="dtype must be one of"):
        w11.roofline_point(128, 16, "float16")


# --------------------------------------------------------------------------- 12
def test_attention_weights_follow_the_query():
    d = w12.query_attention(70.0, 2.0, True)
    assert w12.TOKENS[int(np.argmax(d["weights"]))] == "cat"  # the key pointing the same way
    row = int(np.argmin(np.abs(d["sweep_angles"] - 75)))
    assert w12.TOKENS[int(np.argmax(d["sweep_weights"][row]))] == "cat"
    assert w12.query_attention(70.0, 6.0, True)["entropy"] < d["entropy"]  # longer query, sharper


# --------------------------------------------------------------------------- 10: calibration and prevalence
def test_temperature_changes_the_calibration_not_the_accuracy():
    """T = 1 is overconfident; the ECE falls towards the fitted T and rises again beyond it."""
    views = {T: w10.calibration_view(T) for T in w10.TEMPERATURES}
    assert len({round(v["accuracy"], 12) for v in views.values()}) == 1
    ece = {T: v["reliability"].ece for T, v in views.items()}
    best = min(ece, key=ece.get)
    assert ece[1.0] > 2 * ece[best] and ece[max(w10.TEMPERATURES)] > ece[best] and best > 1
    assert views[1.0]["confidence"] > views[1.0]["accuracy"] > views[max(w10.TEMPERATURES)]["confidence"] - 0.5
    with pytest.raises(ValueError, match="temperature must be one of"):
        w10.calibration_view(0.7)


def test_rarer_positives_leave_roc_auc_and_sink_the_precision_recall_curve():
    views = [w10.prevalence_view(r) for r in w10.RATES]
    aucs = [v["roc_auc"] for v in views]
    assert max(aucs) - min(aucs) < 0.05
    assert np.all(np.diff([v["ap"] for v in views]) < 0) and views[-1]["ap"] < 10 * w10.RATES[-1]
    with pytest.raises(ValueError, match="rate must be one of"):
        w10.prevalence_view(0.3)


# --------------------------------------------------------------------------- 12: receptive field
def test_receptive_view_grows_with_kernel_depth_and_pooling():
    base = w12.receptive_view(3, 3, 2)
    assert base["sizes"].tolist() == conv.receptive_field(*w12.stack(3, 3, 2))[0].tolist()
    assert w12.receptive_view(5, 3, 2)["sizes"][-1] > base["sizes"][-1]
    assert w12.receptive_view(3, 4, 2)["sizes"][-1] > base["sizes"][-1]
    assert w12.receptive_view(3, 3, 3)["sizes"][-1] > base["sizes"][-1] > w12.receptive_view(3, 3, 1)["sizes"][-1]
    assert w12.receptive_view(1, 4, 1)["sizes"].tolist() == [1, 1, 1, 1]  # 1x1 convolutions see one pixel
    seen = np.flatnonzero(base["masks"][0])
    assert seen[-1] - seen[0] + 1 == base["sizes"][-1]
    with pytest.raises(ValueError, match="k must be one of"):
        w12.receptive_view(2, 3, 2)
