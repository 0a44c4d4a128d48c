"""Notebook 10's measured demos: train vs eval mode, metrics on rare positives, calibration, serving skew."""

from __future__ import annotations

import copy

import numpy as np

from nnbasics._validate import check_float, check_int
from nnbasics.core.kernels import softmax
from nnbasics.core.metrics import (
    average_precision,
    chance_average_precision,
    fit_temperature,
    precision_recall_f1,
    reliability,
    roc_auc,
)
from nnbasics.lab import debug

__all__ = ["mode_accuracies", "imbalance_metrics", "rare_positives", "prevalence_sweep", "ap_spread",
           "calibration_experiment", "serving_skew"]


def mode_accuracies(run: debug.ZooRun, *, passes: int = 10, seed: int = 0) -> dict:
    """Accuracy of a run's model on its held-out batch, ``passes`` times in train mode and in eval mode.

    Works on a deep copy (the run's model is never touched) with dropout masks drawn from a forked,
    seeded RNG (the caller's global RNG state is unchanged).

    Returns
    -------
    dict
        ``train_mode`` (list of ``passes`` accuracies) and ``eval_mode`` (list of ``passes``).
    """
    import torch

    if not isinstance(run, debug.ZooRun):
        raise TypeError(f"run must be a ZooRun (debug.run_bug), got {type(run).__name__}")
    passes = check_int(passes, "passes", minimum=1)
    model = copy.deepcopy(run.model)
    Xv, yv = run.batch
    out = {}
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.random.manual_seed(check_int(seed, "seed", minimum=0))
        for mode in ("train", "eval"):
            model.train(mode == "train")
            out[f"{mode}_mode"] = [float((model(Xv).argmax(1) == yv).double().mean()) for _ in range(passes)]
    return out


def _bayes_scores(X_raw: np.ndarray) -> np.ndarray:
    """The Bayes-optimal ranking for debug's rare class: N(0.8 * (1, 1), I) vs N(0, I) -> x1 + x2."""
    return X_raw.sum(axis=1)


def imbalance_metrics(seed: int = 0) -> dict:
    """Metrics of the zoo's class-imbalance run (1 % positives, 50 in validation), next to the
    best any scorer could do on these overlapping classes (the Bayes-optimal ranking).

    Returns
    -------
    dict
        ``y``, ``pred``, ``scores`` (validation labels, predictions, P(positive)), ``accuracy``,
        ``recall`` (of the positives), ``ap``, ``roc_auc``, ``chance_ap``, ``bayes_ap``, ``bayes_roc_auc``.
    """
    import torch

    run = debug.run_bug("class_imbalance", seed=check_int(seed, "seed", minimum=0))
    model = copy.deepcopy(run.model).eval()
    Xv, yv = run.batch
    with torch.no_grad():
        logits = model(Xv).double().numpy()
    y = yv.numpy()
    pred, scores = logits.argmax(1), softmax(logits)[:, 1]
    raw = Xv.double().numpy() * run.preprocessing["std"] + run.preprocessing["mean"]  # undo the scaler
    bayes = _bayes_scores(raw)
    return {"y": y, "pred": pred, "scores": scores, "accuracy": float(np.mean(pred == y)),
            "recall": float(precision_recall_f1(y, pred, n_classes=2).recall[1]),
            "ap": average_precision(y, scores), "roc_auc": roc_auc(y, scores),
            "chance_ap": chance_average_precision(y), "bayes_ap": average_precision(y, bayes),
            "bayes_roc_auc": roc_auc(y, bayes)}


#: At most this many examples in one synthetic validation set (a rare positive rate asks for many negatives).
MAX_EXAMPLES = 2_000_000


def _negatives_for(n_pos: int, rate: float, name: str) -> int:
    """Negatives that give ``n_pos`` positives the positive ``rate``; refuses sets over MAX_EXAMPLES."""
    rate = check_float(rate, name, minimum=0.0, maximum=1.0, min_inclusive=False, max_inclusive=False)
    n_neg = max(1, round(n_pos * (1 - rate) / rate))
    if n_neg + n_pos > MAX_EXAMPLES:
        raise ValueError(f"{name}={rate:g} with {n_pos} positives needs {n_neg} negatives, more than "
                         f"{MAX_EXAMPLES}; use a larger rate or fewer positives")
    return n_neg


