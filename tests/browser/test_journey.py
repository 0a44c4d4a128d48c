"""The learner's whole journey in a real JupyterLab + chromium, without a terminal.

Open what ``make lab`` opens (the start page, the course folder with ``exercises/`` in the
file browser), run the start page, follow its link to notebook 01, open the exercise file from the notebook's
link, type a correct implementation of exercise 1.1 into the editor and save it, grade it with
the notebook's button (points go from 0 to full), and see the start page's progress table update.
The server serves a learner's course folder (notebooks/ + exercises/ stubs, see
``LabServer(course=True)``), so nothing tracked is touched. A screenshot of the step that
failed, of every step with ``NNBASICS_SCREENSHOTS=1`` (as for the notebooks: about 1-2 s each):
``_build/screenshots/journey_*.png``.
"""

from __future__ import annotations

import re
import time

import pytest
from lab import (
    _JS_ACTIVATE,
    _JS_KERNEL_STATUS,
    _JS_PANEL,
    SCREENSHOTS,
    LabServer,
    NotebookRun,
    _run_notebook,
    _screenshot,
    _wait,
    require_browser,
    screenshots_always,
)

pytestmark = pytest.mark.browser

EXERCISE = "1.1"
STUB_LINE = 'raise NotImplementedError("Exercise 1.1'
ANSWER = "return (X @ w + b >= 0).astype(np.int64)"  # typed by the "learner"

def _link(page, path: str):
    """The link to ``path`` (relative to the server root) in the notebook on screen; other tabs
    keep theirs in the page, hidden. JupyterLab rewrites a relative href such as
    ``../exercises/x.py`` to ``<server>/files/exercises/x.py?_xsrf=...`` and opens it in the
    application when clicked."""
    tab = page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
    return page.locator(f"[id='{tab}'] .jp-RenderedMarkdown a[href*='/files/{path}?']").first


_JS_CURRENT_PATH = "() => { const w = window.jupyterapp.shell.currentWidget; " \
                   "return w && w.context ? w.context.path : null; }"
_JS_FILE_BROWSER = "() => [...document.querySelectorAll('.jp-DirListing-content .jp-DirListing-itemText')]" \
                   ".map(e => e.innerText.trim())"
_JS_STUB_LINE = """(needle) => {
  const w = window.jupyterapp.shell.currentWidget;
  const lines = w.content.model.sharedModel.getSource().split('\\n');
  const i = lines.findIndex(l => l.includes(needle));
  if (i < 0) return null;
  return {line: i, column: lines[i].length - lines[i].trimStart().length};
}"""
_JS_PUT_CURSOR = """(pos) => {
  const ed = window.jupyterapp.shell.currentWidget.content.editor;
  ed.setCursorPosition(pos); ed.focus(); return true; }"""


@pytest.fixture(scope="module")
def course_server(tmp_path_factory):
    require_browser()
    with LabServer(tmp_path_factory.mktemp("journey"), course=True) as server:
        yield server


def _shot(page, step: str, done: list) -> None:
    """Step ``step`` is done: remember it, and take its screenshot with NNBASICS_SCREENSHOTS=1."""
    done.append(step)
    if screenshots_always():
        _screenshot(page, SCREENSHOTS / f"journey_{step}.png")


def _box_text(page, css: str) -> str:
    return page.evaluate(f"() => {{ const els = [...document.querySelectorAll('{css}')]; "
                         "return els.map(e => e.innerText).join('\\n'); }")


def _points(grade_text: str, exercise: str) -> tuple[float, float] | None:
    m = re.search(rf"^{re.escape(exercise)}\b.*?(\d+(?:\.\d+)?) / (\d+(?:\.\d+)?)", grade_text, re.M | re.S)
    return (float(m.group(1)), float(m.group(2))) if m else None


def _run_all(page, server, path, timeout) -> NotebookRun:
    run = NotebookRun(name=path)
    _run_notebook(page, server, path, run, timeout, slider_timeout=20.0)
    assert not [p for p in run.problems if "slider" not in p], f"{path}: {run.problems}"
    return run


def _grade(page, timeout: float) -> tuple[float, float]:
    """Click the notebook's Grade button; return exercise 1.1's (points, max points)."""
    box = page.locator(".nnbasics-grade-box").first
    box.scroll_into_view_if_needed()
    before = _box_text(page, ".nnbasics-grade-box")
    box.locator("button").first.click()
    done = _wait(lambda: "Total:" in _box_text(page, ".nnbasics-grade-box")
                 and _box_text(page, ".nnbasics-grade-box") != before
                 and "grading…" not in _box_text(page, ".nnbasics-grade-box"), timeout, 0.5)
    text = _box_text(page, ".nnbasics-grade-box")
    assert done, f"grading did not finish within {timeout:.0f} s: {text}"
    points = _points(text, EXERCISE)
    assert points is not None, f"no row for exercise {EXERCISE} in the grade table:\n{text}"
    return points


