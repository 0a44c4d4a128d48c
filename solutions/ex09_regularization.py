"""Exercises for notebook 09 — regularization and optimizers.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 09`` to check your work.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def adamw_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    """Exercise 9.1 — one AdamW step on one parameter array (as torch.optim.AdamW).

    1. decoupled weight decay:  p <- p * (1 - lr * weight_decay)   (NOT added to g!)
    2. moments:  m <- beta1 m + (1 - beta1) g,   v <- beta2 v + (1 - beta2) g**2
    3. bias correction with the step number t (the first step has t = 1):
       m_hat = m / (1 - beta1**t),   v_hat = v / (1 - beta2**t)
    4. p <- p - lr * m_hat / (sqrt(v_hat) + eps)

    Parameters
    ----------
    p, g, m, v : ndarray, all the same shape (any)
        Parameter, its gradient, and the first/second moments (zeros before step 1).
    t : int >= 1
    lr, eps, weight_decay : float
    betas : (float, float)

    Returns
    -------
    p_new, m_new, v_new : ndarray, same shape as p
        New arrays: do not modify the inputs in place.
    """
    # BEGIN SOLUTION 9.1
    b1, b2 = betas
    p = p * (1.0 - lr * weight_decay)
    m = b1 * m + (1.0 - b1) * g
    v = b2 * v + (1.0 - b2) * g * g
    m_hat = m / (1.0 - b1**t)
    v_hat = v / (1.0 - b2**t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    # END SOLUTION 9.1


def early_stopping(val_losses, patience, min_delta=0.0):
    """Exercise 9.2 — early stopping with patience, replayed over a list of validation losses.

    A value counts as an improvement when it is lower than the best so far by MORE than
    ``min_delta`` (value < best - min_delta). ``patience`` counts the epochs in a row
    WITHOUT improvement: training stops at the epoch where that count reaches ``patience``.

    Parameters
    ----------
    val_losses : sequence of float, length E
        The validation loss after each epoch 0, 1, ..., E-1.
    patience : int >= 1
    min_delta : float >= 0

    Returns
    -------
    best_epoch : int
        Index of the best (lowest, by the rule above) loss seen up to the stop.
    stop_epoch : int or None
        Index of the epoch at which training stops, or None if it never would.
    """
    # BEGIN SOLUTION 9.2
    best, best_epoch, bad = float("inf"), None, 0
    for epoch, value in enumerate(val_losses):
        if value < best - min_delta:
            best, best_epoch, bad = value, epoch, 0
        else:
            bad += 1
        if bad >= patience:
            return best_epoch, epoch
    return best_epoch, None
    # END SOLUTION 9.2


def label_smoothing_loss(logits, y, eps):
    """Exercise 9.3 — cross-entropy with label smoothing and its gradient.

    Smoothed targets: t = (1 - eps) * onehot(y) + eps / C   (eps / C goes to EVERY class,
    the true one included — torch's convention). Loss = mean over the batch of
    -sum_c t_c log softmax(z)_c. Subtract the row max before exponentiating.

    Parameters
    ----------
    logits : ndarray, shape (N, C)
    y : ndarray of int, shape (N,)
    eps : float in [0, 1]

    Returns
    -------
    loss : float
        Matches torch.nn.functional.cross_entropy(logits, y, label_smoothing=eps).
    dlogits : ndarray, shape (N, C)
        (softmax(z) - t) / N.
    """
    # BEGIN SOLUTION 9.3
    n, c = logits.shape
    t = np.full((n, c), eps / c)  # (N, C)
    t[np.arange(n), y] += 1.0 - eps
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))  # (N, C)
    loss = -(t * log_p).sum() / n
    return float(loss), (np.exp(log_p) - t) / n
    # END SOLUTION 9.3
