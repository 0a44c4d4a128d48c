"""The checks every notebook execution makes (``tests/notebook_checks.py``), without a kernel."""

from __future__ import annotations

import json

from notebook_checks import (
    REPORT,
    golden_problems,
    output_text,
    recorded_warnings,
    same_printout,
    write_golden,
)


def test_same_printout_tolerates_last_digit_rounding_only():
    assert same_printout("loss 0.693, acc 50%", "loss 0.694, acc 50%") is None
    assert same_printout("loss 0.693", "loss 0.695") is not None
    assert same_printout("w = 1.5e-03", "w = 1.6e-03") is None
    assert same_printout("w = 1.5e-03", "w = 1.8e-03") is not None
    assert same_printout("accuracy 97%", "accuracy 97% (converged)") is not None
    assert same_printout("7 mistakes", "8 mistakes") is None  # integers: one unit too
    assert same_printout("7 mistakes", "9 mistakes") is not None


def test_output_text_reads_nbformat_and_jupyterlab_shapes():
    outputs = [{"output_type": "stream", "name": "stdout", "text": ["a\n", "b\n"]},
               {"output_type": "execute_result", "data": {"text/plain": "42", "text/html": "<b>42</b>"}},
               {"output_type": "display_data", "data": {"image/png": "..."}},
               {"output_type": "stream", "name": "stdout", "text": "c\n"}]
    assert output_text(outputs) == "a\nb\n42c\n"


def test_recorded_warnings_are_read_from_the_report_or_missing_report_is_one():
    assert recorded_warnings(REPORT + json.dumps(["UserWarning: x (f.py:1)"]) + "\n") == ["UserWarning: x (f.py:1)"]
    assert recorded_warnings(REPORT + "[]\n") == []
    missing = recorded_warnings("NameError: _NNBASICS_WARNINGS")
    assert len(missing) == 1 and "no warning report" in missing[0]


def test_golden_problems_name_each_difference(tmp_path):
    write_golden("01_x", ["loss 0.693\n", "7 mistakes\n"], tmp_path)
    assert golden_problems("01_x", ["loss 0.694\n", "8 mistakes\n"], tmp_path) == []
    problems = golden_problems("01_x", ["loss 0.700\n", "7 mistakes\n"], tmp_path)
    assert len(problems) == 1 and "#0" in problems[0] and "0.693 became 0.700" in problems[0]
    assert "has 1" in golden_problems("01_x", ["loss 0.693\n"], tmp_path)[0]
    assert "printed nothing" in golden_problems("01_x", ["", "7 mistakes\n"], tmp_path)[0]
    assert "mark at least one" in golden_problems("01_x", [], tmp_path)[0]
    assert "no golden file" in golden_problems("02_y", ["1\n"], tmp_path)[0]
