"""Notebook 04 widget: an activation's curve, its derivative and what it does to Gaussian inputs."""

from __future__ import annotations

import numpy as np

from nnbasics._validate import check_choice, check_float
from nnbasics.core import activations
from nnbasics.experiments import nb04_activations
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["activation_view", "activation_explorer"]

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
