"""The student edition builds, contains no solution text, installs, and grades its own stubs."""

import subprocess
import sys
from pathlib import Path

import pytest

from nnbasics.course import dist

ROOT = Path(__file__).resolve().parents[1]

# one worker builds the module fixture once (spread over two, each would build it: ~40 s more)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dist")]


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    return dist.build(ROOT, tmp_path_factory.mktemp("dist") / "nnbasics-student")


def test_contents(edition):
    assert not (edition / "solutions").exists()
    assert not (edition / "tools").exists() and not (edition / ".ci").exists()
    assert sorted(p.name for p in (edition / "tests").iterdir()) == ["exercises"]
    assert {p.name for p in (edition / "exercises").glob("ex*.py")} == \
        {p.name for p in (ROOT / "solutions").glob("ex*.py")}
    assert "make grade" in (edition / "Makefile").read_text()
    assert "For contributors" not in (edition / "README.md").read_text()


def test_no_solution_text_anywhere(edition):
    assert dist.find_leaks(edition, ROOT / "solutions") == []
    blocks = [b for bs in dist.solution_blocks(ROOT / "solutions").values() for b in bs]
    assert blocks and all(blocks), "every solution block needs code for the leak check to look for"


def test_leak_detector_catches_a_leak(edition, tmp_path):
    block = dist.solution_blocks(ROOT / "solutions")["ex01_perceptron.py"][2]
    (edition / "notebooks" / "leak.py").write_text("".join(f"    {line}\n" for line in block))
    try:
        assert any("leak.py" in leak for leak in dist.find_leaks(edition, ROOT / "solutions"))
    finally:
        (edition / "notebooks" / "leak.py").unlink()
    # one solution line left in a stub's code (not its docstring) is a leak too
    stub = edition / "exercises" / "ex01_perceptron.py"
    original = stub.read_text()
    line = next(ln for b in dist.solution_blocks(ROOT / "solutions")["ex01_perceptron.py"] for ln in b
                if len(ln) >= 16)
    stub.write_text(original + f"\n\ndef _leaked():\n    {line}\n")
    try:
        assert any("ex01_perceptron.py" in leak for leak in dist.find_leaks(edition, ROOT / "solutions"))
    finally:
        stub.write_text(original)


def test_nothing_imports_solutions(edition):
    for path in list((edition / "nnbasics").rglob("*.py")) + list((edition / "notebooks").glob("*.py")):
        text = path.read_text()
        assert "import solutions" not in text and "from solutions" not in text, path


def test_edition_builds_a_wheel_and_grades_its_stubs(edition, tmp_path):
    wheel = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-q", "-w", str(tmp_path), str(edition)], capture_output=True, text=True,
                           check=False)
    assert wheel.returncode == 0, wheel.stderr
    assert list(tmp_path.glob("nnbasics-*.whl"))
    # run the edition's own package (not the instructor's) from inside it
    env = {"PYTHONPATH": str(edition), "PATH": "/usr/bin:/bin"}
    res = subprocess.run([sys.executable, "-m", "nnbasics", "grade", "01"], cwd=edition, env=env,
                         capture_output=True, text=True, check=False)
    assert res.returncode == 1, res.stdout + res.stderr  # stubs: not passed yet
    assert f"code in {edition / 'exercises'}" in res.stdout
    assert "Exercise 1.1: predict" in res.stdout and "Total: 0 /" in res.stdout
