"""The stub generator: markers become NotImplementedError, bad markers stop it, --check catches staleness."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("make_exercises", ROOT / "tools" / "make_exercises.py")
mx = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mx)

GOOD = '''import numpy as np


def relu_backward(dout, x):
    """doc"""
    # BEGIN SOLUTION 3.2
    dx = dout * (x > 0)
    return dx
    # END SOLUTION 3.2
'''


def test_block_becomes_named_not_implemented_error():
    stub = mx.make_stub(GOOD, "ex03_backprop.py", "notebooks/03_backprop_by_hand.ipynb")
    assert "dout * (x > 0)" not in stub
    assert ('    raise NotImplementedError("Exercise 3.2: relu_backward — see '
            'notebooks/03_backprop_by_hand.ipynb")') in stub
    assert "def relu_backward(dout, x):" in stub and '"""doc"""' in stub
    ns = {}
    exec(compile(stub, "stub", "exec"), ns)
    with pytest.raises(NotImplementedError, match="Exercise 3.2: relu_backward"):
        ns["relu_backward"](1, 1)


@pytest.mark.parametrize("bad, message", [
    (GOOD.replace("# END SOLUTION 3.2", "# END SOLUTION 3.3"), "closes block 3.2"),
    (GOOD.replace("    # END SOLUTION 3.2\n", ""), "never closed"),
    (GOOD.replace("    # BEGIN SOLUTION 3.2\n", ""), "without a BEGIN"),
    (GOOD.replace("    dx = dout", "    # BEGIN SOLUTION 3.3\n    dx = dout"), "inside unclosed block"),
    (GOOD + GOOD.replace("relu_backward", "other"), "appears twice"),
    (GOOD.replace("# BEGIN SOLUTION 3.2", "# BEGIN SOLUTION three"), "malformed marker"),
    ("def f():\n    return 1\n", "no '# BEGIN SOLUTION"),
])
def test_mismatched_markers_stop_the_generator(bad, message):
    with pytest.raises(mx.MarkerError, match=message):
        mx.make_stub(bad, "ex03_x.py", "nb")


def test_committed_exercises_are_up_to_date():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "make_exercises.py"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_check_detects_a_stale_stub(tmp_path):
    out = tmp_path / "ex"
    assert mx.main(["--out", str(out)]) == 0
    assert mx.main(["--check", "--out", str(out)]) == 0
    victim = sorted(out.glob("ex*.py"))[0]
    victim.write_text(victim.read_text() + "\n# edited\n")
    assert mx.main(["--check", "--out", str(out)]) == 1


def test_every_solution_block_is_hidden_in_the_stubs():
    for name, stub in mx.generate().items():
        solution = (ROOT / "solutions" / name).read_text()
        inside = False
        for line in solution.splitlines():
            if "# BEGIN SOLUTION" in line:
                inside = True
            elif "# END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) > 12 and not line.strip().startswith("#"):
                # a substantial solution line must not survive (short ones like `return w, b` may
                # legitimately appear elsewhere)
                assert line not in stub.splitlines(), f"{name}: solution line leaked: {line.strip()}"
