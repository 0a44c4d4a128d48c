"""Interactive explorers, one module per notebook (``nbNN_topic.py``).

Widgets are thin: each builder wires ipywidgets controls to a pure, tested
compute function and a drawing function. Builders register themselves with
:func:`register` so tests, the benchmark and the browser harness find them all.
"""

from nnbasics.viz.explorer import Explorer, register, registry

__all__ = ["Explorer", "register", "registry"]
