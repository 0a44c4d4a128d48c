"""One record of a training run for the whole course: :class:`History` (no plotting inside).

The from-scratch numpy MLP (:func:`nnbasics.core.mlp.train`) and the torch loop
(:func:`nnbasics.lab.train.fit`) both return it, so every learning curve in the notebooks is
read the same way: ``hist.train_loss[-1]``, ``hist.val_acc``, ``hist.epochs_run``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["History"]


@dataclass(frozen=True)
class History:
    """Per-epoch records of a training run (each list has one entry per epoch run).

    Frozen: a finished history is a record, safe to cache and share (trainers append to its
    lists while they run and set the flags with ``dataclasses.replace``).

    Attributes
    ----------
    train_loss, val_loss : list of float
        Mean loss over the training set (for ``fit``: over the epoch's mini-batches, before
        each update) and on the validation set after each epoch; ``val_*`` are empty without
        validation data.
    train_acc, val_acc : list of float
        Accuracies (classification only).
    grad_norm : list of float
        Mean global gradient norm (before clipping) over the epoch's steps (``fit`` only).
    best_epoch : int or None
        Index of the epoch with the lowest validation loss, when early stopping was on.
    stopped_early, diverged : bool
        Early stopping ended the run; a loss became NaN/inf (the run then stops).
    seconds : float
        Wall-clock training time.
    params : dict or None
        The trained weights of a numpy model (a torch model is trained in place instead).
    activation : str or None
        The hidden activation of a numpy model.
    """

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False
    diverged: bool = False
    seconds: float = 0.0
    params: dict | None = None
    activation: str | None = None

    @property
    def epochs_run(self) -> int:
        return len(self.train_loss)
