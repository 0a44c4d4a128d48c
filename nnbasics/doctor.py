"""``python -m nnbasics doctor``: can this environment run the course?

Checks Python, numpy, torch (and CUDA/MPS), matplotlib, ipywidgets and
jupyterlab_widgets, whether the JupyterLab in this environment has the widget
extension, and whether the versions pinned in ``constraints.txt`` are installed.
Every problem comes with the command that fixes it.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Check", "run_checks", "report", "add_arguments", "run"]

MIN_VERSIONS = {
    "numpy": "1.24", "torch": "2.2", "matplotlib": "3.7", "ipywidgets": "8.1",
    "jupyterlab_widgets": "3.0", "jupyterlab": "4.0", "scikit-learn": "1.3", "tqdm": "4.60",
}
FIX = 'pip install -c constraints.txt -e ".[dev]"   (or: make lab)'


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report. ``level`` is "ok", "warn" or "error"."""

    name: str
    level: str
    detail: str
    fix: str = ""


def _version_tuple(v: str) -> tuple:
    parts = []
    for p in v.split("+")[0].split("."):
        digits = "".join(ch for ch in p if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def _installed(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def pinned_versions(constraints: Path) -> dict[str, str]:
    """Parse ``name==version`` lines of a constraints file (comments ignored)."""
    pins = {}
    if constraints.is_file():
        for line in constraints.read_text(encoding="utf-8").splitlines():
            line = line.split("#")[0].strip()
            if "==" in line:
                name, version = line.split("==", 1)
                pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def _widget_extension_check() -> Check:
    """Ask this environment's JupyterLab whether the ipywidgets extension is installed and enabled."""
    try:
        out = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"],
                             capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        return Check("JupyterLab widget extension", "error", f"could not run jupyter labextension: {err}", FIX)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)  # drop colour codes
    for line in text.splitlines():
        if "@jupyter-widgets/jupyterlab-manager" in line:
            if "enabled" in line and "OK" in line:
                return Check("JupyterLab widget extension", "ok", line.strip())
            return Check("JupyterLab widget extension", "error", line.strip(),
                         "jupyter labextension enable @jupyter-widgets/jupyterlab-manager")
    return Check("JupyterLab widget extension", "error",
                 "@jupyter-widgets/jupyterlab-manager is not installed in this environment's "
                 "JupyterLab: sliders will show as plain text", "pip install 'jupyterlab_widgets>=3,<4'")


def run_checks(*, check_server: bool = True, constraints: Path | None = None) -> list[Check]:
    """Run every check and return them in display order."""
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
        try:
            import torch

            cuda = torch.cuda.is_available()
            mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
            where = ("CUDA: " + torch.cuda.get_device_name(0)) if cuda else ("MPS" if mps else "CPU only")
            checks.append(Check("torch device", "ok", f"{where} (the course runs fully on CPU)"))
        except Exception as err:  # a broken torch install must not crash the doctor
            checks.append(Check("torch import", "error", f"import torch failed: {err}", FIX))
    root = Path(__file__).resolve().parents[1]
    constraints = constraints or root / "constraints.txt"
    pins = pinned_versions(constraints)
    if pins:
        off = []
        for name in ("numpy", "torch", "matplotlib", "ipywidgets", "jupyterlab", "jupyterlab-widgets",
                     "scikit-learn"):
            want, have = pins.get(name), _installed(name)
            if want and have and have.split("+")[0] != want:
                off.append(f"{name} {have} (pinned {want})")
        checks.append(Check("pinned versions", "warn" if off else "ok",
                            "; ".join(off) if off else f"match {constraints.name}",
                            FIX if off else ""))
    if check_server:
        checks.append(_widget_extension_check())
    return checks


def report(*, check_server: bool = True, quiet: bool = False) -> bool:
    """Print the checks (only problems when ``quiet``) and return True when nothing is an error."""
    checks = run_checks(check_server=check_server)
    icon = {"ok": "✔", "warn": "⚠", "error": "✘"}
    errors = [c for c in checks if c.level == "error"]
    for c in checks:
        if quiet and c.level == "ok":
            continue
        print(f"{icon[c.level]} {c.name}: {c.detail}" + (f"\n    fix: {c.fix}" if c.fix else ""))
    if not errors:
        print("✔ environment ready for the course" if quiet else "\nAll good: the course can run here.")
    else:
        print(f"\n{len(errors)} problem(s) found; fix them, restart the kernel and run again.")
    return not errors


def add_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    parser.add_argument("--no-server", action="store_true",
                        help="skip the JupyterLab extension check (faster)")


def run(args) -> int:
    if args.json:
        checks = run_checks(check_server=not args.no_server)
        print(json.dumps([c.__dict__ for c in checks], indent=2))
        return 1 if any(c.level == "error" for c in checks) else 0
    return 0 if report(check_server=not args.no_server) else 1
