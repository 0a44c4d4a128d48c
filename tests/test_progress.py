"""Learner progress: grading and quizzes record it, the CLI and the start page show it, reset forgets."""

from __future__ import annotations

import json

import pytest

from nnbasics.course import progress, quiz
from nnbasics.course.grading import ExerciseResult, GradeReport


@pytest.fixture()
def store(tmp_path, monkeypatch):
    path = tmp_path / "course" / ".nnbasics" / "progress.json"
    monkeypatch.setenv("NNBASICS_PROGRESS_FILE", str(path))
    return path


def _report(points_11=1.0):
    return GradeReport(target="01", impl_dir="x", exercises=[
        ExerciseResult("1.1", points=points_11, max_points=3), ExerciseResult("1.2", points=0, max_points=4),
        ExerciseResult("2.1", points=2, max_points=2)])


def test_grading_and_quiz_are_recorded_and_shown(store):
    assert progress.rows()[0]["points"] is None
    progress.record_grade(_report())
    q = quiz.Quiz(quiz.load("01"), notebook="01", learner="ada")
    for i, question in enumerate(q.questions):
        q.answer(i, question.answer)
    q.check()
    rows = {r["notebook"]: r for r in progress.rows()}
    assert (rows["01"]["points"], rows["01"]["max_points"]) == (1.0, 7.0)
    assert (rows["02"]["points"], rows["02"]["max_points"]) == (2.0, 2.0)
    assert rows["01"]["quiz_score"] == rows["01"]["quiz_total"] == len(q.questions)
    text = progress.format_table()
    assert "1 / 7" in text and str(store) in text
    html = progress.html_table()
    assert "<table" in html and "1 / 7" in html
    progress.record_grade(_report(points_11=3.0))  # the latest grading wins
    assert {r["notebook"]: r for r in progress.rows()}["01"]["points"] == 3.0


def test_widget_refreshes(store):
    box = progress.show()
    assert "–" in box.children[0].value
    progress.record_quiz("03", 2, 5)
    box.refresh()
    assert "2 / 5" in box.children[0].value


def test_corrupt_file_is_an_empty_record_and_reset_forgets(store):
    store.parent.mkdir(parents=True)
    store.write_text("{not json")
    assert progress.load() == {}
    progress.record_quiz("01", 1, 4)
    assert json.loads(store.read_text())["01"]["quiz_score"] == 1
    assert progress.reset() and not store.exists() and not progress.reset()


def test_cli(store, capsys):
    from nnbasics.course.cli import main

    progress.record_quiz("05", 3, 4)
    assert main(["progress"]) == 0
    assert "3 / 4" in capsys.readouterr().out
    assert main(["progress", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[4]["quiz_score"] == 3
    assert main(["progress", "--reset"]) == 0 and not store.exists()


def test_bad_notebook_is_refused(store):
    with pytest.raises(ValueError):
        progress.record_quiz("1", 1, 2)


@pytest.mark.slow
def test_grade_button_grades_in_place_and_records_progress(store, tmp_path, monkeypatch):
    import shutil

    from nnbasics.course import exercises
    from nnbasics.course.exercises import course_root

    mine = tmp_path / "exercises"
    mine.mkdir()
    stub = course_root() / "exercises" / "ex01_perceptron.py"
    shutil.copy(stub, mine / stub.name)
    monkeypatch.setenv("NNBASICS_EXERCISES_DIR", str(mine))
    box = exercises.grade_button("01")
    box.click()
    assert "NotImplementedError" in box.output.value and "Total: 0 /" in box.output.value
    assert progress.rows()[0]["points"] == 0
    shutil.copy(course_root() / "solutions" / "ex01_perceptron.py", mine / stub.name)
    box.click()
    full = progress.rows()[0]
    assert full["points"] == full["max_points"] > 0
    assert f"Total: {full['max_points']:g} / {full['max_points']:g}" in box.output.value


def test_attempt_on_a_stub_points_to_the_file_and_the_grade_button(tmp_path, monkeypatch, capsys):
    import shutil

    import numpy as np

    from nnbasics.course import exercises
    from nnbasics.course.exercises import course_root

    stub = course_root() / "exercises" / "ex01_perceptron.py"
    shutil.copy(stub, tmp_path / stub.name)
    monkeypatch.setenv("NNBASICS_EXERCISES_DIR", str(tmp_path))
    assert exercises.attempt("01", "predict", np.zeros((1, 2)), np.zeros(2), 0.0) is None
    said = capsys.readouterr().out
    assert "exercises/ex01_perceptron.py" in said and "Grade my exercises" in said and "grade 01" in said
    shutil.copy(course_root() / "solutions" / "ex01_perceptron.py", tmp_path / stub.name)
    assert exercises.attempt("01", "predict", np.zeros((1, 2)), np.zeros(2), 0.0).tolist() == [1]
