"""Notebook 04 widgets: an activation's curve, its derivative and what it does to Gaussian inputs;
the zig-zag of a neuron whose inputs are not zero-centred."""

from __future__ import annotations

import numpy as np

from nnbasics._validate import check_choice, check_float
from nnbasics.core import activations
from nnbasics.experiments import nb04_activations
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["activation_view", "activation_explorer", "OFFSETS", "LOSS_LEVELS", "loss_ellipses", "zigzag_view",
           "zigzag_explorer"]

_N = 4000
_BINS = 50


@frozen_cache(maxsize=256)
def activation_view(activation: str, x_max: float, scale: float) -> dict:
    """Pure data for the explorer.

    Parameters
    ----------
    activation : str
        One of :data:`nnbasics.core.activations.NAMES`.
    x_max : float > 0
        The curves are drawn on [-x_max, x_max].
    scale : float > 0
        Standard deviation of the Gaussian inputs pushed through the activation.

    Returns
    -------
    dict
        ``x`` (200,), ``f`` (200,), ``df`` (200,), ``outputs`` (4000,) activations of
        N(0, scale^2) samples, their histogram ``density`` (50,) over ``edges`` (51,), and the
        summary numbers of
        :func:`nnbasics.experiments.nb04_activations.gaussian_response` (``mean``, ``std``, ``mean_abs_grad``,
        ``frac_zero_grad``).
    """
    check_choice(activation, "activation", activations.NAMES)
    x_max = check_float(x_max, "x_max", minimum=0.0, min_inclusive=False)
    x = np.linspace(-x_max, x_max, 200)
    resp = nb04_activations.gaussian_response(activation, scale, n=_N, rng=0)
    density, edges = np.histogram(resp["y"], bins=_BINS, density=True)
    return {"activation": activation, "scale": float(scale), "x": x,
            "f": activations.apply(activation, x), "df": activations.derivative(activation, x),
            "outputs": resp["y"], "density": density, "edges": edges, "mean": resp["mean"], "std": resp["std"],
            "mean_abs_grad": resp["mean_abs_grad"], "frac_zero_grad": resp["frac_zero_grad"]}


class _ActivationView(View):
    """Left: f and f' over [-x_max, x_max]; right: the histogram of f(x) for Gaussian x."""

    def init(self, fig, d):
        self.ax1, self.ax2 = fig.subplots(1, 2)
        (self.f,) = self.ax1.plot(d["x"], d["f"], color=PALETTE[0], lw=2, label="f(x)")
        (self.df,) = self.ax1.plot(d["x"], d["df"], color=PALETTE[1], lw=2, ls="--", label="f'(x)")
        self.zero_h = self.ax1.axhline(0, color="grey", lw=0.5)
        self.zero_v = self.ax1.axvline(0, color="grey", lw=0.5)
        self.ax1.set(xlabel="x", ylabel="value")
        self.ax1.legend(fontsize=8, loc="upper left")
        self.hist = self.ax2.stairs(d["density"], d["edges"], fill=True, color=PALETTE[2])
        self.ax2.set(xlabel="f(x)", ylabel="density")
        return self.update(d)

    def update(self, d):
        self.f.set_data(d["x"], d["f"])
        self.df.set_data(d["x"], d["df"])
        self.ax1.relim()
        self.ax1.autoscale_view()
        self.ax1.set_title(f"{d['activation']} and its derivative")
        self.hist.set_data(d["density"], d["edges"])
        self.ax2.relim()
        self.ax2.autoscale_view()
        self.ax2.set_title(f"outputs for x ~ N(0, {d['scale']:.2g}²)")
        return [self.f, self.df, self.zero_h, self.zero_v, self.ax1.xaxis, self.ax1.yaxis, self.ax1.title,
                self.hist, self.ax2.xaxis, self.ax2.yaxis, self.ax2.title]


def _summary(d) -> str:
    return (f"output mean <b>{d['mean']:.3f}</b>, std <b>{d['std']:.3f}</b>; "
            f"E|f'(x)| = <b>{d['mean_abs_grad']:.3f}</b>; "
            f"{d['frac_zero_grad']:.0%} of inputs get |f'| &lt; 0.001 (saturated or dead)")


@register("04", "activation")
def activation_explorer(activation: str = "sigmoid") -> Explorer:
    """Dropdown for the activation, sliders for the plotted range and the input scale."""
    import ipywidgets as w

    controls = {
        "activation": w.Dropdown(options=list(activations.NAMES), value=activation,
                                 description="activation"),
        "x_max": w.FloatSlider(value=5.0, min=1.0, max=10.0, step=0.5, description="x range ±"),
        "scale": w.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.1,
                                  description="input std", continuous_update=False),
    }
    return Explorer(controls, activation_view, _ActivationView(), figsize=(8.5, 3.3), summary=_summary,
                    title="Activation, derivative and output distribution")


