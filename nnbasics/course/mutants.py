"""``python -m nnbasics grade --mutants [NN|all]``: prove the graded tests catch real mistakes.

A mutant is a plausible learner mistake, kept with the solutions as
``solutions/mutants/exNN_topic/<mistake>.py``::

    \"\"\"Returns booleans instead of the integers 0/1 the contract asks for.

    Hint: check the dtype of what you return.
    \"\"\"

    EXERCISE = "1.1"
    EXPECT = r"dtype|integer"

    import numpy as np


    def predict(X, w, b):
        return X @ w + b >= 0

The runner grades the solution file with the mutant appended (its definitions replace the
solution's) and records whether the mutant's exercise lost points (it must: the mutant is
"killed"), which test killed it, and whether the grader's message matches ``EXPECT`` (the
learner must be told the mistake, or at least the property that failed).

The mutants are graded in trusted pytest sessions (the one ``grade`` runs, with
``--mutants-dir``; ``jobs`` of them at once, each a share of the notebooks): each graded test
runs once per mutant of its exercise, and a mutant's remaining tests are skipped once one has
killed it. Each mutant is imported as a fresh module in its notebook's sandboxed worker, which
is reused from one mutant to the next while it is alive (mutants are the course's own code; a
learner's file never shares a worker), so torch is imported once per notebook and session, not
once per mutant.
"""

from __future__ import annotations

import ast
import os
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from nnbasics.course.exercises import course_root

__all__ = ["Mutant", "MutantResult", "find_mutants", "learner_source", "run_mutant", "run_mutants",
           "format_results"]

#: Graded tests run with this hypothesis profile while mutants are graded: derandomized, no shrinking.
PROFILE_ENV = "NNBASICS_HYPOTHESIS_PROFILE"


@dataclass(frozen=True)
class Mutant:
    """One planted mistake.

    Attributes
    ----------
    notebook : str
        "NN".
    exercise : str
        The exercise id it targets, e.g. ``"1.1"``.
    name : str
        The file's stem, e.g. ``"returns_bool"``.
    path : Path
    mistake : str
        The first line of its docstring.
    hint : str
        The docstring's ``Hint:`` paragraph.
    expect : str
        Regex the grader's first failure message for the exercise must match (case-insensitive).
    """

    notebook: str
    exercise: str
    name: str
    path: Path
    mistake: str
    hint: str
    expect: str

    @property
    def key(self) -> str:
        return f"{self.exercise}/{self.name}"

    @property
    def folder_id(self) -> str:
        """``<exercise>__<name>``: its learner folder in a ``--mutants-dir`` session."""
        return f"{self.exercise}__{self.name}"


@dataclass(frozen=True)
class MutantResult:
    """What grading one mutant showed: killed (points lost) and by which test, with which message."""

    mutant: Mutant
    killed: bool
    points: float
    max_points: float
    killed_by: str
    message: str
    message_ok: bool
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.killed and self.message_ok and not self.error


def _constant(tree: ast.Module, name: str, path: Path) -> str:
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return node.value.value
    raise ValueError(f"{path}: missing the string constant {name} = '...' (see nnbasics/course/mutants.py)")


