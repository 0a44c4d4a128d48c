"""What an exercise file may import: the trusted side's table, enforced in the worker.

The same sentence appears in every stub header (``solutions/exNN_*.py`` docstrings) and in
``docs/instructor.md``; ``tests/test_sandbox.py`` keeps the three in agreement.
"""

from __future__ import annotations

from nnbasics._validate import check_notebook

__all__ = ["STDLIB_HELPERS", "allowed_imports", "preload", "policy_sentence"]

#: Harmless standard-library helpers every exercise file may use.
STDLIB_HELPERS = ("__future__", "collections", "dataclasses", "functools", "itertools", "math",
                  "typing")
#: Notebooks whose exercises are about torch objects (5.2: a gradient probe; 10.x: debugging).
TORCH_NOTEBOOKS = frozenset({"05", "10"})


def allowed_imports(notebook: str) -> tuple[str, ...]:
    """Top-level packages the learner's ``exNN_*.py`` may import for notebook ``"NN"``."""
    check_notebook(notebook)
    main = ("numpy", "torch") if notebook in TORCH_NOTEBOOKS else ("numpy",)
    return main + STDLIB_HELPERS


def preload(notebook: str) -> tuple[str, ...]:
    """Packages the worker imports before the learner's file (their import time is not charged)."""
    return ("torch",) if "torch" in allowed_imports(notebook) else ()


def policy_sentence(notebook: str) -> str:
    """The import rule as stated in the stub header, e.g. "Imports allowed: numpy only ..."."""
    main = "numpy and torch" if "torch" in allowed_imports(notebook) else "numpy only"
    return (f"Imports allowed: {main} (plus the standard library's "
            f"{', '.join(m for m in STDLIB_HELPERS if m != '__future__')}).")
