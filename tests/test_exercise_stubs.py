"""One suite, two implementations: solutions earn full marks; fresh stubs fail EVERY graded test
with their NotImplementedError (proof that no graded test is vacuous)."""

import importlib.util
from pathlib import Path

import pytest

from nnbasics.course import grading

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("make_exercises", ROOT / "tools" / "make_exercises.py")
mx = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mx)

pytestmark = pytest.mark.slow


@pytest.mark.slow(expected_s=20)
def test_solutions_get_full_marks():
    report = grading.grade("all", impl_dir=ROOT / "solutions", timeout=60)
    assert not report.error, report.error
    bad = [(e.exercise, e.message) for e in report.exercises if e.status != "pass"]
    assert not bad, f"reference solutions fail: {bad}"
    assert report.score == report.max_score > 0


@pytest.mark.slow(expected_s=20)
def test_fresh_stubs_fail_every_graded_test(tmp_path):
    assert mx.main(["--out", str(tmp_path)]) == 0
    report = grading.grade("all", impl_dir=tmp_path, timeout=60)
    assert not report.error, report.error
    assert report.score == 0
    solution_ids = set()
    for path in (ROOT / "solutions").glob("ex*.py"):
        solution_ids |= {line.split()[-1] for line in path.read_text().splitlines()
                         if "# BEGIN SOLUTION" in line}
    graded_ids = {e.exercise for e in report.exercises}
    assert solution_ids == graded_ids, (
        f"exercises without graded tests: {sorted(solution_ids - graded_ids)}; "
        f"tests for unknown exercises: {sorted(graded_ids - solution_ids)}")
    for ex in report.exercises:
        for t in ex.tests:
            assert t["outcome"] == "failed", f"{t['nodeid']} passed on an empty stub: it tests nothing"
            assert "NotImplementedError" in t["message"] and f"Exercise {ex.exercise}" in t["message"], (
                f"{t['nodeid']} failed for another reason than the stub: {t['message']}")
