"""The Explorer machinery, checked on every registered widget: each control updates the picture,
a blitted frame looks like a full redraw, compute results are memoized and immutable, browser
events coalesce (latest value wins), and a bad setting replaces the picture with its message.

What each widget's compute function must *show* is tested in tests/test_widget_compute.py.
"""

import asyncio
import dataclasses
import functools
import io
import types

import ipywidgets as w
import numpy as np
import pytest
from PIL import Image

from nnbasics.viz import registry
from nnbasics.viz.explorer import RELAYOUT, Explorer, View, freeze, frozen_cache

WIDGETS = registry()
IDS = [e.key for e in WIDGETS]
BY_KEY = {e.key: e for e in WIDGETS}
# The tests of one widget share an xdist group: its explorer is built by one worker, once.
KEYS = [pytest.param(k, marks=pytest.mark.xdist_group(f"widget-{k}")) for k in IDS]
# A blitted frame may differ from a full redraw only by rounding in the alpha compositing:
# at most this fraction of pixels by more than PIXEL_TOLERANCE (of 255) in some channel.
PIXEL_TOLERANCE, MAX_DIFFERENT_FRACTION = 8, 1e-3


@functools.cache
def _built(key: str):
    return BY_KEY[key].build()


class _BuiltOnFirstUse:
    def __getitem__(self, key: str):
        return _built(key)


@pytest.fixture
def explorers():
    """Each widget's explorer, built on first use and kept by the worker for the whole run
    (several build in seconds). Not a module fixture: building all of them in both xdist workers
    cost ~10 s, and a worker tears a module fixture down whenever it runs another module's test
    in between two of a widget's tests."""
    return _BuiltOnFirstUse()


def _other_value(control):
    """A different legal value for a slider, dropdown or checkbox."""
    if hasattr(control, "options") and control.options:
        labels = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return next(v for v in labels if v != control.value)
    if isinstance(control.value, bool):
        return not control.value
    return control.max if control.value != control.max else control.min


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(np.int16)


def _difference(png_a: bytes, png_b: bytes) -> float:
    """Fraction of pixels whose colour differs by more than PIXEL_TOLERANCE."""
    a, b = _pixels(png_a), _pixels(png_b)
    assert a.shape == b.shape, f"image sizes differ: {a.shape} vs {b.shape}"
    return float(np.mean(np.abs(a - b).max(axis=2) > PIXEL_TOLERANCE))


def test_every_notebook_widget_is_registered():
    assert len(WIDGETS) >= 15, [e.key for e in WIDGETS]
    assert len(set(IDS)) == len(WIDGETS)
    assert {e.notebook for e in WIDGETS} == {f"{n:02d}" for n in range(1, 13)}


# Controls whose change (from the default settings) changes the data but, rightly, not the picture.
SAME_PICTURE = {
    ("01/learning", "lr"): "from zero weights the learning rate only rescales w and b: same boundaries",
    ("01/learning", "epochs"): "at the default separation training converges in 2 epochs: more change nothing",
    ("03/backprop", "y"): "at step 0 only the input is known; the target shows from the loss step on",
}


@pytest.mark.parametrize("key", KEYS)
def test_each_control_updates_data_and_image_by_blitting(explorers, key):
    """Every control changes the data and the picture, and no update redraws the whole figure."""
    explorer = explorers[key]
    assert explorer.image.value and explorer.data is not None, f"{key}: nothing drawn at start"
    for name, control in explorer.controls.items():
        before = (explorer.n_updates, explorer.n_full_draws, explorer.image.value, explorer.data)
        start = control.value
        control.value = _other_value(control)
        assert explorer.error is None and explorer.error_html.value == "", f"{key}: {name} -> {explorer.error}"
        assert explorer.n_updates == before[0] + 1, f"{key}: changing {name} did not update"
        assert explorer.n_full_draws == before[1], f"{key}: changing {name} redrew the whole figure"
        assert explorer.data is not before[3], f"{key}: changing {name} left the data unchanged"
        if (key, name) not in SAME_PICTURE:
            assert explorer.image.value != before[2], f"{key}: changing {name} left the picture unchanged"
        control.value = start


