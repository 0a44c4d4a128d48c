"""grade-class on a synthetic workshop: correct, partial, crashing, looping, empty, zipped."""

import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from nnbasics.course import classroom

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = (ROOT / "solutions" / "ex01_perceptron.py").read_text()
STUB = (ROOT / "exercises" / "ex01_perceptron.py").read_text()

# one worker grades the workshop class once (spread over two, each would grade it: ~45 s more)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("classroom")]


def _only_predict() -> str:
    """The stub with exercise 1.1 done: partially correct."""
    start = SOLUTION.index("def predict")
    end = SOLUTION.index("def update")
    stub_start = STUB.index("def predict")
    stub_end = STUB.index("def update")
    return STUB[:stub_start] + SOLUTION[start:end] + STUB[stub_end:]


@pytest.fixture(scope="module")
def workshop(tmp_path_factory):
    root = tmp_path_factory.mktemp("submissions")
    files = {
        "ada": SOLUTION,
        "ben": _only_predict(),
        "cat": "raise RuntimeError('my file crashes on import')\n",
        "dan": SOLUTION.replace("    z = X @ w + b  # (N,)", "    while True:\n        pass"),
    }
    for name, text in files.items():
        (root / name).mkdir()
        (root / name / "ex01_perceptron.py").write_text(text)
    (root / "eve").mkdir()  # handed in nothing
    with zipfile.ZipFile(root / "fay.zip", "w") as zf:  # a zip holding an exercises/ folder
        zf.writestr("exercises/ex01_perceptron.py", SOLUTION)
    reports = classroom.grade_class(root, target="01", timeout=2, jobs=2)
    return root, reports


def test_each_learner_gets_the_expected_grade(workshop):
    _, reports = workshop
    score = {name: r.score for name, r in reports.items()}
    full = reports["ada"].max_score
    top = {e.exercise: e.max_points for e in reports["ada"].exercises}  # points per exercise
    assert full > 0 and score["ada"] == full
    # ben did 1.1 only; dan's predict loops, which fails 1.1 and 1.3 (his train calls predict)
    assert score == {"ada": full, "ben": top["1.1"], "cat": 0, "dan": full - top["1.1"] - top["1.3"],
                     "eve": 0, "fay": full}
    dan = {e.exercise: e for e in reports["dan"].exercises}
    assert dan["1.1"].status == "fail" and "Timeout" in dan["1.1"].message
    assert dan["1.2"].status == "pass"  # only the looping exercise (and 1.3, which calls it) fail
    cat = {e.exercise: e for e in reports["cat"].exercises}
    assert "my file crashes on import" in cat["1.2"].message
    eve = {e.exercise: e for e in reports["eve"].exercises}
    assert "no ex01_" in eve["1.1"].message


def test_gradebook_files(workshop, tmp_path):
    _, reports = workshop
    paths = classroom.write_gradebook(reports, tmp_path)
    rows = list(csv.DictReader(open(paths["csv"])))
    n_exercises = len(reports["ada"].exercises)
    assert n_exercises >= 3 and len(rows) == 6 * n_exercises  # learners x exercises
    assert {r["learner"] for r in rows} == {"ada", "ben", "cat", "dan", "eve", "fay"}
    data = json.loads(paths["json"].read_text())
    assert len(data["rows"]) == 6 * n_exercises
    summary = paths["summary"].read_text()
    assert "| 1.1 | perceptron predict | 50% |" in summary  # ada, ben, fay pass 1.1; dan loops


def test_zip_slip_is_refused(tmp_path):
    evil = tmp_path / "subs"
    evil.mkdir()
    with zipfile.ZipFile(evil / "mallory.zip", "w") as zf:
        zf.writestr("../../escaped.py", "x = 1\n")
    reports = classroom.grade_class(evil, target="01", timeout=2)
    assert "outside the folder" in reports["mallory"].error
    assert not (tmp_path / "escaped.py").exists()


def test_cli(tmp_path):
    subs = tmp_path / "subs"
    (subs / "ada").mkdir(parents=True)
    (subs / "ada" / "ex01_perceptron.py").write_text(SOLUTION)
    res = subprocess.run([sys.executable, "-m", "nnbasics", "grade-class", str(subs), "--target", "1",
                          "--out", str(tmp_path / "book")], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    assert (tmp_path / "book" / "gradebook.csv").exists() and "| ada |" in res.stdout
    res = subprocess.run([sys.executable, "-m", "nnbasics", "grade-class", str(tmp_path / "nope")],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 2 and "does not exist" in res.stdout
