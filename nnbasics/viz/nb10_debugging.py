"""Notebook 10 widget: pick a bug from the zoo -> its loss curves, gradient norms and diagnosis."""

from __future__ import annotations

import numpy as np

from nnbasics.lab import debug
from nnbasics.viz.explorer import Explorer, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["zoo_view", "zoo_explorer"]


def zoo_view(bug: str, seed: int = 0) -> dict:
    """Pure data for the zoo explorer (runs are cached by :func:`nnbasics.lab.debug.run_bug`).

    Returns
    -------
    dict
        ``run`` (:class:`~nnbasics.lab.debug.ZooRun`), ``findings`` (list of Finding),
        ``bug`` (:class:`~nnbasics.lab.debug.Bug`), ``healthy`` (the reference ZooRun).
    """
    run = debug.run_bug(bug, seed=seed)
    return {"run": run, "bug": debug.ZOO[bug], "healthy": debug.run_bug("healthy", seed=seed),
            "findings": debug.diagnose(run, run.model, run.batch)}


def _draw(fig, d) -> None:
    ax1, ax2 = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.9, wspace=0.3)
    run, ref = d["run"], d["healthy"]
    loss = np.asarray(run.train_loss, dtype=float)
    ax1.plot(ref.train_loss, color="0.75", lw=1, label="healthy (train)")
    ax1.plot(np.minimum(loss, 10), color=PALETTE[0], label="train")
    if run.val_loss:
        ax1.plot(np.arange(len(run.val_loss)) * 5 + 4, np.minimum(run.val_loss, 10), "o-", ms=3,
                 color=PALETTE[1], label="validation")
    if run.diverged:
        ax1.axvline(len(loss) - 1, color=PALETTE[5], ls="--", label="NaN")
    ax1.set(xlabel="step", ylabel="cross-entropy", ylim=(0, 2.5),
            title=d["bug"].title)
    ax1.legend(fontsize=7)
    G = run.layer_grad_norms
    for j in range(G.shape[1]):
        g = np.where(np.isfinite(G[:, j]) & (G[:, j] > 0), G[:, j], np.nan)
        ax2.semilogy(g, color=PALETTE[j % len(PALETTE)], label=f"layer {j + 1}")
    ax2.set(xlabel="step", ylabel="weight-gradient norm (log)", title="gradient norm per layer")
    ax2.legend(fontsize=7)


def _summary(d) -> str:
    items = "".join(f"<li><b>{f.code}</b>: {f.message} — <i>check:</i> {f.check}</li>"
                    for f in d["findings"]) or "<li>no findings: this run looks healthy</li>"
    return (f"<b>symptom:</b> {d['bug'].symptom}; <b>fix:</b> {d['bug'].fix}"
            f"<br><b>diagnose():</b><ul>{items}</ul>")


@register("10", "zoo")
def zoo_explorer(bug: str = "softmax_before_ce") -> Explorer:
    """A dropdown of bugs (and a seed) -> loss curves, per-layer gradient norms and the diagnosis."""
    import ipywidgets as w

    for name in debug.ZOO:  # warm the cache once (~0.1-0.3 s per run): later updates only redraw
        debug.run_bug(name, seed=0)
    controls = {
        "bug": w.Dropdown(options=[(debug.ZOO[k].title, k) for k in debug.ZOO], value=bug,
                          description="bug", layout=w.Layout(width="420px")),
        "seed": w.IntSlider(value=0, min=0, max=2, description="seed", continuous_update=False),
    }
    return Explorer(controls, zoo_view, _draw, figsize=(9, 3.4), summary=_summary,
                    title="The bug zoo: pick a bug, read its curves, check the diagnosis")
