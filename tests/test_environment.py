"""environment.yml (Binder/JupyterHub), pyproject.toml, constraints.txt and the README agree."""

import re

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
CONDA_NAME = {"torch": "pytorch-cpu"}  # pip name -> conda-forge name


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req, maxsplit=1)[0].strip().lower()


def _spec(req: str) -> str:
    return req[len(_name(req)):].replace(" ", "")


def test_environment_yml_has_every_runtime_dependency_with_the_same_range():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"][0] == "conda-forge"
    conda = {_name(d): _spec(d) for d in env["dependencies"] if isinstance(d, str)}
    for req in PYPROJECT["project"]["dependencies"]:
        name = CONDA_NAME.get(_name(req), _name(req))
        assert name in conda, f"environment.yml lacks {name} (pyproject: {req})"
        assert conda[name] == _spec(req), f"{name}: environment.yml says {conda[name]!r}, pyproject {_spec(req)!r}"
    assert conda["python"] == "=3.11"


def test_postbuild_installs_the_package():
    text = (ROOT / "postBuild").read_text()
    assert "pip install --no-deps -e ." in text


def test_constraints_pin_every_dependency_exactly():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert "==" in line, f"constraints.txt: {line!r} is not an exact pin"
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    assert pins["torch"] == "2.13.0", "torch must be pinned to the local CPU wheel 2.13.0"
    reqs = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["dev"]
    for req in reqs:
        assert _name(req).replace("_", "-") in pins, f"constraints.txt does not pin {_name(req)}"


def test_readme_and_ci_use_the_same_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make lab" in readme and "make test" in readme
    assert re.search(r"^make test$", ci, re.M), ".ci/run must run the README's `make test`"
