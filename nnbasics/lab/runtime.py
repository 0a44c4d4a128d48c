"""Thread settings for the course's tiny models (one place, used by every module).

For models this small, thread start-up and synchronisation cost more than they save: on a
busy 2-core machine two torch threads were measured ~40x slower than one for a 32-unit MLP.
The context managers restore the previous setting, so the learner's session is unchanged.
"""

from __future__ import annotations

import contextlib

from nnbasics._validate import check_int

__all__ = ["threads", "one_thread", "blas_threads"]


@contextlib.contextmanager
def threads(n: int, *, blas: bool = True):
    """Use ``n`` torch (and, if ``blas``, numpy BLAS) threads inside the block, then restore.

    Parameters
    ----------
    n : int >= 1
    blas : bool
        Also limit numpy's BLAS pool (through threadpoolctl, when it is installed).
    """
    import torch

    n = check_int(n, "n", minimum=1)
    before = torch.get_num_threads()
    limiter = blas_threads(n) if blas else contextlib.nullcontext()
    torch.set_num_threads(n)
    try:
        with limiter:
            yield
    finally:
        torch.set_num_threads(before)


def one_thread():
    """``threads(1)``: the setting for the course's tiny models."""
    return threads(1)


def blas_threads(n: int = 1):
    """Limit numpy's BLAS pool to ``n`` threads inside a ``with`` block (no torch import).

    Uses threadpoolctl (installed with scikit-learn); without it this does nothing.
    """
    n = check_int(n, "n", minimum=1)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=n, user_api="blas")
