"""nnbasics — the tested companion package of the neural-network fundamentals course.

``import nnbasics`` is deliberately light: submodules (and torch, matplotlib,
ipywidgets) load on first use, e.g. ``nnbasics.core.perceptron`` or
``from nnbasics import layers``.
"""

from __future__ import annotations

import importlib
import inspect

__version__ = "0.1.0"

__all__ = ["show_source", "__version__"]


def __getattr__(name: str):
    """Import ``nnbasics.<name>`` lazily so ``import nnbasics`` stays fast."""
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"{__name__}.{name}":
            raise AttributeError(f"module 'nnbasics' has no attribute or submodule {name!r}") from None
        raise
    globals()[name] = module
    return module


def show_source(obj) -> None:
    """Display the source code of a function, class or module (syntax-highlighted in Jupyter).

    Parameters
    ----------
    obj : function, class or module
        What to show. Notebooks use this instead of re-defining library code.
    """
    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismodule(obj)
            or inspect.ismethod(obj)):
        raise TypeError(f"show_source expects a function, class or module, got {type(obj).__name__}")
    source = inspect.getsource(obj)
    try:
        from IPython.display import Code, display

        display(Code(source, language="python"))
    except ImportError:  # plain Python: print it
        print(source)
