"""Drive a real JupyterLab in Debian's chromium: the harness behind the browser tests.

One :class:`LabServer` (temporary root holding a copy of the notebooks, random token,
free port, temporary settings/config/runtime dirs) and one chromium are shared by the
whole test session. :func:`run_notebook` opens one notebook as a learner would, runs it
from the *Run* menu, waits for every cell, inspects what the page shows and moves a
slider of every Explorer with the keyboard. It returns a :class:`NotebookRun` whose
``problems`` list is empty when the notebook works in the browser; tests assert on it,
and ``tests/browser/test_harness.py`` proves that deliberately broken notebooks yield
problems.

Nothing here runs ``playwright install``: the browser is the system's chromium.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from notebook_checks import GUARD, MARK, REPORT_CODE, output_text, recorded_warnings

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SCREENSHOTS = ROOT / "_build" / "screenshots"
#: Per notebook: slider key press -> new image in the page (ms); ``python -m nnbasics bench`` reads it.
LATENCY_JSON = ROOT / "_build" / "browser_latency.json"
CHROMIUM = Path(os.environ.get("NNBASICS_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_ENV = "NNBASICS_REQUIRE_BROWSER"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--disable-dev-shm-usage",
]
# Off-screen cells stay rendered, and JupyterLab never asks to fetch news from the internet.
LAB_OVERRIDES = {
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
# Text that means a widget did not render: the front end failed, never finished, or the
# widget extension is missing and the kernel's plain-text repr was shown instead.
WIDGET_FAILURE_TEXT = ("Error displaying widget", "Loading widget...", "Click to show javascript error")
RAW_REPR = re.compile(r"\b(VBox|HBox|Box|FloatSlider|IntSlider|Dropdown|Image|Output|"
                      r"ToggleButtons|Checkbox|Button|HTML|Tab|Accordion)\((children|value|layout|"
                      r"description|options|style)=")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception)\b", re.M)


def notebook_paths() -> list[Path]:
    """Every course notebook ``notebooks/NN_*.ipynb`` present now, in order."""
    return sorted(NOTEBOOKS.glob(NOTEBOOK_GLOB))


def browser_unavailable_reason() -> str | None:
    """Why the browser tests cannot run here, or None when chromium and playwright are present."""
    if not CHROMIUM.is_file():
        return (f"{CHROMIUM} not found (install Debian's chromium: apt-get install chromium; "
                f"never `playwright install`)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as err:
        return f"python playwright is not installed ({err}); pip install -c constraints.txt -e '.[dev]'"
    return None


def browser_required() -> bool:
    """True when ``NNBASICS_REQUIRE_BROWSER=1``: a missing browser is then a failure, not a skip."""
    return os.environ.get(REQUIRE_ENV, "").strip() == "1"


def require_browser() -> None:
    """Skip the calling test when the browser cannot run here; fail instead under
    ``NNBASICS_REQUIRE_BROWSER=1`` (CI), so a run can never pass by skipping silently."""
    import pytest

    reason = browser_unavailable_reason()
    if reason is None:
        return
    if browser_required():
        pytest.fail(f"{REQUIRE_ENV}=1 but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (set {REQUIRE_ENV}=1 to make this a failure)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_notebooks(src: Path, dst: Path) -> list[Path]:
    """Copy ``src`` to ``dst`` without jupytext's paired ``.py`` files (and checkpoints).

    JupyterLab autosaves and jupytext rewrites the paired ``.py`` when a notebook is saved;
    working on a copy without the ``.py`` keeps the tracked files untouched and makes
    the browser run exactly the committed ``.ipynb``.
    """
    dst.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if any(part in (".ipynb_checkpoints", "__pycache__") for part in rel.parts):
            continue
        if path.suffix == ".py" and (path.with_suffix(".ipynb").exists()
                                     or re.match(r"\d\d_", path.name)):
            continue  # a jupytext notebook source (paired, or its .ipynb not built yet)
        target = dst / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            copied.append(target)
    return copied


def start_url() -> str:
    """The page ``make lab`` opens (its ``--LabApp.default_url``), read from the Makefile."""
    m = re.search(r"--LabApp\.default_url='([^']+)'", (ROOT / "Makefile").read_text(encoding="utf-8"))
    if m is None:
        raise RuntimeError("the Makefile's lab target sets no --LabApp.default_url='...'")
    return m.group(1)


class LabServer:
    """A JupyterLab server on a temporary copy of ``notebooks/``; use as a context manager.

    With ``course=True`` the root holds a learner's course folder instead: ``notebooks/`` and
    ``exercises/`` (fresh stubs), the server's front page is the one ``make lab`` opens
    (:func:`start_url`), and the kernels grade that ``exercises/`` and record progress in
    ``workdir/progress.json`` — the learner's journey, never touching tracked files.
    """

    def __init__(self, workdir: Path, *, notebooks: Path = NOTEBOOKS, startup_timeout: float = 120.0,
                 course: bool = False):
        self.workdir = Path(workdir)
        self.course = course
        self.root = self.workdir / "root"
        self.exercises = self.root / "exercises"
        self.progress_file = self.workdir / "progress.json"
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._notebooks = notebooks
        self._timeout = startup_timeout
        self.proc: subprocess.Popen | None = None
        self.log_path = self.workdir / "jupyterlab.log"
        self.startup_s = 0.0

    def __enter__(self) -> LabServer:
        if self.course:
            copy_notebooks(self._notebooks, self.root / "notebooks")
            shutil.copytree(ROOT / "exercises", self.exercises,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            copy_notebooks(self._notebooks, self.root)
        settings = self.workdir / "app-settings"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "overrides.json").write_text(json.dumps(LAB_OVERRIDES), encoding="utf-8")
        env = dict(os.environ)
        for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                         ("IPYTHONDIR", "ipython")):
            (self.workdir / sub).mkdir(exist_ok=True)
            env[var] = str(self.workdir / sub)
        # Every kernel runs the offline + warning-recording guard before the notebook's first cell.
        startup = self.workdir / "ipython" / "profile_default" / "startup"
        startup.mkdir(parents=True, exist_ok=True)
        (startup / "00_nnbasics_test_guard.py").write_text(GUARD, encoding="utf-8")
        env["JUPYTERLAB_SETTINGS_DIR"] = str(self.workdir / "user-settings")
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(self.workdir / "workspaces")
        env.setdefault("MPLBACKEND", "Agg")
        if self.course:
            env["NNBASICS_EXERCISES_DIR"] = str(self.exercises)
            env["NNBASICS_PROGRESS_FILE"] = str(self.progress_file)
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            f"--port={self.port}", "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            f"--LabApp.app_settings_dir={settings}",
            f"--LabApp.user_settings_dir={self.workdir / 'user-settings'}",
            f"--LabApp.workspaces_dir={self.workdir / 'workspaces'}",
            "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=",
            "--ServerApp.disable_check_xsrf=False",
        ]
        if self.course:
            cmd.append(f"--LabApp.default_url={start_url()}")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in __exit__)
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self._timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.__exit__(None, None, None)
                    raise RuntimeError(f"JupyterLab did not answer within {self._timeout:.0f} s:\n"
                                       f"{self.log()}") from None
                time.sleep(0.25)
        self.startup_s = time.perf_counter() - t0
        return self

    def delete_session(self, session_id: str) -> None:
        """Shut down a notebook session and its kernel (quietly: the server may be stopping)."""
        req = urllib.request.Request(f"{self.url}/api/sessions/{session_id}?token={self.token}",
                                     method="DELETE")
        try:
            with urllib.request.urlopen(req, timeout=30):
                pass
        except OSError:
            pass

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"

    def log(self, tail: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-tail:]
        except OSError:
            return ""

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # the server shuts its kernels down on SIGTERM
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()


def launch_chromium(playwright, user_data_dir: Path):
    """A persistent-context chromium (fresh profile in ``user_data_dir``), no downloads."""
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900}, device_scale_factor=1,
    )


@dataclass
class NotebookRun:
    """What the browser showed for one notebook; ``problems`` empty means it works."""

    name: str
    problems: list[str] = field(default_factory=list)
    code_cells: int = 0
    executed_cells: int = 0
    explorers_expected: int = 0
    explorers_rendered: int = 0
    sliders_moved: int = 0
    latencies_ms: list[float] = field(default_factory=list)  # key press -> new image decoded
    widget_views: int = 0
    warnings: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # every output's visible text, in order
    checked: list[str] = field(default_factory=list)  # what each # NBVAL_CHECK_OUTPUT cell printed
    kernel_warnings: list[str] = field(default_factory=list)  # recorded by the guard (notebook_checks)
    open_s: float = 0.0  # page load until the kernel is idle
    run_s: float = 0.0  # Run All until every cell finished
    check_s: float = 0.0  # output checks and slider moves
    total_s: float = 0.0
    screenshot: Path | None = None

    def summary(self) -> str:
        lat = (f"; slider -> image median {statistics.median(self.latencies_ms):.0f} ms "
               f"(worst {max(self.latencies_ms):.0f}, {len(self.latencies_ms)} presses)"
               if self.latencies_ms else "")
        return (f"{self.name}: {self.executed_cells}/{self.code_cells} cells, "
                f"{self.explorers_rendered}/{self.explorers_expected} explorers, "
                f"{self.sliders_moved} sliders moved; open {self.open_s:.1f} s, run {self.run_s:.1f} s, "
                f"checks {self.check_s:.1f} s, total {self.total_s:.1f} s{lat}")


# --- JavaScript run in the page (window.jupyterapp is exposed by the server flag) -------------

# The notebook ``path`` is the tab on screen, with its content and session (null until then).
_JS_PANEL = """
(path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  const w = app.shell.currentWidget;
  return (w && w.content && w.sessionContext && (!path || (w.context && w.context.path === path)))
    ? true : null;
}
"""

# Activate the tab showing ``path``; false when no tab shows it.
_JS_ACTIVATE = """(path) => {
  const app = window.jupyterapp;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path) { app.shell.activateById(w.id); return true; }
  }
  return false; }"""

# Open notebook ``path`` as a new tab.
_JS_OPEN = "async (path) => { await window.jupyterapp.commands.execute('docmanager:open', {path, factory: 'Notebook'}); }"

# Close the tab on screen, discarding unsaved changes (no dialog).
_JS_CLOSE = """
() => {
  const w = window.jupyterapp.shell.currentWidget;
  if (w && w.context) { w.context.model.dirty = false; w.dispose(); }
}
"""

_JS_KERNEL_STATUS = """
() => {
  const app = window.jupyterapp; if (!app) return 'no-app';
  const w = app.shell.currentWidget;
  if (!w || !w.sessionContext) return 'no-notebook';
  const sc = w.sessionContext;
  if (!sc.isReady || !sc.session || !sc.session.kernel) return 'starting';
  return sc.session.kernel.status;
}
"""

_JS_PROGRESS = """
() => {
  const w = window.jupyterapp.shell.currentWidget;
  const out = {code: 0, executed: 0, running: 0, errors: 0, kernel: 'unknown'};
  const sc = w.sessionContext;
  out.kernel = (sc.session && sc.session.kernel) ? sc.session.kernel.status : 'none';
  for (const cell of w.content.widgets) {
    if (cell.model.type !== 'code') continue;
    if (!cell.model.sharedModel.getSource().trim()) continue;
    out.code += 1;
    const prompt = cell.node.querySelector('.jp-InputArea-prompt');
    const text = prompt ? prompt.textContent : '';
    if (text.includes('*')) out.running += 1;
    else if (cell.model.executionCount !== null) out.executed += 1;
    for (const o of cell.model.outputs.toJSON()) if (o.output_type === 'error') out.errors += 1;
  }
  return out;
}
"""

_JS_OUTPUTS = """
(mark) => {
  const w = window.jupyterapp.shell.currentWidget;
  const cells = [];
  w.content.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    const outputs = cell.model.outputs.toJSON();
    const checked = cell.model.sharedModel.getSource().includes(mark);
    const dom = [];
    for (const node of cell.node.querySelectorAll('.jp-OutputArea-output')) {
      dom.push({mime: node.getAttribute('data-mime-type') || '', text: node.innerText || '',
                errorWidget: node.querySelector('.jupyter-widgets-error-widget') !== null});
    }
    cells.push({index, source: cell.model.sharedModel.getSource().slice(0, 120), outputs, dom, checked});
  });
  return cells;
}
"""

# Runs ``code`` in the notebook's kernel (not in a cell) and returns what it printed.
_JS_KERNEL_EXEC = """
async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let text = '';
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') text += msg.content.text;
    if (msg.header.msg_type === 'error') text += 'ERROR ' + msg.content.ename + ': ' + msg.content.evalue;
  };
  await future.done;
  return text;
}
"""

# Kernel side: which widget models are Explorers (their VBox carries the CSS class)?
_PY_EXPLORER_IDS = (
    "import json as _j, ipywidgets as _w\n"
    "_inst = getattr(_w.widgets.widget, '_instances', None) or _w.Widget.widgets\n"
    "print(_j.dumps(sorted(k for k, v in list(_inst.items())"
    " if 'nnbasics-explorer' in getattr(v, '_dom_classes', ()))))\n"
    "del _j, _w, _inst\n"
)

_JS_IMAGE_STATE = """
(el) => {
  const img = el.querySelector('img');
  if (!img) return null;
  const tick = el.querySelector('.nnbasics-explorer-tick');
  return {src: img.currentSrc || img.src || '', w: img.naturalWidth, complete: img.complete,
          tick: tick ? tick.textContent.trim() : null};
}
"""

# Records, in the page's clock, every key press on the Explorer and when each new image has
# been decoded: the round trip a learner feels (kernel update + transfer + decode).
_JS_WATCH_LATENCY = """
(el) => {
  if (el.__nnbLatency) return;
  const img = el.querySelector('img');
  const rec = {keys: [], images: []};
  el.__nnbLatency = rec;
  el.addEventListener('keydown', (e) => rec.keys.push(e.timeStamp), true);
  new MutationObserver(() => {
    const src = img.src;
    img.decode().then(() => rec.images.push({src, t: performance.now()}),
                      () => rec.images.push({src, t: performance.now(), failed: true}));
  }).observe(img, {attributes: true, attributeFilter: ['src']});
}
"""

_JS_LATENCY_RECORD = "(el) => el.__nnbLatency"

_JS_EXPLORER_STATE = """
(el) => ({
  sliders: el.querySelectorAll('.noUi-handle').length,
  images: el.querySelectorAll('img').length,
  error: (Array.from(el.querySelectorAll('.widget-html-content')).map(n => n.innerText)
          .find(t => t.includes('\u26a0')) || ''),
})
"""


def _wait(predicate, timeout: float, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(interval)


def _click_menu(page, menu: str, item: str, timeout_ms: float) -> None:
    """Open a top menu and click one of its items, as a learner would."""
    page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).first.click(
        timeout=timeout_ms)
    page.locator(".lm-Menu .lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).first.click(
        timeout=timeout_ms)


class LabPage:
    """One chromium page holding one JupyterLab for a whole test session: the first notebook
    loads JupyterLab, the next ones open as a tab in it (loading JupyterLab costs chromium
    6-7 s of CPU per page, opening a tab in it well under one), one tab at a time.

    A notebook whose run showed a problem may leave the page in any state (a dialog, a dead
    kernel), so its page is closed and the next notebook gets a fresh one.
    """

    def __init__(self, context, server: LabServer):
        self.context, self.server = context, server
        self.page = None
        self.console_errors: list[str] = []  # the page's console errors, since it was opened

    def get(self):
        """The page (a new one when there is none or it was closed)."""
        if self.page is None or self.page.is_closed():
            self.page = self.context.new_page()
            self.console_errors = []
            self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
            self.page.on("pageerror", lambda e: self.console_errors.append(f"page error: {e}"))
        return self.page

    def discard(self) -> None:
        """Close the page; the next :meth:`get` starts a fresh one."""
        if self.page is not None and not self.page.is_closed():
            self.page.close()
        self.page = None

    close = discard


def run_notebook(lab_page: LabPage, name: str, *, timeout: float = 120.0,
                 slider_timeout: float = 20.0, screenshot: Path | None = None) -> NotebookRun:
    """Open ``name`` in JupyterLab, Run All, check every output and move a slider per Explorer.

    Parameters
    ----------
    lab_page : LabPage
        The session's page (its chromium and server); ``name`` is relative to the server's root.
    timeout : float
        Seconds allowed for the kernel to start plus Run All to finish.
    slider_timeout : float
        Seconds allowed for an Explorer's image to change after a key press.
    screenshot : Path, optional
        Where to save a PNG of the whole notebook when a check failed (after every run with
        ``NNBASICS_SCREENSHOTS=1``: about 2 s each).

    Returns
    -------
    NotebookRun
        ``problems`` lists every failure in words (empty when the notebook works).
    """
    t_start = time.perf_counter()
    result = NotebookRun(name=name)
    page, server = lab_page.get(), lab_page.server
    seen = len(lab_page.console_errors)
    try:
        _run_notebook(page, server, name, result, timeout, slider_timeout)
        if screenshot is not None and (result.problems or screenshots_always()):
            result.screenshot = _screenshot(page, screenshot)
    except Exception as err:  # a harness failure is reported like any other problem
        result.problems.append(f"browser harness error: {type(err).__name__}: {err}")
        if screenshot is not None:
            try:
                result.screenshot = _screenshot(page, screenshot)
            except Exception:
                pass
    finally:
        widget_console = [m for m in lab_page.console_errors[seen:] if "widget" in m.lower() or "model" in m.lower()]
        if widget_console and result.problems:
            result.problems.append("browser console: " + " | ".join(widget_console[:5]))
        session = _session_id(page)
        if result.problems:
            lab_page.discard()
        else:
            _close_tab(page)  # before the kernel goes, so the page never sees it die
        _shutdown_kernel(server, session)
        result.total_s = time.perf_counter() - t_start
    return result


def _open_notebook(page, server: LabServer, name: str, ms: float) -> None:
    """Show notebook ``name``: a page load when this page has no JupyterLab of ``server`` yet,
    otherwise a tab in it (or the notebook's tab, when it is open already)."""
    loaded = page.url.startswith(f"{server.url}/lab") and page.evaluate("() => !!window.jupyterapp")
    if loaded:
        if not page.evaluate(_JS_ACTIVATE, name):
            page.evaluate(_JS_OPEN, name)
    else:
        page.goto(server.notebook_url(name), wait_until="domcontentloaded", timeout=ms)
    page.wait_for_function(_JS_PANEL, arg=name, timeout=ms)


def _close_tab(page) -> None:
    """Close the notebook on screen without the "save changes?" dialog (its outputs are not saved)."""
    try:
        page.evaluate(_JS_CLOSE)
    except Exception:
        pass


def _run_notebook(page, server: LabServer, name: str, result: NotebookRun,
                  timeout: float, slider_timeout: float) -> None:
    ms = timeout * 1000
    t_open = time.perf_counter()
    _open_notebook(page, server, name, ms)
    tab = page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
    page.wait_for_selector(f"[id='{tab}'] .jp-Notebook .jp-Cell", timeout=ms)
    # Kernel first: Run All before "Idle" would queue cells on a kernel that is still starting.
    status = _wait(lambda: page.evaluate(_JS_KERNEL_STATUS) == "idle", timeout)
    if not status:
        result.problems.append(f"kernel never became idle (status {page.evaluate(_JS_KERNEL_STATUS)!r})")
        return
    t0 = time.perf_counter()
    result.open_s = t0 - t_open
    _click_menu(page, "Run", "Run All Cells", ms)
    _wait(lambda: page.evaluate(_JS_PROGRESS)["running"] > 0
          or page.evaluate(_JS_PROGRESS)["executed"] > 0, 10.0, 0.1)
    stable = {"n": 0}

    def finished() -> bool:
        p = page.evaluate(_JS_PROGRESS)
        done = p["kernel"] == "idle" and p["running"] == 0 and (p["executed"] == p["code"] or p["errors"])
        stable["n"] = stable["n"] + 1 if done else 0
        return stable["n"] >= 3  # idle three polls in a row: the queue really drained

    if not _wait(finished, timeout, 0.3):
        p = page.evaluate(_JS_PROGRESS)
        result.problems.append(f"Run All did not finish within {timeout:.0f} s: {p}")
    result.run_s = time.perf_counter() - t0
    p = page.evaluate(_JS_PROGRESS)
    result.code_cells, result.executed_cells = p["code"], p["executed"]
    if p["executed"] < p["code"] and not p["errors"]:
        result.problems.append(f"only {p['executed']} of {p['code']} code cells ran")
    # Widgets render asynchronously after their output arrives: let "Loading widget..." settle.
    _wait(lambda: not page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.node.innerText.includes('Loading widget...')"), 30.0)
    t1 = time.perf_counter()
    cells = page.evaluate(_JS_OUTPUTS, MARK)  # every code cell's outputs, read once for both checks
    _check_outputs(cells, result)
    _check_warnings(page, result)
    _check_explorers(page, tab, cells, result, slider_timeout)
    result.check_s = time.perf_counter() - t1


def _check_outputs(cells: list[dict], result: NotebookRun) -> None:
    for cell in cells:
        if cell["checked"]:
            result.checked.append(output_text(cell["outputs"]))
        where = f"cell {cell['index'] + 1} ({cell['source'].splitlines()[0][:60] if cell['source'] else ''!r})"
        for out in cell["outputs"]:
            if out.get("output_type") == "error":
                result.problems.append(f"{where} raised {out.get('ename')}: {out.get('evalue')}")
            data = out.get("data") or {}
            if "application/vnd.jupyter.widget-view+json" in data:
                result.widget_views += 1
        for node in cell["dom"]:
            text = node["text"]
            result.texts.append(text)
            if node["mime"] == "application/vnd.jupyter.stderr":
                if TRACEBACK.search(text):
                    if not any(p.startswith(where) and "raised" in p for p in result.problems):
                        result.problems.append(f"{where} shows a traceback: {text.strip()[:300]}")
                elif "Warning" in text:
                    result.problems.append(f"{where} printed a warning on stderr: {text.strip()[:300]}")
                elif text.strip():
                    result.warnings.append(f"{where} stderr: {text.strip()[:200]}")
            if node.get("errorWidget") and not any(b in text for b in WIDGET_FAILURE_TEXT):
                result.problems.append(f"{where} widget did not render: the page shows an error widget")
            for bad in WIDGET_FAILURE_TEXT:
                if bad in text:
                    result.problems.append(f"{where} widget did not render: {text.strip()[:300]!r}")
            if RAW_REPR.search(text) and node["mime"] in ("text/plain", ""):
                result.problems.append(f"{where} shows a widget's text repr instead of the widget "
                                       f"(is the JupyterLab widget extension missing?): {text.strip()[:120]!r}")


def _check_warnings(page, result: NotebookRun) -> None:
    """Every warning any cell raised (the guard recorded it: fix its cause, never silence it)."""
    result.kernel_warnings = recorded_warnings(page.evaluate(_JS_KERNEL_EXEC, REPORT_CODE))
    for w in result.kernel_warnings:
        result.problems.append(f"a cell raised a warning: {w}")


def _check_explorers(page, tab: str, cells: list[dict], result: NotebookRun, slider_timeout: float) -> None:
    raw = page.evaluate(_JS_KERNEL_EXEC, _PY_EXPLORER_IDS).strip()
    try:
        explorer_ids = set(json.loads(raw.splitlines()[-1])) if raw else set()
    except (ValueError, IndexError):
        result.problems.append(f"could not list the kernel's Explorers: {raw[:200]!r}")
        explorer_ids = set()
    displayed = []
    for cell in cells:
        for out in cell["outputs"]:
            view = (out.get("data") or {}).get("application/vnd.jupyter.widget-view+json")
            if view and view.get("model_id") in explorer_ids:
                displayed.append(view["model_id"])
    result.explorers_expected = len(displayed)
    explorers = page.locator(f"[id='{tab}'] .jp-Notebook .nnbasics-explorer")
    result.explorers_rendered = explorers.count()
    if result.explorers_rendered != result.explorers_expected:
        result.problems.append(f"{result.explorers_expected} Explorer(s) displayed by the kernel but "
                               f"{result.explorers_rendered} rendered in the page")
    for i in range(result.explorers_rendered):
        # An element handle, looked up once: a locator finds its element again on every call,
        # a walk of the whole notebook's DOM that cost chromium ~20 ms of CPU per call (about
        # ten calls per key press), against ~2 ms for a handle.
        el = explorers.nth(i).element_handle()
        el.scroll_into_view_if_needed()
        el.wait_for_element_state("visible", timeout=slider_timeout * 1000)
        state = el.evaluate(_JS_EXPLORER_STATE)
        if state["images"] == 0:
            result.problems.append(f"Explorer {i + 1} has no image")
            continue
        if state["sliders"] == 0:
            result.warnings.append(f"Explorer {i + 1} has no slider to move")
            continue
        before = el.evaluate(_JS_IMAGE_STATE)
        if not before or not before["w"]:
            result.problems.append(f"Explorer {i + 1}'s image is empty before any change: {before}")
            continue
        el.evaluate(_JS_WATCH_LATENCY)
        _move_sliders(el, i, result, slider_timeout)
    if result.explorers_expected and not result.sliders_moved and not result.problems:
        result.problems.append("no Explorer slider could be moved")


#: Key presses per Explorer: the first moves a slider to an end (End/Home), the others step
#: it back and forth; each one's round trip is a sample of the latency figure.
LATENCY_PRESSES = 5


def _move_sliders(el, index: int, result: NotebookRun, timeout: float) -> None:
    """Press End (or Home) on the Explorer's first slider whose move changes the picture (a
    slider may rightly leave it unchanged), then step it back and forth to time the round trips."""
    handles = el.query_selector_all(".noUi-handle")
    for h, handle in enumerate(handles):
        handle.scroll_into_view_if_needed()
        handle.focus()
        # One key press away from the current value (End, or Home when already at the end):
        # going back to the first value could "change" the image for the wrong reason.
        now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
        key = "Home" if now is not None and now == top else "End"
        outcome, value = _press(el, handle, key, timeout)
        if outcome == "error":
            result.problems.append(f"Explorer {index + 1}: pressing {key} on slider {h + 1} shows an "
                                   f"error instead of a picture: {value!r}")
            return
        if outcome == "timeout":
            result.problems.append(f"Explorer {index + 1}: pressing {key} on slider {h + 1} did not "
                                   f"change its image within {timeout:.0f} s")
            return
        if outcome == "same":
            result.warnings.append(f"Explorer {index + 1}: slider {h + 1} updated the explorer, "
                                   "not its picture; trying the next slider")
            continue
        result.sliders_moved += 1
        result.latencies_ms.append(value)
        steps = ("ArrowLeft", "ArrowRight") if key == "End" else ("ArrowRight", "ArrowLeft")
        for k in range(LATENCY_PRESSES - 1):
            outcome, value = _press(el, handle, steps[k % 2], timeout)
            if outcome == "changed":
                result.latencies_ms.append(value)
            elif outcome in ("error", "timeout"):
                result.problems.append(f"Explorer {index + 1}: pressing {steps[k % 2]} on slider {h + 1}: "
                                       f"{outcome} {value or ''}".rstrip())
                return
        return
    result.problems.append(f"Explorer {index + 1}: none of its {len(handles)} sliders changed its image")


def _press(el, handle, key: str, timeout: float) -> tuple[str, object]:
    """Press ``key`` on a slider handle and wait for the Explorer's update.

    Returns ``("changed", ms from the keydown to the new image decoded)``, ``("same", None)``
    when the update kept the picture, ``("error", message)`` or ``("timeout", None)``.
    """
    before = el.evaluate(_JS_IMAGE_STATE)
    n_keys = len(el.evaluate(_JS_LATENCY_RECORD)["keys"])
    handle.press(key)
    after = _wait(lambda: (s := el.evaluate(_JS_IMAGE_STATE)) and (
        s["tick"] != before["tick"] or s["src"] != before["src"]) and s, timeout, 0.02)
    if not after:
        return "timeout", None
    error = el.evaluate(_JS_EXPLORER_STATE)["error"]
    if error:
        return "error", error
    if after["src"] == before["src"]:
        return "same", None

    def decoded():
        rec = el.evaluate(_JS_LATENCY_RECORD)
        shown = [im for im in rec["images"] if im["src"] == after["src"]]
        return shown and len(rec["keys"]) > n_keys and (shown[0]["t"] - rec["keys"][n_keys])

    latency = _wait(decoded, timeout, 0.02)
    return ("changed", float(latency)) if latency else ("timeout", None)


def record_latency(run: NotebookRun, path: Path = LATENCY_JSON) -> None:
    """Merge one notebook's round-trip samples into ``path`` (other notebooks' entries stay).

    Two pytest-xdist workers may merge at once: an exclusive lock makes read-modify-write atomic.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _merge_latency(run, path)


def _merge_latency(run: NotebookRun, path: Path) -> None:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = {}
    notebooks = report.setdefault("notebooks", {})
    notebooks[Path(run.name).stem] = {
        "samples_ms": [round(x, 1) for x in run.latencies_ms],
        "median_ms": round(statistics.median(run.latencies_ms), 1),
        "worst_ms": round(max(run.latencies_ms), 1),
        "measured": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    report["what"] = ("slider key press in the page -> the Explorer's new image decoded "
                      "(JupyterLab + chromium, tests/browser)")
    path.write_text(json.dumps(report, indent=2, sort_keys=True), encoding="utf-8")


def screenshots_always() -> bool:
    """``NNBASICS_SCREENSHOTS=1``: a screenshot of every notebook, not only of failing ones."""
    return os.environ.get("NNBASICS_SCREENSHOTS", "") == "1"


def _screenshot(page, path: Path) -> Path:
    """The whole notebook in one PNG: grow the viewport to the notebook's height (capped)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = page.evaluate("""() => {
        const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        const nb = w && w.node.querySelector('.jp-NotebookPanel-notebook');
        if (!nb) return 0;
        let best = 0;
        for (const el of [nb, ...nb.querySelectorAll('.jp-WindowedPanel-outer')]) {
          best = Math.max(best, el.scrollHeight - el.clientHeight);
          el.scrollTop = 0;
        }
        return best; }""")
    page.set_viewport_size({"width": 1280, "height": int(min(900 + extra, 16000))})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})
    return path


def _session_id(page) -> str | None:
    """The id of the notebook session on screen (None when there is none, or no page)."""
    try:
        return page.evaluate("""() => {
            const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            return (w && w.sessionContext && w.sessionContext.session) ? w.sessionContext.session.id : null; }""")
    except Exception:
        return None


def _shutdown_kernel(server: LabServer, session: str | None) -> None:
    """Stop a notebook's kernel so kernels do not pile up over the session.

    The server is asked directly (DELETE of the session) from a background thread: waiting for
    the kernel to exit cost 1-2 s per notebook and checks nothing.
    """
    if session:
        threading.Thread(target=server.delete_session, args=(session,), daemon=True).start()
