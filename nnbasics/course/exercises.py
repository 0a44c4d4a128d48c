"""Find and call the learner's exercise code from notebooks.

Notebooks call :func:`attempt` so that an exercise not yet done prints a friendly
note instead of an error, and a finished one is checked against the library.
"""

from __future__ import annotations

import html
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from nnbasics._validate import check_notebook

__all__ = ["course_root", "exercises_dir", "load_module", "load", "attempt", "exercise_file",
           "report_html", "grade_button"]


def course_root() -> Path:
    """The course folder (the one holding ``notebooks/`` and ``exercises/``)."""
    return Path(__file__).resolve().parents[2]


def exercises_dir() -> Path:
    """Where the learner's files live: ``$NNBASICS_EXERCISES_DIR`` or ``<course>/exercises``."""
    env = os.environ.get("NNBASICS_EXERCISES_DIR")
    return Path(env).resolve() if env else course_root() / "exercises"


def load_module(path: Path | str, *, fresh: bool = True) -> ModuleType:
    """Import one Python file as a module under a private name (re-read from disk if ``fresh``)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no exercise file at {path}")
    name = f"_nnbasics_impl_{path.parent.name}_{path.stem}"
    if not fresh and name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load(notebook: str, folder: Path | str | None = None) -> ModuleType:
    """The learner's module for notebook ``"NN"``, e.g. ``exercises/ex01_perceptron.py``."""
    check_notebook(notebook)
    folder = Path(folder) if folder is not None else exercises_dir()
    matches = sorted(folder.glob(f"ex{notebook}_*.py"))
    if not matches:
        raise FileNotFoundError(f"no ex{notebook}_*.py in {folder}; regenerate the stubs with "
                                "`python tools/make_exercises.py`")
    return load_module(matches[0])


def attempt(notebook: str, function: str, *args, **kwargs):
    """Call the learner's ``function`` from notebook ``"NN"``'s exercise file.

    Returns
    -------
    object or None
        The function's result, or ``None`` (after printing where to start) while the
        exercise still raises ``NotImplementedError``. Other exceptions propagate:
        they are bugs worth seeing.
    """
    module = load(notebook)
    fn = getattr(module, function, None)
    if fn is None:
        raise AttributeError(f"{module.__file__} has no function {function!r}")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as err:
        print(f"⏳ {err}\n   Open exercises/{Path(module.__file__).name} (the link above), implement it, "
              f"save, re-run this cell, then click \"Grade my exercises\" below (or run "
              f"`python -m nnbasics grade {notebook}`).")
        return None


def exercise_file(notebook: str) -> Path:
    """The learner's exercise file of notebook ``"NN"`` (e.g. ``exercises/ex01_perceptron.py``)."""
    check_notebook(notebook)
    matches = sorted(exercises_dir().glob(f"ex{notebook}_*.py"))
    if not matches:
        raise FileNotFoundError(f"no ex{notebook}_*.py in {exercises_dir()}; regenerate the stubs with "
                                "`python tools/make_exercises.py`")
    return matches[0]


_STATUS = {"pass": "✅ pass", "partial": "🟡 partial", "fail": "❌ fail", "crashed": "💥 crashed"}


def report_html(report) -> str:
    """A :class:`~nnbasics.course.grading.GradeReport` as an HTML table: points, status, the
    first failing check and the hint of every exercise, and the total."""
    esc = html.escape
    rows = []
    for ex in report.exercises:
        detail = "" if ex.status == "pass" else (
            f"<div>↳ {esc(ex.message)}</div>" + (f"<div><i>hint: {esc(ex.hint)}</i></div>" if ex.hint else ""))
        rows.append(f"<tr><td>{esc(ex.exercise)}</td><td>{esc(ex.title)}{detail}</td>"
                    f"<td>{ex.points:g} / {ex.max_points:g}</td><td>{_STATUS.get(ex.status, esc(ex.status))}</td></tr>")
    total = f"<p><b>Total: {report.score:g} / {report.max_score:g}</b></p>"
    error = f"<p style='color:#D55E00'>⚠ {esc(report.error)}</p>" if report.error else ""
    isolation = getattr(report, "isolation", "")
    note = f"<p><small>isolation: {esc(isolation)}</small></p>" if isolation else ""
    return ("<table class='nnbasics-grade'><thead><tr><th>exercise</th><th>what it checks</th>"
            "<th>points</th><th>status</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            + total + error + note)


def grade_button(notebook: str):
    """A "Grade my exercises" button for notebook ``"NN"``'s exercise section.

    A click runs the same grader as ``python -m nnbasics grade NN`` (same tests, same isolation)
    on your ``exercises/`` file, shows the table of points with the first failing check and a
    hint, and records the points in your progress file (``python -m nnbasics progress``).
    Nothing runs until you click, so "Run All" stays fast.
    """
    import ipywidgets as w

    check_notebook(notebook)
    button = w.Button(description=f"Grade my exercises ({notebook})", button_style="primary",
                      icon="check", layout=w.Layout(width="auto"))
    out = w.HTML(f"<i>Edit {exercise_file(notebook).name}, save it, then click to grade.</i>")

    def on_click(_=None):
        from nnbasics.course import grading, progress

        button.disabled = True
        out.value = "<i>grading…</i>"
        try:
            report = grading.grade(notebook)
            out.value = report_html(report)
            if report.exercises:
                progress.record_grade(report)
        except Exception as err:  # the button reports, it never raises into the notebook
            out.value = f"<p style='color:#D55E00'>⚠ grading failed: {html.escape(str(err))}</p>"
        finally:
            button.disabled = False

    button.on_click(on_click)
    box = w.VBox([button, out])
    box.add_class("nnbasics-grade-box")
    box.click = on_click  # what a click does, for tests
    box.output = out
    return box
