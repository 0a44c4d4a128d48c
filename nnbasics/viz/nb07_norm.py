"""Notebook 07 widget: one sample's BatchNorm vs LayerNorm output as its batch companions change."""

from __future__ import annotations

import numpy as np

from nnbasics.core import norm
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["population", "companion_effect", "companion_explorer"]

D = 6
DRAWS = 30


@frozen_cache(maxsize=1)
def population() -> dict:
    """A fixed population of 500 rows with D=6 features of different means and scales, and
    BatchNorm running statistics accumulated over 200 training batches of 32 (built once).

    Returns
    -------
    dict
        ``X`` (500, 6), ``sample`` (6,) (the row we follow), ``state`` (BatchNormState).
    """
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, D)) * np.linspace(0.5, 3.0, D) + np.linspace(-2.0, 4.0, D)  # (500, D)
    state = norm.BatchNormState.initial(D)
    ones, zeros = np.ones(D), np.zeros(D)
    for _ in range(200):
        batch = X[rng.choice(len(X), 32, replace=False)]
        state = norm.batchnorm_forward(batch, ones, zeros, state, train=True)[1].state
    return {"X": X, "sample": X[0], "state": state}


@frozen_cache(maxsize=256)
def companion_effect(batch_size: int, mode: str, seed: int = 1) -> dict:
    """Pure data: normalize the same sample in ``DRAWS`` batches with fresh random companions.

    Parameters
    ----------
    batch_size : int >= 2
    mode : {"train", "eval"}
        BatchNorm's mode (LayerNorm has none).
    seed : int
        Draws the companions.

    Returns
    -------
    dict
        ``bn`` and ``ln`` (DRAWS, D): the sample's output row in each draw; ``bn_spread`` and
        ``ln_spread``: their standard deviation across draws, averaged over features;
        ``batch_size``, ``mode``.
    """
    if mode not in ("train", "eval"):
        raise ValueError(f"mode must be 'train' or 'eval', got {mode!r}")
    if int(batch_size) < 2:
        raise ValueError(f"batch_size must be >= 2, got {batch_size}")
    pop = population()
    X, x0, state = pop["X"], pop["sample"], pop["state"]
    rng = np.random.default_rng(seed)
    ones, zeros = np.ones(D), np.zeros(D)
    bn, ln = np.empty((DRAWS, D)), np.empty((DRAWS, D))
    for k in range(DRAWS):
        idx = 1 + rng.choice(len(X) - 1, int(batch_size) - 1, replace=False)
        batch = np.vstack([x0[None, :], X[idx]])  # (B, D): our sample is row 0
        bn[k] = norm.batchnorm_forward(batch, ones, zeros, state, train=(mode == "train"))[0][0]
        ln[k] = norm.layernorm_forward(batch, ones, zeros)[0][0]
    return {"bn": bn, "ln": ln, "bn_spread": float(bn.std(axis=0).mean()),
            "ln_spread": float(ln.std(axis=0).mean()), "batch_size": int(batch_size), "mode": mode}


class _CompanionView(View):
    """The same sample's normalized features over DRAWS batches: BatchNorm left, LayerNorm right."""

    def init(self, fig, d):
        axes = fig.subplots(1, 2, sharey=True)
        jitter = np.random.default_rng(0).uniform(-0.2, 0.2, size=DRAWS)
        xs = (np.arange(D)[None, :] + jitter[:, None]).ravel()  # (DRAWS * D,)
        self.panels = []
        for ax, key, color in ((axes[0], "bn", PALETTE[0]), (axes[1], "ln", PALETTE[1])):
            points = ax.scatter(xs, d[key].ravel(), s=12, color=color, alpha=0.6, label=f"{DRAWS} batches")
            ax.axhline(0, color="gray", lw=0.8)
            ax.set(xlabel="feature", xticks=range(D), ylim=(-4, 4))
            ax.legend(loc="lower right", fontsize=8)
            self.panels.append((ax, key, points))
        axes[0].set_ylabel("normalized value of the SAME sample")
        self.xs = xs
        return self.update(d)

    def update(self, d):
        names = {"bn": f"BatchNorm ({d['mode']} mode)", "ln": "LayerNorm"}
        for ax, key, points in self.panels:
            points.set_offsets(np.column_stack([self.xs, d[key].ravel()]))
            ax.set_title(f"{names[key]}\nspread across batches: {d[key + '_spread']:.3f}")
        return [artist for ax, _, points in self.panels for artist in (points, ax.title)]


@register("07", "companions")
def companion_explorer() -> Explorer:
    """Batch size and BatchNorm's train/eval mode -> one sample's BN and LN outputs over 30 batches."""
    import ipywidgets as w

    controls = {
        "batch_size": w.IntSlider(value=4, min=2, max=64, description="batch size",
                                  continuous_update=False),
        "mode": w.ToggleButtons(options=["train", "eval"], value="train", description="BN mode"),
    }
    return Explorer(controls, companion_effect, _CompanionView(), figsize=(8.5, 3.7),
                    summary=lambda d: f"BN spread <b>{d['bn_spread']:.3f}</b> · LN spread "
                                      f"<b>{d['ln_spread']:.3f}</b> (0 = the output depends on the "
                                      "sample alone)",
                    title="Same sample, different batch companions")
