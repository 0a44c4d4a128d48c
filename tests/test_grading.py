"""The grader survives a learner's exceptions, infinite loops, sys.exit and crashes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nnbasics.course import grading

ROOT = Path(__file__).resolve().parents[1]
SOLUTION = (ROOT / "solutions" / "ex01_perceptron.py").read_text()

pytestmark = pytest.mark.slow


def _learner(tmp_path, replace_update: str) -> Path:
    """A learner folder whose ex01 has correct predict/train but a custom `update` body."""
    start = SOLUTION.index("    # BEGIN SOLUTION 1.2")
    end = SOLUTION.index("    # END SOLUTION 1.2")
    text = SOLUTION[:start] + replace_update + SOLUTION[end:]
    folder = tmp_path / "learner"
    folder.mkdir()
    (folder / "ex01_perceptron.py").write_text(text)
    return folder


def _status(report):
    return {e.exercise: e.status for e in report.exercises}


@pytest.mark.parametrize("body, expect", [
    ("    raise RuntimeError('oops')\n", "RuntimeError: oops"),
    ("    while True:\n        pass\n", "Timeout"),
    ("    raise SystemExit(3)\n", "SystemExit"),
    ("    import sys\n    sys.exit(3)\n", "`import sys` is not allowed"),
    ("    return None\n", "must return the pair"),
])
def test_one_broken_exercise_fails_alone(tmp_path, body, expect):
    report = grading.grade("01", impl_dir=_learner(tmp_path, body), timeout=2)
    status = _status(report)
    assert status["1.1"] == "pass", report.exercises
    assert status["1.2"] == "fail"
    msg = next(e.message for e in report.exercises if e.exercise == "1.2")
    assert expect in msg, msg


def test_hard_crash_is_reported_not_fatal(tmp_path):
    report = grading.grade("01", impl_dir=_learner(tmp_path, "    import os\n    os._exit(1)\n"), timeout=2)
    status = _status(report)
    assert status["1.1"] == "pass"
    assert status["1.2"] in {"crashed", "fail"}
    assert report.score < report.max_score


def test_cli_writes_valid_json_and_exit_code(tmp_path):
    out = tmp_path / "r.json"
    res = subprocess.run([sys.executable, "-m", "nnbasics", "grade", "1", "--impl-dir",
                          str(ROOT / "solutions"), "--json", str(out)],
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    data = json.loads(out.read_text())
    assert data["score"] == data["max_score"] > 0
    assert "Total:" in res.stdout


def test_bad_target_and_missing_folder_are_clear(tmp_path):
    with pytest.raises(ValueError, match="two-digit"):
        grading.grade("perceptron")
    report = grading.grade("01", impl_dir=tmp_path / "nope")
    assert "no exercise folder" in report.error
    assert not report.passed


def test_huge_output_and_input_mutation(tmp_path):
    body = ("    print('x' * 1_000_000)\n    w += lr * (y - (1 if x @ w + b >= 0 else 0)) * x\n"
            "    return w, b + lr * 0\n")
    report = grading.grade("01", impl_dir=_learner(tmp_path, body), timeout=5)
    msg = next(e.message for e in report.exercises if e.exercise == "1.2")
    assert "modified its argument" in msg, msg
    assert _status(report)["1.1"] == "pass"


def test_extra_private_tests_are_graded(tmp_path):
    private = tmp_path / "private"
    private.mkdir()
    (private / "test_ex01_hidden.py").write_text(
        "import pytest\nimport numpy as np\n\n"
        "EXERCISES = {'1.1': {'title': 'perceptron predict', 'hint': ''}}\n\n"
        "@pytest.mark.exercise('1.1', points=5)\n"
        "def test_hidden_predict(impl):\n"
        "    assert impl('01').predict(np.zeros((1, 2)), np.zeros(2), -1.0).tolist() == [0]\n")
    base = grading.grade("01", impl_dir=ROOT / "solutions", timeout=20)
    more = grading.grade("01", impl_dir=ROOT / "solutions", timeout=20, extra_tests=private)
    assert more.max_score == base.max_score + 5 and more.passed


def test_no_installed_pytest_plugin_rides_along(tmp_path, monkeypatch):
    """The trusted pytest loads only the course's plugins, never one a package registers: a
    pytest11 entry point (e.g. in the learner's site-packages) could rewrite every outcome."""
    site = tmp_path / "site"
    (site / "nnb_rider-1.0.dist-info").mkdir(parents=True)
    (site / "nnb_rider-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: nnb-rider\nVersion: 1.0\n")
    (site / "nnb_rider-1.0.dist-info" / "entry_points.txt").write_text("[pytest11]\nrider = nnb_rider\n")
    marker = tmp_path / "rider-was-loaded"
    (site / "nnb_rider.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    monkeypatch.setenv("PYTHONPATH", str(site))
    probe = subprocess.run([sys.executable, "-c", "import importlib.metadata as m; "
                            "print([e.name for e in m.entry_points(group='pytest11')])"],
                           capture_output=True, text=True, check=True)
    assert "rider" in probe.stdout, "the planted plugin must be installed for this test to mean anything"
    report = grading.grade("01", impl_dir=ROOT / "solutions", timeout=20)
    assert report.passed and report.score == report.max_score > 0, report.error
    assert not marker.exists(), "an installed pytest plugin was loaded by the trusted grader"
