"""Notebook 08 widget: the dropout rate p -> masks, scaled activations and the train/val gap."""

from __future__ import annotations

import numpy as np

from nnbasics.core import dropout
from nnbasics.experiments import nb08_dropout
from nnbasics.viz.explorer import RELAYOUT, Explorer, View, freeze, frozen_cache, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["RATES", "dropout_view", "dropout_explorer"]

#: Rates offered by the slider; all are trained when the explorer is built (about 0.4 s each)
#: and cached by ``nb08_dropout.dropout_run``, so moving the slider only redraws.
RATES = (0.0, 0.1, 0.2, 0.3, 0.5)


@frozen_cache(maxsize=64)
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
        ``mask`` (12, 24) bool, ``kept_fraction``, ``mean_in``, ``mean_out`` (floats) and, from
        :func:`nnbasics.experiments.nb08_dropout.dropout_run` (trained once per p, then cached), its curves
        ``train_loss``, ``val_loss``, ``val_acc`` (epochs,), ``gap``, ``grid`` (xx, yy, prob)
        and the training data ``X_train`` (N, 2), ``y_train`` (N,) — plain data, not the model.
    """
    h = np.abs(np.random.default_rng(42).normal(1.0, 0.5, size=(12, 24)))  # (N, H) activations
    out, cache = dropout.dropout_forward(h, p, train=True, rng=seed)
    mask = cache.mask if cache.mask is not None else np.ones_like(h, dtype=bool)
    run = nb08_dropout.dropout_run(float(p))
    return {"p": float(p), "h": h, "out": out, "mask": mask, "kept_fraction": float(mask.mean()),
            "mean_in": float(h.mean()), "mean_out": float(out.mean()),
            "train_loss": np.array(run.train_loss), "val_loss": np.array(run.val_loss),
            "val_acc": np.array(run.val_acc), "gap": float(run.gap), "grid": freeze(run.grid),
            "X_train": freeze(run.data[0]), "y_train": freeze(run.data[1])}  # copies: the run is shared


class _DropoutView(View):
    """A dropout mask on activations, train/val loss curves, and the learned decision regions."""

    def init(self, fig, d):
        ax1, ax2, ax3 = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.1, 1, 1]})
        self.mask = ax1.imshow(d["out"], cmap="viridis", vmin=0, vmax=np.max(d["h"]) / (1 - max(RATES)),
                               interpolation="nearest", aspect="auto")
        ax1.set(xlabel="hidden unit", ylabel="sample")
        epochs = np.arange(1, len(d["train_loss"]) + 1)
        (self.train,) = ax2.plot(epochs, d["train_loss"], color=PALETTE[0], label="train")
        (self.val,) = ax2.plot(epochs, d["val_loss"], color=PALETTE[5], label="validation")
        ax2.set(xlabel="epoch", ylabel="loss", ylim=(0, 1.6))
        ax2.legend(fontsize=8)
        xx, yy, prob = d["grid"]
        self.extent = (xx.min(), xx.max(), yy.min(), yy.max())
        self.regions = ax3.imshow(prob, origin="lower", extent=self.extent, cmap="coolwarm", vmin=0, vmax=1,
                                  alpha=0.5, aspect="auto", interpolation="nearest")
        Xtr, ytr = d["X_train"], d["y_train"]
        for c, marker in ((0, "o"), (1, "s")):
            ax3.scatter(Xtr[ytr == c, 0], Xtr[ytr == c, 1], s=18, c=PALETTE[c], marker=marker,
                        edgecolors="white", linewidths=0.5, label=f"train class {c}")
        ax3.set(xlabel="$x_1$", ylabel="$x_2$")
        ax3.legend(fontsize=7, loc="lower left")
        self.axes, self.X_train = (ax1, ax2, ax3), Xtr
        return self._show(d)

    def update(self, d):
        xx, yy, _ = d["grid"]
        if (xx.min(), xx.max(), yy.min(), yy.max()) != self.extent or not np.array_equal(d["X_train"], self.X_train):
            return RELAYOUT  # another data set: the static points and extent change
        return self._show(d)

    def _show(self, d):
        ax1, ax2, ax3 = self.axes
        self.mask.set_data(d["out"])
        ax1.set_title(f"p={d['p']:.1f}: kept {d['kept_fraction']:.0%}, mean {d['mean_out']:.2f} "
                      f"(no dropout {d['mean_in']:.2f})")
        self.train.set_ydata(d["train_loss"])
        self.val.set_ydata(d["val_loss"])
        ax2.set_title(f"train/val gap at the end: {d['gap']:.2f}")
        self.regions.set_data(d["grid"][2])
        ax3.set_title(f"decision regions, val acc {d['val_acc'][-1]:.0%}")
        return [self.mask, ax1.title, self.train, self.val, ax2.title, self.regions, ax3.title]


@register("08", "rate")
def dropout_explorer() -> Explorer:
    """Dropout rate p -> a mask on activations, train/val loss curves and the decision regions."""
    import ipywidgets as w

    for p in RATES:  # precompute: updates must not train
        nb08_dropout.dropout_run(p)
    controls = {"p": w.SelectionSlider(options=list(RATES), value=0.5, description="p (drop)",
                                       continuous_update=False)}
    return Explorer(controls, dropout_view, _DropoutView(), figsize=(12, 3.6),
                    summary=lambda d: f"p = {d['p']:.1f}: final train loss {d['train_loss'][-1]:.3f}, "
                                      f"validation loss {d['val_loss'][-1]:.3f} "
                                      f"(gap <b>{d['gap']:.3f}</b>)",
                    title="Dropout rate: masks, and the train/validation gap")
