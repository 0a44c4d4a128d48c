"""The Explorer: controls -> memoized pure compute -> a blitted view -> PNG image.

Rendering to a PNG ``ipywidgets.Image`` (instead of an Output area) makes every
update testable without a kernel: set ``control.value`` and inspect
``explorer.data`` and ``explorer.image.value``.

Three pieces per widget:

compute
    A pure function of the control values, wrapped in :func:`frozen_cache`: results are
    memoized (bounded LRU) and deeply immutable (read-only arrays, mapping proxies,
    tuples, frozen dataclasses), so no caller can change what the next one sees.
view
    A :class:`View`: ``init(fig, data)`` builds the axes, the static artists, fixed limits
    and the legend, and returns the artists that move; ``update(data)`` changes those
    artists in place (``set_data``, ``set_offsets``, ``set_array``, ``set_text`` ...) and
    returns them, or returns :data:`RELAYOUT` when limits or layout must change.
Explorer
    Draws the static part once, keeps it as a background (Agg ``copy_from_bbox``), and on
    every update restores it, draws only the moving artists and encodes the PNG. Slider
    events from the browser are coalesced: the latest value wins.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import functools
import html
import importlib
import inspect
import pkgutil
import sys
import threading
import time
import traceback
import types
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Explorer", "View", "RELAYOUT", "frozen_cache", "freeze", "register", "registry",
           "RegisteredWidget", "DEBOUNCE_S"]

_REGISTRY: dict[str, RegisteredWidget] = {}

#: Seconds a browser-driven change waits for later ones before the Explorer redraws
#: (only inside a running kernel; code and tests that set ``.value`` update at once).
DEBOUNCE_S = 0.01


# --------------------------------------------------------------------------- registry
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


# --------------------------------------------------------------------------- immutable results
_SCALARS = (type(None), bool, int, float, complex, str, bytes, np.generic, enum.Enum, range)


def freeze(obj, *, where: str = "result"):
    """A deeply immutable copy of ``obj`` (what a memoized compute function may share).

    ndarray -> read-only copy; dict/mapping -> ``MappingProxyType`` of frozen values;
    list/tuple -> tuple (named tuples keep their type); set -> frozenset; frozen dataclass ->
    a copy with frozen fields; scalars and strings as they are.

    Raises
    ------
    TypeError
        For anything that cannot be made immutable (a torch module, a mutable dataclass,
        an arbitrary object): compute functions must return plain data.
    """
    if isinstance(obj, _SCALARS):
        return obj
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise TypeError(f"{where} is an object array; return numeric arrays or tuples")
        out = np.array(obj, copy=True)
        out.flags.writeable = False
        return out
    if isinstance(obj, Mapping):
        return types.MappingProxyType({k: freeze(v, where=f"{where}[{k!r}]") for k, v in obj.items()})
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a named tuple
        return type(obj)(*(freeze(v, where=f"{where}.{f}") for f, v in zip(obj._fields, obj)))
    if isinstance(obj, (list, tuple)):
        return tuple(freeze(v, where=f"{where}[{i}]") for i, v in enumerate(obj))
    if isinstance(obj, (set, frozenset)):
        return frozenset(freeze(v, where=where) for v in obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        if not type(obj).__dataclass_params__.frozen:
            raise TypeError(f"{where} is a mutable {type(obj).__name__}; return a frozen dataclass")
        out = object.__new__(type(obj))
        for f in dataclasses.fields(obj):
            object.__setattr__(out, f.name, freeze(getattr(obj, f.name), where=f"{where}.{f.name}"))
        return out
    raise TypeError(f"{where} is a {type(obj).__module__}.{type(obj).__name__}, which cannot be "
                    "frozen; a widget's compute function must return plain data (arrays, numbers, "
                    "strings, dicts, tuples, frozen dataclasses)")


CacheInfo = namedtuple("CacheInfo", "hits misses maxsize currsize")


def frozen_cache(maxsize: int = 64):
    """Memoize a pure compute function on its arguments and freeze what it returns.

    The cache is a bounded LRU keyed on the bound arguments (defaults applied, types
    included, so ``1`` and ``1.0`` are different keys). Every caller gets the same deeply
    immutable result (:func:`freeze`), so sharing it is safe. Exceptions are not cached.
    ``fn.__wrapped__`` is the raw function; ``fn.cache_info()`` and ``fn.cache_clear()``
    work as for ``functools.lru_cache``.
    """
    if not (isinstance(maxsize, int) and maxsize >= 1):
        raise ValueError(f"maxsize must be an int >= 1, got {maxsize!r}")

    def deco(fn):
        sig = inspect.signature(fn)
        cache: OrderedDict = OrderedDict()
        lock = threading.Lock()
        stats = {"hits": 0, "misses": 0}

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            key = tuple((k, type(v), v) for k, v in bound.arguments.items())
            try:
                hash(key)
            except TypeError:  # unhashable arguments: compute, do not cache
                return freeze(fn(*args, **kwargs), where=f"{fn.__name__}()")
            with lock:
                if key in cache:
                    cache.move_to_end(key)
                    stats["hits"] += 1
                    return cache[key]
            result = freeze(fn(*bound.args, **bound.kwargs), where=f"{fn.__name__}()")
            with lock:
                stats["misses"] += 1
                cache[key] = result
                while len(cache) > maxsize:
                    cache.popitem(last=False)
            return result

        def cache_info():
            return CacheInfo(stats["hits"], stats["misses"], maxsize, len(cache))

        def cache_clear():
            with lock:
                cache.clear()
                stats.update(hits=0, misses=0)

        wrapper.cache_info = cache_info
        wrapper.cache_clear = cache_clear
        return wrapper

    return deco


# --------------------------------------------------------------------------- views
class _Relayout:
    def __repr__(self) -> str:
        return "RELAYOUT"


#: Returned by :meth:`View.update` when limits, ticks or layout must change: full redraw.
RELAYOUT = _Relayout()


class View:
    """What a widget draws: static artists once, moving artists on every update.

    Subclasses implement :meth:`init` and :meth:`update`; keep the moving artists as
    attributes in ``init`` and change them in place in ``update``. Everything ``init``
    does not return is drawn once, into the cached background or (for static artists above
    moving ones, such as a legend over the data) into a cached overlay. Axes and titles are
    artists too: return ``ax.xaxis``/``ax.yaxis`` when limits or ticks change and ``ax.title``
    when its text does. An axes' spines and a ``loc="best"`` legend follow its moving data
    automatically; a legend whose entries change must be re-created and returned.

    Set the class attribute ``tight_layout = False`` when ``init`` fixes the margins itself
    (``fig.subplots_adjust``); otherwise the Explorer runs ``tight_layout`` on the first draw.
    """

    tight_layout = True

    def init(self, fig, data) -> Iterable:
        """Build axes, static artists, fixed limits and legend for ``data``; return the moving artists."""
        raise NotImplementedError

    def update(self, data) -> Iterable | _Relayout:
        """Show ``data`` by changing the moving artists; return them (or :data:`RELAYOUT`)."""
        raise NotImplementedError


class _RedrawView(View):
    """Adapter for a plain ``draw(fig, data)`` function: every update is a full redraw."""

    def __init__(self, draw: Callable[[Any, Any], None]):
        self._draw = draw

    def init(self, fig, data):
        self._draw(fig, data)
        return ()

    def update(self, data):
        return RELAYOUT


# --------------------------------------------------------------------------- the Explorer
class Explorer:
    """Controls wired to a memoized ``compute(**values) -> data`` and a blitted :class:`View`.

    Parameters
    ----------
    controls : dict of str -> ipywidgets.ValueWidget
        Keyword names of ``compute`` mapped to the widgets that set them.
    compute : callable
        Pure function of the control values; returns the data to plot (tested on its own).
        Wrap it in :func:`frozen_cache` so revisited settings are free and results immutable.
    view : View or callable
        A :class:`View`, or a plain ``draw(fig, data)`` function (then every update redraws
        the whole figure: simple, but slow).
    figsize : tuple of float
        Figure size in inches.
    summary : callable, optional
        ``summary(data) -> str`` (HTML) shown under the controls, e.g. live accuracy.
    title : str, optional
        A heading shown above the controls.
    dpi : int
        Pixels per inch of the PNG.
    debounce_s : float or None
        Inside a running kernel, browser-driven changes wait this long for later ones and
        only the latest is drawn; ``None`` draws every change at once.

    Attributes
    ----------
    data : Any
        The latest result of ``compute`` (None while an error is shown).
    error : str or None
        The message of the ValueError/TypeError that ``compute`` raised for the current
        values, shown instead of the picture.
    image : ipywidgets.Image
        The latest rendering as PNG.
    ui : ipywidgets.VBox
        What ``display(explorer)`` shows.
    n_updates : int
        How many times the view was recomputed and shown.
    n_full_draws : int
        How many of those redrew the whole figure (first draw and re-layouts).
    n_deferred : int
        Browser events that waited for the event loop (and were coalesced with later ones).
    last_update_s, last_compute_s : float
        Wall time of the latest update (compute + draw + PNG) and of its compute part.
    last_update_cpu_s : float
        CPU time of the latest update (this process, all threads): on a busy machine, about
        what the update would take on an idle one.
    """

    def __init__(self, controls: dict, compute: Callable[..., Any], view: View | Callable, *,
                 figsize=(6.0, 4.0), summary: Callable[[Any], str] | None = None,
                 title: str | None = None, dpi: int = 80, debounce_s: float | None = DEBOUNCE_S):
        import ipywidgets as w
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        if not controls:
            raise ValueError("an Explorer needs at least one control")
        if not callable(compute):
            raise TypeError(f"compute must be callable, got {type(compute).__name__}")
        if isinstance(view, View) or (hasattr(view, "init") and hasattr(view, "update")):
            self.view = view
        elif callable(view):
            self.view = _RedrawView(view)
        else:
            raise TypeError(f"view must be a View (init/update) or a draw(fig, data) function, "
                            f"got {type(view).__name__}")
        if debounce_s is not None and not debounce_s >= 0:
            raise ValueError(f"debounce_s must be None or >= 0, got {debounce_s!r}")
        self.controls = dict(controls)
        self.compute = compute
        self.debounce_s = debounce_s
        self._summary = summary
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self._canvas = FigureCanvasAgg(self.figure)
        self._background = None  # the static part of the last full draw
        self._follow: list = []  # spines and loc='best' legends of the axes whose data moves
        self._overlays: dict = {}  # per axes: static artists above its moving ones, pre-rendered
        self._sprites: dict = {}  # rendered texts and axes by what they show (see _sprite_key)
        self._scratch = None  # a transparent Agg renderer for overlays and sprites
        self._layout: dict | None = None  # subplot margins, fixed by the first draw
        self._shown_values: dict | None = None
        self._pending = False
        self._timer = None
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.summary_html = w.HTML()
        self.error_html = w.HTML()
        # A hidden update counter: lets a browser test see that an update arrived even when
        # the picture is (rightly) the same.
        self.tick = w.HTML("0", layout=w.Layout(display="none"))
        self.tick.add_class("nnbasics-explorer-tick")
        self.n_updates = 0
        self.n_full_draws = 0
        self.n_deferred = 0
        self.last_update_s = self.last_compute_s = self.last_update_cpu_s = 0.0
        self.data = None
        self.error: str | None = None
        for c in self.controls.values():
            c.observe(self._on_change, names="value")
        header = [w.HTML(f"<b>{title}</b>")] if title else []
        box = w.HBox(list(self.controls.values()), layout=w.Layout(flex_flow="row wrap"))
        self.ui = w.VBox(header + [box, self.summary_html, self.error_html, self.image, self.tick])
        self.ui.add_class("nnbasics-explorer")
        self.update()

    def values(self) -> dict:
        """Current control values, keyed like ``compute``'s arguments."""
        return {k: c.value for k, c in self.controls.items()}

    # ----------------------------------------------------------------- updating
    def update(self) -> None:
        """Recompute and show the current values now (called automatically on every change)."""
        t0, cpu0 = time.perf_counter(), time.process_time()
        values = self.values()
        self._shown_values = values
        try:
            data = self.compute(**values)
        except (ValueError, TypeError) as err:  # an impossible combination of settings
            self._show_error(str(err))
            self.last_compute_s = self.last_update_s = time.perf_counter() - t0
            self.last_update_cpu_s = time.process_time() - cpu0
            self.tick.value = str(int(self.tick.value) + 1)
            return
        self.last_compute_s = time.perf_counter() - t0
        self.error = None
        self.error_html.value = ""
        self.data = data
        self.image.value = self._render(data)
        if self._summary is not None:
            self.summary_html.value = self._summary(data)
        self.n_updates += 1
        self.last_update_s = time.perf_counter() - t0
        self.last_update_cpu_s = time.process_time() - cpu0
        self.tick.value = str(int(self.tick.value) + 1)

    def _on_change(self, change) -> None:
        loop = self._deferring_loop(change["owner"])
        if loop is None:
            self.update()
            return
        self._pending = True
        self.n_deferred += 1
        if self._timer is None:
            self._timer = loop.call_later(self.debounce_s, self._flush)

    def _deferring_loop(self, owner):
        """The running event loop when this change came from the browser, else None.

        ipywidgets locks a property while it applies the front end's state
        (``Widget.set_state``), so a locked ``value`` means a comm message from the page.
        Changes made by code (a notebook cell, a test) are never deferred.
        """
        if self.debounce_s is None or "value" not in (getattr(owner, "_property_lock", None) or {}):
            return None
        try:
            return asyncio.get_running_loop()
        except RuntimeError:
            return None

    def _flush(self) -> None:
        """Draw the latest values once after a burst of browser events."""
        self._timer = None
        if not self._pending:
            return
        self._pending = False
        if self.values() == self._shown_values and self.error is None:
            return  # a synchronous update already showed these values
        try:
            self.update()
        except Exception as err:  # a callback has no caller to raise to: show it, log it
            self._show_error(f"{type(err).__name__}: {err}")
            traceback.print_exc(file=sys.stderr)

    # ----------------------------------------------------------------- drawing
    def _render(self, data) -> bytes:
        """Blit the moving artists over the cached background (or redraw all) and encode."""
        if self._background is not None:
            artists = self.view.update(data)
            if artists is not RELAYOUT:
                self._canvas.restore_region(self._background)
                artists = list(artists)
                self._draw_moving(artists + [a for a in self._follow if a not in artists])
                return self._png()
        return self._full_render(data)

    def _init_view(self, data) -> list:
        """Clear the figure, let the view build it, and apply the layout found on the first draw."""
        self.figure.clear()  # (this also resets the margins)
        moving = self.view.init(self.figure, data)
        if moving is RELAYOUT:
            raise TypeError(f"{type(self.view).__name__}.init must return the moving artists, not RELAYOUT")
        moving = [a for a in moving if a is not None]
        if self._layout is None:  # lay out once (tight_layout is slow); every later build reuses it
            if getattr(self.view, "tight_layout", True):
                self.figure.tight_layout()
            p = self.figure.subplotpars
            self._layout = dict(left=p.left, right=p.right, bottom=p.bottom, top=p.top,
                                wspace=p.wspace, hspace=p.hspace)
        else:
            self.figure.subplots_adjust(**self._layout)
        return moving

    def _full_render(self, data) -> bytes:
        from matplotlib.image import AxesImage

        moving = self._init_view(data)
        self._sprites.clear()  # new artists: ids may be reused
        # Where data moves, the axes' spines (zorder 2.5, above the data) and a legend placed
        # at loc="best" (which avoids the data) move with it.
        axes = {id(a.axes): a.axes for a in moving if a.axes is not None and a is not a.axes}
        follow = [s for ax in axes.values() for s in ax.spines.values()]
        follow += [ax.legend_ for ax in axes.values() if ax.legend_ is not None and ax.legend_._loc == 0]
        follow = [a for a in follow if a not in moving]
        moving += follow
        above = self._static_above(moving, axes.values())
        # Leave the moving artists (and the static ones above them) out of the background.
        # Axes.draw skips animated artists but not images, which are hidden instead (hiding
        # a title instead of animating it would misplace it).
        static_above = [a for layers in above.values() for _, group in layers for a in group]
        hidden = [a for a in moving + static_above if isinstance(a, AxesImage) and a.get_visible()]
        for a in moving + static_above:
            a.set_animated(True)
        for a in hidden:
            a.set_visible(False)
        self._canvas.draw()
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)
        for a in hidden:
            a.set_visible(True)
        self._overlays = {key: [(z, self._overlay(group)) for z, group in layers] for key, layers in above.items()}
        self._follow = follow
        self._draw_moving(moving)
        self.n_full_draws += 1
        return self._png()

    @staticmethod
    def _static_above(moving, axes) -> dict:
        """Per axes, the static artists above its lowest moving one (legends, texts, axes...),
        in layers: ``[(z, artists)]`` holds those above the moving artists of zorder z and
        below the next moving zorder, so pasting each layer after its z keeps the draw order."""
        ids = {id(a) for a in moving}
        above = {}
        for ax in axes:
            zs = sorted({a.get_zorder() for a in moving if a.axes is ax})
            layers: dict = {}
            for c in ax.get_children():
                if id(c) in ids or c is ax.patch or not c.get_visible() or c.get_zorder() <= zs[0]:
                    continue
                below = max(z for z in zs if z < c.get_zorder())
                layers.setdefault(below, []).append(c)
            if layers:
                above[id(ax)] = [(z, sorted(group, key=lambda a: a.get_zorder()))
                                 for z, group in sorted(layers.items())]
        return above

    def _overlay(self, artists):
        """Render artists once into a transparent layer: (x, y, RGBA crop), or None if empty."""
        from matplotlib.backends.backend_agg import RendererAgg

        width, height = self._canvas.get_width_height(physical=True)
        renderer = self._scratch
        if renderer is None or (renderer.width, renderer.height) != (width, height):
            renderer = self._scratch = RendererAgg(width, height, self.figure.dpi)
        renderer.clear()
        for a in artists:
            a.draw(renderer)
        rgba = np.asarray(renderer.buffer_rgba())
        alpha = rgba[..., 3]
        rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
        if rows.size == 0:
            return None
        top, bottom, left, right = rows[0], rows[-1], cols[0], cols[-1]
        crop = rgba[top:bottom + 1, left:right + 1][::-1].copy()  # Agg pastes the bottom row first
        return int(left), int(height - 1 - bottom), crop

    def _draw_moving(self, artists) -> None:
        """Draw moving artists in the order a full draw would, pasting each axes' static layers
        (pre-rendered overlays) between them, and texts and axes from the sprite cache."""
        renderer = self._canvas.get_renderer()
        by_axes: dict = {}
        for a in artists:
            by_axes.setdefault(id(a.axes) if a.axes is not None and a is not a.axes else None, []).append(a)
        for ax_id, group in by_axes.items():
            # the order Axes.draw uses: zorder, then the order the artists were added
            order = {id(c): i for i, c in enumerate(group[0].axes.get_children())} if ax_id is not None else {}
            group.sort(key=lambda a: (a.get_zorder(), order.get(id(a), len(order))))
            layers = list(self._overlays.get(ax_id, ()))
            for a in group:
                while layers and layers[0][0] < a.get_zorder():
                    self._paste(renderer, layers.pop(0)[1])
                key = _sprite_key(a)
                if key is None:
                    (a.axes or self.figure).draw_artist(a)
                else:
                    self._draw_sprite(renderer, a, key)
            for _, layer in layers:
                self._paste(renderer, layer)

    def _draw_sprite(self, renderer, artist, key) -> None:
        """Paste ``artist`` from a cache of rendered text and axes keyed by what they show:
        text is the slowest thing Agg draws, and most updates leave most of it unchanged."""
        sprite = self._sprites.get(key, False)
        if sprite is False:
            sprite = self._sprites[key] = self._overlay([artist])
            while len(self._sprites) > 256:
                self._sprites.pop(next(iter(self._sprites)))
        self._paste(renderer, sprite)

    @staticmethod
    def _paste(renderer, overlay) -> None:
        if overlay is None:
            return
        x, y, rgba = overlay
        gc = renderer.new_gc()
        renderer.draw_image(gc, x, y, rgba)
        gc.restore()

    def _png(self) -> bytes:
        from nnbasics.viz.plotting import canvas_to_png

        return canvas_to_png(self._canvas)

    def full_redraw_png(self) -> bytes:
        """The current data drawn the plain way (one Agg draw of the whole figure, no blitting).

        For tests and debugging: a blitted frame must look like this. The next update
        rebuilds the view.
        """
        if self.data is None:
            raise ValueError(f"nothing to draw: the explorer shows an error ({self.error})")
        self._init_view(self.data)
        self._canvas.draw()
        self._background = None
        return self._png()

    def _show_error(self, message: str) -> None:
        """Replace the picture with a greyed-out copy carrying the message (never a stale image)."""
        from nnbasics.viz.plotting import canvas_to_png

        self.error = message
        self.data = None
        self.error_html.value = f"<span style='color:#D55E00'>⚠ {html.escape(message)}</span>"
        self.summary_html.value = ""
        if self._background is None:  # nothing drawn yet: the message on a blank figure
            self.figure.clear()
            self._canvas.draw()
        self.image.value = canvas_to_png(self._canvas, error=message)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.ui)


