"""ruff keeps the package, tests, tools, solutions and notebook twins clean (config in pyproject)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    targets = ["nnbasics", "tests", "tools", "solutions", "benchmarks",
               *map(str, sorted((ROOT / "notebooks").glob("*.py")))]
    targets = [t for t in targets if (ROOT / t).exists()]
    res = subprocess.run([sys.executable, "-m", "ruff", "check", *targets], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
