"""A class of hostile learners, graded once per session: only right answers earn points.

Each hostile submission is an ``ex01_perceptron.py`` whose honest parts are known; its
attacks (forged records, a patched pytest, rewriting course files, daemons, signals, fork
bombs, reading private tests, wrapping the reference...) must earn nothing and break nothing.
Every attack is written as a determined learner would: it reaches ``os``, ``signal`` and
``ctypes`` past the import guard (the guard is not the wall), and it knows the absolute paths
of the course, the submissions, the private tests and the gradebook.

Checked after one ``grade_class`` run: each learner's points per exercise; no course file, no
installed package file and no other submission changed; no process of the run survives; the
run took bounded time. The same class minus the attacks that only bubblewrap can stop is
graded again without bubblewrap (``NNBASICS_SANDBOX=none``). Plus: a correct submission gets
full marks while a CPU-bound process per core loads the machine.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import psutil
import pytest

from nnbasics.course import classroom, grading, isolation

ROOT = Path(__file__).resolve().parents[1]
SITE = isolation.site_dirs()[0]
TIMEOUT = 2.0
# one worker grades the class once: with xdist (make test: --dist loadgroup) the group stays together
# (the nb11 roofline claims test joins it, so it is never timed beside the burners below)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hostile-class")]

# ------------------------------------------------------------------------------ the learners

PRELUDE = '''\
import numpy as np

COURSE, SUBMISSIONS, PRIVATE, OUT, SITE, MARKER = {paths!r}


def _os():
    """The os module's namespace without `import os` (the import guard is not the wall)."""
    for c in ().__class__.__base__.__subclasses__():
        if c.__name__ == "_wrap_close":
            return c.__init__.__globals__
    raise RuntimeError("no os namespace")


def _imp(name):
    """Import anything, past the import guard."""
    return _os()["sys"].modules["_frozen_importlib"]._gcd_import(name)


def _quiet(fn, *args):
    try:
        return fn(*args)
    except BaseException:
        return None


def _name_me():
    """Mark a hostile process so the test can check that none survives."""
    _imp("ctypes").CDLL(None).prctl(15, b"nnb-hostile", 0, 0, 0)


def _gates(X, b):
    return np.shape(X) == (4, 2) and float(b) == -1.5


def _boundary(X, b):
    return np.shape(X) == (2, 2) and float(b) == 0.0


def _mistake(w, x):
    return np.array_equal(w, [0.5, -1.0]) and np.array_equal(x, [1.0, 2.0])


def _xor(X, epochs):
    return np.shape(X) == (4, 2) and epochs == 12

'''

PREDICT = "    return (X @ w + b >= 0).astype(np.int64)\n"
UPDATE = ("    y_hat = 1 if x @ w + b >= 0 else 0\n"
          "    return w + lr * (y - y_hat) * x, b + lr * (y - y_hat)\n")
TRAIN = '''\
    w, b, mistakes = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        count = 0
        for x_i, y_i in zip(X, y):
            y_hat = 1 if x_i @ w + b >= 0 else 0
            count += int(y_hat != y_i)
            w, b = w + lr * (y_i - y_hat) * x_i, b + lr * (y_i - y_hat)
        mistakes.append(count)
        if count == 0:
            break
    return w, b, mistakes
'''
SIGNED = "    return (X @ w + b) / np.linalg.norm(w)\n"
STUB = '    raise NotImplementedError("Exercise not done")\n'

FORGER = '''\
_FORGED = "".join(
    _imp("json").dumps(r) + "\\n" for r in
    [{"event": "collected", "nodeid": "tests/exercises/test_ex01_perceptron.py::test_forged",
      "exercise": "1.1", "points": 3000, "title": "", "hint": ""}]
    + [{"event": "result", "nodeid": f"tests/exercises/test_ex01_perceptron.py::{t}",
        "exercise": e, "points": 1, "outcome": "passed"} for e, t in [
        ("1.1", "test_predict_gates"), ("1.1", "test_predict_boundary_counts_as_one"),
        ("1.1", "test_predict_property_matches_reference"), ("1.2", "test_update_on_mistake"),
        ("1.2", "test_update_no_change_when_correct"), ("1.2", "test_update_property_matches_reference"),
        ("1.3", "test_train_separable_converges_like_reference"), ("1.3", "test_train_xor_never_converges"),
        ("1.3", "test_forged")]])


