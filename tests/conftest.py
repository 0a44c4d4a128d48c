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


#: Scheduling weight of a ``slow`` test without ``expected_s`` (seconds; plain tests weigh 0).
SLOW_DEFAULT_S = 5.0


def expected_seconds(item) -> float:
    """A test's scheduling weight: ``@pytest.mark.slow(expected_s=...)``, 5 for plain ``slow``, else 0."""
    mark = item.get_closest_marker("slow")
    return 0.0 if mark is None else float(mark.kwargs.get("expected_s", SLOW_DEFAULT_S))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Order the tests heaviest first, then check that ``--dist loadgroup`` really groups.

    Heaviest first (a stable sort on :func:`expected_seconds`): pytest-xdist hands out tests in
    collection order, one at a time as workers free up, so a 50 s test that comes last leaves
    one core idle while the other finishes it; heaviest first lets the many short tests fill the
    gaps at the end. Tests of equal weight keep their order.

    Under ``--dist loadgroup`` every ``xdist_group`` test must carry its group in its node id.
    pytest-xdist groups by rewriting node ids; when a pytest release changes how node ids are
    stored (9.2 did), the grouping silently stops and each worker rebuilds the same expensive
    session fixtures (the hostile class: 2 x 100 s). Fail loudly instead.
    """
    items.sort(key=lambda item: -expected_seconds(item))
    if not getattr(config.option, "loadgroup", False):
        return
    lost = [item.nodeid for item in items
            if item.get_closest_marker("xdist_group") and "@" not in item.nodeid.rsplit("]", 1)[-1]]
    if lost:
        raise pytest.UsageError(
            f"--dist loadgroup is not grouping with this pytest/pytest-xdist pair ({len(lost)} tests, e.g. "
            f"{lost[0]}): pin the versions in constraints.txt that do")