def _sprite_key(artist):
    """What an axis, a legend or a plain text shows, as a hashable key (None: draw it directly)."""
    from matplotlib.axis import Axis
    from matplotlib.legend import Legend
    from matplotlib.text import Annotation, Text

    if not artist.get_visible():
        return None
    if isinstance(artist, Axis):
        locs = artist.get_majorticklocs()
        return ("axis", id(artist), tuple(artist.get_view_interval()), tuple(locs),
                tuple(artist.major.formatter.format_ticks(locs)), artist.get_scale(),
                artist.label.get_text(), artist.offsetText.get_text(),
                tuple(artist.axes.get_position().bounds))
    if isinstance(artist, Legend):
        texts = tuple(t.get_text() for t in artist.get_texts())
        styles = tuple(_handle_style(h) for h in artist.legend_handles)
        if artist._loc == 0:  # loc="best": where it lands depends on the data (and costs ~2 ms)
            where = tuple(np.round(artist.get_window_extent().bounds, 2))
        else:
            where = (artist._loc, tuple(np.round(artist.get_bbox_to_anchor().bounds, 2)))
        return ("legend", id(artist.axes), texts, styles, where, artist._fontsize, artist._ncols,
                artist.get_frame_on())
    if type(artist) is Text and not isinstance(artist, Annotation) and artist.get_bbox_patch() is None:
        xy = artist.get_transform().transform(artist.get_unitless_position())
        return ("text", id(artist), artist.get_text(), tuple(np.round(xy, 3)), str(artist.get_color()),
                artist.get_fontproperties(), artist.get_rotation(), artist.get_ha(), artist.get_va(),
                artist.get_alpha())
    return None


def _handle_style(handle) -> tuple:
    """How a legend's proxy handle looks (colours, widths, markers), as a hashable tuple."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    def colors(c):
        return tuple(np.round(np.asarray(c, dtype=float).ravel(), 4))

    if isinstance(handle, Line2D):
        return ("line", colors(_rgba(handle.get_color())), handle.get_linewidth(),
                str(handle.get_linestyle()), str(handle.get_marker()), handle.get_markersize(),
                colors(_rgba(handle.get_markerfacecolor())), handle.get_alpha())
    if isinstance(handle, Collection):
        return ("collection", colors(handle.get_facecolor()), colors(handle.get_edgecolor()),
                colors(handle.get_linewidths()), colors(handle.get_sizes()), handle.get_alpha())
    if isinstance(handle, Patch):
        return ("patch", colors(handle.get_facecolor()), colors(handle.get_edgecolor()),
                handle.get_linewidth(), handle.get_alpha())
    return ("other", id(handle))  # unknown kind: never shared between legends


def _rgba(c):
    from matplotlib.colors import to_rgba

    try:
        return to_rgba(c)
    except ValueError:
        return (0.0, 0.0, 0.0, 0.0)
