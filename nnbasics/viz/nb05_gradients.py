"""Notebook 05 widget: per-layer gradient norms of a deep MLP on a log scale."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.ticker import LogFormatter, NullLocator

from nnbasics.viz.explorer import Explorer, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["gradient_profile", "gradient_explorer"]

_WIDTH, _BATCH, _D_IN, _CLASSES = 32, 32, 16, 4


@lru_cache(maxsize=1)
def _batch():
    rng = np.random.default_rng(0)
    return rng.standard_normal((_BATCH, _D_IN)), rng.integers(0, _CLASSES, _BATCH)


@lru_cache(maxsize=256)
def gradient_profile(depth: int, activation: str, init: str = "default", init_scale: float = 1.0,
                     norm: str = "none", residual: bool = False) -> dict:
    """Pure data for the explorer: one forward + backward pass of a fresh, untrained MLP.

    The MLP has ``depth`` hidden layers of width 32 (float32), inputs (32, 16) from a fixed
    seed and 4 classes. Results are cached, so revisiting a setting costs nothing.

    Returns
    -------
    dict
        ``grad_norms`` (L,) = ``||dL/dW_l||`` with L = depth + 1, ``act_std`` (depth,),
        ``ratio`` float (first / last layer gradient norm), ``nonfinite`` str or None
        (where the first NaN/inf appeared), ``settings`` dict.
    """
    from nnbasics.lab import diagnostics
    from nnbasics.lab.models import MLPConfig, build_mlp

    cfg = MLPConfig(d_in=_D_IN, hidden=(_WIDTH,) * int(depth), d_out=_CLASSES, activation=activation,
                    init=init, init_scale=float(init_scale), norm=norm, residual=bool(residual))
    model = build_mlp(cfg)
    X, y = _batch()
    stats = diagnostics.layer_stats(model, X, y)
    g = stats.grad_norms
    bad = None
    if not (np.all(np.isfinite(g)) and np.isfinite(stats.loss)):
        found = diagnostics.first_nonfinite(model, X, y)
        bad = found.message if found is not None else "non-finite values"
    with np.errstate(all="ignore"):
        ratio = float(g[0] / g[-1])
    return {"grad_norms": g, "act_std": stats.act_std, "ratio": ratio, "nonfinite": bad,
            "settings": dict(depth=depth, activation=activation, init=init, init_scale=init_scale,
                             norm=norm, residual=residual)}


def _draw(fig, d) -> None:
    ax1, ax2 = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.12, right=0.98, bottom=0.17, top=0.9, wspace=0.38)
    g, s = d["grad_norms"], d["act_std"]
    layers = np.arange(1, g.size + 1)
    ok = np.isfinite(g) & (g > 0)
    ax1.semilogy(layers[ok], g[ok], "o-", ms=3, color=PALETTE[0], label="||dL/dW_l||")
    if ok.any():
        ax1.axhline(g[ok][-1], color=PALETTE[7], lw=0.8, ls="--", label="last finite layer")
    if not ok.all():
        ax1.axvline(layers[~ok][0], color=PALETTE[5], lw=2, label="first NaN/inf")
    ax1.set(xlabel="layer l (1 = next to the input)", ylabel="gradient norm (log)",
            title=f"first/last = {d['ratio']:.1e}" if np.isfinite(d["ratio"]) else "gradients overflowed")
    ax1.legend(fontsize=7, loc="best")
    hidden = np.arange(1, s.size + 1)
    oks = np.isfinite(s) & (s > 0)
    ax2.semilogy(hidden[oks], s[oks], "s-", ms=3, color=PALETTE[1], label="std of activations")
    ax2.set(xlabel="hidden layer", ylabel="activation std (log)", title="forward signal")
    ax2.legend(fontsize=7, loc="best")
    ax1.set_xlim(0.5, g.size + 0.5)
    ax2.set_xlim(0.5, max(s.size, 1) + 0.5)
    # gradients span many decades: plain "1e-05" labels, no minor ticks (mathtext and tick layout
    # dominate the redraw time)
    ax1.yaxis.set_major_formatter(LogFormatter(labelOnlyBase=False))
    ax1.yaxis.set_minor_locator(NullLocator())
    if not ok.any():
        ax1.text(0.5, 0.5, "every gradient is NaN/inf", transform=ax1.transAxes, ha="center",
                 color=PALETTE[5])


def _summary(d) -> str:
    g, st = d["grad_norms"], d["settings"]
    setting = (f"{st['depth']} hidden layers, {st['activation']}, init {st['init']} x{st['init_scale']:g}, "
               f"norm {st['norm']}{', residual' if st['residual'] else ''}: ")
    if d["nonfinite"]:
        return setting + f"<b style='color:#D55E00'>overflow:</b> {d['nonfinite']}"
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
    return Explorer(controls, gradient_profile, _draw, figsize=(8.0, 3.2), summary=_summary, dpi=72,
                    title="Gradient flow through a deep MLP (one backward pass, no training)")
