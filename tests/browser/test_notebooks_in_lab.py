"""Every course notebook in a real JupyterLab + chromium: Run All, no error, no warning, no
network, the ``# NBVAL_CHECK_OUTPUT`` printouts equal to ``tests/golden/`` (the checks of
``tests/notebook_checks.py``: this is the one execution of each notebook in ``make test``), every
Explorer renders, and moving a slider with the keyboard changes the Explorer's image. The time
from each key press to the new image in the page goes to ``_build/browser_latency.json`` (see bench).

Parametrized by ``notebooks/NN_*.ipynb`` at collection time, so new notebooks are covered
without editing this file. Screenshots for humans: ``_build/screenshots/NN_name.png``, of a
failing notebook (of every notebook with ``NNBASICS_SCREENSHOTS=1``).
"""

from __future__ import annotations

import pytest
from lab import SCREENSHOTS, notebook_paths, record_latency, run_notebook
from notebook_checks import golden_problems

pytestmark = pytest.mark.browser

NOTEBOOKS = notebook_paths()


def test_there_are_notebooks_to_check():
    assert NOTEBOOKS, "no notebooks/NN_*.ipynb found: the browser tests would check nothing"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_works_in_jupyterlab(notebook, lab_page, browser_timeout):
    run = run_notebook(lab_page, notebook.name, timeout=browser_timeout,
                       screenshot=SCREENSHOTS / f"{notebook.stem}.png")
    print(run.summary())
    for w in run.warnings:
        print("warning:", w)
    assert not run.problems, (
        f"{notebook.name} does not work in JupyterLab (screenshot: {run.screenshot}):\n- "
        + "\n- ".join(run.problems))
    assert run.executed_cells == run.code_cells > 0
    problems = golden_problems(notebook.stem, run.checked)
    assert not problems, "\n".join(problems)
    assert run.explorers_rendered == run.explorers_expected
    if run.latencies_ms:
        record_latency(run)
    if notebook.name.startswith("00_"):
        return  # the start page links and shows progress; it has no slider (test_journey covers it)
    assert run.sliders_moved >= 1, (
        f"{notebook.name} displays no Explorer with a slider: every notebook should let the "
        "learner move something")
