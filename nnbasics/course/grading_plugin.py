"""pytest plugin behind the graded exercise tests and ``python -m nnbasics grade``.

- ``--impl solutions|exercises|PATH`` chooses whose code the ``impl`` fixture loads.
- ``@pytest.mark.exercise("1.2", points=2)`` marks a graded test.
- ``--nnbasics-report FILE`` appends one JSON line per collected graded test and per
  result, flushed immediately, so a learner's crash of the whole process still leaves a
  record of what ran (the grader marks the rest "crashed").
"""

from __future__ import annotations

import copy
import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest

from nnbasics.course.exercises import course_root, load_module

MAX_MESSAGE = 300


def pytest_addoption(parser):
    group = parser.getgroup("nnbasics")
    group.addoption("--impl", default="solutions",
                    help="whose exercise code to test: 'solutions', 'exercises' or a folder path")
    group.addoption("--nnbasics-report", default=None, help="JSON-lines file for the grader")
    group.addoption("--exercise-timeout", type=float, default=None,
                    help="seconds a graded test may run before it fails as a timeout")
    group.addoption("--only-exercise", default=None,
                    help="run only the graded tests of this exercise id (e.g. '1.2')")


def pytest_collection_modifyitems(config, items):
    """``--only-exercise N.M``: deselect every test that is not graded for exercise N.M."""
    only = config.getoption("--only-exercise")
    if not only:
        return
    keep = [i for i in items if (_exercise_of(i) or ("",))[0] == only]
    config.hook.pytest_deselected(items=[i for i in items if i not in keep])
    items[:] = keep


class ExerciseTimeout(BaseException):
    """Raised inside a graded test that ran too long.

    A BaseException, not an Exception, so that property-based tests (hypothesis) and a
    learner's own ``try/except Exception`` do not swallow it and retry the infinite loop.
    """


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    seconds = item.config.getoption("--exercise-timeout")
    if not seconds or not hasattr(signal, "setitimer") or item.get_closest_marker("exercise") is None:
        yield
        return

    def on_alarm(signum, frame):
        raise ExerciseTimeout(f"Timeout: the test ran longer than {seconds:g} s — an infinite loop? "
                              "(check your loop's stopping condition)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _hypothesis_profiles() -> None:
    """Graded tests are derandomized (a learner's grade never depends on luck); the mutant
    runner (``NNBASICS_HYPOTHESIS_PROFILE=mutants``) also skips shrinking, which only makes
    the counter-example prettier."""
    try:
        from hypothesis import Phase, settings
    except ImportError:  # hypothesis is a dev dependency
        return
    settings.register_profile("grading", derandomize=True, database=None, deadline=None)
    settings.register_profile("mutants", derandomize=True, database=None, deadline=None,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    settings.load_profile(os.environ.get("NNBASICS_HYPOTHESIS_PROFILE", "grading"))


def pytest_configure(config):
    if config.getoption("--nnbasics-report"):  # a grading run (python -m nnbasics grade)
        _hypothesis_profiles()
    config.addinivalue_line("markers", "exercise(id, points=1): a graded test for exercise `id`")
    path = config.getoption("--nnbasics-report")
    config._nnbasics_report = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115


def pytest_unconfigure(config):
    fh = getattr(config, "_nnbasics_report", None)
    if fh:
        fh.close()


def impl_dir(config) -> Path:
    """The folder the ``--impl`` option points to."""
    choice = config.getoption("--impl")
    if choice in ("solutions", "exercises"):
        return course_root() / choice
    path = Path(choice).expanduser().resolve()
    if not path.is_dir():
        raise pytest.UsageError(f"--impl {choice!r}: not 'solutions', 'exercises' or an existing folder")
    return path


@pytest.fixture(scope="session")
def impl(request):
    """``impl("01")`` -> the module ``exNN_*.py`` from the chosen implementation folder."""
    folder = impl_dir(request.config)
    cache = {}

    def get(notebook: str):
        if notebook not in cache:
            matches = sorted(folder.glob(f"ex{notebook}_*.py"))
            if not matches:
                raise FileNotFoundError(f"no ex{notebook}_*.py in {folder}")
            cache[notebook] = load_module(matches[0])
        return cache[notebook]

    return get


def call_unmodified(fn, *args, **kwargs):
    """Call ``fn`` on deep copies and fail if it changed its (array) inputs in place."""
    originals = [copy.deepcopy(a) for a in args]
    result = fn(*args, **kwargs)
    for i, (before, after) in enumerate(zip(originals, args)):
        if isinstance(before, np.ndarray) and not np.array_equal(before, after):
            raise AssertionError(f"{fn.__name__} modified its argument #{i + 1} in place; "
                                 "return a new array instead (e.g. w = w + ..., not w += ...)")
    return result


def _write(config, record: dict) -> None:
    fh = getattr(config, "_nnbasics_report", None)
    if fh:
        fh.write(json.dumps(record) + "\n")
        fh.flush()


def _exercise_of(item):
    mark = item.get_closest_marker("exercise")
    if mark is None:
        return None
    points = mark.kwargs.get("points", mark.args[1] if len(mark.args) > 1 else 1)
    return str(mark.args[0]), points


def _module_info(item) -> dict:
    module = getattr(item, "module", None)
    return getattr(module, "EXERCISES", {}) if module else {}


def pytest_collection_finish(session):
    for item in session.items:
        ex = _exercise_of(item)
        if ex:
            info = _module_info(item).get(ex[0], {})
            _write(session.config, {"event": "collected", "nodeid": item.nodeid, "exercise": ex[0],
                                    "points": ex[1], "title": info.get("title", ""),
                                    "hint": info.get("hint", "")})


def _first_line(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    line = lines[0] if lines else "failed"
    return line if len(line) <= MAX_MESSAGE else line[:MAX_MESSAGE] + "…"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    ex = _exercise_of(item)
    if ex is None:
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        record = {"event": "result", "nodeid": item.nodeid, "exercise": ex[0], "points": ex[1],
                  "outcome": report.outcome, "duration": round(report.duration, 4)}
        if report.outcome != "passed":
            record["message"] = _first_line(report)
        _write(item.config, record)