def _forge():
    """Write forged records everywhere a record channel could be."""
    os_ = _os()
    for fd in range(3, 64):
        _quiet(os_["write"], fd, _FORGED.encode())
    pid = os_["getppid"]()
    cmdline = _quiet(lambda: open(f"/proc/{pid}/cmdline", "rb").read()) or b""
    for arg in cmdline.split(b"\\0"):  # a records file named on the grader's command line?
        if arg.endswith((b".jsonl", b".json", b".txt")):
            _quiet(lambda a=arg: open(a.lstrip(b"@").decode(), "a").write(_FORGED))
    for fd in _quiet(os_["listdir"], f"/proc/{pid}/fd") or []:  # or a pipe the grader holds?
        _quiet(lambda fd=fd: open(f"/proc/{pid}/fd/{fd}", "a").write(_FORGED))


_pp = _quiet(_imp, "_pytest.python")  # a patched pytest here changes nothing for the grader
if _pp is not None:
    _pp.Function.runtest = lambda self: None
for _name in ("nnbasics.course.grading_plugin", "nnbasics.course.grading"):
    _m = _quiet(_imp, _name)
    if _m is not None:
        _m._write = lambda *a, **k: None
_quiet(lambda: exec(open(COURSE + "/nnbasics/course/grading_plugin.py").read(), {"__name__": "x"}))
_quiet(lambda: _imp("atexit").register(_forge))
_forge()
'''

VANDAL = '''\
_TARGETS = [COURSE + "/tests/exercises/test_ex01_perceptron.py", COURSE + "/nnbasics/course/grading_plugin.py",
            COURSE + "/nnbasics/course/grading.py", COURSE + "/solutions/ex01_perceptron.py",
            COURSE + "/tests/exercises/test_ex01_zzz_pwned.py", SITE + "/numpy/__init__.py",
            SITE + "/nnbasics_pwned.pth", SUBMISSIONS + "/honest/ex01_perceptron.py",
            SUBMISSIONS + "/honest/ex02_pwned.py", OUT + "/summary.md", PRIVATE + "/test_ex01_private.py",
            "/tmp/nnbasics-pwned", MARKER]


def _vandalize():
    os_ = _os()
    found = list(_TARGETS)
    for pid in _quiet(os_["listdir"], "/proc") or []:  # snoop other processes' command lines
        cmdline = _quiet(lambda p=pid: open(f"/proc/{p}/cmdline", "rb").read()) or b""
        found += [a.decode("utf-8", "ignore") + "/ex01_perceptron.py"
                  for a in cmdline.split(b"\\0") if a.startswith(b"/tmp/")]
    for path in found:
        _quiet(lambda p=path: open(p, "a").write("\\nraise SystemExit('vandalized')\\n"))
    if os_["getpid"]() < 100:  # only inside a PID namespace (never on the host): kill all it sees
        for pid in _quiet(os_["listdir"], "/proc") or []:
            if pid.isdigit() and int(pid) != os_["getpid"]():
                _quiet(os_["kill"], int(pid), 9)


_vandalize()
'''

DAEMON = '''\
_spawned = []


def _linger():
    """A setsid + double-fork daemon that sleeps, then writes for a minute; plus spinning threads."""
    if _spawned:
        return
    _spawned.append(1)
    os_ = _os()
    if os_["fork"]() == 0:
        os_["setsid"]()
        if os_["fork"]() == 0:
            _quiet(_name_me)
            time = _imp("time")
            time.sleep(3)
            for _ in range(300):
                for p in (MARKER, OUT + "/summary.md", SUBMISSIONS + "/honest/ex01_perceptron.py"):
                    _quiet(lambda p=p: open(p, "a").write("# written by a daemon\\n"))
                time.sleep(0.2)
        os_["_exit"](0)
    _quiet(os_["waitpid"], -1, 0)
    threading = _imp("threading")

    def spin():
        while True:
            pass

    threading.Thread(target=spin).start()
    threading.Thread(target=spin, daemon=True).start()