def rare_positives(n_neg: int, n_pos: int, *, rng) -> tuple[np.ndarray, np.ndarray]:
    """Labels and Bayes-optimal scores for ``n_neg`` negatives N(0, I) and ``n_pos`` positives N(0.8 (1, 1), I)."""
    n_neg, n_pos = check_int(n_neg, "n_neg", minimum=1), check_int(n_pos, "n_pos", minimum=1)
    if n_neg + n_pos > MAX_EXAMPLES:
        raise ValueError(f"n_neg + n_pos = {n_neg + n_pos} is more than {MAX_EXAMPLES} examples")
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    X = np.vstack([rng.normal(0.0, 1.0, (n_neg, 2)), rng.normal(0.8, 1.0, (n_pos, 2))])
    y = np.r_[np.zeros(n_neg, np.int64), np.ones(n_pos, np.int64)]
    return y, _bayes_scores(X)


def prevalence_sweep(rates=(0.5, 0.1, 0.01, 0.001), *, n_pos: int = 500, rng=0) -> list[dict]:
    """The same (Bayes-optimal) scorer at several positive rates: ROC-AUC stays, AP falls.

    Returns
    -------
    list of dict
        ``rate``, ``roc_auc``, ``ap``, ``chance_ap``, ``precision_at_half_recall``.
    """
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    n_pos = check_int(n_pos, "n_pos", minimum=1)
    rows = []
    for rate in rates:
        if not isinstance(rate, (int, float)) or not 0 < rate < 1:
            raise ValueError(f"rates must lie in (0, 1), got {rate!r}")
        y, s = rare_positives(_negatives_for(n_pos, rate, "rates entry"), n_pos, rng=rng)
        order = np.argsort(-s, kind="mergesort")
        tp = np.cumsum(y[order])
        k = int(np.searchsorted(tp, n_pos / 2))  # the first threshold that finds half the positives
        rows.append({"rate": float(rate), "roc_auc": roc_auc(y, s), "ap": average_precision(y, s),
                     "chance_ap": chance_average_precision(y), "precision_at_half_recall": float(tp[k] / (k + 1))})
    return rows


def ap_spread(n_pos=(5, 50), *, rate: float = 0.01, draws: int = 200, rng=0) -> dict:
    """How much AP and ROC-AUC of the *same* Bayes-optimal scorer vary between validation sets
    with few positives: {n_pos: {"ap": (q5, q95), "roc_auc": (q5, q95)}} over ``draws`` sets."""
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    draws = check_int(draws, "draws", minimum=2)
    out = {}
    for n in n_pos:
        n = check_int(n, "n_pos entry", minimum=1)
        n_neg = _negatives_for(n, rate, "rate")
        aps, aucs = [], []
        for _ in range(draws):
            y, s = rare_positives(n_neg, n, rng=rng)
            aps.append(average_precision(y, s))
            aucs.append(roc_auc(y, s))
        out[n] = {"ap": tuple(np.quantile(aps, [0.05, 0.95])), "roc_auc": tuple(np.quantile(aucs, [0.05, 0.95]))}
    return out


