"""Every notebook: paired with its py:percent file, committed without outputs, shaped like the template."""

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]
#: the lessons (00 is the start page: it links, checks and shows progress, it teaches nothing)
LESSONS = [p for p in NOTEBOOKS if not p.name.startswith("00_")]
LESSON_IDS = [p.stem for p in LESSONS]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


def test_no_notebook_is_named_like_a_test():
    assert not list((ROOT / "notebooks").glob("test_*")), "pytest would collect notebooks/test_*"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_paired_py_file_has_the_same_cells(path):
    py = path.with_suffix(".py")
    assert py.exists(), f"{py.name} missing: run `jupytext --sync {path.relative_to(ROOT)}`"
    nb = nbformat.read(path, as_version=4)
    twin = jupytext.read(py)
    a = [(c.cell_type, c.source.strip()) for c in nb.cells]
    b = [(c.cell_type, c.source.strip()) for c in twin.cells]
    assert len(a) == len(b), f"{path.name} has {len(a)} cells but {py.name} has {len(b)}: re-sync with jupytext"
    for i, (ca, cb) in enumerate(zip(a, b)):
        assert ca == cb, f"cell {i} differs between {path.name} and {py.name}: re-sync with jupytext"


def strip_problems(nb) -> list[str]:
    """What ``nbstripout --verify`` would object to, checked in-process (a subprocess per
    notebook cost seconds): outputs, execution counts, notebook or cell UI metadata."""
    problems = [f"cell {i} has outputs or an execution count" for i, c in enumerate(nb.cells)
                if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    extra = set(nb.metadata) - {"kernelspec", "language_info", "jupytext"}
    if extra:
        problems.append(f"notebook metadata {sorted(extra)}")
    problems += [f"cell {i} carries UI metadata" for i, c in enumerate(nb.cells)
                 if {"collapsed", "scrolled", "ExecuteTime", "execution"} & set(c.metadata)]
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_committed_without_outputs(path):
    problems = strip_problems(nbformat.read(path, as_version=4))
    assert not problems, f"{path.name}: {problems}: run `nbstripout {path.relative_to(ROOT)}`"


def test_strip_check_catches_outputs_and_metadata():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    assert strip_problems(nb) == []
    nb.cells[0].execution_count = 3
    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=3)]
    nb.cells[0].metadata["scrolled"] = True
    nb.metadata["widgets"] = {}
    assert len(strip_problems(nb)) == 3


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_follows_the_course_shape(path):
    nn = path.name[:2]
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0].source
    assert re.match(rf"# {nn} · ", first), f"{path.name}: first cell must start with '# {nn} · <title>'"
    for needed in ("Learning goals", "Prerequisites", "Run time"):
        assert needed in first, f"{path.name}: the first cell must state the {needed}"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert f'quiz.show("{nn}")' in code, f"{path.name}: end with quiz.show(\"{nn}\")"
    assert "Key takeaways" in text, f"{path.name}: needs a Key takeaways section"
    assert f"grade {nn}" in text, f"{path.name}: tell learners to run `python -m nnbasics grade {nn}`"
    assert "assert " in code, f"{path.name}: self-check asserts make nbval meaningful"
    assert "_explorer(" in code or "explorer(" in code, f"{path.name}: needs at least one widget"
    assert not re.search(r"^def \w+\(", code, re.M), f"{path.name}: define helpers in nnbasics, not in cells"
    assert "solutions" not in code, f"{path.name}: notebooks must not import solutions/"


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_has_an_exercise_file_and_graded_tests(path):
    nn = path.name[:2]
    assert list((ROOT / "solutions").glob(f"ex{nn}_*.py")), f"no solutions/ex{nn}_*.py"
    assert list((ROOT / "tests" / "exercises").glob(f"test_ex{nn}_*.py")), f"no tests/exercises/test_ex{nn}_*.py"


def test_start_page_links_every_lesson_and_shows_progress():
    start = nbformat.read(ROOT / "notebooks" / "00_start_here.ipynb", as_version=4)
    text = "\n".join(c.source for c in start.cells)
    for path in LESSONS:
        assert f"({path.name})" in text, f"the start page does not link {path.name}"
    assert "progress.show()" in text and "doctor.report" in text and "../exercises" in text


@pytest.mark.parametrize("path", LESSONS, ids=LESSON_IDS)
def test_exercise_section_links_the_file_and_grades_in_place(path):
    """The learner opens their own exercise file from the notebook (a link JupyterLab opens in
    its editor, relative to the notebook) and grades it with a button, without a terminal."""
    nn = path.name[:2]
    files = sorted((ROOT / "exercises").glob(f"ex{nn}_*.py"))
    assert len(files) == 1, f"expected one exercises/ex{nn}_*.py, found {[f.name for f in files]}"
    name = files[0].name
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert f"](../exercises/{name})" in text, \
        f"{path.name}: link the exercise file as [exercises/{name}](../exercises/{name})"
    links = set(re.findall(r"\]\(\.\./exercises/(ex\d\d_\w+\.py)\)", text))
    assert links == {name}, f"{path.name} links exercise files {sorted(links)}; only its own {name}"
    assert re.search(rf'^exercises\.grade_button\("{nn}"\)$', code, re.M), \
        f'{path.name}: needs a cell `exercises.grade_button("{nn}")` in its exercise section'
    assert len(re.findall(r"grade_button\(", code)) == 1, f"{path.name}: one grade button, for {nn}"
