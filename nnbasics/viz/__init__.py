"""Interactive explorers, one module per notebook (``nbNN_topic.py``).

Widgets are thin and fast: each builder wires ipywidgets controls to a pure compute function
(memoized, immutable results: :func:`frozen_cache`) and a :class:`View` whose ``init`` draws
the static picture once and whose ``update`` moves a few artists, blitted over the cached
background. Builders register themselves with :func:`register` so tests, the benchmark and
the browser harness find them all.
"""

from nnbasics.viz.explorer import RELAYOUT, Explorer, View, freeze, frozen_cache, register, registry

__all__ = ["Explorer", "View", "RELAYOUT", "frozen_cache", "freeze", "register", "registry"]
