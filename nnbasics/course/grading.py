"""``python -m nnbasics grade NN|all``: grade the learner's exercises with the course's tests.

The graded tests run in a separate, trusted pytest process that never executes learner code:
each learner function runs in a sandboxed worker (:mod:`nnbasics.course.sandbox`, bubblewrap
where available) and only plain data comes back. A learner's exception, infinite loop,
``sys.exit``, crash or daemon fails only the affected tests; per-test budgets are CPU time, so
a busy machine does not fail correct code. Records come back over a pipe the worker never
holds, points come only from tests this run collected, and no score exceeds its maximum. The
grader always prints a table (with the isolation it had) and, with ``--json``, valid JSON.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nnbasics._validate import check_notebook
from nnbasics.course import isolation as isolation_mod
from nnbasics.course.exercises import course_root, exercises_dir

__all__ = ["ExerciseResult", "GradeReport", "grade", "add_arguments", "run"]

PLUGIN = "nnbasics.course.grading_plugin"
#: Hypothesis's own pytest plugin (its falsifying-example reports), loaded by module name.
HYPOTHESIS_PLUGIN = "_hypothesis_pytestplugin"
DEFAULT_TIMEOUT_S = 10.0  # CPU seconds per graded test, in the sandbox
MAX_RECORD_BYTES = 32 * 2**20


@dataclass
class ExerciseResult:
    """The grade of one exercise (all its tests together).

    Attributes
    ----------
    exercise : str
        Its id, e.g. ``"1.2"``.
    title : str
    points, max_points : float
        Points of passed tests and of all tests.
    status : str
        ``"pass"``, ``"partial"``, ``"fail"`` or ``"crashed"`` (no result was recorded).
    message : str
        The first line of the first failure ("" when passed).
    hint : str
        A pointer shown when the exercise is not fully passed.
    tests : list of dict
        Per-test ``nodeid``, ``outcome``, ``points`` and ``message``.
    """

    exercise: str
    title: str = ""
    points: float = 0.0
    max_points: float = 0.0
    status: str = "fail"
    message: str = ""
    hint: str = ""
    tests: list = field(default_factory=list)


@dataclass
class GradeReport:
    """Everything one grading run found; ``asdict`` of it is the ``--json`` output."""

    target: str
    impl_dir: str
    score: float = 0.0
    max_score: float = 0.0
    exercises: list = field(default_factory=list)
    error: str = ""
    isolation: str = ""
    isolation_detail: str = ""

    @property
    def passed(self) -> bool:
        return not self.error and self.max_score > 0 and self.score == self.max_score


def exercise_key(ex_id: str) -> tuple:
    """Sort key for exercise ids: "1.10" after "1.9"."""
    return tuple(int(p) if p.isdigit() else p for p in ex_id.split("."))


def test_files(target: str, root: Path | None = None, extra_tests: Path | None = None) -> list[Path]:
    """The graded test files for ``target`` ("NN" or "all"), plus any in ``extra_tests``."""
    root = root or course_root()
    pattern = "test_ex*.py" if target == "all" else f"test_ex{target}_*.py"
    files = sorted((root / "tests" / "exercises").glob(pattern))
    if extra_tests is not None:
        extra = Path(extra_tests)
        if not extra.is_dir():
            raise FileNotFoundError(f"--extra-tests {extra}: not a folder")
        files += sorted(extra.rglob(pattern))
    return files


def _valid_record(r, nodeid_prefixes: tuple) -> bool:
    """A record the trusted pytest process could have written, for a test of this run."""
    if type(r) is not dict or r.get("event") not in ("collected", "result"):
        return False
    if type(r.get("nodeid")) is not str or not r["nodeid"].startswith(nodeid_prefixes):
        return False
    points = r.get("points")
    return type(r.get("exercise")) is str and type(points) in (int, float) and \
        math.isfinite(points) and 0 <= points <= 1000


def _collect(records: list[dict], nodeid_prefixes: tuple = ("",)) -> list[ExerciseResult]:
    """Per-exercise results from the records; points only for tests this run collected."""
    collected, results = {}, {}
    for r in records:
        if not _valid_record(r, nodeid_prefixes):
            continue
        if r["event"] == "collected":
            collected.setdefault(r["nodeid"], r)
        elif r.get("outcome") in ("passed", "failed", "skipped"):
            results[r["nodeid"]] = r  # the last word on a test wins
    by_ex: dict[str, ExerciseResult] = {}
    for nodeid, c in collected.items():
        ex = by_ex.setdefault(c["exercise"], ExerciseResult(exercise=c["exercise"]))
        ex.title = ex.title or str(c.get("title", ""))
        ex.hint = ex.hint or str(c.get("hint", ""))
        ex.max_points += c["points"]
        r = results.get(nodeid)
        outcome = r["outcome"] if r else "crashed"
        message = str((r or {}).get("message", "" if r else
                                    "no result: the test process crashed or was stopped during this test"))
        if outcome == "passed":
            ex.points += c["points"]
        ex.tests.append({"nodeid": nodeid, "outcome": outcome, "points": c["points"],
                         "message": message})
    for ex in by_ex.values():
        assert 0 <= ex.points <= ex.max_points, f"exercise {ex.exercise}: {ex.points} > {ex.max_points}"
        outcomes = {t["outcome"] for t in ex.tests}
        if outcomes == {"passed"}:
            ex.status = "pass"
        elif "crashed" in outcomes and ex.points == 0:
            ex.status = "crashed"
        else:
            ex.status = "partial" if ex.points > 0 else "fail"
        first_bad = next((t for t in ex.tests if t["outcome"] != "passed"), None)
        ex.message = first_bad["message"] if first_bad else ""
    return [by_ex[k] for k in sorted(by_ex, key=exercise_key)]


class _Tail:
    """Keep only the last ``keep`` bytes of a pipe (a thread drains it, so it never blocks)."""

    def __init__(self, stream, keep: int):
        self.data, self.keep = bytearray(), keep
        self.thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self.thread.start()

    def _pump(self, stream) -> None:
        try:
            for chunk in iter(lambda: stream.read1(65536), b""):
                self.data += chunk
                del self.data[:-self.keep]
        except (OSError, ValueError):
            return

    def text(self) -> str:
        self.thread.join(5)
        return bytes(self.data).decode("utf-8", errors="replace")


def _run_pytest(args: list[str], *, cwd, env, timeout: float) -> tuple[str | None, bytes]:
    """Run the trusted pytest with ``args`` (given through a private args file).

    Returns the tail of its output (None if it ran past ``timeout``) and the bytes it wrote to
    the record pipe, which only it holds.
    """
    argsfile = Path(cwd) / "pytest-args.txt"
    argsfile.write_text("\n".join(args) + "\n", encoding="utf-8")
    read_fd, write_fd = os.pipe()
    # The plugins are named on the command line (pytest reads -p before it expands @files), so a
    # course folder without a conftest.py (the mutant runner's test) still loads ours. No other
    # installed plugin is loaded: the grader runs only code it chose (a pytest11 entry point in
    # the learner's site-packages is not), and starts in 1.4 s instead of 5.6 s (nbval alone
    # imports nbformat -> jsonschema, 2.7 s).
    cmd = [sys.executable, "-m", "pytest", "-p", PLUGIN, "-p", HYPOTHESIS_PLUGIN, f"@{argsfile}",
           "--nnbasics-report-fd", str(write_fd)]
    env = {**env, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=cwd, env=env, pass_fds=(write_fd,))
    finally:
        os.close(write_fd)
    with os.fdopen(read_fd, "rb") as records_pipe:
        records = _Tail(records_pipe, MAX_RECORD_BYTES)
        output = _Tail(proc.stdout, 65536)
        try:
            proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            timed_out = True
        tail = output.text()
        records.thread.join(5)  # only pytest held the pipe: it is at EOF now
        data = bytes(records.data)
    return (None if timed_out else tail), data


def _parse_records(data: bytes) -> list:
    records = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            records.append(json.loads(line))
        except (json.JSONDecodeError, RecursionError):
            continue  # a line cut short by a crash
    return records


def grade(target: str = "all", *, impl_dir: Path | str | None = None, timeout: float = DEFAULT_TIMEOUT_S,
          extra_tests: Path | str | None = None, root: Path | None = None,
          only: str | None = None) -> GradeReport:
    """Run the graded tests for ``target`` against the code in ``impl_dir``.

    Parameters
    ----------
    target : str
        A two-digit notebook number ("01") or "all".
    impl_dir : path, optional
        Folder with the ``exNN_*.py`` files to grade (default: the learner's ``exercises/``).
    timeout : float
        CPU seconds the learner's code may use per test before the test fails as a timeout
        (infinite loops); a wall-clock backstop of max(60, 10 x timeout) s comes with it.
    extra_tests : path, optional
        A folder of additional (e.g. private) graded tests, named ``test_exNN_*.py``.
    root : path, optional
        The course folder (default: where nnbasics is installed from).
    only : str, optional
        Grade only this exercise's tests (e.g. ``"1.2"``); used by the mutant runner.

    Returns
    -------
    GradeReport
    """
    root = Path(root) if root else course_root()
    if target != "all":
        check_notebook(target, "target")
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    impl = Path(impl_dir).resolve() if impl_dir else exercises_dir()
    report = GradeReport(target=target, impl_dir=str(impl))
    if not impl.is_dir():
        report.error = f"no exercise folder at {impl}"
        return report
    try:
        files = test_files(target, root, Path(extra_tests) if extra_tests else None)
    except FileNotFoundError as err:
        report.error = str(err)
        return report
    if not files:
        report.error = f"no graded tests found for {target!r}"
        return report
    try:
        iso = isolation_mod.detect()
    except (RuntimeError, ValueError) as err:
        report.error = str(err)
        return report
    report.isolation, report.isolation_detail = iso.summary, iso.detail
    session = run_session(files, impl, root=root, timeout=timeout, iso=iso,
                          extra_args=["--only-exercise", only] if only else [])
    if session.tail is None:
        report.error = f"grading stopped after {session.overall_s:.0f} s; unfinished tests count as crashed"
    report.exercises = _collect(session.records, _nodeid_prefixes(files, root))
    _take_isolation(report, session.records)
    if not report.exercises and not report.error:
        report.error = "no graded test ran; pytest said:\n" + (session.tail or "")[-2000:]
    report.score = sum(e.points for e in report.exercises)
    report.max_score = sum(e.max_points for e in report.exercises)
    assert report.score <= report.max_score, f"score {report.score} > maximum {report.max_score}"
    return report


@dataclass(frozen=True)
class Session:
    """What one trusted pytest run left: its records (plain dicts), the tail of its output
    (None when it ran past ``overall_s``) and that wall-clock cap."""

    records: list
    tail: str | None
    overall_s: float


def run_session(files: list[Path], impl: Path, *, root: Path, timeout: float, iso,
                extra_args=()) -> Session:
    """Run the graded tests in ``files`` on the learner code in ``impl`` in a trusted pytest.

    The shared core of :func:`grade` and the mutant runner (``extra_args`` adds e.g.
    ``--only-exercise`` or ``--mutants-dir``).
    """
    with tempfile.TemporaryDirectory(prefix="nnbasics-grade-") as tmp:
        os.chmod(tmp, 0o700)  # the args file names private tests: nobody else may read it
        args = [*map(str, files), "--impl", str(impl), "-q",
                "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(root),
                f"--exercise-timeout={timeout}", "-p", "no:timeout", "-m", "exercise", "--no-header",
                *extra_args, "-W", "ignore"]
        overall = timeout * 20 * max(len(files), 1) + 120  # per-test budgets do the fine work
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
               isolation_mod.ENV: iso.mode}
        tail, data = _run_pytest(args, cwd=tmp, env=env, timeout=overall)
    return Session(_parse_records(data), tail, overall)


def _nodeid_prefixes(files: list[Path], root: Path) -> tuple:
    """Record ids of tests in ``files``: the path relative to ``root`` (absolute outside it)."""
    out = []
    for f in files:
        path = f.resolve()
        try:
            out.append(path.relative_to(root.resolve()).as_posix() + "::")
        except ValueError:
            out.append(path.as_posix() + "::")
    return tuple(out)


def _take_isolation(report: GradeReport, records: list) -> None:
    """Prefer what the test process says it used (the same as ours unless forced otherwise)."""
    for r in records:
        if type(r) is dict and r.get("event") == "isolation" and type(r.get("summary")) is str:
            report.isolation = r["summary"][:200]
            report.isolation_detail = str(r.get("detail", ""))[:500]
            return


_SYMBOL = {"pass": "✅ pass", "partial": "🟡 partial", "fail": "❌ fail", "crashed": "💥 crashed"}


def format_report(report: GradeReport) -> str:
    """A plain-text table: one row per exercise, the first failure and a hint below each."""
    lines = [f"Grading {report.target} — code in {report.impl_dir}", ""]
    if report.exercises:
        lines.append(f"{'exercise':<9} {'title':<34} {'points':>8}  status")
        lines.append("-" * 66)
        for ex in report.exercises:
            pts = f"{ex.points:g}/{ex.max_points:g}"
            lines.append(f"{ex.exercise:<9} {ex.title[:34]:<34} {pts:>8}  {_SYMBOL.get(ex.status, ex.status)}")
            if ex.status != "pass":
                lines.append(f"{'':9} ↳ {ex.message}")
                if ex.hint:
                    lines.append(f"{'':9}   hint: {ex.hint}")
        lines.append("-" * 66)
        lines.append(f"Total: {report.score:g} / {report.max_score:g}")
    if report.isolation:
        lines.append(f"isolation: {report.isolation}")
    if report.error:
        lines.append(f"⚠ {report.error}")
    return "\n".join(lines)


def write_json(report: GradeReport, path: Path | str) -> None:
    """Write the report as JSON atomically (always valid, even if interrupted mid-write)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(asdict(report), indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def add_arguments(parser) -> None:
    parser.add_argument("target", help="notebook number (01, 02, ...) or 'all'")
    parser.add_argument("--impl-dir", default=None,
                        help="folder with the exNN_*.py files to grade (default: exercises/)")
    parser.add_argument("--json", dest="json_path", default=None, help="also write a JSON report here")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S,
                        help=f"CPU seconds per test (default {DEFAULT_TIMEOUT_S:g})")
    parser.add_argument("--extra-tests", default=None, help="a folder of extra (private) graded tests")
    parser.add_argument("--mutants", action="store_true",
                        help="maintainers: grade every planted mistake in solutions/mutants/ for the "
                             "target and show which test catches each (all must be caught)")


def parse_target(text: str) -> str:
    """A command-line target as ``grade`` expects it: "1" -> "01"; "all" stays."""
    return text.zfill(2) if text.isdigit() else text


def run(args) -> int:
    target = parse_target(args.target)
    if getattr(args, "mutants", False):
        from nnbasics.course.mutants import format_results, run_mutants

        results = run_mutants(target, timeout=args.timeout)
        print(format_results(results))
        return 0 if results and all(r.ok for r in results) else 1
    try:
        report = grade(target, impl_dir=args.impl_dir, timeout=args.timeout,
                       extra_tests=args.extra_tests)
    except Exception as err:  # the grader reports, it never crashes
        report = GradeReport(target=str(args.target), impl_dir=str(args.impl_dir or exercises_dir()),
                             error=str(err))
    if args.impl_dir is None and report.exercises:  # the learner's own exercises: remember the points
        from nnbasics.course import progress

        try:
            progress.record_grade(report)
        except OSError as err:
            print(f"(progress not saved: {err})")
    print(format_report(report))
    if args.json_path:
        write_json(report, args.json_path)
    return 0 if report.passed else 1