# --------------------------------------------------------------------------- the zig-zag
#: Mean offsets offered by the zig-zag slider (0: centred inputs; >= 0.5: every input positive).
OFFSETS = tuple(float(v) for v in np.round(np.arange(0.0, 1.51, 0.1), 2))
ZIGZAG_STEPS = 300
#: Contour levels of the zig-zag's left panel, as loss / loss at the start.
LOSS_LEVELS = tuple(10.0 ** np.arange(-3.0, 0.51, 0.5))
_W1_RANGE, _W2_RANGE = (-0.6, 1.6), (-1.6, 0.6)


def loss_ellipses(hessian, w_star, losses, n_points: int = 120) -> np.ndarray:
    """Contours of the quadratic loss 0.5 (w - w*)^T H (w - w*), in closed form: ellipses.

    Parameters
    ----------
    hessian : array_like, shape (2, 2)
        Symmetric positive definite.
    w_star : array_like, shape (2,)
        The minimum.
    losses : array_like, shape (K,)
        Loss values of the contours, all > 0.
    n_points : int
        Points per ellipse (the first is repeated at the end to close it).

    Returns
    -------
    ndarray, shape (K, n_points + 1, 2)
        Contour k: w* + sqrt(2 losses[k]) V diag(lambda)^(-1/2) u over the unit circle u, where
        H = V diag(lambda) V^T. The half-axes are sqrt(2 loss / lambda): the ratio of the longest
        to the shortest is sqrt(condition number).
    """
    hessian = np.asarray(hessian, dtype=np.float64)
    if hessian.shape != (2, 2):
        raise ValueError(f"hessian must have shape (2, 2), got {hessian.shape}")
    lam, V = np.linalg.eigh(hessian)  # ascending eigenvalues, eigenvectors in columns
    if not lam[0] > 0:
        raise ValueError(f"hessian must be positive definite, got eigenvalues {lam}")
    losses = np.asarray(losses, dtype=np.float64)
    if losses.ndim != 1 or np.any(losses <= 0):
        raise ValueError(f"losses must be a 1-D array of values > 0, got {losses}")
    angle = np.linspace(0.0, 2.0 * np.pi, n_points + 1)
    circle = np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (P + 1, 2)
    axes = V / np.sqrt(lam)  # (2, 2): columns are the half-axes for loss 1/2
    radius = np.sqrt(2.0 * losses)[:, None, None]  # (K, 1, 1)
    return np.asarray(w_star, dtype=np.float64) + radius * (circle @ axes.T)[None]  # (K, P + 1, 2)


@frozen_cache(maxsize=8)
def _offset_sweep(seed: int) -> dict:
    """Same-sign fraction and steps to 0.1 % of the loss for every offset of :data:`OFFSETS`."""
    runs = [nb04_activations.zigzag_descent("centred", steps=ZIGZAG_STEPS, seed=seed, offset=float(m))
            for m in OFFSETS]
    return {"offsets": np.array(OFFSETS),
            "same_sign": np.array([r.same_sign_fraction for r in runs]),
            "all_positive": np.array([float(np.mean(np.all(r.X > 0, axis=1))) for r in runs]),
            "centred_loss": runs[0].loss / runs[0].loss[0]}


@frozen_cache(maxsize=128)
def zigzag_view(offset: float, seed: int = 0) -> dict:
    """Pure data for the zig-zag explorer: one neuron's SGD path for inputs of mean ``offset``.

    Runs :func:`nnbasics.experiments.nb04_activations.zigzag_descent` on centred sigmoid outputs
    plus ``offset`` in both coordinates (0: zero-mean inputs; from about 0.5 on, every input is
    positive), ``ZIGZAG_STEPS`` per-example SGD steps from w = 0 towards w* = (1, -1).

    Parameters
    ----------
    offset : float
        Mean of the inputs in each coordinate.
    seed : int
        Draws the inputs and the visiting order.

    Returns
    -------
    dict
        ``path`` (steps + 1, 2) weights, ``loss_ratio`` (steps + 1,) loss / starting loss,
        ``contours`` (K, P, 2) the loss levels :data:`LOSS_LEVELS` (relative to the start) as
        ellipses, ``w_star`` (2,), ``same_sign_fraction``, ``all_positive`` (fraction of inputs
        with both coordinates > 0), ``steps_to_tol`` (int, or None when 0.1 % is not reached),
        ``condition_number``, ``offset``, ``steps``; and, over :data:`OFFSETS` (the slider's grid),
        ``sweep`` = ``offsets``, ``same_sign``, ``all_positive`` (K,) and ``centred_loss``
        (steps + 1,), the loss ratio of centred inputs (offset 0).
    """
    offset = check_float(offset, "offset", minimum=0.0)
    r = nb04_activations.zigzag_descent("centred", steps=ZIGZAG_STEPS, seed=seed, offset=offset)
    hessian = r.X.T @ r.X / r.X.shape[0]  # (2, 2): E[x x^T], the loss's Hessian
    return {"offset": offset, "steps": ZIGZAG_STEPS, "path": r.path, "loss_ratio": r.loss / r.loss[0],
            "w_star": r.w_star, "contours": loss_ellipses(hessian, r.w_star, np.array(LOSS_LEVELS) * r.loss[0]),
            "same_sign_fraction": r.same_sign_fraction,
            "all_positive": float(np.mean(np.all(r.X > 0, axis=1))),
            "steps_to_tol": r.steps_to_tol, "condition_number": r.condition_number,
            "sweep": _offset_sweep(int(seed))}


