"""Notebook 05 widget: per-layer gradient norms of a deep MLP on a log scale."""

from __future__ import annotations

import numpy as np

from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE, plain_log_labels

__all__ = ["gradient_profile", "gradient_explorer"]

_WIDTH, _BATCH, _D_IN, _CLASSES = 32, 32, 16, 4


@frozen_cache(maxsize=1)
def _batch():
    rng = np.random.default_rng(0)
    return rng.standard_normal((_BATCH, _D_IN)), rng.integers(0, _CLASSES, _BATCH)


@frozen_cache(maxsize=256)
def gradient_profile(depth: int, activation: str, init: str = "default", init_scale: float = 1.0,
                     norm: str = "none", residual: bool = False) -> dict:
    """Pure data for the explorer: one forward + backward pass of a fresh, untrained MLP.

    The MLP has ``depth`` hidden layers of width 32 (float32), inputs (32, 16) from a fixed
    seed and 4 classes. Results are cached, so revisiting a setting costs nothing.

    Returns
    -------
    dict
        ``grad_norms`` (L,) = ``||dL/dW_l||`` with L = depth + 1, ``act_std`` (depth,),
        ``ratio`` float (first / last layer gradient norm; NaN when either is non-finite or the last is 0), ``nonfinite`` str or None
        (where the first NaN/inf appeared), ``settings`` dict.
    """
    from nnbasics.lab import diagnostics
    from nnbasics.lab.models import MLPConfig, build_mlp

    cfg = MLPConfig(d_in=_D_IN, hidden=(_WIDTH,) * int(depth), d_out=_CLASSES, activation=activation,
                    init=init, init_scale=float(init_scale), norm=norm, residual=bool(residual))
    model = build_mlp(cfg)
    X, y = (a.copy() for a in _batch())  # writeable copies for torch
    stats = diagnostics.layer_stats(model, X, y)
    g = stats.grad_norms
    bad = None
    if not (np.all(np.isfinite(g)) and np.isfinite(stats.loss)):
        found = diagnostics.first_nonfinite(model, X, y)
        bad = found.message if found is not None else "non-finite values"
    # defined only when both norms are finite and the last is non-zero (else NaN: "overflowed")
    ratio = float(g[0] / g[-1]) if np.all(np.isfinite(g[[0, -1]])) and g[-1] > 0 else float("nan")
    return {"grad_norms": g, "act_std": stats.act_std, "ratio": ratio, "nonfinite": bad,
            "settings": dict(depth=depth, activation=activation, init=init, init_scale=init_scale,
                             norm=norm, residual=residual)}


