"""Options and hypothesis profiles for the whole suite."""

import os
import tempfile

import pytest
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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under ``--dist loadgroup`` every ``xdist_group`` test must carry its group in its node id.

    pytest-xdist groups by rewriting node ids; when a pytest release changes how node ids are
    stored (9.2 did), the grouping silently stops and each worker rebuilds the same expensive
    session fixtures (the hostile class: 2 x 100 s). Fail loudly instead.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    lost = [item.nodeid for item in items
            if item.get_closest_marker("xdist_group") and "@" not in item.nodeid.rsplit("]", 1)[-1]]
    if lost:
        raise pytest.UsageError(
            f"--dist loadgroup is not grouping with this pytest/pytest-xdist pair ({len(lost)} tests, e.g. "
            f"{lost[0]}): pin the versions in constraints.txt that do")