class _ZigzagView(View):
    """Left: the SGD path on the loss contours; middle: loss per step; right: same-sign steps vs offset."""

    tight_layout = False

    def init(self, fig, d):
        fig.subplots_adjust(left=0.06, right=0.985, bottom=0.15, top=0.86, wspace=0.32)
        self.ax1, self.ax2, self.ax3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.15, 1, 1]})
        from matplotlib import colormaps

        cmap = colormaps["viridis"]
        self.contours = [self.ax1.plot([], [], color=cmap(k / (len(LOSS_LEVELS) - 1)), lw=0.8)[0]
                         for k in range(len(LOSS_LEVELS))]
        (self.path,) = self.ax1.plot([], [], ".-", color=PALETTE[1], ms=2.5, lw=0.8, label="SGD path")
        # static markers above the moving lines (zorder 2), as in a full redraw
        self.ax1.plot(*d["w_star"], "*", color=PALETTE[5], ms=13, ls="none", label="$w^*$", zorder=3)
        self.ax1.plot(0.0, 0.0, "o", color=PALETTE[7], ms=4, ls="none", label="start", zorder=3)
        self.ax1.set(xlim=_W1_RANGE, ylim=_W2_RANGE, xlabel="$w_1$", ylabel="$w_2$")
        self.ax1.legend(fontsize=7, loc="lower left")
        steps = np.arange(d["steps"] + 1)
        sweep = d["sweep"]
        self.ax2.semilogy(steps, np.maximum(sweep["centred_loss"], 1e-9), color=PALETTE[7], lw=1, ls=":",
                          label="centred (offset 0)")
        (self.loss,) = self.ax2.semilogy(steps, np.ones_like(steps, dtype=float), color=PALETTE[1], lw=1.5,
                                         label="this offset")
        self.ax2.axhline(1e-3, color="grey", lw=0.6, ls="--", zorder=1)
        self.ax2.set(xlim=(0, d["steps"]), ylim=(1e-6, 2.0), xlabel="SGD step", ylabel="loss / loss at start")
        self.ax2.legend(fontsize=7, loc="upper right")
        self.ax3.plot(sweep["offsets"], sweep["same_sign"], "o-", color=PALETTE[0], ms=3,
                      label="same-sign steps")
        self.ax3.plot(sweep["offsets"], sweep["all_positive"], "s--", color=PALETTE[2], ms=3,
                      label="inputs all positive")
        (self.marker,) = self.ax3.plot([], [], "o", color=PALETTE[5], ms=8, mfc="none", mew=2)
        self.ax3.set(xlim=(-0.05, max(OFFSETS) + 0.05), ylim=(0, 1.05), xlabel="mean offset of the inputs",
                     ylabel="fraction")
        self.ax3.legend(fontsize=7, loc="lower right")
        return self.update(d)

    def update(self, d):
        for line, ellipse in zip(self.contours, d["contours"]):
            line.set_data(ellipse[:, 0], ellipse[:, 1])
        self.path.set_data(d["path"][:, 0], d["path"][:, 1])
        self.ax1.set_title(f"offset {d['offset']:.2f}: Hessian condition number {d['condition_number']:.1f}",
                           fontsize=9)
        self.loss.set_ydata(np.maximum(d["loss_ratio"], 1e-9))
        reached = (f"{d['steps_to_tol']} steps to 0.1% of the start loss" if d["steps_to_tol"] is not None
                   else f"0.1% of the start loss not reached in {d['steps']} steps")
        self.ax2.set_title(reached, fontsize=9)
        self.marker.set_data([d["offset"]], [d["same_sign_fraction"]])
        self.ax3.set_title(f"{d['same_sign_fraction']:.0%} of the steps move both weights alike", fontsize=9)
        return [*self.contours, self.path, self.ax1.title, self.loss, self.ax2.title, self.marker, self.ax3.title]


@register("04", "zigzag")
def zigzag_explorer(offset: float = 0.5) -> Explorer:
    """A slider for the inputs' mean -> the SGD path on the loss contours and the same-sign steps."""
    import ipywidgets as w

    for m in OFFSETS:  # the slider's grid, computed once (about 0.1 s in all)
        zigzag_view(m)
    controls = {"offset": w.FloatSlider(value=offset, min=0.0, max=max(OFFSETS), step=0.1,
                                        description="input mean", readout_format=".1f")}
    return Explorer(controls, zigzag_view, _ZigzagView(), figsize=(12, 3.6),
                    summary=lambda d: (f"inputs of mean {d['offset']:.2f}: {d['all_positive']:.0%} all positive, "
                                       f"<b>{d['same_sign_fraction']:.0%}</b> same-sign steps, Hessian condition "
                                       f"number <b>{d['condition_number']:.1f}</b>"),
                    title="The zig-zag: one neuron's SGD path as its inputs move off zero mean")
