"""Find and call the learner's exercise code from notebooks.

Notebooks call :func:`attempt` so that an exercise not yet done prints a friendly
note instead of an error, and a finished one is checked against the library.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from nnbasics._validate import check_notebook

__all__ = ["course_root", "exercises_dir", "load_module", "load", "attempt"]


def course_root() -> Path:
    """The course folder (the one holding ``notebooks/`` and ``exercises/``)."""
    return Path(__file__).resolve().parents[2]


def exercises_dir() -> Path:
    """Where the learner's files live: ``$NNBASICS_EXERCISES_DIR`` or ``<course>/exercises``."""
    env = os.environ.get("NNBASICS_EXERCISES_DIR")
    return Path(env).resolve() if env else course_root() / "exercises"


def load_module(path: Path | str, *, fresh: bool = True) -> ModuleType:
    """Import one Python file as a module under a private name (re-read from disk if ``fresh``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no exercise file at {path}")
    name = f"_nnbasics_impl_{path.parent.name}_{path.stem}"
    if not fresh and name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load(notebook: str, folder: Path | str | None = None) -> ModuleType:
    """The learner's module for notebook ``"NN"``, e.g. ``exercises/ex01_perceptron.py``."""
    check_notebook(notebook)
    folder = Path(folder) if folder is not None else exercises_dir()
    matches = sorted(folder.glob(f"ex{notebook}_*.py"))
    if not matches:
        raise FileNotFoundError(f"no ex{notebook}_*.py in {folder}; regenerate the stubs with "
                                "`python tools/make_exercises.py`")
    return load_module(matches[0])


def attempt(notebook: str, function: str, *args, **kwargs):
    """Call the learner's ``function`` from notebook ``"NN"``'s exercise file.

    Returns
    -------
    object or None
        The function's result, or ``None`` (after printing where to start) while the
        exercise still raises ``NotImplementedError``. Other exceptions propagate:
        they are bugs worth seeing.
    """
    module = load(notebook)
    fn = getattr(module, function, None)
    if fn is None:
        raise AttributeError(f"{module.__file__} has no function {function!r}")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as err:
        print(f"⏳ {err}\n   Open exercises/{Path(module.__file__).name}, implement it, re-run this "
              f"cell, then check it with `python -m nnbasics grade {notebook}`.")
        return None
