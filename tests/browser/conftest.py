"""Session fixtures for the browser tests: one JupyterLab server, one chromium and one page
holding JupyterLab per pytest-xdist worker (`make test-browser` runs two, each with its own free
port and temporary root); the notebooks open in that page as tabs, one after the other.

Without ``/usr/bin/chromium`` or Python playwright these tests are skipped with the reason,
unless ``NNBASICS_REQUIRE_BROWSER=1`` (set by ``.ci/run``): then they fail, so CI can never
pass by silently skipping the browser.
"""

from __future__ import annotations

import os

import pytest
from lab import LabPage, LabServer, launch_chromium, require_browser


@pytest.fixture(scope="session")
def browser_timeout() -> float:
    """Seconds per notebook for kernel start + Run All (NNBASICS_BROWSER_TIMEOUT, default 180)."""
    return float(os.environ.get("NNBASICS_BROWSER_TIMEOUT", "180"))


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    require_browser()
    with LabServer(tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = launch_chromium(pw, tmp_path_factory.mktemp("chromium-profile"))
        context.set_default_timeout(60_000)
        yield context
        context.close()


@pytest.fixture(scope="session")
def lab_page(chromium, lab_server):
    page = LabPage(chromium, lab_server)
    yield page
    page.close()