@pytest.mark.parametrize("key", KEYS)
def test_blitted_frames_equal_a_full_redraw(explorers, key):
    """After each control change, the blitted PNG and a plain draw of the whole figure match."""
    explorer = explorers[key]
    for name, control in explorer.controls.items():
        start = control.value
        control.value = _other_value(control)
        blitted = explorer.image.value
        full = explorer.full_redraw_png()
        explorer.update()  # rebuild the blitting state after the plain draw
        assert _difference(blitted, full) < MAX_DIFFERENT_FRACTION, (
            f"{key}: after changing {name}, the blitted frame differs from a full redraw")
        assert _difference(explorer.image.value, full) < MAX_DIFFERENT_FRACTION
        control.value = start


# --------------------------------------------------------------------------- immutable results
def _frozen_problems(obj, where="result") -> list[str]:
    """Every place in ``obj`` a caller could change in place."""
    if isinstance(obj, np.ndarray):
        return [] if not obj.flags.writeable else [f"{where} is a writeable array"]
    if isinstance(obj, (dict, list, set)) or (dataclasses.is_dataclass(obj) and not
                                              type(obj).__dataclass_params__.frozen):
        return [f"{where} is a mutable {type(obj).__name__}"]
    if isinstance(obj, types.MappingProxyType):
        return [p for k, v in obj.items() for p in _frozen_problems(v, f"{where}[{k!r}]")]
    if isinstance(obj, (tuple, frozenset)):
        return [p for i, v in enumerate(obj) for p in _frozen_problems(v, f"{where}[{i}]")]
    if dataclasses.is_dataclass(obj):
        return [p for f in dataclasses.fields(obj) for p in _frozen_problems(getattr(obj, f.name), f"{where}.{f.name}")]
    if isinstance(obj, (str, bytes, int, float, complex, bool, type(None), np.generic)):
        return []
    return [f"{where} is a {type(obj).__name__}"]


