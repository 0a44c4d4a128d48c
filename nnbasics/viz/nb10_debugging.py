"""Notebook 10 widgets: the bug zoo (loss curves, gradient norms, diagnosis), temperature scaling
(a reliability diagram) and the positive rate (ROC vs precision-recall curves)."""

from __future__ import annotations

import numpy as np

from nnbasics.core.kernels import softmax
from nnbasics.core.metrics import (
    average_precision,
    precision_recall_curve,
    reliability,
    roc_auc,
    roc_curve,
)
from nnbasics.experiments import nb10_debugging as exp10
from nnbasics.lab import debug
from nnbasics.lab.runtime import one_thread
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE, plain_log_labels

__all__ = ["zoo_view", "zoo_explorer", "SEEDS", "EVAL_EVERY", "TEMPERATURES", "calibration_view",
           "calibration_explorer", "RATES", "prevalence_view", "prevalence_explorer"]


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


# --------------------------------------------------------------------------- calibration
#: Temperatures the calibration explorer offers (1 = the trained model as it is).
TEMPERATURES = (0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 12.0)


@frozen_cache(maxsize=2)
def _calibration(seed: int) -> dict:
    with one_thread():
        return exp10.calibration_experiment(seed)


@frozen_cache(maxsize=32)
def calibration_view(temperature: float = 1.0, seed: int = 0) -> dict:
    """Reliability of the overfit classifier of :func:`~nnbasics.experiments.nb10_debugging.calibration_experiment`
    when its logits are divided by ``temperature``.

    Returns
    -------
    dict
        ``reliability`` (:class:`~nnbasics.core.metrics.Reliability`, 10 bins), ``temperature``,
        ``fitted`` (the temperature fitted on held-out data), ``accuracy`` (the same at every
        temperature) and ``confidence`` (mean largest probability).
    """
    if temperature not in TEMPERATURES:
        raise ValueError(f"temperature must be one of {list(TEMPERATURES)}, got {temperature!r}")
    base = _calibration(seed)
    probs = softmax(base["logits"] / temperature)
    return {"reliability": reliability(base["labels"], probs, 10), "temperature": float(temperature),
            "fitted": base["temperature"], "accuracy": float(np.mean(probs.argmax(1) == base["labels"])),
            "confidence": float(probs.max(axis=1).mean())}


class _CalibrationView(View):
    """The reliability diagram: accuracy against confidence per bin, the diagonal = calibrated."""

    tight_layout = False

    def init(self, fig, d):
        fig.subplots_adjust(left=0.14, right=0.96, bottom=0.14, top=0.88)
        self.ax = fig.add_subplot()
        self.ax.plot([0, 1], [0, 1], "--", color="0.5", label="calibrated")
        (self.line,) = self.ax.plot([], [], "o-", color=PALETTE[0], label="model, 10 confidence bins")
        self.ax.axhline(d["accuracy"], ls=":", color=PALETTE[5], label=f"accuracy {d['accuracy']:.2f} (any T)")
        self.ax.set(xlabel="confidence (mean of the bin)", ylabel="accuracy (of the bin)", xlim=(0.3, 1), ylim=(0, 1))
        self.ax.legend(fontsize=7, loc="upper left")
        return self.update(d)

    def update(self, d):
        rel = d["reliability"]
        ok = rel.counts > 0
        self.line.set_data(rel.confidence[ok], rel.accuracy[ok])
        self.ax.set_title(f"T = {d['temperature']:g}: ECE {rel.ece:.3f}, mean confidence {d['confidence']:.2f}")
        return [self.line, self.ax.title]


def _calibration_summary(d) -> str:
    return (f"logits / {d['temperature']:g}: expected calibration error <b>{d['reliability'].ece:.3f}</b>; "
            f"accuracy {d['accuracy']:.3f} at every temperature; the temperature fitted on held-out "
            f"data is {d['fitted']:.1f}")


