"""``python -m nnbasics doctor``: can this environment run the course?

Checks Python, numpy, torch (and CUDA/MPS), matplotlib, ipywidgets and
jupyterlab_widgets, whether the JupyterLab *server* environment has the widget
front-end extension (and a version that speaks this kernel's ipywidgets), whether
the versions pinned in ``constraints.txt`` are installed, and whether bubblewrap can
sandbox graded code (full isolation) or grading falls back to partial isolation.
Every problem comes with the command that fixes it.

Inside a notebook the kernel may live in another environment than the JupyterLab
that serves it (a venv kernel registered in a conda JupyterLab, a hub). The kernel's
parent process is the server, so the extension check looks at *that* environment's
``share/jupyter/labextensions``: "sliders show as text" almost always means the
extension is missing or too old there, not in the kernel's environment.

Exit codes of the command: 0 ready, 1 a problem was found (with ``--strict`` also
when a version differs from its pin).
"""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Check", "ServerEnv", "run_checks", "report", "pinned_versions", "server_environment",
           "widget_extension_check", "sandbox_check", "add_arguments", "run"]

MIN_VERSIONS = {
    "numpy": "1.24", "torch": "2.2", "matplotlib": "3.7", "ipywidgets": "8.1",
    "jupyterlab_widgets": "3.0", "jupyterlab": "4.0", "scikit-learn": "1.3", "tqdm": "4.60",
}
# The course's direct dependencies whose exact pins matter for reproducible numbers and widgets.
PINNED = ("numpy", "torch", "matplotlib", "ipywidgets", "jupyterlab", "jupyterlab-widgets",
          "widgetsnbextension", "scikit-learn", "ipykernel")