def calibration_experiment(seed: int = 0, *, n_bins: int = 10) -> dict:
    """An overfit classifier is overconfident; temperature scaling, fitted on held-out data, repairs most of it.

    Three overlapping 2-D classes (separation 1.5): 200 training points, memorised by a
    2-128-128-3 MLP (Adam, 200 epochs); 1000 points fit the temperature, 1000 more measure.

    Returns
    -------
    dict
        ``temperature``, ``before`` and ``after`` (:class:`~nnbasics.core.metrics.Reliability` on the
        test points), ``accuracy`` (unchanged by the temperature), ``train_accuracy``, and the test
        points' ``logits`` (1000, 3) and ``labels`` (1000,) for trying other temperatures.
    """
    import torch

    from nnbasics import data
    from nnbasics.lab import models, train

    seed = check_int(seed, "seed", minimum=0)
    X, y = data.blobs(2200, rng=seed, separation=1.5, n_classes=3)
    (Xtr, ytr), (Xcal, ycal), (Xte, yte) = (X[:200], y[:200]), (X[200:1200], y[200:1200]), (X[1200:], y[1200:])
    model = models.build_mlp(models.MLPConfig(d_in=2, hidden=(128, 128), d_out=3, seed=seed))
    hist = train.fit(model, Xtr, ytr, cfg=train.TrainConfig(epochs=200, batch_size=50, lr=3e-3, optimizer="adam",
                                                             seed=seed))
    model.eval()
    with torch.no_grad():
        Lcal, Lte = (model(torch.as_tensor(A, dtype=torch.float32)).double().numpy() for A in (Xcal, Xte))
    T = fit_temperature(Lcal, ycal)
    return {"temperature": T, "before": reliability(yte, softmax(Lte), n_bins),
            "after": reliability(yte, softmax(Lte / T), n_bins), "accuracy": float(np.mean(Lte.argmax(1) == yte)),
            "train_accuracy": float(hist.train_acc[-1]), "logits": Lte, "labels": yte}


def serving_skew(seed: int = 0) -> dict:
    """Training-serving skew in miniature: one model, three serving pipelines.

    Raw records have two features: a duration logged in **seconds** (around 10; missing in 30 %
    of the records, in every split) and a measurement around -6. The training pipeline fills a
    missing duration with the training mean and standardises with the training statistics; the
    validation split goes through the same code. Serving: (1) "shared code" calls the very same
    function; (2) "milliseconds" receives the duration from a service that logs milliseconds;
    (3) "missing -> 0" is a re-implementation that fills a missing duration with 0.

    Returns
    -------
    dict
        ``validation_accuracy`` and, per pipeline, ``accuracy``, ``skew`` (:func:`debug.feature_skew`
        against the training features) and ``parity_gap``: the largest difference from the training
        pipeline's features for the same raw records (0 = identical).
    """
    import torch

    from nnbasics import data
    from nnbasics.lab import models, train

    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    X, y = data.blobs(2400, rng=rng, separation=3.0, n_classes=3)
    X = X * 4.0 + np.array([10.0, -6.0])  # raw units: seconds, and a measurement around -6
    X[rng.random(len(X)) < 0.3, 0] = np.nan  # the duration is often missing
    Xtr, ytr, Xva, yva, Xsv, ysv = X[:600], y[:600], X[600:1500], y[600:1500], X[1500:], y[1500:]
    mean, std = np.nanmean(Xtr, axis=0), np.nanstd(Xtr, axis=0)

    def features(raw):  # the training pipeline: missing -> training mean, then standardise
        return (np.where(np.isnan(raw), mean, raw) - mean) / std

    model = models.build_mlp(models.MLPConfig(d_in=2, hidden=(32,), d_out=3, seed=seed))
    train.fit(model, features(Xtr), ytr, cfg=train.TrainConfig(epochs=30, batch_size=64, lr=3e-3, optimizer="adam",
                                                                seed=seed))
    model.eval()

    def accuracy(F, labels):
        with torch.no_grad():
            return float((model(torch.as_tensor(F, dtype=torch.float32)).argmax(1).numpy() == labels).mean())

    pipelines = {
        "shared code": features(Xsv),
        "milliseconds": features(Xsv * np.array([1000.0, 1.0])),  # NaN stays NaN
        "missing -> 0": (np.nan_to_num(Xsv, nan=0.0) - mean) / std,
    }
    reference = features(Xtr)
    return {"validation_accuracy": accuracy(features(Xva), yva),
            **{name: {"accuracy": accuracy(F, ysv), "skew": debug.feature_skew(reference, F),
                      "parity_gap": float(np.max(np.abs(F - pipelines["shared code"])))}
               for name, F in pipelines.items()}}
