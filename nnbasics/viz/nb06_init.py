"""Notebook 06 widget: depth, width, activation and init scheme -> activation statistics per layer."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from nnbasics.experiments import nb06_init
from nnbasics.viz.explorer import Explorer, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["depth_profile", "init_explorer"]

SCHEMES = ("normal_0.01", "normal_1", "xavier_normal", "he_normal")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


@lru_cache(maxsize=64)
def depth_profile(depth: int, width: int, activation: str, scheme: str) -> nb06_init.ActivationStats:
    """Pure (cached) data: :func:`nnbasics.experiments.nb06_init.activation_stats` on 128 fixed Gaussian inputs."""
    return nb06_init.activation_stats(depth=int(depth), width=int(width), activation=activation,
                                 scheme=scheme, n=128, rng=1)


def _draw(fig, s: nb06_init.ActivationStats) -> None:
    ax1, ax2 = fig.subplots(1, 2)
    layers = np.arange(s.depth + 1)
    std = np.maximum(s.std, 1e-300)
    ax1.semilogy(layers, std, "o-", ms=3, color=PALETTE[0], label="activation std")
    ax1.axhspan(s.std[0] / 2, s.std[0] * 2, color=PALETTE[2], alpha=0.15, label="input std ×/÷ 2")
    ax1.set(xlabel="layer (0 = input)", ylabel="std (log scale)",
            title=f"{s.scheme} + {s.activation}, width {s.width}")
    ax1.legend(fontsize=8)
    picks = sorted({1, max(1, s.depth // 2), s.depth})
    centres = 0.5 * (s.bins[1:] + s.bins[:-1])
    for k, layer in enumerate(picks):
        ax2.plot(centres, s.hist[layer], drawstyle="steps-mid", color=PALETTE[k + 3 if k else 1],
                 lw=1.5, label=f"layer {layer}")
    ax2.set(xlabel="activation value (clipped to the plot)", ylabel="fraction of activations",
            title="histograms")
    ax2.legend(fontsize=8)


def _summary(s) -> str:
    return (f"std: input {s.std[0]:.3g} → last layer <b>{s.std[-1]:.3g}</b> "
            f"(ratio {s.std[-1] / s.std[0]:.3g}); saturated/zero at the last layer: "
            f"{s.frac_saturated[-1]:.0%}")


@register("06", "init")
def init_explorer(scheme: str = "he_normal", activation: str = "relu") -> Explorer:
    """Depth and width sliders, activation and init-scheme dropdowns."""
    import ipywidgets as w

    controls = {
        "depth": w.IntSlider(value=20, min=2, max=50, description="depth", continuous_update=False),
        "width": w.Dropdown(options=[32, 64, 128], value=64, description="width"),
        "activation": w.Dropdown(options=list(ACTIVATIONS), value=activation, description="activation"),
        "scheme": w.Dropdown(options=list(SCHEMES), value=scheme, description="init"),
    }
    return Explorer(controls, depth_profile, _draw, figsize=(8.5, 3.3), summary=_summary,
                    title="Activations through a deep MLP at initialization")
