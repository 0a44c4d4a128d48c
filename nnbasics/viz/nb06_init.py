"""Notebook 06 widget: depth, width, activation and init scheme -> activation statistics per layer."""

from __future__ import annotations

import numpy as np

from nnbasics.experiments import nb06_init
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE, plain_log_labels

__all__ = ["depth_profile", "init_explorer"]

SCHEMES = ("normal_0.01", "normal_1", "xavier_normal", "he_normal")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


@frozen_cache(maxsize=128)
def depth_profile(depth: int, width: int, activation: str, scheme: str) -> nb06_init.ActivationStats:
    """Pure (cached) data: :func:`nnbasics.experiments.nb06_init.activation_stats` on 128 fixed Gaussian inputs."""
    return nb06_init.activation_stats(depth=int(depth), width=int(width), activation=activation,
                                 scheme=scheme, n=128, rng=1)


_MAX_PICKS = 3  # histograms of layers 1, depth // 2 and depth


class _DepthView(View):
    """Left: activation std per layer (log) against a band around the input's; right: histograms."""

    def init(self, fig, s):
        self.ax1, self.ax2 = fig.subplots(1, 2)
        (self.std,) = self.ax1.semilogy([], [], "o-", ms=3, color=PALETTE[0], label="activation std")
        self.band = self.ax1.axhspan(0.5, 2.0, color=PALETTE[2], alpha=0.15, label="input std ×/÷ 2")
        self.ax1.set(xlabel="layer (0 = input)", ylabel="std (log scale)")
        plain_log_labels(self.ax1.yaxis)
        self.legend1 = self.ax1.legend(fontsize=8)
        self.hists = [self.ax2.plot([], [], drawstyle="steps-mid", color=PALETTE[k + 3 if k else 1], lw=1.5)[0]
                      for k in range(_MAX_PICKS)]
        self.ax2.set(xlabel="activation value (clipped to the plot)", ylabel="fraction of activations",
                     title="histograms")
        self.legend2 = None
        return self.update(s)

    def update(self, s):
        layers = np.arange(s.depth + 1)
        self.std.set_data(layers, np.maximum(s.std, 1e-300))
        self.band.set_y(s.std[0] / 2)
        self.band.set_height(s.std[0] * 2 - s.std[0] / 2)
        self.ax1.relim()
        self.ax1.autoscale_view()
        self.ax1.set_title(f"{s.scheme} + {s.activation}, width {s.width}")
        picks = sorted({1, max(1, s.depth // 2), s.depth})
        centres = 0.5 * (s.bins[1:] + s.bins[:-1])
        for k, line in enumerate(self.hists):
            shown = k < len(picks)
            line.set_data((centres, s.hist[picks[k]]) if shown else ([], []))
            line.set_label(f"layer {picks[k]}" if shown else f"_layer{k}")
        labels = [f"layer {p}" for p in picks]
        if self.legend2 is None or [t.get_text() for t in self.legend2.get_texts()] != labels:
            self.legend2 = self.ax2.legend(fontsize=8)
        self.ax2.relim()
        self.ax2.autoscale_view()
        return [self.std, self.band, self.legend1, self.ax1.xaxis, self.ax1.yaxis, self.ax1.title,
                *self.hists, self.legend2, self.ax2.xaxis, self.ax2.yaxis]


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
    return Explorer(controls, depth_profile, _DepthView(), figsize=(8.5, 3.3), summary=_summary,
                    title="Activations through a deep MLP at initialization")
