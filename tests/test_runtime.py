"""nnbasics.lab.runtime: thread limits apply inside the block and are restored after it."""

import pytest
import torch

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