def load_mutant(path: Path) -> Mutant:
    """Parse and check one mutant file (docstring, EXERCISE, EXPECT, at least one function)."""
    path = Path(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    doc = ast.get_docstring(tree) or ""
    if not doc.strip():
        raise ValueError(f"{path}: needs a docstring naming the mistake (first line) and a 'Hint:' line")
    mistake = doc.strip().splitlines()[0].strip()
    hint_match = re.search(r"^Hint:\s*(.+?)(?:\n\s*\n|\Z)", doc, flags=re.M | re.S)
    if hint_match is None:
        raise ValueError(f"{path}: the docstring needs a 'Hint: ...' paragraph")
    exercise = _constant(tree, "EXERCISE", path)
    expect = _constant(tree, "EXPECT", path)
    re.compile(expect)
    if not any(isinstance(n, ast.FunctionDef) for n in tree.body):
        raise ValueError(f"{path}: defines no function to replace the solution's")
    folder = path.parent.name  # exNN_topic
    if not re.fullmatch(r"ex\d\d_\w+", folder):
        raise ValueError(f"{path}: mutants live in solutions/mutants/exNN_topic/, not {folder}/")
    notebook = folder[2:4]
    if exercise.split(".")[0] != str(int(notebook)):
        raise ValueError(f"{path}: EXERCISE {exercise!r} is not an exercise of notebook {notebook}")
    return Mutant(notebook, exercise, path.stem, path, mistake, " ".join(hint_match.group(1).split()),
                  expect)


def find_mutants(target: str = "all", root: Path | None = None) -> list[Mutant]:
    """Every mutant of notebook ``target`` ("NN") or of all notebooks, sorted by exercise."""
    root = Path(root) if root else course_root()
    pattern = "ex*" if target == "all" else f"ex{target}_*"
    paths = sorted((root / "solutions" / "mutants").glob(f"{pattern}/*.py"))
    mutants = [load_mutant(p) for p in paths if not p.name.startswith("_")]
    from nnbasics.course.grading import exercise_key

    return sorted(mutants, key=lambda m: (exercise_key(m.exercise), m.name))


def learner_source(mutant: Mutant, root: Path | None = None) -> tuple[str, str]:
    """(file name, text) of the learner file the mutant stands for: the solution + the mutant."""
    root = Path(root) if root else course_root()
    folder = mutant.path.parent.name
    solution = root / "solutions" / f"{folder}.py"
    if not solution.is_file():
        raise FileNotFoundError(f"mutant {mutant.path} has no solution file {solution}")
    text = solution.read_text(encoding="utf-8")
    text += f"\n\n# ---- mutant {mutant.key}: {mutant.mistake}\n" + mutant.path.read_text(encoding="utf-8")
    return solution.name, text


def _judge(mutant: Mutant, records: list[dict], error: str) -> MutantResult:
    """Killed if any of the mutant's graded tests failed; the first failure is what the learner sees."""
    mine = [r for r in records if r.get("event") == "result" and r.get("mutant") == mutant.folder_id]
    ran = [r for r in mine if r.get("outcome") in ("passed", "failed")]
    if not ran:
        return MutantResult(mutant, False, 0.0, 0.0, "", "", False,
                            error or f"no graded test of exercise {mutant.exercise} ran on it")
    first_bad = next((r for r in mine if r["outcome"] == "failed"), None)
    max_points = float(sum(r["points"] for r in ran))
    points = float(sum(r["points"] for r in ran if r["outcome"] == "passed"))
    if first_bad is None:
        return MutantResult(mutant, False, points, max_points, "", "", False, error)
    message = str(first_bad.get("message", ""))
    test = first_bad["nodeid"].split("::")[-1].split("[")[0]
    return MutantResult(mutant, True, points, max_points, test, message,
                        bool(re.search(mutant.expect, message, flags=re.I)), "")


def _grade_session(mutants: list[Mutant], timeout: float, root: Path) -> list[MutantResult]:
    """One trusted pytest session for ``mutants`` (of one notebook or several): each graded test
    runs once per mutant of its exercise, each mutant a fresh module in the session's sandboxed
    worker of its notebook (``--mutants-dir``)."""
    from nnbasics.course import isolation
    from nnbasics.course.grading import run_session, test_files

    per_notebook = {nb: test_files(nb, root) for nb in sorted({m.notebook for m in mutants})}
    files = sorted({f for found in per_notebook.values() for f in found})
    missing = {nb for nb, found in per_notebook.items() if not found}
    with tempfile.TemporaryDirectory(prefix="nnbasics-mutants-") as tmp:
        for m in mutants:
            if m.notebook in missing:
                continue
            name, text = learner_source(m, root)
            folder = Path(tmp) / m.folder_id
            folder.mkdir()
            (folder / name).write_text(text, encoding="utf-8")
        session = (run_session(files, Path(tmp), root=root, timeout=timeout, iso=isolation.detect(),
                               extra_args=["--mutants-dir", tmp]) if files else None)
    if session is None:
        return [_no_tests(m) for m in mutants]
    error = "" if session.tail is not None else f"grading stopped after {session.overall_s:.0f} s"
    results = [_no_tests(m) if m.notebook in missing else _judge(m, session.records, error) for m in mutants]
    if not any(r.killed or r.max_points for r in results) and session.tail:
        results = [r if r.error else MutantResult(r.mutant, False, 0.0, 0.0, "", "", False,
                                                  "no graded test ran; pytest said:\n" + session.tail[-1500:])
                   for r in results]
    return results


def _no_tests(m: Mutant) -> MutantResult:
    return MutantResult(m, False, 0.0, 0.0, "", "", False, f"no graded tests for notebook {m.notebook}")


def run_mutant(mutant: Mutant, *, timeout: float = 10.0, root: Path | None = None) -> MutantResult:
    """Grade one mutant (only its exercise's tests) and judge the result."""
    return _grade_session([mutant], timeout, Path(root) if root else course_root())[0]


def run_mutants(target: str = "all", *, timeout: float = 10.0, jobs: int = 2,
                root: Path | None = None) -> list[MutantResult]:
    """Grade every mutant of ``target`` in ``jobs`` grader sessions running at once (each a
    share of the notebooks, the ones with most mutants first; ``jobs=1``: one session, which
    pays the grader's start-up and torch's import once).

    Returns the results in :func:`find_mutants` order.
    """
    root = Path(root) if root else course_root()
    mutants = find_mutants(target, root)
    by_notebook: dict[str, list[Mutant]] = {}
    for m in mutants:
        by_notebook.setdefault(m.notebook, []).append(m)
    shares: list[list[Mutant]] = [[] for _ in range(max(1, min(jobs, len(by_notebook))))]
    for nb in sorted(by_notebook, key=lambda nb: -len(by_notebook[nb])):
        min(shares, key=len).extend(by_notebook[nb])
    previous = os.environ.get(PROFILE_ENV)
    os.environ[PROFILE_ENV] = "mutants"
    try:
        with ThreadPoolExecutor(max_workers=len(shares)) as pool:
            done = list(pool.map(lambda share: _grade_session(share, timeout, root), [s for s in shares if s]))
    finally:
        if previous is None:
            os.environ.pop(PROFILE_ENV, None)
        else:
            os.environ[PROFILE_ENV] = previous
    by_key = {r.mutant.key: r for results in done for r in results}
    return [by_key[m.key] for m in mutants]


def format_results(results: list[MutantResult]) -> str:
    """A table: exercise, mutant, killed by which test, and the message the learner would see."""
    lines = [f"{'exercise':<8} {'mutant':<34} {'verdict':<10} killed by / message", "-" * 100]
    for r in results:
        verdict = ("✅ killed" if r.ok else "❌ ALIVE" if not r.killed
                   else "⚠ message" if not r.message_ok else "⚠ error")
        lines.append(f"{r.mutant.exercise:<8} {r.mutant.name[:34]:<34} {verdict:<10} "
                     f"{r.killed_by or '-'} ({r.points:g}/{r.max_points:g})")
        lines.append(f"{'':8} {r.mutant.mistake}")
        lines.append(f"{'':8} ↳ {r.message[:160] or r.error}")
        if r.killed and not r.message_ok:
            lines.append(f"{'':8}   message does not match EXPECT = {r.mutant.expect!r}")
    n_ok = sum(r.ok for r in results)
    lines += ["-" * 100, f"{n_ok}/{len(results)} mutants killed with a message that names the mistake"]
    return "\n".join(lines)
