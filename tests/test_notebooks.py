"""Every notebook executed headless by nbclient: no error, no warning, no network, and the same
self-check values as the committed golden files (the checks: ``tests/notebook_checks.py``).

``make test`` executes each notebook once: in the browser stage (``tests/browser``), which makes
these same checks, where chromium is available; here otherwise (``make test-notebooks`` runs this
stage on its own). After an intended change: ``pytest tests/test_notebooks.py --update-golden``.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from notebook_checks import (
    GUARD,
    MARK,
    REPORT_CODE,
    golden_problems,
    output_text,
    recorded_warnings,
    write_golden,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CELL_TIMEOUT_S = 120

pytestmark = pytest.mark.notebook


def execute(path: Path) -> dict:
    """Run the notebook once; return checked printouts, recorded warnings, stderr text, seconds."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(GUARD))
    nb.cells.append(nbformat.v4.new_code_cell(REPORT_CODE))
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - t0
    checked = [output_text(c.outputs) for c in nb.cells if c.cell_type == "code" and MARK in c.source]
    warnings = recorded_warnings(output_text(nb.cells[-1].outputs))
    stderr = "".join(o.text for c in nb.cells[1:-1] if c.cell_type == "code"
                     for o in c.outputs if o.output_type == "stream" and o.name == "stderr")
    return {"checked": checked, "warnings": warnings, "stderr": stderr, "seconds": seconds}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_offline_without_warnings_and_matches_golden(path, request):
    run = execute(path)
    print(f"{path.name}: {run['seconds']:.1f} s")
    assert not run["warnings"], (f"{path.name} raised warnings (fix the cause; never silence them):\n- "
                                 + "\n- ".join(run["warnings"]))
    assert "Warning" not in run["stderr"], f"{path.name} printed a warning on stderr:\n{run['stderr']}"
    if request.config.getoption("--update-golden"):
        assert run["checked"] and all(run["checked"]), f"{path.name}: every {MARK} cell must print something"
        write_golden(path.stem, run["checked"])
        return
    problems = golden_problems(path.stem, run["checked"])
    assert not problems, "\n".join(problems)


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
