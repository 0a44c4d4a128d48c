"""pytest plugin behind the graded exercise tests and ``python -m nnbasics grade``.

- ``--impl solutions|exercises|PATH`` chooses whose code the ``impl`` fixture serves.
- ``impl("01")`` returns the learner's module as a sandboxed proxy
  (:class:`nnbasics.course.sandbox.RemoteModule`): ``ex.predict(X, w, b)`` runs the learner's
  ``predict`` in a worker process and returns plain data. This process never imports or
  executes learner code.
- ``@pytest.mark.exercise("1.2", points=2)`` marks a graded test; ``--exercise-timeout S`` is
  the CPU seconds each graded test may use in the worker (a wall-clock backstop comes with it).
- ``--nnbasics-report-fd N`` writes one JSON line per collected graded test and per result to
  file descriptor N, a pipe the grader made: the worker never inherits it, so it cannot forge
  a record, and nothing on the command line points to it.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from nnbasics.course import sandbox
from nnbasics.course.exercises import course_root

MAX_MESSAGE = 300


def pytest_addoption(parser):
    group = parser.getgroup("nnbasics")
    group.addoption("--impl", default="solutions",
                    help="whose exercise code to test: 'solutions', 'exercises' or a folder path")
    group.addoption("--nnbasics-report-fd", type=int, default=None,
                    help="file descriptor (a pipe from the grader) for the JSON-lines records")
    group.addoption("--exercise-timeout", type=float, default=None,
                    help="CPU seconds a graded test may use in the sandbox before it fails as a timeout")
    group.addoption("--only-exercise", default=None,
                    help="run only the graded tests of this exercise id (e.g. '1.2')")
    group.addoption("--mutants-dir", default=None,
                    help="maintainers: a folder of '<exercise>__<name>' learner folders (planted "
                         "mistakes); each graded test runs once per mutant of its exercise, and a "
                         "mutant's remaining tests are skipped once one fails (it is killed)")


def _mutant_folders(config) -> list[Path]:
    root = config.getoption("--mutants-dir")
    if not root:
        return []
    folders = sorted(p for p in Path(root).iterdir() if p.is_dir() and "__" in p.name)
    if not folders:
        raise pytest.UsageError(f"--mutants-dir {root}: no '<exercise>__<name>' folders")
    return folders


def pytest_generate_tests(metafunc):
    """Mutant mode: parametrize ``impl`` (module-scoped) with the mutants of the test's exercise."""
    folders = _mutant_folders(metafunc.config)
    mark = metafunc.definition.get_closest_marker("exercise")
    if not folders or mark is None or "impl" not in metafunc.fixturenames:
        return
    mine = [f for f in folders if f.name.split("__", 1)[0] == str(mark.args[0])]
    if mine:
        metafunc.parametrize("impl", mine, ids=[f.name for f in mine], indirect=True, scope="module")


def pytest_collection_modifyitems(config, items):
    """``--only-exercise N.M``: deselect every test that is not graded for exercise N.M; in
    mutant mode, every test that runs no mutant."""
    only = config.getoption("--only-exercise")
    mutants = bool(config.getoption("--mutants-dir"))
    if not only and not mutants:
        return
    keep = [i for i in items if (not only or (_exercise_of(i) or ("",))[0] == only)
            and (not mutants or _mutant_of(i) is not None)]
    config.hook.pytest_deselected(items=[i for i in items if i not in keep])
    items[:] = keep


def pytest_configure(config):
    config.addinivalue_line("markers", "exercise(id, points=1): a graded test for exercise `id`")
    fd = config.getoption("--nnbasics-report-fd")
    config._nnbasics_report = None
    config._nnbasics_pool = None
    if fd is not None:
        os.set_inheritable(fd, False)  # no child (least of all a worker) may hold the record pipe
        config._nnbasics_report = os.fdopen(fd, "w", encoding="utf-8")
        _not_dumpable()
        _grading_profile()


