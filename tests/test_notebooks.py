"""Every notebook, executed ONCE: no error, no warning, no network, and the same self-check values
as the committed golden files.

The ``# NBVAL_CHECK_OUTPUT`` cells are the notebooks' deterministic printouts; the committed
notebooks carry no outputs, so ``tests/golden/NN_name.json`` holds what those cells printed when
the golden was recorded. Numbers are compared to the precision they were printed with (one unit
in the last printed digit, so a BLAS that rounds differently on another CPU does not fail), all
other text exactly. After an intended change: ``pytest tests/test_notebooks.py --update-golden``.

A guard cell runs first: the socket module refuses non-local addresses (nothing may download),
and every warning raised by any cell is recorded; a last cell reports them and the test fails
if there is one (fix its cause, do not silence it).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
GOLDEN = ROOT / "tests" / "golden"
MARK = "# NBVAL_CHECK_OUTPUT"
REPORT = "NNBASICS-WARNINGS:"
CELL_TIMEOUT_S = 120

pytestmark = pytest.mark.notebook

GUARD = '''
import socket as _socket, warnings as _warnings
_LOCAL = ("127.0.0.1", "localhost", "::1", "0.0.0.0", "")
_real_connect, _real_getaddrinfo = _socket.socket.connect, _socket.getaddrinfo
def _offline_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in _LOCAL and not host.startswith("/"):
        raise OSError(f"offline test: the notebook tried to reach {address!r}")
    return _real_connect(self, address)
def _offline_getaddrinfo(host, *args, **kwargs):
    if host not in _LOCAL and host is not None:
        raise OSError(f"offline test: the notebook tried to look up {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)
_socket.socket.connect = _offline_connect
_socket.getaddrinfo = _offline_getaddrinfo
_NNBASICS_WARNINGS = []
def _record_warning(message, category, filename, lineno, file=None, line=None):
    _NNBASICS_WARNINGS.append(f"{category.__name__}: {message} ({filename}:{lineno})")
_warnings.simplefilter("always")
_warnings.showwarning = _record_warning
'''
REPORT_CELL = f'print("{REPORT}" + __import__("json").dumps(_NNBASICS_WARNINGS))'


def _text(cell) -> str:
    out = ""
    for o in cell.outputs:
        if o.output_type == "stream":
            out += o.text
        elif "data" in o and "text/plain" in o.data:
            out += o.data["text/plain"]
    return out


def execute(path: Path) -> dict:
    """Run the notebook once; return checked printouts, recorded warnings, stderr text, seconds."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(GUARD))
    nb.cells.append(nbformat.v4.new_code_cell(REPORT_CELL))
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - t0
    checked = [_text(c) for c in nb.cells if c.cell_type == "code" and MARK in c.source]
    report = _text(nb.cells[-1])
    warnings = json.loads(report.split(REPORT, 1)[1]) if REPORT in report else ["(no warning report)"]
    stderr = "".join(o.text for c in nb.cells[1:-1] if c.cell_type == "code"
                     for o in c.outputs if o.output_type == "stream" and o.name == "stderr")
    return {"checked": checked, "warnings": warnings, "stderr": stderr, "seconds": seconds}


_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def same_printout(expected: str, actual: str) -> str | None:
    """None if equal up to the printed precision of each number, else a description of the first difference."""
    e_nums, a_nums = _NUMBER.findall(expected), _NUMBER.findall(actual)
    if _NUMBER.sub("#", expected) != _NUMBER.sub("#", actual) or len(e_nums) != len(a_nums):
        return "the text differs"
    for e, a in zip(e_nums, a_nums):
        if e == a:
            continue
        mantissa = re.split(r"[eE]", e)[0]
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        exponent = int(re.split(r"[eE]", e)[1]) if re.search(r"[eE]", e) else 0
        ulp = 10.0 ** (exponent - decimals)
        if abs(float(e) - float(a)) > ulp * 1.0001:
            return f"{e} became {a} (more than one unit in the last printed digit)"
    return None


def test_same_printout_tolerates_last_digit_rounding_only():
    assert same_printout("loss 0.693, acc 50%", "loss 0.694, acc 50%") is None
    assert same_printout("loss 0.693", "loss 0.695") is not None
    assert same_printout("w = 1.5e-03", "w = 1.6e-03") is None
    assert same_printout("w = 1.5e-03", "w = 1.8e-03") is not None
    assert same_printout("accuracy 97%", "accuracy 97% (converged)") is not None
    assert same_printout("7 mistakes", "8 mistakes") is None  # integers: one unit too
    assert same_printout("7 mistakes", "9 mistakes") is not None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_offline_without_warnings_and_matches_golden(path, request):
    run = execute(path)
    print(f"{path.name}: {run['seconds']:.1f} s")
    assert not run["warnings"], (f"{path.name} raised warnings (fix the cause; never silence them):\n- "
                                 + "\n- ".join(run["warnings"]))
    assert "Warning" not in run["stderr"], f"{path.name} printed a warning on stderr:\n{run['stderr']}"
    checked = run["checked"]
    assert checked, f"{path.name}: mark at least one deterministic printout with {MARK}"
    assert all(checked), f"{path.name}: a {MARK} cell printed nothing"
    golden = GOLDEN / f"{path.stem}.json"
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(json.dumps(checked, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    assert golden.exists(), (f"no golden file {golden.relative_to(ROOT)}: record it with "
                             "`pytest tests/test_notebooks.py --update-golden`")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert len(expected) == len(checked), (
        f"{path.name} has {len(checked)} {MARK} cells but the golden file has {len(expected)}: "
        "re-record with --update-golden if the change was intended")
    for i, (e, a) in enumerate(zip(expected, checked)):
        problem = same_printout(e, a)
        assert problem is None, (f"{path.name}: checked cell #{i} differs from {golden.name} ({problem}):\n"
                                 f"{a}\n--- golden:\n{e}")


@pytest.mark.slow
def test_guard_stops_downloads_and_records_warnings(tmp_path):
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import warnings\nwarnings.warn('careful')\n# NBVAL_CHECK_OUTPUT\nprint(1)")])
    path = tmp_path / "01_warns.ipynb"
    nbformat.write(nb, path)
    run = execute(path)
    assert run["checked"] == ["1\n"] and any("careful" in w for w in run["warnings"])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import urllib.request\nurllib.request.urlopen('http://example.com', timeout=5)")])
    nbformat.write(nb, path)
    with pytest.raises(CellExecutionError, match="offline test"):
        execute(path)
