"""``python -m nnbasics grade-class SUBMISSIONS``: grade a whole workshop.

Each sub-folder (or ``.zip``) of ``SUBMISSIONS`` is one learner's ``exercises/``. Every
submission is graded by :func:`nnbasics.course.grading.grade` in its own trusted test process, its
code in a sandboxed worker, so one learner's crash, infinite loop, ``sys.exit`` or mischief
cannot touch another's grade or the course. Writes ``gradebook.csv``, ``gradebook.json`` and
``summary.md``.

Submissions are untrusted input: symbolic links (in folders and in zips) are refused, never
followed; zips are checked for entry count, total size and paths before anything is
extracted; only the ``exNN_*.py`` files are copied into a private folder for grading; learner
names of any kind (non-UTF-8 bytes, ``|``, newlines, a leading ``=``) are written safely to
CSV (formula-escaped), JSON and Markdown (escaped); a folder and a zip with the same name are
both graded, under distinct names.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import stat
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
MAX_ZIP_ENTRIES = 2000
MAX_EXERCISE_BYTES = 2 * 2**20
EXERCISE_FILE = re.compile(r"^ex\d\d_\w+\.py$")


@dataclass(frozen=True)
class Submission:
    """One learner's work: ``name`` (printable, unique) and ``path`` (folder or .zip file)."""

    name: str
    path: Path


def display_name(raw: str) -> str:
    """A printable name for a file name of any bytes: undecodable bytes become ``\\xNN``."""
    text = raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def find_submissions(folder: Path | str) -> list[Submission]:
    """Sub-folders and ``.zip`` files of ``folder`` (symlinks included, to be refused later).

    Names are the folder name or zip stem made printable; a zip whose name collides with a
    folder's (or another zip's) is called ``"<name> (zip)"`` (then ``"... (2)"``...).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"submissions folder {folder} does not exist")
    entries = []
    for p in sorted(folder.iterdir(), key=lambda p: (p.suffix.lower() == ".zip", os.fsencode(p.name))):
        is_zip = p.suffix.lower() == ".zip" and (p.is_symlink() or p.is_file())
        is_dir = p.is_symlink() or p.is_dir()
        if p.name.startswith(".") or not (is_zip or is_dir):
            continue
        entries.append((display_name(p.stem if is_zip else p.name), is_zip, p))
    subs, taken = [], set()
    for name, is_zip, p in entries:
        unique = name
        if unique in taken and is_zip:
            unique = f"{name} (zip)"
        n = 2
        while unique in taken:
            unique, n = f"{name} ({n})", n + 1
        taken.add(unique)
        subs.append(Submission(unique, p))
    return sorted(subs, key=lambda s: s.name)


# ------------------------------------------------------------------------------ untrusted input

class RefusedSubmission(ValueError):
    """A submission the grader will not read (symlink, special file, zip bomb, path escape)."""


def _check_tree(root: Path) -> None:
    """Refuse symlinks and special files anywhere in a folder submission (never follow them)."""
    if root.is_symlink():
        raise RefusedSubmission(f"refused: the submission is a symbolic link (-> {os.readlink(root)})")
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            mode = p.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise RefusedSubmission(f"refused: {display_name(str(p.relative_to(root)))} is a "
                                        "symbolic link; submit the files themselves")
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise RefusedSubmission(f"refused: {display_name(str(p.relative_to(root)))} is not "
                                        "a regular file")


def _check_zip(zf: zipfile.ZipFile, label: str) -> list[zipfile.ZipInfo]:
    """Entry count, total size, symlinks and paths, all from the central directory."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise RefusedSubmission(f"refused: {label} has {len(infos)} entries (limit {MAX_ZIP_ENTRIES})")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise RefusedSubmission(f"refused: {label} unpacks to {total} bytes (limit {MAX_UNZIPPED_BYTES})")
    for info in infos:
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind == stat.S_IFLNK:
            raise RefusedSubmission(f"refused: {label} holds a symbolic link "
                                    f"({display_name(info.filename)}); submit the files themselves")
        parts = Path(info.filename.replace("\\", "/")).parts
        if info.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise RefusedSubmission(f"refused: {label} would extract {display_name(info.filename)!r} "
                                    "outside the folder")
    return infos


def _safe_extract(zip_path: Path, dest: Path) -> None:
    """Extract a zip's regular files after checking everything; refuses rather than repairs."""
    with zipfile.ZipFile(zip_path) as zf:
        for info in _check_zip(zf, display_name(zip_path.name)):
            target = dest / info.filename.replace("\\", "/")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "xb") as out:
                shutil.copyfileobj(src, out)


def _exercise_folder(path: Path) -> Path:
    """The shallowest folder holding ``exNN_*.py`` files (the submission itself or below it)."""
    found = sorted((len(Path(d).relative_to(path).parts), d)
                   for d, _, files in os.walk(path, followlinks=False)
                   if any(EXERCISE_FILE.match(f) for f in files))
    return Path(found[0][1]) if found else path  # empty: grading reports every test as failed


def _copy_exercises(src: Path, work: Path) -> None:
    """Copy only the regular ``exNN_*.py`` files (size-capped) into the private folder."""
    work.mkdir()
    for p in sorted(src.iterdir()):
        if not EXERCISE_FILE.match(p.name):
            continue
        st = p.lstat()
        if not stat.S_ISREG(st.st_mode):
            raise RefusedSubmission(f"refused: {display_name(p.name)} is not a regular file")
        if st.st_size > MAX_EXERCISE_BYTES:
            raise RefusedSubmission(f"refused: {display_name(p.name)} is {st.st_size} bytes "
                                    f"(limit {MAX_EXERCISE_BYTES})")
        shutil.copyfile(p, work / p.name, follow_symlinks=False)