def _grading_profile() -> None:
    """Hypothesis for grading: the same examples on every run (a grade must not depend on luck),
    no example database on disk, and no "explain" phase (hundreds of extra sandbox calls per
    failing test, for a report the grader never shows)."""
    from hypothesis import Phase, settings

    settings.register_profile("nnbasics-grading", derandomize=True, database=None,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target,
                                      Phase.shrink])
    # The mutant runner only needs to know THAT a mistake is caught: no shrinking either.
    settings.register_profile("nnbasics-mutants", derandomize=True, database=None,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    mutants = os.environ.get("NNBASICS_HYPOTHESIS_PROFILE") == "mutants"
    settings.load_profile("nnbasics-mutants" if mutants else "nnbasics-grading")


def _not_dumpable() -> None:
    """Linux: other processes of this user may not read this process's memory or fds."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0
    except (OSError, AttributeError):
        pass


def pytest_report_header(config):
    if config.getoption("--nnbasics-report-fd") is None:
        from nnbasics.course.isolation import detect

        return str(detect())
    return None


def pytest_unconfigure(config):
    pool = getattr(config, "_nnbasics_pool", None)
    if pool is not None:
        pool.close()
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


def _notebook_order(session) -> list[str]:
    """The notebooks whose graded tests this session runs, in order (from test_exNN_*.py names)."""
    order = []
    for item in session.items:
        m = re.match(r"test_ex(\d\d)_", Path(item.path).name)
        if m and m.group(1) not in order:
            order.append(m.group(1))
    return order


def _budget(config) -> sandbox.Budget:
    """Each graded test's CPU budget in the sandbox (``--exercise-timeout``)."""
    return sandbox.Budget(cpu_s=config.getoption("--exercise-timeout") or sandbox.DEFAULT_CPU_S)


def _pool(request) -> sandbox.WorkerPool:
    config = request.config
    if config._nnbasics_pool is None:
        grading = config._nnbasics_report is not None
        config._nnbasics_pool = sandbox.WorkerPool(impl_dir(config), _budget(config),
                                                   adopt_orphans=grading,
                                                   order=_notebook_order(request.session))
        _write(config, {"event": "isolation", "summary": config._nnbasics_pool.iso.summary,
                        "detail": config._nnbasics_pool.iso.detail})
    return config._nnbasics_pool


@pytest.fixture(scope="session")
def impl(request):
    """``impl("01")`` -> the learner's ``exNN_*.py`` as a sandboxed :class:`RemoteModule`.

    In mutant mode the fixture is parametrized with one mutant folder at a time (module scope).
    The session keeps one pool: when pytest moves on to the next mutant, a live worker imports
    the next mutant's file as a fresh module instead of a new worker starting (and preloading
    torch) for each mutant; a worker that was stopped or failed is replaced as usual.
    """
    folder = getattr(request, "param", None)
    if folder is None:
        yield _pool(request).module
        return
    config = request.config
    if config._nnbasics_pool is None:  # per-test CPU budgets (pytest_runtest_call) meter this pool
        config._nnbasics_pool = sandbox.WorkerPool(folder, _budget(config), adopt_orphans=False)
    else:
        config._nnbasics_pool.retarget(folder)
    yield config._nnbasics_pool.module


def _mutant_of(item) -> str | None:
    callspec = getattr(item, "callspec", None)
    folder = callspec.params.get("impl") if callspec is not None else None
    return Path(folder).name if folder is not None else None


def pytest_runtest_setup(item):
    """Mutant mode: once one test has killed a mutant, its other tests need not run."""
    mutant = _mutant_of(item)
    if mutant is not None and mutant in getattr(item.config, "_nnbasics_killed", set()):
        pytest.skip(f"mutant {mutant} already killed")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    pool = getattr(item.config, "_nnbasics_pool", None)
    if pool is None or item.get_closest_marker("exercise") is None:
        yield
        return
    pool.begin_test()  # one CPU budget for the whole test, hypothesis examples included
    try:
        yield
    finally:
        pool.end_test()


def call_unmodified(fn, *args, **kwargs):
    """Call ``fn`` and fail if it changed one of its array arguments in place.

    For a sandboxed learner function the worker compares the arrays before and after the
    call; for a local function the arguments are deep-copied and compared here.
    """
    __tracebackhide__ = True
    if isinstance(fn, sandbox.RemoteFunction):
        return fn.call(args, kwargs, check_unmodified=True)
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


def record_id(item) -> str:
    """``path::test`` with the path relative to the rootdir, or absolute for a file outside it.

    (pytest's own node id drops the path of a file outside the rootdir, e.g. private tests.)
    """
    path = Path(item.path).resolve()
    try:
        shown = path.relative_to(Path(item.config.rootpath).resolve()).as_posix()
    except ValueError:
        shown = path.as_posix()
    return f"{shown}::{item.nodeid.split('::', 1)[1]}" if "::" in item.nodeid else shown


def _module_info(item) -> dict:
    module = getattr(item, "module", None)
    return getattr(module, "EXERCISES", {}) if module else {}


def pytest_collection_finish(session):
    for item in session.items:
        ex = _exercise_of(item)
        if ex:
            info = _module_info(item).get(ex[0], {})
            _write(session.config, {"event": "collected", "nodeid": record_id(item), "exercise": ex[0],
                                    "points": ex[1], "title": info.get("title", ""),
                                    "hint": info.get("hint", "")})


def _first_line(report, call) -> str:
    exc = call.excinfo.value if call is not None and call.excinfo is not None else None
    if isinstance(exc, (sandbox.SandboxStop, sandbox.LearnerError)):
        text = str(exc)  # our own message, without a class name a learner never wrote
    else:
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
        record = {"event": "result", "nodeid": record_id(item), "exercise": ex[0], "points": ex[1],
                  "outcome": report.outcome, "duration": round(report.duration, 4)}
        if report.outcome != "passed":
            record["message"] = _first_line(report, call)
        mutant = _mutant_of(item)
        if mutant is not None:
            record["mutant"] = mutant
            if report.outcome == "failed":
                item.config.__dict__.setdefault("_nnbasics_killed", set()).add(mutant)
        _write(item.config, record)