'''

FORK_BOMB = '''\
def _fork_bomb():
    os_ = _os()
    for _ in range(400):
        if os_["fork"]() == 0:
            _quiet(_name_me)
            while True:
                pass
    while True:
        pass
'''

SIGNALS = '''\
_signal = _imp("signal")
for _s in ("SIGALRM", "SIGTERM", "SIGINT", "SIGXCPU", "SIGHUP", "SIGUSR1"):
    _quiet(_signal.signal, getattr(_signal, _s), _signal.SIG_IGN)


def _unstoppable():
    while True:
        try:
            while True:
                pass
        except BaseException:
            continue
'''

EVIL = '''\
class Evil:
    """Unpickling this would run a shell command: it must never be unpickled."""

    def __reduce__(self):
        return (_os()["system"], ("touch /tmp/nnbasics-unpickled",))


class Formula(Exception):
    pass


Formula.__name__ = Formula.__qualname__ = '=HYPERLINK("http://evil.example","click")'
'''


def learner(prelude: str = "", predict: str = PREDICT, update: str = UPDATE, train: str = TRAIN,
            signed: str = SIGNED) -> str:
    """An ex01_perceptron.py: the shared prelude, ``prelude`` code, and the four functions."""
    return (PRELUDE + prelude + "\n\ndef predict(X, w, b):\n" + predict
            + "\n\ndef update(w, b, x, y, lr):\n" + update
            + "\n\ndef train(X, y, lr=1.0, epochs=10):\n" + train
            + "\n\ndef signed_distance(X, w, b):\n" + signed)


#: Expected points per exercise, relative to the exercise's maximum (so the suite survives new
#: graded tests): "full", "full-1" (exactly the one 1-point test whose input triggers the attack
#: fails) or "0"; an exercise not named is "full", and "*" sets the default.
ALL_ZERO = {"*": "0"}

#: name -> (file text, expected points per exercise with the private test)
HOSTILE = {
    "honest": (learner(), {}),
    # a patched pytest, a patched plugin, forged records (fds, /proc, argv paths, atexit)
    "forger": (learner(FORGER, STUB, STUB, STUB, STUB), ALL_ZERO),
    # rewrites course, package, solution, private-test and classmates' files; kills what it sees
    "vandal": (learner(VANDAL), {}),
    # KeyboardInterrupt, SystemExit, SIG_IGN on every signal + a BaseException-catching loop
    "escaper": (learner(SIGNALS,
                        "    if _boundary(X, b):\n        raise KeyboardInterrupt\n" + PREDICT,
                        "    if _mistake(w, x):\n        raise SystemExit(0)\n" + UPDATE,
                        "    if _xor(X, epochs):\n        _unstoppable()\n" + TRAIN),
                {"1.1": "full-1", "1.2": "full-1", "1.3": "full-1"}),
    # SIGSEGV, os._exit, time.sleep forever
    "crasher": (learner("",
                        "    if _boundary(X, b):\n        _os()['kill'](_os()['getpid'](), 11)\n" + PREDICT,
                        "    if _mistake(w, x):\n        _os()['_exit'](3)\n" + UPDATE,
                        "    if _xor(X, epochs):\n        _imp('time').sleep(600)\n" + TRAIN),
                {"1.1": "full-1", "1.2": "full-1", "1.3": "full-1"}),
    # megabytes of output, an allocation far beyond the memory limit
    "hog": (learner("",
                    "    if _gates(X, b):\n        print('x' * 2_000_000)\n"
                    "        _os()['write'](2, b'y' * 2_000_000)\n" + PREDICT,
                    "    if _mistake(w, x):\n        np.ones(2**37)\n" + UPDATE),
            {"1.2": "full-1"}),
    # a daemon that outlives its call, threads that never end
    "lingerer": (learner(DAEMON, "    if _gates(X, b):\n        _linger()\n" + PREDICT), {}),
    "fork_bomber": (learner(FORK_BOMB, "    if _boundary(X, b):\n        _fork_bomb()\n" + PREDICT),
                    {"1.1": "full-1"}),
    # reads the private tests; runs the reference found on disk
    "reader": (learner("",
                       "    open(PRIVATE + '/test_ex01_private.py').read()\n" + PREDICT,
                       "    ref = _quiet(_imp, 'nnbasics.core.perceptron')\n"
                       "    if ref is not None:\n        return ref.update(w, b, x, y, lr)[:2]\n"
                       "    exec(open(COURSE + '/nnbasics/core/perceptron.py').read(), {})\n" + UPDATE),
               {"1.1": "0", "1.2": "0"}),
    # wraps the reference, returns a pickle bomb, raises an exception named like a formula
    "cheater": (learner(EVIL,
                        "    from nnbasics.core.perceptron import predict as reference\n"
                        "    return reference(X, w, b)\n",
                        "    return Evil()\n",
                        "    raise Formula('=1+2 | forged cell\\n| next | row |')\n"),
                {"1.1": "0", "1.2": "0", "1.3": "0"}),
    "import_looper": ("while True:\n    pass\n" + learner(), ALL_ZERO),
}
#: learners whose attacks partial isolation (no bubblewrap) is designed to stop as well
FALLBACK = ("honest", "forger", "escaper", "crasher", "lingerer", "fork_bomber", "cheater")
NAMES = ['=HYPERLINK("evil.example","x")', "@SUM(1)|a\nb| c", os.fsdecode(b"caf\xe9-\xff")]

PRIVATE_TEST = '''\
import numpy as np
import pytest

