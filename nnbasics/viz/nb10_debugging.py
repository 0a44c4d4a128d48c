"""Notebook 10 widget: pick a bug from the zoo -> its loss curves, gradient norms and diagnosis."""

from __future__ import annotations

import numpy as np

from nnbasics.lab import debug
from nnbasics.lab.runtime import one_thread
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE, plain_log_labels

__all__ = ["zoo_view", "zoo_explorer", "SEEDS", "EVAL_EVERY"]


#: The seeds the explorer offers (every run is trained when it is built).
SEEDS = (0, 1, 2)
#: Validation losses are measured every EVAL_EVERY training steps (see :func:`nnbasics.lab.debug.run_bug`).
EVAL_EVERY = 5


@frozen_cache(maxsize=64)
def zoo_view(bug: str, seed: int = 0) -> dict:
    """Pure data for the zoo explorer: one run's curves and its diagnosis (runs are trained once,
    cached by :func:`nnbasics.lab.debug.run_bug`, which hands out copies).

    Returns
    -------
    dict
        ``bug`` (:class:`~nnbasics.lab.debug.Bug`), ``train_loss`` (T,), ``val_loss`` (V,) (every
        ``EVAL_EVERY`` steps), ``diverged`` bool, ``layer_grad_norms`` (T, L),
        ``healthy_train_loss`` (the reference run's), ``findings`` (tuple of Finding).
    """
    run = debug.run_bug(bug, seed=seed)
    healthy = debug.run_bug("healthy", seed=seed)
    return {"bug": debug.ZOO[bug], "train_loss": np.asarray(run.train_loss, dtype=float),
            "val_loss": np.asarray(run.val_loss, dtype=float), "diverged": bool(run.diverged),
            "layer_grad_norms": run.layer_grad_norms,
            "healthy_train_loss": np.asarray(healthy.train_loss, dtype=float),
            "findings": _diagnose(run)}


def _diagnose(run) -> tuple:
    with one_thread():  # tiny model: one torch thread (many threads thrash on a busy 2-core machine)
        return tuple(debug.diagnose(run, run.model, run.batch))


class _ZooView(View):
    """Left: loss curves against the healthy run; right: gradient norm per layer (log)."""

    tight_layout = False

    def init(self, fig, d):
        self.ax1, self.ax2 = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.9, wspace=0.3)
        (self.healthy,) = self.ax1.plot([], [], color="0.75", lw=1, label="healthy (train)")
        (self.train,) = self.ax1.plot([], [], color=PALETTE[0], label="train")
        (self.val,) = self.ax1.plot([], [], "o-", ms=3, color=PALETTE[1], label="validation")
        self.nan = self.ax1.axvline(0, color=PALETTE[5], ls="--", label="NaN")
        self.ax1.set(xlabel="step", ylabel="cross-entropy", ylim=(0, 2.5))
        n_layers = d["layer_grad_norms"].shape[1]
        self.grads = [self.ax2.semilogy([], [], color=PALETTE[j % len(PALETTE)], label=f"layer {j + 1}")[0]
                      for j in range(n_layers)]
        self.ax2.set(xlabel="step", ylabel="weight-gradient norm (log)", title="gradient norm per layer")
        plain_log_labels(self.ax2.yaxis)
        self.ax2.legend(fontsize=7)
        self.legend1 = None
        return self.update(d)

    def update(self, d):
        loss, val = d["train_loss"], d["val_loss"]
        self.healthy.set_data(np.arange(len(d["healthy_train_loss"])), d["healthy_train_loss"])
        self.train.set_data(np.arange(len(loss)), np.minimum(loss, 10))
        self.val.set_data(np.arange(len(val)) * EVAL_EVERY + EVAL_EVERY - 1, np.minimum(val, 10))
        self.val.set_label("validation" if len(val) else "_validation")
        self.nan.set_visible(d["diverged"])
        self.nan.set_label("NaN" if d["diverged"] else "_NaN")
        self.nan.set_xdata([len(loss) - 1] * 2)
        self.ax1.relim(visible_only=True)
        self.ax1.autoscale_view(scaley=False)
        self.ax1.set_title(d["bug"].title)
        labels = [a.get_label() for a in (self.healthy, self.train, self.val, self.nan) if a.get_visible()
                  and not a.get_label().startswith("_")]
        if self.legend1 is None or [t.get_text() for t in self.legend1.get_texts()] != labels:
            self.legend1 = self.ax1.legend(fontsize=7)
        G = d["layer_grad_norms"]
        for j, line in enumerate(self.grads):
            g = np.where(np.isfinite(G[:, j]) & (G[:, j] > 0), G[:, j], np.nan)
            line.set_data(np.arange(len(g)), g)
        self.ax2.relim()
        self.ax2.autoscale_view()
        return [self.healthy, self.train, self.val, self.nan, self.ax1.xaxis, self.ax1.title, self.legend1,
                *self.grads, self.ax2.xaxis, self.ax2.yaxis]


def _summary(d) -> str:
    items = "".join(f"<li><b>{f.code}</b>: {f.message} — <i>check:</i> {f.check}</li>"
                    for f in d["findings"]) or "<li>no findings: this run looks healthy</li>"
    return (f"<b>symptom:</b> {d['bug'].symptom}; <b>fix:</b> {d['bug'].fix}"
            f"<br><b>diagnose():</b><ul>{items}</ul>")


@register("10", "zoo")
def zoo_explorer(bug: str = "softmax_before_ce") -> Explorer:
    """A dropdown of bugs (and a seed) -> loss curves, per-layer gradient norms and the diagnosis."""
    import ipywidgets as w

    for name in debug.ZOO:  # train and diagnose every setting once (~0.1 s each): updates only redraw
        for seed in SEEDS:
            zoo_view(name, seed=seed)
    controls = {
        "bug": w.Dropdown(options=[(debug.ZOO[k].title, k) for k in debug.ZOO], value=bug,
                          description="bug", layout=w.Layout(width="420px")),
        "seed": w.IntSlider(value=0, min=SEEDS[0], max=SEEDS[-1], description="seed", continuous_update=False),
    }
    return Explorer(controls, zoo_view, _ZooView(), figsize=(9, 3.4), summary=_summary,
                    title="The bug zoo: pick a bug, read its curves, check the diagnosis")
