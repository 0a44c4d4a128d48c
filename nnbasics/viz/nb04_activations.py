"""Notebook 04 widget: an activation's curve, its derivative and what it does to Gaussian inputs."""

from __future__ import annotations

import numpy as np

from nnbasics._validate import check_choice, check_float
from nnbasics.core import activations
from nnbasics.experiments import nb04_activations
from nnbasics.viz.explorer import Explorer, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["activation_view", "activation_explorer"]

_N = 4000


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
        N(0, scale^2) samples, and the summary numbers of
        :func:`nnbasics.experiments.nb04_activations.gaussian_response` (``mean``, ``std``, ``mean_abs_grad``,
        ``frac_zero_grad``).
    """
    check_choice(activation, "activation", activations.NAMES)
    x_max = check_float(x_max, "x_max", minimum=0.0, min_inclusive=False)
    x = np.linspace(-x_max, x_max, 200)
    resp = nb04_activations.gaussian_response(activation, scale, n=_N, rng=0)
    return {"activation": activation, "scale": float(scale), "x": x,
            "f": activations.apply(activation, x), "df": activations.derivative(activation, x),
            "outputs": resp["y"], "mean": resp["mean"], "std": resp["std"],
            "mean_abs_grad": resp["mean_abs_grad"], "frac_zero_grad": resp["frac_zero_grad"]}


def _draw(fig, d) -> None:
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(d["x"], d["f"], color=PALETTE[0], lw=2, label="f(x)")
    ax1.plot(d["x"], d["df"], color=PALETTE[1], lw=2, ls="--", label="f'(x)")
    ax1.axhline(0, color="grey", lw=0.5)
    ax1.axvline(0, color="grey", lw=0.5)
    ax1.set(xlabel="x", ylabel="value", title=f"{d['activation']} and its derivative")
    ax1.legend(fontsize=8, loc="upper left")
    ax2.hist(d["outputs"], bins=50, color=PALETTE[2], density=True)
    ax2.set(xlabel="f(x)", ylabel="density",
            title=f"outputs for x ~ N(0, {d['scale']:.2g}²)")


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
    return Explorer(controls, activation_view, _draw, figsize=(8.5, 3.3), summary=_summary,
                    title="Activation, derivative and output distribution")