def _equal(a, b) -> bool:
    """Deep equality of compute results (NaN equals NaN; containers compare as plain data)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (dict, types.MappingProxyType)):
        return isinstance(b, (dict, types.MappingProxyType)) and a.keys() == b.keys() and all(
            _equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(map(_equal, a, b))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(_equal(getattr(a, f.name), getattr(b, f.name))
                                          for f in dataclasses.fields(a))
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return a == b


def _scribble(obj) -> None:
    """What a careless caller does to a result it was given: overwrite everything it can."""
    if isinstance(obj, np.ndarray) and obj.flags.writeable and obj.dtype.kind in "fiub":
        obj[...] = 7
    elif isinstance(obj, dict):
        for v in obj.values():
            _scribble(v)
        obj["scribbled"] = True
    elif isinstance(obj, list):
        for v in obj:
            _scribble(v)
        obj.append("scribbled")
    elif isinstance(obj, (tuple, types.MappingProxyType)):
        for v in (obj.values() if isinstance(obj, types.MappingProxyType) else obj):
            _scribble(v)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            _scribble(getattr(obj, f.name))


@pytest.mark.parametrize("key", KEYS)
def test_compute_results_are_memoized_immutable_and_never_shared(explorers, key):
    explorer = explorers[key]
    compute, values = explorer.compute, explorer.values()
    result = compute(**values)
    assert compute(**values) is result, f"{key}: compute is not memoized on the control values"
    assert not _frozen_problems(result), f"{key}: {_frozen_problems(result)[:3]}"
    for array in list(_arrays(result))[:3]:  # read-only, whatever the caller tries
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0
    if isinstance(result, types.MappingProxyType):
        with pytest.raises(TypeError):
            result["scribbled"] = True
    # The raw function, called twice: what the first caller does to its result must not
    # reach the second (no cache below it hands out a live object).
    raw = compute.__wrapped__(**values)
    _scribble(raw)
    again = compute.__wrapped__(**values)
    assert _equal(again, result), f"{key}: a caller's changes leaked into the next result"


def _arrays(obj):
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, types.MappingProxyType):
        for v in obj.values():
            yield from _arrays(v)
    elif isinstance(obj, (tuple, frozenset)):
        for v in obj:
            yield from _arrays(v)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _arrays(getattr(obj, f.name))


def test_freeze_copies_arrays_and_refuses_live_objects():
    source = {"a": np.arange(3.0), "b": [1, {"c": np.ones(2)}], "s": {1, 2}}
    frozen = freeze(source)
    source["a"][0] = 99.0
    assert frozen["a"][0] == 0.0 and not frozen["a"].flags.writeable
    assert isinstance(frozen["b"], tuple) and isinstance(frozen["b"][1], types.MappingProxyType)
    assert frozen["s"] == frozenset({1, 2})
    with pytest.raises(TypeError):
        frozen["a"] = 1

    @dataclasses.dataclass
    class Mutable:
        x: int = 0

    with pytest.raises(TypeError, match="mutable Mutable"):
        freeze({"run": Mutable()})
    with pytest.raises(TypeError, match="cannot be frozen"):
        freeze({"thing": object()})


def test_frozen_cache_is_a_bounded_lru_keyed_on_values_and_types():
    calls = []

    @frozen_cache(maxsize=2)
    def f(a, b=1):
        calls.append((a, b))
        return {"sum": np.array([a + b])}

    assert f(1) is f(1, 1) is f(a=1, b=1)  # defaults applied: one key
    assert f(1.0) is not f(1)  # 1.0 and 1 are different settings
    f(2), f(3)  # evicts the least recently used
    f(1)
    assert calls == [(1, 1), (1.0, 1), (2, 1), (3, 1), (1, 1)]
    assert f.cache_info().currsize == 2
    with pytest.raises(ValueError, match="maxsize"):
        frozen_cache(maxsize=0)


# --------------------------------------------------------------------------- a tiny explorer
class _LineView(View):
    def init(self, fig, d):
        ax = fig.add_subplot()
        (self.line,) = ax.plot([0, 1], [0, d["a"]], color="black")
        ax.set(xlim=(0, 1), ylim=(-1.1, 1.1))
        return self.update(d)

    def update(self, d):
        self.line.set_ydata([0, d["a"]])
        ax = self.line.axes
        ax.set_title(f"a = {d['a']:.2f}")
        return [self.line, ax.title]


def _counting_explorer(**kwargs):
    calls = []

    def compute(a):
        calls.append(a)
        if a < 0:
            raise ValueError(f"a must be >= 0, got {a}")
        return {"a": a}

    slider = w.FloatSlider(value=0.0, min=-1.0, max=1.0, step=0.05)
    return Explorer({"a": slider}, compute, _LineView(), figsize=(3, 2), **kwargs), calls


def test_a_burst_of_browser_events_computes_and_shows_only_the_latest():
    """20 slider messages arrive while the kernel's event loop runs: one update, the last value."""
    # A long debounce makes the test independent of machine load: the burst (20 messages) always
    # ends before it fires; what is tested is that only the last value is then computed.
    explorer, calls = _counting_explorer(debounce_s=2.0)
    slider = explorer.controls["a"]
    values = [round(0.05 * k, 2) for k in range(1, 21)]

    async def burst():
        for v in values:
            slider.set_state({"value": v})  # exactly what ipywidgets does for a comm message
            await asyncio.sleep(0)  # the kernel handles each message as its own task
        assert explorer.n_updates == 1, "an update ran before the burst ended"
        for _ in range(200):  # wait (at most 20 s, however busy the machine) for the coalesced update
            await asyncio.sleep(0.1)
            if explorer.n_updates == 2:
                break

    calls.clear()
    asyncio.run(burst())
    assert calls == [values[-1]], f"computed {calls} for a burst ending at {values[-1]}"
    assert explorer.n_updates == 2 and explorer.data["a"] == values[-1]
    fresh, _ = _counting_explorer()
    fresh.controls["a"].value = values[-1]
    assert _difference(explorer.image.value, fresh.image.value) == 0.0


def test_updates_are_synchronous_without_an_event_loop_or_from_code():
    explorer, calls = _counting_explorer()
    calls.clear()
    for v in (0.1, 0.2, 0.3):
        explorer.controls["a"].set_state({"value": v})  # browser-like, but no loop runs: at once
        assert explorer.data["a"] == v

    async def from_code():
        explorer.controls["a"].value = 0.4  # a notebook cell sets it: the next line sees it
        assert explorer.data["a"] == 0.4

    asyncio.run(from_code())
    assert calls == [0.1, 0.2, 0.3, 0.4]
    off, calls_off = _counting_explorer(debounce_s=None)

    async def no_debounce():
        off.controls["a"].set_state({"value": 0.5})
        assert off.data["a"] == 0.5

    asyncio.run(no_debounce())


