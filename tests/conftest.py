"""Options and hypothesis profiles for the whole suite."""

import os
import tempfile

from hypothesis import settings

# Quizzes and grading record a learner's progress; tests must never write into the course folder.
os.environ.setdefault("NNBASICS_PROGRESS_FILE",
                      os.path.join(tempfile.mkdtemp(prefix="nnbasics-test-progress-"), "progress.json"))

# CI and make test: derandomized, so a run never fails on a lucky draw that the next run misses.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("NNBASICS_TEST_PROFILE", "dev"))


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="record the notebooks' checked printouts in tests/golden/ instead of comparing")
