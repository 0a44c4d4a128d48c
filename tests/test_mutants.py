"""The mutant runner (``python -m nnbasics grade --mutants``): format checks, killed vs alive,
and the message check on a miniature course; then the real suite: every exercise has >= 3
mutants and every one loses points with a message naming its mistake."""

from __future__ import annotations

import functools
import importlib.util
import textwrap
from pathlib import Path

import pytest

from nnbasics.course import mutants

pytestmark = pytest.mark.slow

SOLUTION = '''"""Mini exercises."""

import numpy as np


def double(x):
    """Exercise 1.1 — twice x."""
    # BEGIN SOLUTION 1.1
    return 2 * np.asarray(x)
    # END SOLUTION 1.1
'''

TESTS = '''import numpy as np
import pytest

EXERCISES = {"1.1": {"title": "double", "hint": "multiply by two"}}


@pytest.fixture(scope="module")
def ex(impl):
    return impl("01")


@pytest.mark.exercise("1.1")
def test_double(ex):
    got = np.asarray(ex.double(np.array([1.0, -2.0])))
    assert np.array_equal(got, [2.0, -4.0]), f"double([1, -2]) gave {got.tolist()}: off by a factor"
'''


def _mutant(body: str, expect: str = "factor") -> str:
    return textwrap.dedent(f'''\
        """A planted mistake.

        Hint: look at the factor.
        """

        EXERCISE = "1.1"
        EXPECT = r"{expect}"

        import numpy as np


        def double(x):
            {body}
        ''')


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("course")
    (root / "solutions" / "mutants" / "ex01_mini").mkdir(parents=True)
    (root / "tests" / "exercises").mkdir(parents=True)
    (root / "solutions" / "ex01_mini.py").write_text(SOLUTION)
    (root / "tests" / "exercises" / "test_ex01_mini.py").write_text(TESTS)
    mdir = root / "solutions" / "mutants" / "ex01_mini"
    (mdir / "times_three.py").write_text(_mutant("return 3 * np.asarray(x)"))
    (mdir / "correct_after_all.py").write_text(_mutant("return np.asarray(x) + np.asarray(x)"))
    (mdir / "wrong_message.py").write_text(_mutant("return np.asarray(x)", expect="transpose"))
    return root


def test_runner_tells_killed_alive_and_unhelpful_messages_apart(course):
    results = {r.mutant.name: r for r in mutants.run_mutants("01", root=course, timeout=20)}
    assert set(results) == {"times_three", "correct_after_all", "wrong_message"}
    killed = results["times_three"]
    assert killed.ok and killed.killed_by == "test_double" and killed.points == 0
    assert not results["correct_after_all"].killed and not results["correct_after_all"].ok
    unhelpful = results["wrong_message"]
    assert unhelpful.killed and not unhelpful.message_ok and not unhelpful.ok
    table = mutants.format_results(list(results.values()))
    assert "ALIVE" in table and "does not match EXPECT" in table and "1/3 mutants killed" in table


@pytest.mark.parametrize("text, problem", [
    ('def f():\n    pass\n', "docstring"),
    ('"""Mistake.\n\nno hint here\n"""\nEXERCISE = "1.1"\nEXPECT = "x"\n\ndef f():\n    pass\n', "Hint"),
    ('"""Mistake.\n\nHint: h\n"""\nEXPECT = "x"\n\ndef f():\n    pass\n', "EXERCISE"),
    ('"""Mistake.\n\nHint: h\n"""\nEXERCISE = "2.1"\nEXPECT = "x"\n\ndef f():\n    pass\n', "notebook 01"),
    ('"""Mistake.\n\nHint: h\n"""\nEXERCISE = "1.1"\nEXPECT = "x"\n', "no function"),
])
def test_malformed_mutants_are_refused_with_the_reason(tmp_path, text, problem):
    path = tmp_path / "ex01_mini" / "bad.py"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(ValueError, match=problem):
        mutants.load_mutant(path)


# ---- the real mutant suite (issue 14): every planted mistake in solutions/mutants loses points

REAL = mutants.find_mutants()
NOTEBOOKS = sorted({m.notebook for m in REAL})


def _graded_exercises() -> list[str]:
    from nnbasics.course.grading import test_files

    found = []
    for path in test_files("all"):
        spec = importlib.util.spec_from_file_location(f"_graded_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found += list(module.EXERCISES)
    return found


def test_every_exercise_has_at_least_three_mutants():
    per_exercise = {ex: sum(m.exercise == ex for m in REAL) for ex in _graded_exercises()}
    thin = {ex: n for ex, n in per_exercise.items() if n < 3}
    assert not thin, f"exercises with fewer than 3 mutants in solutions/mutants/: {thin}"
    orphans = {m.key for m in REAL} - {m.key for m in REAL if m.exercise in per_exercise}
    assert not orphans, f"mutants of exercises no graded test covers: {orphans}"


@functools.cache
def _all_results() -> dict[str, list]:
    """Every real mutant graded in one grader session (its start-up and torch's import paid
    once), kept by the worker for the per-notebook tests below (one xdist group)."""
    by_notebook: dict[str, list] = {}
    for r in mutants.run_mutants("all", jobs=1):
        by_notebook.setdefault(r.mutant.notebook, []).append(r)
    return by_notebook


@pytest.mark.xdist_group("real-mutants")
@pytest.mark.parametrize("notebook", [pytest.param(nb, marks=pytest.mark.slow(expected_s=40.0 if i == 0 else 0.1))
                                      for i, nb in enumerate(NOTEBOOKS)])
def test_every_real_mutant_loses_points_with_a_message_naming_its_mistake(notebook):
    """Scheduling: the first notebook's test grades them all (~30 s on 2 busy cores), the rest reads."""
    results = _all_results()[notebook]
    assert len(results) == sum(m.notebook == notebook for m in REAL)
    bad = [r for r in results if not r.ok]
    assert not bad, "\n" + mutants.format_results(bad)
