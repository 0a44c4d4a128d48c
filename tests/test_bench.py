"""The benchmark script's pieces (the figures themselves are a report, not a test)."""

import nbformat
import numpy as np
import pytest

from nnbasics.course import bench


def test_bench_notebook_reports_time_memory_and_errors(tmp_path):
    good = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = sum(range(10))\nassert x == 45")])
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("raise ValueError('boom')")])
    nbformat.write(good, tmp_path / "01_good.ipynb")
    nbformat.write(bad, tmp_path / "02_bad.ipynb")
    r = bench.bench_notebook(tmp_path / "01_good.ipynb")
    assert r["ok"] and r["seconds"] > 0 and r["peak_rss_mb"] > 10
    r = bench.bench_notebook(tmp_path / "02_bad.ipynb")
    assert not r["ok"] and "boom" in r["error"]


def _report(nb_seconds=5.0, median=50.0):
    return {"machine": {"date": "2026-01-01", "cpu": "cpu", "cores": 2, "memory_gb": 8, "python": "3.11",
                        "numpy": "2", "torch": "2.13"},
            "targets": bench.TARGETS,
            "notebooks": [{"notebook": "01_x", "seconds": nb_seconds, "peak_rss_mb": 300.0, "ok": True,
                           "error": ""}],
            "course_seconds": nb_seconds,
            "widgets": [{"widget": "01/a", "build_ms": 10, "updates": 3, "median_ms": median, "worst_ms": 90.0,
                         "cpu_median_ms": 10.0, "cpu_worst_ms": 20.0, "compute_median_ms": 1.5,
                         "full_redraws": 0}],
            "mlp": {"batch": 128, "hidden": 64, "dtype": "float64", "numpy_ms": 2.0, "torch_ms": 1.0,
                    "numpy_over_torch": 2.0},
            "import": {"import_nnbasics_ms": 5.0, "import_torch_ms": 900.0}}


def test_markdown_marks_targets():
    md = bench.to_markdown(_report(median=20.0))
    assert "| 01_x | 5.0 | 300.0 | ✅ |" in md and "| 01/a | 3 | 20.0 | 90.0 | 10.0 | 20.0 | 1.5 | 0 | ✅ |" in md
    assert "(1 of 1 widgets there)" in md
    md = bench.to_markdown(_report(nb_seconds=45.0, median=60.0))
    assert "| 01_x | 45.0 | 300.0 | ❌ |" in md and "| 01/a | 3 | 60.0 | 90.0 | 10.0 | 20.0 | 1.5 | 0 | ❌ |" in md
    assert "(0 of 1 widgets there)" in md and "key presses" not in md  # no browser figures: no table


def test_markdown_states_the_load_it_was_measured_under():
    assert "load average" not in bench.to_markdown(_report())
    md = bench.to_markdown({**_report(), "load_before": 3.5, "load_after": 4.25})
    assert "load average (1 min) 3.5 at the start and 4.25 after the widgets" in md


def test_browser_round_trips_are_folded_into_the_report(tmp_path):
    assert bench.bench_browser(tmp_path / "missing.json") is None
    path = tmp_path / "browser.json"
    path.write_text('{"notebooks": {"01_x": {"samples_ms": [40, 60, 250], "median_ms": 60, '
                    '"worst_ms": 250, "measured": "2026-01-01 10:00:00"}, '
                    '"02_y": {"samples_ms": [150, 170], "median_ms": 160, "worst_ms": 170}}}')
    browser = bench.bench_browser(path)
    assert browser["median_ms"] == 150 and list(browser["notebooks"]) == ["01_x", "02_y"]
    md = bench.to_markdown({**_report(), "browser": browser})
    assert "| 01_x | 3 | 60 | 250 | 2026-01-01 10:00:00 | ✅ |" in md
    assert "| 02_y | 2 | 160 | 170 |  | ❌ |" in md and "median over all presses 150 ms" in md


def test_update_readme_between_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{bench.README_START}\nold\n{bench.README_END}\nrest\n")
    bench.update_readme(readme, "new figures\n")
    assert readme.read_text() == f"intro\n{bench.README_START}\nnew figures\n{bench.README_END}\nrest\n"
    readme.write_text("no markers")
    with pytest.raises(ValueError, match="markers"):
        bench.update_readme(readme, "x")


def test_control_values_cover_the_range():
    import ipywidgets as w

    assert bench._control_values(w.IntSlider(value=3, min=1, max=9)) == [1, 3, 5, 7, 9]
    assert bench._control_values(w.Dropdown(options=["a", "b"], value="a"), 4) == ["a", "b", "a", "b"]
    assert bench._control_values(w.Checkbox(value=True), 2) == [False, True]
    log = bench._control_values(w.FloatLogSlider(value=1.0, base=10, min=-2, max=2), 3)
    assert np.allclose(log, [0.01, 1.0, 100.0])  # a log slider's min/max are exponents
