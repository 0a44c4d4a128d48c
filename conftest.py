"""Shared test configuration: the grading plugin gives every test the ``--impl`` option and
the ``impl`` fixture (see nnbasics/grading_plugin.py)."""

pytest_plugins = ["nnbasics.course.grading_plugin"]
