"""Notebook 08 widget: the dropout rate p -> masks, scaled activations and the train/val gap."""

from __future__ import annotations

import numpy as np

from nnbasics.core import dropout
from nnbasics.experiments import nb08_dropout
from nnbasics.viz.explorer import Explorer, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["RATES", "dropout_view", "dropout_explorer"]

#: Rates offered by the slider; all are trained when the explorer is built (about 0.4 s each)
#: and cached by ``nb08_dropout.dropout_run``, so moving the slider only redraws.
RATES = (0.0, 0.1, 0.2, 0.3, 0.5)


def dropout_view(p: float, seed: int = 0) -> dict:
    """Pure data for the explorer: one mask on a block of activations, and the cached run for p.

    Parameters
    ----------
    p : float in [0, 1)
    seed : int
        Draws the displayed mask.

    Returns
    -------
    dict
        ``h`` (12, 24) fixed positive activations, ``out`` (12, 24) after inverted dropout,
        ``mask`` (12, 24) bool, ``kept_fraction``, ``mean_in``, ``mean_out`` (floats) and
        ``run`` (:class:`~nnbasics.experiments.nb08_dropout.DropoutRun`, trained once per p, then cached).
    """
    h = np.abs(np.random.default_rng(42).normal(1.0, 0.5, size=(12, 24)))  # (N, H) activations
    out, cache = dropout.dropout_forward(h, p, train=True, rng=seed)
    mask = cache.mask if cache.mask is not None else np.ones_like(h, dtype=bool)
    return {"p": float(p), "h": h, "out": out, "mask": mask, "kept_fraction": float(mask.mean()),
            "mean_in": float(h.mean()), "mean_out": float(out.mean()), "run": nb08_dropout.dropout_run(float(p))}


def _draw(fig, d) -> None:
    ax1, ax2, ax3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.1, 1, 1]})
    ax1.imshow(d["out"], cmap="viridis", vmin=0, vmax=np.max(d["h"]) / (1 - max(RATES)),
               interpolation="nearest", aspect="auto")
    ax1.set(xlabel="hidden unit", ylabel="sample",
            title=f"p={d['p']:.1f}: kept {d['kept_fraction']:.0%}, mean {d['mean_out']:.2f} "
                  f"(no dropout {d['mean_in']:.2f})")
    run = d["run"]
    epochs = np.arange(1, len(run.train_loss) + 1)
    ax2.plot(epochs, run.train_loss, color=PALETTE[0], label="train")
    ax2.plot(epochs, run.val_loss, color=PALETTE[5], label="validation")
    ax2.set(xlabel="epoch", ylabel="loss", ylim=(0, 1.6), title=f"train/val gap at the end: {run.gap:.2f}")
    ax2.legend(fontsize=8)
    xx, yy, prob = run.grid
    ax3.imshow(prob, origin="lower", extent=(xx.min(), xx.max(), yy.min(), yy.max()), cmap="coolwarm",
               vmin=0, vmax=1, alpha=0.5, aspect="auto", interpolation="nearest")
    Xtr, ytr = run.data[0], run.data[1]
    for c, marker in ((0, "o"), (1, "s")):
        ax3.scatter(Xtr[ytr == c, 0], Xtr[ytr == c, 1], s=18, c=PALETTE[c], marker=marker,
                    edgecolors="white", linewidths=0.5, label=f"train class {c}")
    ax3.set(xlabel="$x_1$", ylabel="$x_2$", title=f"decision regions, val acc {run.val_acc[-1]:.0%}")
    ax3.legend(fontsize=7, loc="lower left")


@register("08", "rate")
def dropout_explorer() -> Explorer:
    """Dropout rate p -> a mask on activations, train/val loss curves and the decision regions."""
    import ipywidgets as w

    for p in RATES:  # precompute: updates must not train
        nb08_dropout.dropout_run(p)
    controls = {"p": w.SelectionSlider(options=list(RATES), value=0.5, description="p (drop)",
                                       continuous_update=False)}
    return Explorer(controls, dropout_view, _draw, figsize=(12, 3.6),
                    summary=lambda d: f"p = {d['p']:.1f}: final train loss {d['run'].train_loss[-1]:.3f}, "
                                      f"validation loss {d['run'].val_loss[-1]:.3f} "
                                      f"(gap <b>{d['run'].gap:.3f}</b>)",
                    title="Dropout rate: masks, and the train/validation gap")
