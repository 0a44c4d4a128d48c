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


def run_mutant(mutant: Mutant, *, timeout: float = 10.0, root: Path | None = None) -> MutantResult:
    """Grade one mutant (only its exercise's tests) and judge the result."""
    from nnbasics.course.grading import grade

    with tempfile.TemporaryDirectory(prefix="nnbasics-mutant-") as tmp:
        name, text = learner_source(mutant, root)
        (Path(tmp) / name).write_text(text, encoding="utf-8")
        report = grade(mutant.notebook, impl_dir=tmp, timeout=timeout, root=root, only=mutant.exercise)
    ex = next((e for e in report.exercises if e.exercise == mutant.exercise), None)
    if ex is None:
        return MutantResult(mutant, False, 0.0, 0.0, "", "", False,
                            report.error or f"no graded tests for exercise {mutant.exercise}")
    first_bad = next((t for t in ex.tests if t["outcome"] != "passed"), None)
    killed = ex.points < ex.max_points
    message = ex.message
    return MutantResult(mutant, killed, ex.points, ex.max_points,
                        first_bad["nodeid"].split("::")[-1] if first_bad else "", message,
                        bool(re.search(mutant.expect, message, flags=re.I)), report.error)


def run_mutants(target: str = "all", *, timeout: float = 10.0, jobs: int = 2,
                root: Path | None = None) -> list[MutantResult]:
    """Grade every mutant of ``target`` (``jobs`` at a time, each in its own grader process)."""
    mutants = find_mutants(target, root)
    previous = os.environ.get(PROFILE_ENV)
    os.environ[PROFILE_ENV] = "mutants"
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            return list(pool.map(lambda m: run_mutant(m, timeout=timeout, root=root), mutants))
    finally:
        if previous is None:
            os.environ.pop(PROFILE_ENV, None)
        else:
            os.environ[PROFILE_ENV] = previous


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