class _GradientView(View):
    """Left: ||dL/dW_l|| per layer (log); right: the std of each hidden layer's activations."""

    tight_layout = False

    def init(self, fig, d):
        fig.subplots_adjust(left=0.12, right=0.98, bottom=0.17, top=0.9, wspace=0.38)
        self.ax1, self.ax2 = fig.subplots(1, 2)
        (self.grads,) = self.ax1.semilogy([], [], "o-", ms=3, color=PALETTE[0], label="||dL/dW_l||")
        self.last = self.ax1.axhline(1.0, color=PALETTE[7], lw=0.8, ls="--", label="last finite layer")
        self.first_bad = self.ax1.axvline(1.0, color=PALETTE[5], lw=2, label="first NaN/inf")
        self.all_bad = self.ax1.text(0.5, 0.5, "every gradient is NaN/inf", transform=self.ax1.transAxes,
                                     ha="center", color=PALETTE[5])
        self.ax1.set(xlabel="layer l (1 = next to the input)", ylabel="gradient norm (log)")
        (self.stds,) = self.ax2.semilogy([], [], "s-", ms=3, color=PALETTE[1], label="std of activations")
        self.ax2.set(xlabel="hidden layer", ylabel="activation std (log)", title="forward signal")
        plain_log_labels(self.ax1.yaxis)  # gradients span many decades: "1e-05", no mathtext
        plain_log_labels(self.ax2.yaxis)
        self.legend1 = self.legend2 = None
        return self.update(d)

    @staticmethod
    def _show(artist, visible: bool, label: str) -> None:
        artist.set_visible(visible)
        artist.set_label(label if visible else "_" + label)  # hidden artists leave the legend

    def update(self, d):
        g, s = d["grad_norms"], d["act_std"]
        layers = np.arange(1, g.size + 1)
        ok = np.isfinite(g) & (g > 0)
        self.grads.set_data(layers[ok], g[ok])
        self._show(self.last, bool(ok.any()), "last finite layer")
        if ok.any():
            self.last.set_ydata([g[ok][-1]] * 2)
        self._show(self.first_bad, not ok.all(), "first NaN/inf")
        if not ok.all():
            self.first_bad.set_xdata([layers[~ok][0]] * 2)
        self.all_bad.set_visible(not ok.any())
        self.ax1.relim(visible_only=True)
        self.ax1.autoscale_view()
        self.ax1.set_xlim(0.5, g.size + 0.5)
        self.ax1.set_title(f"first/last = {d['ratio']:.1e}" if np.isfinite(d["ratio"]) else "gradients overflowed")
        labels = [a.get_label() for a in (self.grads, self.last, self.first_bad) if a.get_visible()]
        if self.legend1 is None or [t.get_text() for t in self.legend1.get_texts()] != labels:
            self.legend1 = self.ax1.legend(fontsize=7, loc="best")
        hidden = np.arange(1, s.size + 1)
        oks = np.isfinite(s) & (s > 0)
        self.stds.set_data(hidden[oks], s[oks])
        self.ax2.relim()
        self.ax2.autoscale_view()
        self.ax2.set_xlim(0.5, max(s.size, 1) + 0.5)
        self.legend2 = self.legend2 or self.ax2.legend(fontsize=7, loc="best")
        return [self.grads, self.last, self.first_bad, self.all_bad, self.legend1, self.ax1.xaxis, self.ax1.yaxis,
                self.ax1.title, self.stds, self.legend2, self.ax2.xaxis, self.ax2.yaxis]


def _summary(d) -> str:
    g, st = d["grad_norms"], d["settings"]
    setting = (f"{st['depth']} hidden layers, {st['activation']}, init {st['init']} x{st['init_scale']:g}, "
               f"norm {st['norm']}{', residual' if st['residual'] else ''}: ")
    if d["nonfinite"]:
        return setting + f"<b style='color:#D55E00'>overflow:</b> {d['nonfinite']}"
    if not np.isfinite(d["ratio"]):
        return setting + "the last layer's gradient is exactly 0: no signal reaches the output weights"
    verdict = ("vanishing" if d["ratio"] < 1e-3 else "exploding" if g.max() > 1e3 or d["ratio"] > 1e3
               else "healthy")
    return setting + (f"first-layer / last-layer gradient norm: <b>{d['ratio']:.2e}</b> ({verdict}); "
            f"largest norm {g.max():.2e}")


@register("05", "gradients")
def gradient_explorer(depth: int = 10, activation: str = "sigmoid") -> Explorer:
    """Depth, activation, init scheme and scale, normalization and residual -> per-layer gradient norms."""
    import ipywidgets as w

    controls = {
        "depth": w.IntSlider(value=depth, min=2, max=50, step=1, description="depth",
                             continuous_update=False),
        "activation": w.Dropdown(options=["sigmoid", "tanh", "relu", "gelu", "identity"], value=activation,
                                 description="activation"),
        "init": w.Dropdown(options=["default", "xavier", "he"], value="default", description="init"),
        "init_scale": w.FloatLogSlider(value=1.0, base=2, min=-2, max=2, step=0.25, description="init scale",
                                       continuous_update=False, readout_format=".2f"),
        "norm": w.Dropdown(options=["none", "batch", "layer"], value="none", description="norm"),
        "residual": w.Checkbox(value=False, description="residual"),
    }
    return Explorer(controls, gradient_profile, _GradientView(), figsize=(8.0, 3.2), summary=_summary, dpi=72,
                    title="Gradient flow through a deep MLP (one backward pass, no training)")
