"""Thread settings for the course's tiny models (one place, used by every module).

For models this small, thread start-up and synchronisation cost more than they save: on a
busy 2-core machine two torch threads were measured ~40x slower than one for a 32-unit MLP.
The context managers restore the previous setting, so the learner's session is unchanged.
"""

from __future__ import annotations

import contextlib
import sys

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
    controller = _blas_controller()
    return contextlib.nullcontext() if controller is None else controller.limit(limits=n, user_api="blas")


#: (len(sys.modules) when it was built, threadpoolctl's ThreadpoolController)
_CONTROLLER: tuple[int, object] | None = None


def _blas_controller():
    """threadpoolctl's view of the loaded thread pools, rebuilt only after new imports.

    Building one scans every loaded shared library (0.9 ms); ``threadpool_limits`` built a new
    one on every call, about 10 % of a tiny model's training loop that limits threads per epoch.
    A library only arrives with an import, so the number of imported modules tells when to
    rebuild. None without threadpoolctl.
    """
    global _CONTROLLER
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    if _CONTROLLER is None or _CONTROLLER[0] != len(sys.modules):
        controller = ThreadpoolController()
        _CONTROLLER = (len(sys.modules), controller)
    return _CONTROLLER[1]