def test_a_bad_setting_replaces_the_picture_with_its_message():
    explorer, _ = _counting_explorer()
    explorer.controls["a"].value = 0.5
    good = explorer.image.value
    explorer.controls["a"].value = -0.5
    assert explorer.error == "a must be >= 0, got -0.5" and explorer.data is None
    assert "a must be &gt;= 0" in explorer.error_html.value or "a must be >= 0" in explorer.error_html.value
    card = _pixels(explorer.image.value)
    assert np.mean(card.min(axis=2) >= 205) > 0.9, "the old picture is not greyed out"
    assert np.any((card[..., 0] > 180) & (card[..., 2] < 80)), "the message is not written on it"
    assert _difference(explorer.image.value, good) > 0.01  # the stale picture is gone
    explorer.controls["a"].value = 0.5  # recovers, by blitting
    assert explorer.error is None and explorer.error_html.value == ""
    assert _difference(explorer.image.value, good) == 0.0


def test_an_error_while_building_still_shows_a_picture_with_the_message():
    def compute(a):
        raise ValueError("no picture for this")

    explorer = Explorer({"a": w.FloatSlider(value=0.0)}, compute, _LineView(), figsize=(3, 2))
    assert explorer.error == "no picture for this" and explorer.image.value


def test_a_plain_draw_function_still_works_as_a_view():
    def draw(fig, d):
        fig.add_subplot().plot([0, 1], [0, d["a"]])

    explorer = Explorer({"a": w.FloatSlider(value=0.2)}, lambda a: {"a": a}, draw, figsize=(3, 2))
    explorer.controls["a"].value = 0.7
    assert explorer.n_updates == 2 and explorer.n_full_draws == 2  # every update redraws


def test_a_view_asking_for_relayout_gets_a_full_redraw():
    class Relayout(_LineView):
        """Asks for a new layout when ``a`` crosses 0.5 (say, to change the limits)."""

        def init(self, fig, d):
            self.high = d["a"] > 0.5
            return super().init(fig, d)

        def update(self, d):
            return RELAYOUT if (d["a"] > 0.5) != self.high else super().update(d)

    explorer = Explorer({"a": w.FloatSlider(value=0.0)}, lambda a: {"a": a}, Relayout(), figsize=(3, 2))
    explorer.controls["a"].value = 0.3
    assert explorer.n_full_draws == 1
    explorer.controls["a"].value = 0.8
    assert explorer.n_full_draws == 2


def test_static_artists_above_moving_ones_stay_above():
    """A static legend and text sit over a moving image and a moving line: layers keep the order."""
    class Layered(View):
        def init(self, fig, d):
            ax = fig.add_subplot()
            self.image = ax.imshow(np.zeros((4, 4)), extent=(0, 1, 0, 1), vmin=0, vmax=1, cmap="viridis")
            (self.line,) = ax.plot([0, 1], [0, 1], lw=8, color="black", label="a thick line")
            ax.text(0.5, 0.5, "static text", ha="center", fontsize=14, zorder=3)
            ax.legend(loc="center left", framealpha=1)  # zorder 5, over the line
            ax.set(xlim=(0, 1), ylim=(0, 1))
            return self.update(d)

        def update(self, d):
            self.image.set_data(np.full((4, 4), d["a"]))
            self.line.set_ydata([d["a"], 1 - d["a"]])
            return [self.image, self.line]

    explorer = Explorer({"a": w.FloatSlider(value=0.5)}, lambda a: {"a": a}, Layered(), figsize=(3, 2))
    for a in (0.2, 0.45, 0.9):
        full_draws = explorer.n_full_draws
        explorer.controls["a"].value = a
        assert explorer.n_full_draws == full_draws  # blitted
        blitted = explorer.image.value
        assert _difference(blitted, explorer.full_redraw_png()) < MAX_DIFFERENT_FRACTION
        explorer.update()


def test_explorer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="at least one control"):
        Explorer({}, lambda: None, _LineView())
    with pytest.raises(TypeError, match="view must be"):
        Explorer({"a": w.FloatSlider()}, lambda a: {"a": a}, 42)
    with pytest.raises(TypeError, match="compute must be callable"):
        Explorer({"a": w.FloatSlider()}, None, _LineView())
    with pytest.raises(ValueError, match="debounce_s"):
        Explorer({"a": w.FloatSlider()}, lambda a: {"a": a}, _LineView(), debounce_s=-1)
