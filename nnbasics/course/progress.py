"""``python -m nnbasics progress``: where a learner stands — exercise points and quiz scores.

Grading (the CLI on your own ``exercises/`` or the button in a notebook) and checking a quiz
store their latest result in a small JSON file in YOUR course folder,
``.nnbasics/progress.json`` next to ``exercises/`` (never inside the installed package;
``$NNBASICS_PROGRESS_FILE`` overrides the path). ``--reset`` deletes it.
"""

from __future__ import annotations

import html
import json
import os
import time
from pathlib import Path

from nnbasics._validate import check_notebook

__all__ = ["progress_path", "load", "record_grade", "record_quiz", "reset", "rows", "format_table",
           "html_table", "show", "add_arguments", "run"]

NOTEBOOKS = tuple(f"{i:02d}" for i in range(1, 13))


def progress_path() -> Path:
    """The progress file: ``$NNBASICS_PROGRESS_FILE`` or ``<course>/.nnbasics/progress.json``."""
    env = os.environ.get("NNBASICS_PROGRESS_FILE")
    if env:
        return Path(env)
    from nnbasics.course.exercises import exercises_dir

    return exercises_dir().parent / ".nnbasics" / "progress.json"


def load() -> dict:
    """``{"NN": {"points", "max_points", "graded_at", "quiz_score", "quiz_total", "quiz_at"}}``.

    A missing or unreadable file is an empty record (progress is a convenience, never an error).
    """
    path = progress_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if k in NOTEBOOKS and isinstance(v, dict)} \
        if isinstance(data, dict) else {}


def _save(data: dict) -> None:
    path = progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)  # atomic: a crash never leaves half a file


def _update(notebook: str, **fields) -> None:
    data = load()
    data.setdefault(check_notebook(notebook), {}).update(fields)
    _save(data)


def record_grade(report) -> None:
    """Store the points of a :class:`~nnbasics.course.grading.GradeReport`, per notebook."""
    per_nb: dict[str, list[float]] = {}
    for ex in report.exercises:
        nn = f"{int(ex.exercise.split('.')[0]):02d}"
        pts = per_nb.setdefault(nn, [0.0, 0.0])
        pts[0] += ex.points
        pts[1] += ex.max_points
    now = time.strftime("%Y-%m-%d %H:%M")
    for nn, (points, max_points) in per_nb.items():
        _update(nn, points=points, max_points=max_points, graded_at=now)


def record_quiz(notebook: str, score: int, total: int) -> None:
    """Store the latest quiz score of notebook ``"NN"``."""
    _update(notebook, quiz_score=int(score), quiz_total=int(total), quiz_at=time.strftime("%Y-%m-%d %H:%M"))


def reset() -> bool:
    """Delete the progress file; return whether there was one."""
    path = progress_path()
    if path.exists():
        path.unlink()
        return True
    return False


def rows() -> list[dict]:
    """One row per notebook 01-12: exercise points (or None if never graded) and quiz score."""
    data = load()
    out = []
    for nn in NOTEBOOKS:
        d = data.get(nn, {})
        out.append({"notebook": nn, "points": d.get("points"), "max_points": d.get("max_points"),
                    "graded_at": d.get("graded_at", ""), "quiz_score": d.get("quiz_score"),
                    "quiz_total": d.get("quiz_total"), "quiz_at": d.get("quiz_at", "")})
    return out


def _cells(r: dict) -> tuple[str, str, str]:
    pts = "–" if r["points"] is None else f"{r['points']:g} / {r['max_points']:g}"
    quiz = "–" if r["quiz_score"] is None else f"{r['quiz_score']} / {r['quiz_total']}"
    done = (r["points"] is not None and r["points"] == r["max_points"] and r["max_points"]
            and r["quiz_score"] is not None and r["quiz_score"] == r["quiz_total"])
    return pts, quiz, "✅" if done else ""


def format_table(table: list[dict] | None = None) -> str:
    """The progress table as plain text (the CLI)."""
    table = rows() if table is None else table
    lines = [f"{'notebook':<9} {'exercises':>10} {'quiz':>7}  last graded", "-" * 48]
    for r in table:
        pts, quiz, done = _cells(r)
        lines.append(f"{r['notebook']:<9} {pts:>10} {quiz:>7}  {r['graded_at']} {done}")
    lines.append(f"(stored in {progress_path()})")
    return "\n".join(lines)


def html_table(table: list[dict] | None = None) -> str:
    """The progress table as HTML (the start page)."""
    table = rows() if table is None else table
    body = "".join(
        f"<tr><td>{html.escape(r['notebook'])}</td><td>{pts}</td><td>{quiz}</td>"
        f"<td>{html.escape(r['graded_at'])}</td><td>{done}</td></tr>"
        for r in table for pts, quiz, done in [_cells(r)])
    return ("<table class='nnbasics-progress'><thead><tr><th>notebook</th><th>exercise points</th>"
            "<th>quiz</th><th>last graded</th><th></th></tr></thead><tbody>" + body + "</tbody></table>")


def show():
    """A refreshable progress table for the start page (an ipywidgets box)."""
    import ipywidgets as w

    out = w.HTML(html_table())
    button = w.Button(description="Refresh", icon="refresh", tooltip="re-read your progress file")

    def refresh(_=None):
        out.value = html_table()

    button.on_click(refresh)
    box = w.VBox([out, button])
    box.add_class("nnbasics-progress-box")
    box.refresh = refresh
    return box


def add_arguments(parser) -> None:
    parser.add_argument("--reset", action="store_true", help="forget all recorded progress")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")


def run(args) -> int:
    if args.reset:
        print("progress reset" if reset() else "no progress recorded yet")
        return 0
    print(json.dumps(rows(), indent=1) if args.json else format_table())
    return 0