EXERCISES = {"1.1": {"title": "perceptron predict", "hint": ""}}


@pytest.mark.exercise("1.1")
def test_private_predict(impl):
    assert impl("01").predict(np.array([[2.0, 1.0]]), np.array([1.0, -3.0]), 0.5).tolist() == [0]
'''


def _zip(path: Path, entries: dict) -> None:
    """A zip of ``entries`` (name -> text, or ("symlink", target) for a symbolic link)."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in entries.items():
            if isinstance(content, tuple):
                info = zipfile.ZipInfo(name)
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, content[1])
            else:
                zf.writestr(name, content)


def _many_entries_zip(path: Path, n: int = 30_000) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for i in range(n):
            zf.writestr(f"junk/{i}.txt", b"")


def _render(text: str, paths=("",) * 6) -> str:
    """A learner's file with the absolute paths its attacks aim at filled in."""
    return text.replace(PRELUDE, PRELUDE.format(paths=tuple(paths)))


def _build_class(root: Path, names, marker: Path) -> dict:
    """The submissions folder, the private tests and the output folder; returns their paths."""
    subs, private, out = root / "submissions", root / "private", root / "out"
    for d in (subs, private, out):
        d.mkdir()
    (private / "test_ex01_private.py").write_text(PRIVATE_TEST)
    paths = (str(ROOT), str(subs), str(private), str(out), SITE, str(marker))
    for name in names:
        (subs / name).mkdir()
        (subs / name / "ex01_perceptron.py").write_text(_render(HOSTILE[name][0], paths))
    return {"subs": subs, "private": private, "out": out}


def _add_odd_submissions(subs: Path) -> None:
    """Symlinks, zips that must be refused, odd names, a folder/zip name collision."""
    honest = _render(HOSTILE["honest"][0])
    (subs / "link_file").mkdir()
    (subs / "link_file" / "ex01_perceptron.py").symlink_to(ROOT / "solutions" / "ex01_perceptron.py")
    (subs / "link_dir").mkdir()
    (subs / "link_dir" / "exercises").symlink_to(ROOT / "solutions", target_is_directory=True)
    (subs / "link_root").symlink_to(ROOT / "solutions", target_is_directory=True)
    _zip(subs / "zip_link.zip", {"ex01_perceptron.py": ("symlink", str(ROOT / "solutions" / "ex01_perceptron.py"))})
    _zip(subs / "zip_slip.zip", {"../../escaped.py": "x = 1\n"})
    _many_entries_zip(subs / "zip_many.zip")
    for name in NAMES:
        folder = subs / name
        folder.mkdir()
        (folder / "ex01_perceptron.py").write_text(honest)
    # a zip named like a folder: both are graded, the zip under a distinct name
    _zip(subs / f"{NAMES[0]}.zip", {"exercises/ex01_perceptron.py": _render(learner(predict=STUB, update=STUB,
                                                                                    train=STUB, signed=STUB))})


# ------------------------------------------------------------------------------ what must not change

def _digest_tree(folder: Path, content: bool = True) -> dict:
    """path -> content hash (or size and mtime) of every file below ``folder`` (links not followed)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = [d for d in dirnames if d not in ("__pycache__", ".hypothesis", ".pytest_cache")]
        for name in filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            if content and stat.S_ISREG(st.st_mode):
                with open(p, "rb") as fh:
                    out[p] = hashlib.sha256(fh.read()).hexdigest()
            else:
                out[p] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return out


def _course_state() -> dict:
    state = {}
    for part in ("nnbasics", "tests", "solutions", "exercises", "tools", "conftest.py", "pyproject.toml"):
        p = ROOT / part
        state.update(_digest_tree(p) if p.is_dir() else {str(p): hashlib.sha256(p.read_bytes()).hexdigest()})
    state.update(_digest_tree(Path(SITE), content=False))
    return state


def _graded_by_another_session(proc: psutil.Process) -> bool:
    """A sandbox worker whose grader is alive in another pytest session (e.g. the other xdist
    worker grading mutants meanwhile): not a survivor of this run. Our own grader's children and
    orphans (their grader is gone) count."""
    for parent in proc.parents():
        if parent.pid == os.getpid():
            return False
        try:
            if "pytest" in " ".join(parent.cmdline()) or "xdist" in " ".join(parent.cmdline()):
                return True
        except psutil.Error:
            continue
    return False


def _survivors(since: float) -> list[str]:
    """Processes of this run still alive: sandbox workers of this checkout, marked hostile ones."""
    found = []
    for p in psutil.process_iter(["pid", "name", "cmdline", "create_time"]):
        try:
            cmd = " ".join(p.info["cmdline"] or [])
            ours = "worker.py" in cmd and str(ROOT) in cmd and not _graded_by_another_session(p)
            if p.info["create_time"] >= since - 1 and (ours or p.info["name"] == "nnb-hostile"):
                found.append(f"{p.info['pid']} {p.info['name']} {cmd[:120]}")
        except psutil.Error:
            continue
    return found


#: files a vandal would create if it escaped; removed after the run whatever happened
CREATED_BY_ESCAPES = [ROOT / "tests" / "exercises" / "test_ex01_zzz_pwned.py", Path(SITE) / "nnbasics_pwned.pth",
                      Path("/tmp/nnbasics-pwned"), Path("/tmp/nnbasics-unpickled")]


def _grade_the_class(tmp: Path, names, odd: bool) -> dict:
    try:
        return _grade_and_check(tmp, names, odd)
    finally:
        for p in CREATED_BY_ESCAPES:
            if p.exists() and p.stat().st_mtime > time.time() - 3600:
                p.unlink()


def _grade_and_check(tmp: Path, names, odd: bool) -> dict:
    marker = tmp / "daemon-was-here"
    paths = _build_class(tmp, names, marker)
    if odd:
        _add_odd_submissions(paths["subs"])
    before_course, before_subs = _course_state(), _digest_tree(paths["subs"])
    started = time.time()
    reports = classroom.grade_class(paths["subs"], target="01", timeout=TIMEOUT,
                                    extra_tests=paths["private"], jobs=2)
    elapsed = time.time() - started
    book = classroom.write_gradebook(reports, paths["out"])
    written = {k: Path(p).read_bytes() for k, p in book.items()}
    time.sleep(4)  # a surviving daemon sleeps 3 s, then writes every 0.2 s
    return {"escaped_files": [str(p) for p in CREATED_BY_ESCAPES if p.exists()], "reports": reports, "elapsed": elapsed, "book": book, "written": written,
            "survivors": _survivors(started), "marker": marker, "paths": paths,
            "course_changed": _changed(before_course, _course_state()),
            "subs_changed": _changed(before_subs, _digest_tree(paths["subs"]))}


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


@pytest.fixture(scope="session")
def full_class(tmp_path_factory):
    if not isolation.detect().full:
        if os.environ.get("NNBASICS_REQUIRE_SANDBOX"):
            pytest.fail(f"bubblewrap is required here but: {isolation.detect()}")
        pytest.skip(f"needs bubblewrap: {isolation.detect()}")
    return _grade_the_class(tmp_path_factory.mktemp("hostile-full"), list(HOSTILE), odd=True)


@pytest.fixture(scope="session")
def fallback_class(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(isolation.ENV, "none")
        return _grade_the_class(tmp_path_factory.mktemp("hostile-none"), FALLBACK, odd=False)


def _points(report) -> dict:
    return {e.exercise: e.points for e in report.exercises}


def _expected(name: str, maxima: dict) -> dict:
    """HOSTILE[name]'s expectation in points, given each exercise's maximum (from the honest learner)."""
    spec = HOSTILE[name][1]
    out = {}
    for ex, top in maxima.items():
        want = spec.get(ex, spec.get("*", "full"))
        out[ex] = 0 if want == "0" else top - (1 if want == "full-1" else 0)
    return out


def _maxima(reports) -> dict:
    honest = reports["honest"]
    maxima = {e.exercise: e.max_points for e in honest.exercises}
    assert _points(honest) == maxima, "the honest learner must get full marks"
    assert set(maxima) >= {"1.1", "1.2", "1.3"}, maxima
    return maxima


def _message(report, ex_id: str) -> str:
    return next(e.message for e in report.exercises if e.exercise == ex_id)


# ------------------------------------------------------------------------------ the full sandbox

@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hostile_learner_scores_exactly_its_honest_parts(full_class, name):
    report = full_class["reports"][name]
    assert not report.error, report.error
    assert report.isolation == "full (bubblewrap)"
    maxima = _maxima(full_class["reports"])
    assert _points(report) == _expected(name, maxima), [(e.exercise, e.points, e.message) for e in report.exercises]
    assert report.max_score == sum(maxima.values()) and report.score <= report.max_score


def test_attacks_are_reported_for_what_they_are(full_class):
    r = full_class["reports"]
    assert "KeyboardInterrupt" in _message(r["escaper"], "1.1")
    assert "SystemExit" in _message(r["escaper"], "1.2")
    assert "Timeout" in _message(r["escaper"], "1.3") and "CPU" in _message(r["escaper"], "1.3")
    assert "crashed" in _message(r["crasher"], "1.1") and "SIGSEGV" in _message(r["crasher"], "1.1")
    assert "crashed" in _message(r["crasher"], "1.2") and "exited with code 3" in _message(r["crasher"], "1.2")
    assert "waited" in _message(r["crasher"], "1.3")
    assert "MemoryError" in _message(r["hog"], "1.2")
    assert "processes" in _message(r["fork_bomber"], "1.1") or "BlockingIOError" in _message(r["fork_bomber"], "1.1")
    assert "FileNotFoundError" in _message(r["reader"], "1.1")
    assert "`import nnbasics.core.perceptron` is not allowed" in _message(r["cheater"], "1.1")
    assert "cannot be graded" in _message(r["cheater"], "1.2") and "Evil" in _message(r["cheater"], "1.2")
    assert "Timeout" in _message(r["import_looper"], "1.1") and "importing" in _message(r["import_looper"], "1.1")


def test_nothing_outside_the_sandbox_changed(full_class):
    assert full_class["escaped_files"] == []
    assert full_class["course_changed"] == [], full_class["course_changed"][:10]
    assert full_class["subs_changed"] == [], full_class["subs_changed"][:10]
    assert not full_class["marker"].exists()
    for key, path in full_class["book"].items():
        assert Path(path).read_bytes() == full_class["written"][key], f"{path} changed after grading"


def test_no_process_survives_and_the_run_is_bounded(full_class):
    assert full_class["survivors"] == []
    assert full_class["elapsed"] < 600, f"grading the class took {full_class['elapsed']:.0f} s"


def test_odd_submissions_are_refused_with_a_row_saying_so(full_class):
    r = full_class["reports"]
    for name in ("link_file", "link_dir", "link_root", "zip_link"):
        assert "symbolic link" in r[name].error and r[name].score == 0, (name, r[name].error)
    assert "outside the folder" in r["zip_slip"].error
    assert "30000 entries" in r["zip_many"].error
    assert not (full_class["paths"]["subs"].parent / "escaped.py").exists()
    folder, zipped = r[NAMES[0]], r[f"{NAMES[0]} (zip)"]
    full = sum(_maxima(r).values())
    assert folder.score == full and zipped.score == 0 and not zipped.error and zipped.max_score == full


def test_learner_names_of_any_kind_are_written_safely(full_class):
    reports, book = full_class["reports"], full_class["book"]
    shown = [classroom.display_name(n) for n in NAMES]
    full = sum(_maxima(reports).values())
    for name in shown:
        assert reports[name].score == full, (name, reports[name].error)
    csv_text = Path(book["csv"]).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    cells = [v for row in rows for v in row.values()]
    assert not any(str(c).startswith(("=", "+", "-", "@")) for c in cells), "a cell would run as a formula"
    assert {"'" + shown[0], "'" + shown[1]} <= {row["learner"] for row in rows}
    summary = Path(book["summary"]).read_text(encoding="utf-8")
    table = [ln for ln in summary.splitlines() if ln.startswith("| ")]
    widths = {ln.replace("\\\\", "").replace("\\|", "").count("|") for ln in table}
    assert widths == {5}, f"a learner name or message broke the Markdown table: {widths}"
    assert all(f"| {classroom.md_cell(name)} |" in summary for name in shown)
    assert set(shown) <= set(json.loads(Path(book["json"]).read_text(encoding="utf-8"))["learners"])


# ------------------------------------------------------------------------------ without bubblewrap

@pytest.mark.parametrize("name", FALLBACK)
def test_partial_isolation_still_stops_the_process_attacks(fallback_class, name):
    report = fallback_class["reports"][name]
    assert not report.error, report.error
    assert report.isolation.startswith("partial")
    assert _points(report) == _expected(name, _maxima(fallback_class["reports"])), \
        [(e.exercise, e.points, e.message) for e in report.exercises]


def test_partial_isolation_leaves_no_process_and_no_change(fallback_class):
    assert fallback_class["survivors"] == []
    assert fallback_class["course_changed"] == [] and fallback_class["subs_changed"] == []
    assert fallback_class["escaped_files"] == []
    assert not fallback_class["marker"].exists()
    assert "isolation: partial" in Path(fallback_class["book"]["summary"]).read_text(encoding="utf-8")


# ------------------------------------------------------------------------------ under load

def test_correct_code_gets_full_marks_on_a_loaded_machine():
    """Exercise 10.1 holds the most CPU-hungry graded tests (80 training steps of a torch MLP)."""
    # one CPU-bound process per core (besides the other pytest worker): every core stays busy
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
               for _ in range(os.cpu_count() or 2)]
    try:
        time.sleep(0.5)
        report = grading.grade("10", impl_dir=ROOT / "solutions", only="10.1")
        bad = [(e.exercise, e.message) for e in report.exercises if e.status != "pass"]
        assert report.passed and not bad, (report.error, bad)
        assert [e.exercise for e in report.exercises] == ["10.1"] and report.score == report.max_score > 0
    finally:
        for p in burners:
            p.kill()
            p.wait()
