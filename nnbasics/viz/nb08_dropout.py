"""Notebook 08 widgets: the dropout rate p -> masks, scaled activations and the train/val gap; and
-> the variance shift of a BatchNorm placed after dropout."""

from __future__ import annotations

import numpy as np

from nnbasics.core import dropout
from nnbasics.experiments import nb08_dropout
from nnbasics.viz.explorer import RELAYOUT, Explorer, View, freeze, frozen_cache, register
from nnbasics.viz.plotting import PALETTE, plain_log_labels

__all__ = ["RATES", "dropout_view", "dropout_explorer", "SHIFT_RATES", "post_relu_pool", "bn_shift_view",
           "bn_shift_explorer"]

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


# --------------------------------------------------------------------------- dropout before BatchNorm
#: Rates offered by the variance-shift slider (all computed when the explorer is built, ~0.5 s).
SHIFT_RATES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


@frozen_cache(maxsize=4)
def post_relu_pool(seed: int = 4) -> np.ndarray:
    """2000 post-ReLU activations of 4 features with different means, shape (2000, 4) (notebook 08, §7)."""
    shifts = np.array([0.0, 0.5, 1.0, -0.5])
    return np.maximum(np.random.default_rng(seed).normal(0.5, 1.0, size=(2000, 4)) + shifts, 0)


@frozen_cache(maxsize=64)
def _shift(p: float, seed: int) -> dict:
    # 60 batches of 512 with momentum 0.1: the running variance within ~5 % of a 6000-step average
    return nb08_dropout.dropout_bn_variance_shift(post_relu_pool(), p, rng=seed, batch_size=512, steps=60,
                                                  momentum=0.1)


@frozen_cache(maxsize=64)
def bn_shift_view(p: float, seed: int = 0) -> dict:
    """Pure data for the variance-shift explorer: a dropout layer of rate p feeding a BatchNorm.

    Runs :func:`nnbasics.experiments.nb08_dropout.dropout_bn_variance_shift` on
    :func:`post_relu_pool` for p and for every rate of :data:`SHIFT_RATES`.

    Parameters
    ----------
    p : float in [0, 1)
    seed : int
        Draws the batches and the dropout masks.

    Returns
    -------
    dict
        ``p``; ``running_var`` (D,): the BN input's variance in training (dropped activations), as
        BatchNorm's running estimate; ``eval_input_var`` (D,): its variance at evaluation
        (undropped); ``eval_output_var`` (D,): the variance BatchNorm then passes on (1 in training);
        ``feature_mean``, ``feature_std`` (D,) of the pool; over :data:`SHIFT_RATES`, ``rates`` (K,),
        ``sweep_output_var`` and ``sweep_running_var`` (K, D).
    """
    p = float(p)
    pool = post_relu_pool()
    shift = _shift(p, int(seed))
    sweep = [_shift(float(r), int(seed)) for r in SHIFT_RATES]
    return {"p": p, "running_var": shift["running_var"], "eval_input_var": shift["eval_input_var"],
            "eval_output_var": shift["eval_output_var"], "feature_mean": pool.mean(axis=0),
            "feature_std": pool.std(axis=0), "rates": np.array(SHIFT_RATES),
            "sweep_output_var": np.array([s["eval_output_var"] for s in sweep]),
            "sweep_running_var": np.array([s["running_var"] for s in sweep])}


class _ShiftView(View):
    """Left: the BN input's variance in training vs at evaluation, per feature; right: the eval/train
    variance ratio after BatchNorm against p, with the current p marked."""

    tight_layout = False

    def init(self, fig, d):
        fig.subplots_adjust(left=0.07, right=0.985, bottom=0.15, top=0.86, wspace=0.25)
        self.ax1, self.ax2 = fig.subplots(1, 2)
        D = len(d["eval_input_var"])
        feats = np.arange(D)
        self.train_bars = self.ax1.bar(feats - 0.2, d["running_var"], width=0.4, color=PALETTE[7],
                                       label="training (after dropout)")
        self.ax1.bar(feats + 0.2, d["eval_input_var"], width=0.4, color="#bbbbbb", label="evaluation (no dropout)",
                     zorder=0.9)  # below the moving bars (1) they touch, as in a full redraw
        self.ax1.set(yscale="log", ylim=(0.1, 2.0 * np.max(d["sweep_running_var"])), xticks=feats,
                     xticklabels=[f"feature {j}\nmean {m:.2f}" for j, m in enumerate(d["feature_mean"])],
                     ylabel="variance of the BatchNorm input (log)")
        plain_log_labels(self.ax1.yaxis)
        self.ax1.legend(fontsize=8, loc="upper left")
        for j in range(D):
            self.ax2.plot(d["rates"], d["sweep_output_var"][:, j], "o-", color=PALETTE[j + 1], ms=3,
                          label=f"feature {j} (mean {d['feature_mean'][j]:.2f}, std {d['feature_std'][j]:.2f})")
        self.ax2.axhline(1.0, color="grey", lw=0.8, ls="--", label="training (1 by construction)")
        (self.marker,) = self.ax2.plot([], [], "o", color=PALETTE[7], ms=8, mfc="none", mew=1.5)
        self.ax2.set(xlim=(-0.03, max(SHIFT_RATES) + 0.03), ylim=(0, 1.1), xlabel="dropout rate p",
                     ylabel="variance of the BatchNorm output at eval")
        self.ax2.legend(fontsize=7, loc="lower left")
        return self.update(d)

    def update(self, d):
        for bar, h in zip(self.train_bars, d["running_var"]):
            bar.set_height(h)
        ratio = d["running_var"] / d["eval_input_var"]
        self.ax1.set_title(f"p = {d['p']:.1f}: training variance {ratio.min():.2f}–{ratio.max():.2f} × "
                           "the evaluation variance", fontsize=9)
        self.marker.set_data(np.full(len(d["eval_output_var"]), d["p"]), d["eval_output_var"])
        out = d["eval_output_var"]
        self.ax2.set_title(f"BatchNorm's output variance at eval: {out.min():.2f}–{out.max():.2f} (train: 1)",
                           fontsize=9)
        return [*self.train_bars, self.ax1.title, self.marker, self.ax2.title]


@register("08", "bn_shift")
def bn_shift_explorer(p: float = 0.5) -> Explorer:
    """Dropout rate p -> the BatchNorm input's variance in training vs eval, and the shift it causes."""
    import ipywidgets as w

    for rate in SHIFT_RATES:  # precompute: an update must not re-run the training loop
        bn_shift_view(rate)
    controls = {"p": w.SelectionSlider(options=list(SHIFT_RATES), value=p, description="p (drop)")}
    return Explorer(controls, bn_shift_view, _ShiftView(), figsize=(11, 3.6),
                    summary=lambda d: (f"p = {d['p']:.1f}: at evaluation BatchNorm passes on "
                                       f"<b>{d['eval_output_var'].min():.2f}–{d['eval_output_var'].max():.2f}</b> "
                                       "of the variance the next layer was trained on"),
                    title="Dropout before BatchNorm: the variance shift between training and evaluation")
