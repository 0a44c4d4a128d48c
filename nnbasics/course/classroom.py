"""``python -m nnbasics grade-class SUBMISSIONS``: grade a whole workshop.

Each sub-folder (or ``.zip``) of ``SUBMISSIONS`` is one learner's ``exercises/``. Every
submission is graded in its own pytest process with per-test timeouts (see
:mod:`nnbasics.course.grading`), so one learner's crash, infinite loop or ``sys.exit`` cannot
touch another's grade. Writes ``gradebook.csv``, ``gradebook.json`` and ``summary.md``.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from nnbasics.course.grading import (
    DEFAULT_TIMEOUT_S,
    GradeReport,
    exercise_key,
    grade,
    parse_target,
)

__all__ = ["Submission", "find_submissions", "grade_class", "write_gradebook", "add_arguments", "run"]

MAX_UNZIPPED_BYTES = 50 * 2**20


@dataclass(frozen=True)
class Submission:
    """One learner's work: ``name`` (folder or zip stem) and ``path`` (folder or .zip file)."""

    name: str
    path: Path


def find_submissions(folder: Path | str) -> list[Submission]:
    """Sub-folders and ``.zip`` files of ``folder``, sorted by learner name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions folder {folder} does not exist")
    subs = [Submission(p.stem if p.suffix == ".zip" else p.name, p)
            for p in sorted(folder.iterdir())
            if (p.is_dir() and not p.name.startswith(".")) or p.suffix.lower() == ".zip"]
    names = [s.name for s in subs]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ValueError(f"two submissions share the learner name(s) {sorted(dupes)} (a folder and a zip?)")
    return subs


def _safe_extract(zip_path: Path, dest: Path) -> None:
    """Extract a zip, refusing absolute paths, '..' escapes and zip bombs."""
    with zipfile.ZipFile(zip_path) as zf:
        total = sum(i.file_size for i in zf.infolist())
        if total > MAX_UNZIPPED_BYTES:
            raise ValueError(f"{zip_path.name} unpacks to {total} bytes (limit {MAX_UNZIPPED_BYTES})")
        root = dest.resolve()
        for info in zf.infolist():
            target = (dest / info.filename).resolve()
            if not str(target).startswith(str(root) + os.sep) and target != root:
                raise ValueError(f"{zip_path.name}: refusing to extract {info.filename!r} outside the folder")
        zf.extractall(dest)


def _exercise_folder(path: Path) -> Path:
    """The folder holding the ``exNN_*.py`` files (the submission itself or one level down)."""
    if any(path.glob("ex[0-9][0-9]_*.py")):
        return path
    for sub in sorted(p for p in path.rglob("*") if p.is_dir()):
        if any(sub.glob("ex[0-9][0-9]_*.py")):
            return sub
    return path  # empty submission: grading reports every test as failed


def _grade_one(sub: Submission, target: str, timeout: float, extra_tests) -> GradeReport:
    with tempfile.TemporaryDirectory(prefix="nnbasics-class-") as tmp:
        try:
            src = sub.path
            if sub.path.suffix.lower() == ".zip":
                src = Path(tmp) / "unzipped"
                src.mkdir()
                _safe_extract(sub.path, src)
            # Grade a private copy: a learner's code can't scribble on the original.
            work = Path(tmp) / "work"
            shutil.copytree(_exercise_folder(src), work,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            return grade(target, impl_dir=work, timeout=timeout, extra_tests=extra_tests)
        except Exception as err:  # a broken zip etc.: that learner gets an error row, the class goes on
            return GradeReport(target=target, impl_dir=str(sub.path), error=f"{type(err).__name__}: {err}")


def grade_class(folder: Path | str, *, target: str = "all", timeout: float = DEFAULT_TIMEOUT_S,
                extra_tests: Path | str | None = None, jobs: int = 1) -> dict[str, GradeReport]:
    """Grade every submission in ``folder``; returns learner name -> :class:`GradeReport`."""
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    subs = find_submissions(folder)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        reports = list(pool.map(lambda s: _grade_one(s, target, timeout, extra_tests), subs))
    return {s.name: r for s, r in zip(subs, reports)}


def gradebook_rows(reports: dict[str, GradeReport]) -> list[dict]:
    """One row per (learner, exercise): learner, exercise, title, points, max, status, message."""
    all_ex = {}
    for r in reports.values():
        for e in r.exercises:
            all_ex.setdefault(e.exercise, (e.title, e.max_points))
    rows = []
    for learner, r in reports.items():
        seen = {e.exercise: e for e in r.exercises}
        for ex_id in sorted(all_ex, key=exercise_key):
            e = seen.get(ex_id)
            title, max_points = all_ex[ex_id]
            if e is None:
                rows.append({"learner": learner, "exercise": ex_id, "title": title, "points": 0,
                             "max": max_points, "status": "error", "message": r.error or "not graded"})
            else:
                rows.append({"learner": learner, "exercise": ex_id, "title": title, "points": e.points,
                             "max": e.max_points, "status": e.status, "message": e.message})
    return rows


def summary_markdown(reports: dict[str, GradeReport]) -> str:
    """Per-learner totals and per-exercise pass rates (which exercise did the class struggle with?)."""
    rows = gradebook_rows(reports)
    lines = ["# Gradebook summary", "", "| learner | score | max |", "|---|---|---|"]
    for learner, r in reports.items():
        max_score = r.max_score or sum(row["max"] for row in rows if row["learner"] == learner)
        lines.append(f"| {learner} | {r.score:g} | {max_score:g} |")
    lines += ["", "| exercise | title | pass rate | mean points |", "|---|---|---|---|"]
    by_ex: dict[str, list[dict]] = {}
    for row in rows:
        by_ex.setdefault(row["exercise"], []).append(row)
    for ex_id, ex_rows in by_ex.items():
        rate = sum(r["status"] == "pass" for r in ex_rows) / len(ex_rows)
        mean = sum(r["points"] for r in ex_rows) / len(ex_rows)
        lines.append(f"| {ex_id} | {ex_rows[0]['title']} | {rate:.0%} | {mean:.2f} / {ex_rows[0]['max']:g} |")
    return "\n".join(lines) + "\n"


def write_gradebook(reports: dict[str, GradeReport], out: Path | str) -> dict[str, Path]:
    """Write gradebook.csv, gradebook.json and summary.md into ``out``; return their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = gradebook_rows(reports)
    paths = {"csv": out / "gradebook.csv", "json": out / "gradebook.json", "summary": out / "summary.md"}
    with open(paths["csv"], "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["learner", "exercise", "title", "points", "max",
                                                "status", "message"])
        writer.writeheader()
        writer.writerows(rows)
    payload = {"rows": rows, "learners": {k: asdict(v) for k, v in reports.items()}}
    paths["json"].write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    paths["summary"].write_text(summary_markdown(reports), encoding="utf-8")
    return paths


def add_arguments(parser) -> None:
    parser.add_argument("submissions", help="folder with one sub-folder or .zip per learner")
    parser.add_argument("--target", default="all", help="notebook number (01, ...) or 'all'")
    parser.add_argument("--out", default="_build/gradebook", help="where to write the gradebook")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds per test")
    parser.add_argument("--extra-tests", default=None, help="a folder of private graded tests")
    parser.add_argument("--jobs", type=int, default=1, help="learners graded in parallel")


def run(args) -> int:
    target = parse_target(args.target)
    try:
        reports = grade_class(args.submissions, target=target, timeout=args.timeout,
                              extra_tests=args.extra_tests, jobs=args.jobs)
    except (FileNotFoundError, ValueError) as err:
        print(f"grade-class: {err}")
        return 2
    paths = write_gradebook(reports, args.out)
    print(summary_markdown(reports))
    print(f"wrote {paths['csv']}, {paths['json']} and {paths['summary']}")
    return 0