def test_start_page_to_graded_exercise_without_a_terminal(course_server, chromium, browser_timeout):
    page = chromium.new_page()
    ms = browser_timeout * 1000
    done: list[str] = []
    try:
        # 0. what `make lab` opens: the start page, with exercises/ in the file browser
        page.goto(f"{course_server.url}/?token={course_server.token}", wait_until="domcontentloaded", timeout=ms)
        page.wait_for_function(_JS_PANEL, timeout=ms)
        assert _wait(lambda: page.evaluate(_JS_CURRENT_PATH) == "notebooks/00_start_here.ipynb", browser_timeout), \
            f"make lab's front page opened {page.evaluate(_JS_CURRENT_PATH)!r}, not the start page"
        listed = lambda: page.evaluate(_JS_FILE_BROWSER)  # noqa: E731
        assert _wait(lambda: {"exercises", "notebooks"} <= set(listed()), 60), \
            f"the file browser shows {listed()}, not the course folder with exercises/"
        _shot(page, "0_make_lab_front_page", done)

        # 1. the start page: environment check, syllabus, progress (nothing graded yet)
        _run_all(page, course_server, "notebooks/00_start_here.ipynb", browser_timeout)
        table = _box_text(page, ".nnbasics-progress-box")
        assert re.search(r"^01\s+–", table, re.M), f"fresh progress table should show no points:\n{table}"
        _shot(page, "1_start_page", done)

        # 2. follow the syllabus link to notebook 01 and run it
        link = _link(page, "notebooks/01_perceptron.ipynb")
        link.scroll_into_view_if_needed()
        link.click()
        assert _wait(lambda: page.evaluate(_JS_CURRENT_PATH) == "notebooks/01_perceptron.ipynb", 60), \
            f"the link opened {page.evaluate(_JS_CURRENT_PATH)!r}"
        page.wait_for_function(_JS_PANEL, timeout=ms)
        _wait(lambda: page.evaluate(_JS_KERNEL_STATUS) == "idle", browser_timeout)
        from lab import _click_menu

        _click_menu(page, "Run", "Run All Cells", ms)
        assert _wait(lambda: page.locator(".nnbasics-grade-box").count() > 0, browser_timeout), \
            "notebook 01 shows no Grade button after Run All"
        _wait(lambda: page.evaluate(_JS_KERNEL_STATUS) == "idle", browser_timeout)
        points_before, max_points = _grade(page, browser_timeout)
        assert points_before == 0 and max_points > 0, (points_before, max_points)
        _shot(page, "2_notebook_01_graded_stub", done)

        # 3. open the exercise file from the notebook's link: JupyterLab's editor
        ex_link = _link(page, "exercises/ex01_perceptron.py")
        ex_link.scroll_into_view_if_needed()
        ex_link.click()
        assert _wait(lambda: page.evaluate(_JS_CURRENT_PATH) == "exercises/ex01_perceptron.py", 60), \
            f"the exercise link opened {page.evaluate(_JS_CURRENT_PATH)!r}"
        page.wait_for_selector(".jp-FileEditor .cm-content", timeout=ms)
        _shot(page, "3_exercise_file", done)

        # 4. type the answer over the stub's raise line, and save with Ctrl+S
        pos = page.evaluate(_JS_STUB_LINE, STUB_LINE)
        assert pos is not None, f"the stub has no line containing {STUB_LINE!r}"
        page.evaluate(_JS_PUT_CURSOR, pos)
        page.keyboard.press("Shift+End")
        page.keyboard.type(ANSWER)
        page.keyboard.press("Control+s")
        saved = course_server.exercises / "ex01_perceptron.py"
        assert _wait(lambda: ANSWER in saved.read_text(encoding="utf-8"), 30), \
            "the edit never reached the file on disk (did Ctrl+S save it?)"
        assert STUB_LINE not in saved.read_text(encoding="utf-8").split("def update")[0]
        _shot(page, "4_exercise_typed_and_saved", done)

        # 5. back to notebook 01: the Grade button now gives full points for 1.1
        assert page.evaluate(_JS_ACTIVATE, "notebooks/01_perceptron.ipynb")
        time.sleep(0.5)
        points_after, max_after = _grade(page, browser_timeout)
        assert points_after == max_after == max_points, (points_after, max_after)
        _shot(page, "5_notebook_01_graded_answer", done)

        # 6. the start page's progress table shows the new points after Refresh
        assert page.evaluate(_JS_ACTIVATE, "notebooks/00_start_here.ipynb")
        refresh = page.locator(".nnbasics-progress-box button").first
        refresh.scroll_into_view_if_needed()
        refresh.click()
        assert _wait(lambda: re.search(rf"^01\s+{points_after:g} / \d+",
                                       _box_text(page, ".nnbasics-progress-box"), re.M), 30), \
            f"progress table did not update:\n{_box_text(page, '.nnbasics-progress-box')}"
        _shot(page, "6_progress_updated", done)
        assert course_server.progress_file.exists()
    except BaseException:
        after = done[-1] if done else "start"
        try:
            _screenshot(page, SCREENSHOTS / f"journey_failed_after_{after}.png")
        except Exception:
            pass
        raise
    finally:
        page.close()
