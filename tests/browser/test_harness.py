"""The browser harness must catch breakage, not just pass.

The ``browser`` tests below write deliberately broken notebooks into the running server's
temporary root and check that :func:`lab.run_notebook` reports each breakage; a small
healthy notebook is the control. The unmarked tests check the harness's pure parts
(they run with the unit tests, without a browser).
"""

from __future__ import annotations

import json

import lab
import nbformat
import pytest
from lab import run_notebook

# --- pure parts (no browser) ------------------------------------------------------------------


def test_copy_skips_paired_py_files_and_checkpoints(tmp_path):
    src = tmp_path / "src"
    (src / ".ipynb_checkpoints").mkdir(parents=True)
    (src / "01_a.ipynb").write_text("{}")
    (src / "01_a.py").write_text("# paired")
    (src / "02_b.py").write_text("# a notebook source whose .ipynb is not built yet")
    (src / "helper.py").write_text("# not paired: copied")
    (src / "img").mkdir()
    (src / "img" / "fig.png").write_bytes(b"png")
    (src / ".ipynb_checkpoints" / "01_a-checkpoint.ipynb").write_text("{}")
    lab.copy_notebooks(src, tmp_path / "dst")
    got = sorted(p.relative_to(tmp_path / "dst").as_posix() for p in (tmp_path / "dst").rglob("*")
                 if p.is_file())
    assert got == ["01_a.ipynb", "helper.py", "img/fig.png"]


def test_notebook_glob_covers_every_course_notebook():
    names = [p.name for p in lab.notebook_paths()]
    assert "01_perceptron.ipynb" in names
    assert all(n[:2].isdigit() and n[2] == "_" for n in names)
    assert names == sorted(names)


def test_missing_chromium_is_a_reason(monkeypatch, tmp_path):
    monkeypatch.setattr(lab, "CHROMIUM", tmp_path / "no-chromium")
    reason = lab.browser_unavailable_reason()
    assert reason and "no-chromium" in reason and "playwright install" in reason


@pytest.mark.parametrize("value, required", [("1", True), ("", False), ("0", False), (" 1 ", True)])
def test_require_env_var(monkeypatch, value, required):
    monkeypatch.setenv(lab.REQUIRE_ENV, value)
    assert lab.browser_required() is required


def test_missing_browser_skips_or_fails_by_env_var(monkeypatch, tmp_path):
    monkeypatch.setattr(lab, "browser_unavailable_reason", lambda: "no chromium here")
    monkeypatch.delenv(lab.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium here"):
        lab.require_browser()
    monkeypatch.setenv(lab.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="NNBASICS_REQUIRE_BROWSER=1"):
        lab.require_browser()


def test_traceback_and_raw_repr_patterns():
    assert lab.TRACEBACK.search("Traceback (most recent call last):\n  ...")
    assert lab.TRACEBACK.search("ValueError: bad")
    assert not lab.TRACEBACK.search("UserWarning: careful")
    assert lab.RAW_REPR.search("VBox(children=(HTML(value='<b>x</b>'),))")
    assert not lab.RAW_REPR.search("accuracy 0.75")


# --- the harness against real broken notebooks (browser) --------------------------------------

_GOOD = [
    "from nnbasics.viz.nb01_perceptron import boundary_explorer\nboundary_explorer()",
    # the doctor, run by a kernel that a real JupyterLab started, finds that server's environment
    "import sys\nfrom nnbasics.course import doctor\nenv = doctor.server_environment()\n"
    "print(env.source, '|', env.prefix == __import__('pathlib').Path(sys.prefix))\n"
    "print(doctor.widget_extension_check(env).level)",
    "# NBVAL_CHECK_OUTPUT\nprint(f'{2 / 3:.3f}')",  # a checked printout, compared with tests/golden/
]

_BROKEN = [
    # 1. a widget view whose model the kernel never created ("model not found")
    "from IPython.display import display\n"
    "display({'application/vnd.jupyter.widget-view+json': "
    "{'model_id': '0123456789abcdef0123456789abcdef', 'version_major': 2, 'version_minor': 0},"
    " 'text/plain': 'a widget'}, raw=True)",
    # 2. a widget model from a front-end module that does not exist (the usual version mismatch)
    "import ipywidgets as w\nfrom traitlets import Unicode\n"
    "class Broken(w.DOMWidget):\n"
    "    _model_name = Unicode('BrokenModel').tag(sync=True)\n"
    "    _view_name = Unicode('BrokenView').tag(sync=True)\n"
    "    _model_module = Unicode('nnbasics-no-such-module').tag(sync=True)\n"
    "    _model_module_version = Unicode('9.9.9').tag(sync=True)\n"
    "    _view_module = Unicode('nnbasics-no-such-module').tag(sync=True)\n"
    "    _view_module_version = Unicode('9.9.9').tag(sync=True)\n"
    "Broken()",
    # 3. what a missing widget extension looks like: the kernel's text repr
    "display({'text/plain': \"VBox(children=(FloatSlider(value=1.0, description='w1'),))\"}, raw=True)",
    # 4. an Explorer whose every change fails inside compute (its picture becomes the error)
    "from nnbasics.viz.explorer import Explorer\n"
    "stuck = Explorer({'a': w.FloatSlider(value=0.0, min=0.0, max=1.0, step=0.1)},\n"
    "                 lambda a: {'a': a} if a == 0 else float('not a number'),\n"
    "                 lambda fig, d: fig.add_subplot().plot([0, 1], [0, d['a']]))\n"
    "stuck",
    # 5. a warning (the kernel's guard records it: tests/notebook_checks.py)
    "import warnings\nwarnings.warn('deliberately careless cell')",
    # 6. a download (the guard refuses it: the cell raises, and Run All stops here)
    "import urllib.request\nurllib.request.urlopen('http://example.com', timeout=5)",
    "print('never runs')",
]


def _write_notebook(root, name, sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    (root / name).write_text(json.dumps(nb), encoding="utf-8")
    return name


@pytest.mark.browser
def test_harness_passes_a_healthy_explorer(lab_server, lab_page, browser_timeout):
    name = _write_notebook(lab_server.root, "harness_good.ipynb", _GOOD)
    run = run_notebook(lab_page, name, timeout=browser_timeout)
    assert not run.problems, run.problems
    assert (run.explorers_expected, run.explorers_rendered, run.sliders_moved) == (1, 1, 1)
    assert "kernel parent process | True\nok" in "\n".join(run.texts), run.texts
    assert run.checked == ["0.667\n"] and run.kernel_warnings == []


@pytest.mark.browser
def test_harness_reports_every_breakage(lab_server, lab_page, browser_timeout):
    name = _write_notebook(lab_server.root, "harness_broken.ipynb", _BROKEN)
    run = run_notebook(lab_page, name, timeout=browser_timeout, slider_timeout=6.0)
    text = "\n".join(run.problems)
    print(text)
    assert "cell 1" in text and "cell 2" in text and "widget did not render" in text, text
    assert "Error displaying widget" in text, text
    assert "cell 3" in text and "text repr instead of the widget" in text, text
    assert "shows an error instead of a picture" in text and "not a number" in text, text
    assert "a cell raised a warning: UserWarning: deliberately careless cell" in text, text
    assert "cell 6" in text and "offline test: the notebook tried to look up" in text, text
    assert run.explorers_rendered == run.explorers_expected == 1
    assert run.sliders_moved == 0