FIX = 'pip install -c constraints.txt -e ".[dev]"   (or: make lab)'
WIDGET_MANAGER = "@jupyter-widgets/jupyterlab-manager"
# ipywidgets major in the kernel -> major of the JupyterLab widget manager that renders it.
MANAGER_MAJOR_FOR_IPYWIDGETS = {8: 5, 7: 3}


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report. ``level`` is "ok", "warn" or "error"."""

    name: str
    level: str
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class ServerEnv:
    """The environment whose JupyterLab serves the widgets.

    Attributes
    ----------
    prefix : Path
        Environment prefix (``sys.prefix`` of the server's Python).
    python : str
        The server's Python executable as it was invoked (used in the fix commands).
    source : str
        How it was found: "kernel parent process" or "this environment".
    """

    prefix: Path
    python: str
    source: str


def _version_tuple(v: str) -> tuple:
    parts = []
    for p in v.split("+")[0].split("."):
        digits = ""
        for ch in p:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) < len(p):  # "0rc1": stop after the numeric head
            break
    return tuple(parts)


def _installed(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def _norm(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def pinned_versions(constraints: Path) -> dict[str, str]:
    """Parse ``name==version`` lines of a constraints file (comments ignored).

    Returns
    -------
    dict of str -> str
        Normalised distribution name (lower case, ``-``) to its pinned version.
    """
    pins = {}
    if constraints.is_file():
        for line in constraints.read_text(encoding="utf-8").splitlines():
            line = line.split("#")[0].strip()
            if "==" in line:
                name, version = line.split("==", 1)
                pins[_norm(name.split("[")[0])] = version.split(";")[0].strip()
    return pins


# --- where is the JupyterLab that serves this kernel? ------------------------------------------

def _parent_cmdline() -> list[str] | None:
    """Command line of the process that launched this kernel (``JPY_PARENT_PID``), if any."""
    pid = os.environ.get("JPY_PARENT_PID", "").strip()
    if not pid.isdigit():
        return None
    try:
        import psutil

        return psutil.Process(int(pid)).cmdline()
    except Exception:  # no psutil, process gone, no permission: fall back to this environment
        return None


def _prefix_of(python: str) -> Path | None:
    """Environment prefix of a Python executable path, without resolving venv symlinks."""
    p = Path(python)
    for candidate in (p.parent.parent, p.parent):  # <prefix>/bin/python, <prefix>/python.exe
        if (candidate / "pyvenv.cfg").is_file() or (candidate / "conda-meta").is_dir() \
                or (candidate / "share" / "jupyter").is_dir():
            return candidate
    return None


def server_environment() -> ServerEnv:
    """The JupyterLab server's environment when this runs in a kernel, else this environment."""
    cmd = _parent_cmdline()
    if cmd and any("jupyter" in Path(part).name for part in cmd[:3]):
        python = cmd[0]
        if not Path(python).name.startswith("python"):  # the launcher script itself
            python = str(Path(python).parent / "python")
        prefix = _prefix_of(python)
        if prefix is not None:
            return ServerEnv(prefix, python, "kernel parent process")
    return ServerEnv(Path(sys.prefix), sys.executable, "this environment")


def _labextension_dirs(server: ServerEnv) -> list[Path]:
    """Where that server looks for prebuilt extensions: its prefix, then user and system dirs."""
    dirs = [server.prefix / "share" / "jupyter" / "labextensions"]
    try:
        from jupyter_core.paths import jupyter_path

        others = [Path(d) for d in jupyter_path("labextensions")]
    except ImportError:
        others = [Path.home() / ".local/share/jupyter/labextensions",
                  Path("/usr/local/share/jupyter/labextensions"), Path("/usr/share/jupyter/labextensions")]
    kernel_env = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    for d in others:
        if d == kernel_env and server.prefix != Path(sys.prefix):
            continue  # the server cannot see the kernel's environment
        if d not in dirs:
            dirs.append(d)
    return dirs


def _config_dirs(server: ServerEnv) -> list[Path]:
    dirs = [server.prefix / "etc" / "jupyter"]
    try:
        from jupyter_core.paths import jupyter_config_path

        dirs += [Path(d) for d in jupyter_config_path() if Path(d) not in dirs]
    except ImportError:
        dirs += [Path.home() / ".jupyter", Path("/usr/local/etc/jupyter"), Path("/etc/jupyter")]
    return dirs


def _disabled_in(config_dirs: list[Path], name: str) -> Path | None:
    """The ``labconfig/page_config.json`` that disables extension ``name``, if any."""
    for d in config_dirs:
        path = d / "labconfig" / "page_config.json"
        try:
            disabled = json.loads(path.read_text(encoding="utf-8")).get("disabledExtensions", {})
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(disabled, dict) and disabled.get(name):
            return path
        if isinstance(disabled, list) and name in disabled:
            return path
    return None


def widget_extension_check(server: ServerEnv | None = None) -> Check:
    """Is the ipywidgets front end installed, enabled and of the right major in the server env?"""
    server = server or server_environment()
    where = f"JupyterLab at {server.prefix} ({server.source})"
    fix_install = f"{server.python} -m pip install 'jupyterlab_widgets>=3,<4', then restart JupyterLab"
    name = "JupyterLab widget extension"
    manifest = None
    for d in _labextension_dirs(server):
        candidate = d / WIDGET_MANAGER / "package.json"
        if candidate.is_file():
            manifest = candidate
            break
    if manifest is None:
        return Check(name, "error", f"{WIDGET_MANAGER} is not installed for the {where}: sliders "
                     "will show as plain text such as 'VBox(children=...)'", fix_install)
    try:
        version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError) as err:
        return Check(name, "error", f"unreadable {manifest}: {err}", fix_install)
    disabled = _disabled_in(_config_dirs(server), WIDGET_MANAGER)
    if disabled is not None:
        return Check(name, "error", f"{WIDGET_MANAGER} {version} is disabled in {disabled}",
                     f"jupyter labextension enable {WIDGET_MANAGER}, then restart JupyterLab")
    iw = _installed("ipywidgets")
    want = MANAGER_MAJOR_FOR_IPYWIDGETS.get(_version_tuple(iw)[0]) if iw else None
    have = _version_tuple(version)[:1]
    if want is not None and have != (want,):
        return Check(name, "error",
                     f"the {where} has {WIDGET_MANAGER} {version}, but this kernel's ipywidgets {iw} "
                     f"needs {want}.x: widgets will show 'Error displaying widget'", fix_install)
    return Check(name, "ok", f"{WIDGET_MANAGER} {version} enabled ({where})")


# --- all checks -------------------------------------------------------------------------------

def _pins_check(constraints: Path) -> Check:
    pins = pinned_versions(constraints)
    if not pins:
        return Check("pinned versions", "ok", f"no {constraints.name} here (installed outside the "
                     "repository): pins not checked")
    off = []
    for name in PINNED:
        want, have = pins.get(name), _installed(name)
        if want and have and have.split("+")[0] != want.split("+")[0]:
            off.append(f"{name} {have} (pinned {want})")
    if off:
        return Check("pinned versions", "warn",
                     "; ".join(off) + ": the course was tested with the pins; numbers in the "
                     "notebooks may differ slightly", f"pip install -c {constraints} -e \".[dev]\"")
    return Check("pinned versions", "ok", f"match {constraints.name}")


