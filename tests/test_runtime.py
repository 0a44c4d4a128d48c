"""nnbasics.lab.runtime: thread limits apply inside the block and are restored after it."""

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info, threadpool_limits

from nnbasics.lab import runtime


def test_one_thread_restores_the_setting():
    before = torch.get_num_threads()
    with runtime.one_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_restored_even_after_an_error():
    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), runtime.threads(1):
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before


def test_bad_thread_count():
    with pytest.raises(ValueError, match="n must be >= 1"), runtime.threads(0):
        pass


def _blas_threads_now() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_blas_limit_applies_inside_and_is_restored_with_a_reused_controller():
    """The cached controller (built once per set of imports) still limits numpy's BLAS pool."""
    with threadpool_limits(limits=2, user_api="blas"):  # make test runs with one BLAS thread
        before = _blas_threads_now()
        assert before, "numpy's BLAS pool is not visible to threadpoolctl"
        if max(before) < 2:
            pytest.skip(f"BLAS allows one thread here ({before}): nothing to limit")
        for _ in range(2):  # the second block reuses the controller the first one built
            with runtime.blas_threads(1):
                assert _blas_threads_now() == [1] * len(before)
                np.ones((64, 64)) @ np.ones((64, 64))
            assert _blas_threads_now() == before
    controller = runtime._blas_controller()
    assert runtime._blas_controller() is controller  # no new import: no rebuild
