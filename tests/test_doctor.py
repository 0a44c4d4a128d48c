"""``nnbasics doctor``: every failure path gives an error with a fix, and the CLI exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nnbasics.course import doctor
from nnbasics.course.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _by_name(checks):
    return {c.name: c for c in checks}


def _fake_versions(monkeypatch, **overrides):
    """Pretend ``dist`` has version ``v`` (None: not installed); others keep their real version."""
    real = doctor._installed
    table = {k.replace("__", "-"): v for k, v in overrides.items()}
    monkeypatch.setattr(doctor, "_installed", lambda d: table[d] if d in table else real(d))


def _server(tmp_path, manager_version="5.0.16", disabled=False) -> doctor.ServerEnv:
    """A fake server environment holding (or not) the widget manager extension."""
    prefix = tmp_path / "server-env"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "pyvenv.cfg").write_text("home = /usr/bin\n")
    if manager_version:
        ext = prefix / "share/jupyter/labextensions" / doctor.WIDGET_MANAGER
        ext.mkdir(parents=True)
        (ext / "package.json").write_text(json.dumps({"name": doctor.WIDGET_MANAGER,
                                                      "version": manager_version}))
    if disabled:
        cfg = prefix / "etc/jupyter/labconfig"
        cfg.mkdir(parents=True)
        (cfg / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {doctor.WIDGET_MANAGER: True}}))
    return doctor.ServerEnv(prefix, str(prefix / "bin/python"), "kernel parent process")


@pytest.fixture
def only_server_dirs(monkeypatch):
    """Look for extensions only in the fake server prefix (not in this machine's dirs)."""
    monkeypatch.setattr(doctor, "_labextension_dirs",
                        lambda s: [s.prefix / "share/jupyter/labextensions"])
    monkeypatch.setattr(doctor, "_config_dirs", lambda s: [s.prefix / "etc/jupyter"])


def _pins(tmp_path, **pins) -> Path:
    path = tmp_path / "constraints.txt"
    path.write_text("# pins\n" + "".join(f"{k.replace('__', '-')}=={v}\n" for k, v in pins.items()))
    return path


# --- this environment ---------------------------------------------------------------------------

def test_this_environment_is_ready():
    checks = doctor.run_checks(check_server=True)
    assert [c for c in checks if c.level == "error"] == []
    names = _by_name(checks)
    for required in ("Python", "numpy", "torch", "torch device", "matplotlib", "ipywidgets",
                     "jupyterlab_widgets", "jupyterlab", "pinned versions", "JupyterLab widget extension"):
        assert required in names
    assert "CPU" in names["torch device"].detail or "CUDA" in names["torch device"].detail \
        or "MPS" in names["torch device"].detail


def test_sandbox_check_says_whether_bubblewrap_works(monkeypatch):
    from nnbasics.course import isolation

    monkeypatch.setattr(isolation, "detect", lambda: isolation.Isolation("bwrap", "full (bubblewrap)", ""))
    assert doctor.sandbox_check().level == "ok"
    partial = isolation.Isolation("none", "partial (bubblewrap not found)", "the worker runs as you")
    monkeypatch.setattr(isolation, "detect", lambda: partial)
    monkeypatch.setattr(doctor.sys, "platform", "linux")
    check = doctor.sandbox_check()
    assert check.level == "warn" and "partial (bubblewrap not found)" in check.detail
    assert "apt-get install bubblewrap" in check.fix
    monkeypatch.setattr(isolation, "detect", lambda: (_ for _ in ()).throw(RuntimeError("forced")))
    assert doctor.sandbox_check().level == "warn"


def test_report_quiet_prints_only_problems(capsys):
    assert doctor.report(quiet=True, check_server=False) is True
    out = capsys.readouterr().out
    assert "environment ready" in out and "numpy" not in out


# --- failure paths ------------------------------------------------------------------------------

def test_missing_package_is_an_error_with_a_fix(monkeypatch, capsys):
    _fake_versions(monkeypatch, ipywidgets=None)
    check = _by_name(doctor.run_checks(check_server=False))["ipywidgets"]
    assert (check.level, check.detail) == ("error", "not installed")
    assert "constraints.txt" in check.fix
    assert doctor.report(check_server=False) is False
    out = capsys.readouterr().out
    assert "✘ ipywidgets: not installed" in out and "fix: pip install" in out and "1 problem" in out


@pytest.mark.parametrize("dist, old", [("numpy", "1.21.6"), ("torch", "1.13.1+cpu"),
                                       ("ipywidgets", "7.8.1"), ("jupyterlab", "3.6.8")])
def test_too_old_version_is_an_error(monkeypatch, dist, old):
    _fake_versions(monkeypatch, **{dist: old})
    check = _by_name(doctor.run_checks(check_server=False))[dist]
    assert check.level == "error"
    assert old in check.detail and "older than the required" in check.detail
    assert check.fix


def test_ipywidgets8_with_jupyterlab_widgets1_is_an_error(monkeypatch):
    _fake_versions(monkeypatch, ipywidgets="8.1.9", jupyterlab_widgets="1.1.7")
    checks = _by_name(doctor.run_checks(check_server=False))
    assert checks["jupyterlab_widgets"].level == "error"
    assert checks["ipywidgets/jupyterlab_widgets pairing"].level == "error"


def test_broken_torch_import_is_an_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    check = _by_name(doctor.run_checks(check_server=False))["torch import"]
    assert check.level == "error" and "import torch failed" in check.detail


def test_mismatched_pins_warn_and_fail_when_strict(monkeypatch, tmp_path, capsys):
    pins = _pins(tmp_path, numpy="0.0.1", torch=doctor._installed("torch").split("+")[0])
    check = _by_name(doctor.run_checks(check_server=False, constraints=pins))["pinned versions"]
    assert check.level == "warn"
    assert "numpy" in check.detail and "pinned 0.0.1" in check.detail and "torch" not in check.detail
    assert str(pins) in check.fix
    assert doctor.report(check_server=False, constraints=pins) is True
    assert doctor.report(check_server=False, constraints=pins, strict=True) is False
    assert "⚠ pinned versions" in capsys.readouterr().out


def test_matching_pins_and_absent_constraints_are_ok(tmp_path):
    pins = _pins(tmp_path, numpy=doctor._installed("numpy"))
    assert _by_name(doctor.run_checks(check_server=False, constraints=pins))["pinned versions"].level == "ok"
    missing = _by_name(doctor.run_checks(check_server=False, constraints=tmp_path / "nope.txt"))
    assert missing["pinned versions"].level == "ok" and "not checked" in missing["pinned versions"].detail


def test_pinned_versions_parser(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("# c\nNumPy==2.4.6  # comment\njupyterlab_widgets==3.0.17\nfoo>=1\n"
                    "torch==2.13.0+cpu ; python_version>'3'\n")
    assert doctor.pinned_versions(path) == {"numpy": "2.4.6", "jupyterlab-widgets": "3.0.17",
                                            "torch": "2.13.0+cpu"}


# --- the widget extension in the server's environment -------------------------------------------

def test_widget_extension_ok(tmp_path, only_server_dirs):
    check = doctor.widget_extension_check(_server(tmp_path))
    assert check.level == "ok" and "5.0.16" in check.detail and "server-env" in check.detail


def test_missing_widget_extension_is_an_error(tmp_path, only_server_dirs):
    server = _server(tmp_path, manager_version=None)
    check = doctor.widget_extension_check(server)
    assert check.level == "error" and "not installed" in check.detail
    assert "plain text" in check.detail
    assert check.fix.startswith(f"{server.python} -m pip install 'jupyterlab_widgets>=3,<4'")


def test_disabled_widget_extension_is_an_error(tmp_path, only_server_dirs):
    check = doctor.widget_extension_check(_server(tmp_path, disabled=True))
    assert check.level == "error" and "disabled" in check.detail
    assert "labextension enable" in check.fix


def test_old_widget_manager_for_ipywidgets8_is_an_error(tmp_path, only_server_dirs, monkeypatch):
    _fake_versions(monkeypatch, ipywidgets="8.1.9")
    check = doctor.widget_extension_check(_server(tmp_path, manager_version="3.1.9"))
    assert check.level == "error" and "needs 5.x" in check.detail and "Error displaying widget" in check.detail


def test_missing_extension_makes_run_checks_fail(tmp_path, only_server_dirs, monkeypatch):
    monkeypatch.setattr(doctor, "server_environment", lambda: _server(tmp_path, manager_version=None))
    checks = doctor.run_checks(check_server=True)
    assert _by_name(checks)["JupyterLab widget extension"].level == "error"


def test_server_environment_from_kernel_parent(tmp_path, monkeypatch):
    server = _server(tmp_path)
    monkeypatch.setattr(doctor, "_parent_cmdline",
                        lambda: [str(server.prefix / "bin/python"), str(server.prefix / "bin/jupyter-lab"),
                                 "--port=8888"])
    env = doctor.server_environment()
    assert (env.prefix, env.source) == (server.prefix, "kernel parent process")
    # the server cannot see the kernel's own environment: it is not searched
    dirs = doctor._labextension_dirs(env)
    assert dirs[0] == server.prefix / "share/jupyter/labextensions"
    assert Path(sys.prefix) / "share/jupyter/labextensions" not in dirs


@pytest.mark.parametrize("cmdline", [None, ["/usr/bin/code", "--type=utility"], []])
def test_server_environment_falls_back_to_this_environment(monkeypatch, cmdline):
    monkeypatch.setattr(doctor, "_parent_cmdline", lambda: cmdline)
    env = doctor.server_environment()
    assert env.prefix == Path(sys.prefix) and env.source == "this environment"


def test_parent_cmdline_reads_jpy_parent_pid(monkeypatch):
    import os

    import psutil

    monkeypatch.setenv("JPY_PARENT_PID", str(os.getpid()))
    assert doctor._parent_cmdline() == psutil.Process().cmdline()
    monkeypatch.setenv("JPY_PARENT_PID", "not-a-pid")
    assert doctor._parent_cmdline() is None


# --- command line -------------------------------------------------------------------------------

def test_cli_exit_codes_in_process(monkeypatch, tmp_path, capsys):
    assert main(["doctor", "--no-server"]) == 0
    pins = _pins(tmp_path, numpy="0.0.1")
    assert main(["doctor", "--no-server", "--constraints", str(pins)]) == 0
    assert main(["doctor", "--no-server", "--strict", "--constraints", str(pins)]) == 1
    _fake_versions(monkeypatch, matplotlib="3.0.0")
    assert main(["doctor", "--no-server"]) == 1
    assert main(["doctor", "--no-server", "--json"]) == 1
    out = capsys.readouterr().out
    payload = json.loads(out[out.rindex("\n[\n") + 1:])
    assert {"name": "matplotlib", "level": "error", "detail": "3.0.0 is older than the required 3.7",
            "fix": doctor.FIX} in payload


def test_cli_subprocess_fails_with_an_actionable_message(tmp_path):
    """The real command line (a fresh interpreter): non-zero exit and the fix on stdout."""
    pins = _pins(tmp_path, numpy="0.0.1")
    bad = subprocess.run([sys.executable, "-m", "nnbasics", "doctor", "--no-server", "--strict",
                          "--constraints", str(pins)], capture_output=True, text=True, cwd=ROOT, timeout=180)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "numpy" in bad.stdout and "pinned 0.0.1" in bad.stdout and "fix: pip install" in bad.stdout
    assert "1 problem(s) found" in bad.stdout