@register("10", "calibration")
def calibration_explorer() -> Explorer:
    """A temperature slider -> the reliability diagram and ECE of an overfit classifier."""
    import ipywidgets as w

    calibration_view(1.0)  # train once (~2 s): the slider then only rescales logits
    controls = {"temperature": w.SelectionSlider(options=list(TEMPERATURES), value=1.0, description="T",
                                                 continuous_update=True)}
    return Explorer(controls, calibration_view, _CalibrationView(), figsize=(5, 3.8),
                    summary=_calibration_summary,
                    title="Temperature scaling: divide the logits by T and watch the calibration")


# --------------------------------------------------------------------------- ROC vs PR
#: Positive rates the prevalence explorer offers.
RATES = (0.5, 0.2, 0.1, 0.05, 0.01, 0.002)


@frozen_cache(maxsize=16)
def prevalence_view(rate: float = 0.1) -> dict:
    """ROC and precision-recall curves of one scorer (the Bayes-optimal one of
    :func:`~nnbasics.experiments.nb10_debugging.rare_positives`, 300 positives) at a positive ``rate``.

    Returns
    -------
    dict
        ``fpr``, ``tpr``, ``precision``, ``recall`` (curves), ``roc_auc``, ``ap``, ``rate``.
    """
    if rate not in RATES:
        raise ValueError(f"rate must be one of {list(RATES)}, got {rate!r}")
    n_pos = 300
    y, s = exp10.rare_positives(round(n_pos * (1 - rate) / rate), n_pos, rng=0)
    fpr, tpr, _ = roc_curve(y, s)
    precision, recall, _ = precision_recall_curve(y, s)
    return {"fpr": fpr, "tpr": tpr, "precision": precision, "recall": recall, "roc_auc": roc_auc(y, s),
            "ap": average_precision(y, s), "rate": float(rate)}


class _PrevalenceView(View):
    """Left: the ROC curve; right: the precision-recall curve, with its chance level."""

    tight_layout = False

    def init(self, fig, d):
        self.ax1, self.ax2 = fig.subplots(1, 2)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.87, wspace=0.3)
        self.ax1.plot([0, 1], [0, 1], "--", color="0.6", label="chance")
        (self.roc,) = self.ax1.plot([], [], color=PALETTE[0], label="the same scorer")
        self.ax1.set(xlabel="false-positive rate", ylabel="true-positive rate", xlim=(0, 1), ylim=(0, 1))
        self.ax1.legend(fontsize=7, loc="lower right")
        (self.pr,) = self.ax2.plot([], [], color=PALETTE[0], drawstyle="steps-post", label="the same scorer")
        self.chance = self.ax2.axhline(0.5, ls="--", color="0.6", label="chance (the positive rate)")
        self.ax2.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02))
        self.ax2.legend(fontsize=7, loc="upper right")
        return self.update(d)

    def update(self, d):
        self.roc.set_data(d["fpr"], d["tpr"])
        self.pr.set_data(d["recall"], d["precision"])
        self.chance.set_ydata([d["rate"]] * 2)
        self.ax1.set_title(f"ROC-AUC {d['roc_auc']:.3f}")
        self.ax2.set_title(f"AP {d['ap']:.3f} (chance {d['rate']:g})")
        return [self.roc, self.pr, self.chance, self.ax1.title, self.ax2.title]


@register("10", "prevalence")
def prevalence_explorer() -> Explorer:
    """A positive-rate slider -> the ROC curve stays, the precision-recall curve sinks."""
    import ipywidgets as w

    controls = {"rate": w.SelectionSlider(options=list(RATES), value=0.1, description="positive rate",
                                          continuous_update=True)}
    return Explorer(controls, prevalence_view, _PrevalenceView(), figsize=(8.4, 3.4),
                    summary=lambda d: (f"positive rate {d['rate']:g}: ROC-AUC <b>{d['roc_auc']:.3f}</b>, "
                                       f"AP <b>{d['ap']:.3f}</b>"),
                    title="One scorer, rarer and rarer positives: ROC-AUC vs precision-recall")