def sandbox_check() -> Check:
    """Can ``grade`` run learner code in a full sandbox (bubblewrap) here?"""
    name = "grading sandbox"
    try:
        from nnbasics.course.isolation import detect

        iso = detect()
    except Exception as err:  # a forced but impossible mode, an odd platform: say so, never crash
        return Check(name, "warn", f"could not check: {err}")
    if iso.full:
        return Check(name, "ok", "bubblewrap works: graded code runs fully isolated")
    if sys.platform.startswith("linux"):
        fix = "sudo apt-get install bubblewrap   (Fedora: sudo dnf install bubblewrap)"
    else:
        fix = "full isolation needs Linux (or WSL) with bubblewrap; grading works without it"
    return Check(name, "warn", f"isolation: {iso.summary}: {iso.detail}", fix)


def run_checks(*, check_server: bool = True, constraints: Path | None = None) -> list[Check]:
    """Run every check and return them in display order.

    Parameters
    ----------
    check_server : bool
        Also check the JupyterLab widget extension (in the server's environment).
    constraints : Path, optional
        The pins file; default ``constraints.txt`` at the repository root.

    Returns
    -------
    list of Check
    """
    checks = []
    py = sys.version_info
    checks.append(Check("Python", "ok" if py >= (3, 10) else "error", sys.version.split()[0],
                        "" if py >= (3, 10) else "install Python 3.10 or newer"))
    for dist, minimum in MIN_VERSIONS.items():
        v = _installed(dist)
        if v is None:
            checks.append(Check(dist, "error", "not installed", FIX))
        elif _version_tuple(v) < _version_tuple(minimum):
            checks.append(Check(dist, "error", f"{v} is older than the required {minimum}", FIX))
        else:
            checks.append(Check(dist, "ok", v))
    iw, jw = _installed("ipywidgets"), _installed("jupyterlab_widgets")
    if iw and jw and _version_tuple(iw)[:1] == (8,) and _version_tuple(jw)[:1] != (3,):
        checks.append(Check("ipywidgets/jupyterlab_widgets pairing", "error",
                            f"ipywidgets {iw} needs jupyterlab_widgets 3.x, found {jw}", FIX))
    if _installed("torch"):
        checks.append(_torch_check())
    root = Path(__file__).resolve().parents[2]
    checks.append(_pins_check(Path(constraints) if constraints else root / "constraints.txt"))
    checks.append(sandbox_check())
    if check_server:
        try:
            checks.append(widget_extension_check())
        except Exception as err:  # the doctor must never crash on an odd installation
            checks.append(Check("JupyterLab widget extension", "warn", f"could not check: {err}"))
    return checks


def _torch_check() -> Check:
    try:
        import torch

        cuda = torch.cuda.is_available()
        mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
        where = ("CUDA: " + torch.cuda.get_device_name(0)) if cuda else ("MPS" if mps else "CPU only")
        return Check("torch device", "ok", f"{where} (the course runs fully on CPU)")
    except Exception as err:  # a broken torch install must not crash the doctor
        return Check("torch import", "error", f"import torch failed: {err}", FIX)


def report(*, check_server: bool = True, quiet: bool = False, strict: bool = False,
           constraints: Path | None = None) -> bool:
    """Print the checks (only problems when ``quiet``) and return True when nothing is wrong.

    ``strict`` also counts warnings (versions differing from their pins) as problems.
    """
    checks = run_checks(check_server=check_server, constraints=constraints)
    icon = {"ok": "✔", "warn": "⚠", "error": "✘"}
    bad = [c for c in checks if c.level == "error" or (strict and c.level == "warn")]
    for c in checks:
        if quiet and c.level == "ok":
            continue
        print(f"{icon[c.level]} {c.name}: {c.detail}" + (f"\n    fix: {c.fix}" if c.fix else ""))
    if not bad:
        print("✔ environment ready for the course" if quiet else "\nAll good: the course can run here.")
    else:
        print(f"\n{len(bad)} problem(s) found; run the fix command(s) above, restart the kernel "
              "(and JupyterLab for the widget extension) and run again.")
    return not bad


def add_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    parser.add_argument("--no-server", action="store_true",
                        help="skip the JupyterLab widget-extension check")
    parser.add_argument("--strict", action="store_true",
                        help="also fail when an installed version differs from constraints.txt")
    parser.add_argument("--constraints", type=Path, default=None,
                        help="pins file to compare with (default: the repository's constraints.txt)")


def run(args) -> int:
    strict = getattr(args, "strict", False)
    constraints = getattr(args, "constraints", None)
    if args.json:
        checks = run_checks(check_server=not args.no_server, constraints=constraints)
        print(json.dumps([asdict(c) for c in checks], indent=2))
        bad = [c for c in checks if c.level == "error" or (strict and c.level == "warn")]
        return 1 if bad else 0
    return 0 if report(check_server=not args.no_server, strict=strict, constraints=constraints) else 1
