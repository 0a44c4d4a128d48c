"""The Explorer: controls -> pure compute function -> drawing function -> PNG image.

Rendering to a PNG ``ipywidgets.Image`` (instead of an Output area) makes every
update testable without a kernel: set ``control.value`` and inspect
``explorer.data`` and ``explorer.image.value``.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_REGISTRY: dict[str, RegisteredWidget] = {}


@dataclass(frozen=True)
class RegisteredWidget:
    """A widget builder known to the course.

    Attributes
    ----------
    notebook : str
        Two-digit notebook number, e.g. ``"01"``.
    name : str
        Short unique name within the notebook.
    build : callable
        Returns an :class:`Explorer` with default settings.
    """

    notebook: str
    name: str
    build: Callable[[], Explorer]

    @property
    def key(self) -> str:
        return f"{self.notebook}/{self.name}"


def register(notebook: str, name: str):
    """Decorator recording a builder in the registry under ``notebook/name``."""

    def deco(fn):
        key = f"{notebook}/{name}"
        if key in _REGISTRY and _REGISTRY[key].build.__qualname__ != fn.__qualname__:
            raise ValueError(f"widget {key} registered twice")
        _REGISTRY[key] = RegisteredWidget(notebook, name, fn)
        return fn

    return deco


def registry() -> list[RegisteredWidget]:
    """Import every ``nnbasics.viz`` module and return all registered builders, sorted."""
    import nnbasics.viz as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("nb"):
            importlib.import_module(f"{pkg.__name__}.{info.name}")
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


class Explorer:
    """Controls wired to ``compute(**values) -> data`` and ``draw(fig, data)``.

    Parameters
    ----------
    controls : dict of str -> ipywidgets.ValueWidget
        Keyword names of ``compute`` mapped to the widgets that set them.
    compute : callable
        Pure function of the control values; returns the data to plot (tested on its own).
    draw : callable
        ``draw(fig, data)`` fills a fresh matplotlib Figure.
    figsize : tuple of float
        Figure size in inches.
    summary : callable, optional
        ``summary(data) -> str`` (HTML) shown under the controls, e.g. live accuracy.
    title : str, optional
        A heading shown above the controls.

    Attributes
    ----------
    data : Any
        The latest result of ``compute``.
    image : ipywidgets.Image
        The latest rendering as PNG.
    ui : ipywidgets.VBox
        What ``display(explorer)`` shows.
    n_updates : int
        How many times the view was recomputed.
    last_update_s : float
        Wall time of the latest update (compute + draw + PNG), for the benchmark.
    """

    def __init__(self, controls: dict, compute: Callable[..., Any],
                 draw: Callable[[Any, Any], None], *, figsize=(6.0, 4.0),
                 summary: Callable[[Any], str] | None = None, title: str | None = None,
                 dpi: int = 80):
        import ipywidgets as w
        from matplotlib.figure import Figure

        if not controls:
            raise ValueError("an Explorer needs at least one control")
        self.controls = dict(controls)
        self._compute = compute
        self._draw = draw
        self._summary = summary
        self._dpi = dpi
        self.figure = Figure(figsize=figsize)
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.summary_html = w.HTML()
        self.error_html = w.HTML()
        self.n_updates = 0
        self.last_update_s = 0.0
        self.data = None
        for c in self.controls.values():
            c.observe(self._on_change, names="value")
        header = [w.HTML(f"<b>{title}</b>")] if title else []
        box = w.HBox(list(self.controls.values()), layout=w.Layout(flex_flow="row wrap"))
        self.ui = w.VBox(header + [box, self.summary_html, self.error_html, self.image])
        self.ui.add_class("nnbasics-explorer")
        self.update()

    def values(self) -> dict:
        """Current control values, keyed like ``compute``'s arguments."""
        return {k: c.value for k, c in self.controls.items()}

    def update(self) -> None:
        """Recompute and redraw (called automatically whenever a control changes)."""
        from nnbasics.viz.plotting import figure_to_png

        t0 = time.perf_counter()
        try:
            data = self._compute(**self.values())
        except (ValueError, TypeError) as err:  # an impossible combination of settings
            self.error_html.value = f"<span style='color:#D55E00'>⚠ {err}</span>"
            return
        self.error_html.value = ""
        self.data = data
        self.figure.clear()
        self._draw(self.figure, data)
        if self.n_updates == 0:  # layout once; later redraws reuse the margins (tight_layout costs ~90 ms)
            self.figure.tight_layout()
        self.image.value = figure_to_png(self.figure, dpi=self._dpi)
        if self._summary is not None:
            self.summary_html.value = self._summary(data)
        self.n_updates += 1
        self.last_update_s = time.perf_counter() - t0

    def _on_change(self, change) -> None:
        self.update()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)