def _grade_one(sub: Submission, target: str, timeout: float, extra_tests) -> GradeReport:
    with tempfile.TemporaryDirectory(prefix="nnbasics-class-") as tmp:
        try:
            src = sub.path
            if sub.path.suffix.lower() == ".zip" and not sub.path.is_dir():
                if sub.path.is_symlink():
                    raise RefusedSubmission("refused: the zip is a symbolic link")
                src = Path(tmp) / "unzipped"
                src.mkdir()
                _safe_extract(sub.path, src)
            _check_tree(src)
            work = Path(tmp) / "work"
            _copy_exercises(_exercise_folder(src), work)
            return grade(target, impl_dir=work, timeout=timeout, extra_tests=extra_tests)
        except Exception as err:  # a broken zip etc.: that learner gets an error row, the class goes on
            message = str(err) if isinstance(err, RefusedSubmission) else f"{type(err).__name__}: {err}"
            return GradeReport(target=target, impl_dir=display_name(str(sub.path)), error=message)


def grade_class(folder: Path | str, *, target: str = "all", timeout: float = DEFAULT_TIMEOUT_S,
                extra_tests: Path | str | None = None, jobs: int = 1) -> dict[str, GradeReport]:
    """Grade every submission in ``folder``; returns learner name -> :class:`GradeReport`."""
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    subs = find_submissions(folder)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        reports = list(pool.map(lambda s: _grade_one(s, target, timeout, extra_tests), subs))
    return {s.name: r for s, r in zip(subs, reports)}


# ------------------------------------------------------------------------------ safe output

def csv_cell(value):
    """A CSV cell that a spreadsheet shows as text: formulas (=, +, -, @, tab, CR) are escaped."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = display_name(str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def md_cell(value) -> str:
    """Text safe inside a Markdown table cell: no row breaks, no markup, no raw HTML."""
    text = display_name(str(value)).replace("\\", "\\\\")
    for ch in "|`*_[]<>#!~":
        text = text.replace(ch, "\\" + ch)
    return text


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
        if not all_ex:
            rows.append({"learner": learner, "exercise": "", "title": "", "points": 0, "max": 0,
                         "status": "error", "message": r.error or "not graded"})
    return rows


def _isolation_line(reports: dict[str, GradeReport]) -> str:
    kinds = sorted({r.isolation for r in reports.values() if r.isolation})
    return f"isolation: {', '.join(kinds) if kinds else 'unknown (nothing was graded)'}"


def summary_markdown(reports: dict[str, GradeReport]) -> str:
    """Per-learner totals and per-exercise pass rates (which exercise did the class struggle with?)."""
    rows = gradebook_rows(reports)
    lines = ["# Gradebook summary", "", md_cell(_isolation_line(reports)), "",
             "| learner | score | max | note |", "|---|---|---|---|"]
    for learner, r in reports.items():
        max_score = r.max_score or sum(row["max"] for row in rows if row["learner"] == learner)
        lines.append(f"| {md_cell(learner)} | {r.score:g} | {max_score:g} | {md_cell(r.error[:200])} |")
    lines += ["", "| exercise | title | pass rate | mean points |", "|---|---|---|---|"]
    by_ex: dict[str, list[dict]] = {}
    for row in rows:
        if row["exercise"]:
            by_ex.setdefault(row["exercise"], []).append(row)
    for ex_id, ex_rows in by_ex.items():
        rate = sum(r["status"] == "pass" for r in ex_rows) / len(ex_rows)
        mean = sum(r["points"] for r in ex_rows) / len(ex_rows)
        lines.append(f"| {md_cell(ex_id)} | {md_cell(ex_rows[0]['title'])} | {rate:.0%} | "
                     f"{mean:.2f} / {ex_rows[0]['max']:g} |")
    return "\n".join(lines) + "\n"


def _json_safe(obj):
    if isinstance(obj, str):
        return display_name(obj)
    if isinstance(obj, dict):
        return {display_name(str(k)): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj


def write_gradebook(reports: dict[str, GradeReport], out: Path | str) -> dict[str, Path]:
    """Write gradebook.csv, gradebook.json and summary.md into ``out``; return their paths.

    Each file is written completely in memory first, then replaced atomically, so one odd
    learner never leaves a half-written gradebook.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = gradebook_rows(reports)
    paths = {"csv": out / "gradebook.csv", "json": out / "gradebook.json", "summary": out / "summary.md"}
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["learner", "exercise", "title", "points", "max",
                                             "status", "message"])
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
    payload = {"isolation": _isolation_line(reports), "rows": rows,
               "learners": {k: asdict(v) for k, v in reports.items()}}
    texts = {"csv": buf.getvalue(), "json": json.dumps(_json_safe(payload), indent=2, ensure_ascii=False),
             "summary": summary_markdown(reports)}
    for key, text in texts.items():
        tmp = paths[key].with_suffix(paths[key].suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8", newline="" if key == "csv" else None)
        os.replace(tmp, paths[key])
    return paths


def add_arguments(parser) -> None:
    parser.add_argument("submissions", help="folder with one sub-folder or .zip per learner")
    parser.add_argument("--target", default="all", help="notebook number (01, ...) or 'all'")
    parser.add_argument("--out", default="_build/gradebook", help="where to write the gradebook")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S,
                        help="CPU seconds per test")
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
