"""The package's architecture, enforced: who may import whom, and nobody reaches into privates.

    notebooks -> viz -> experiments -> lab -> core        (course: tooling, used by CLI and tests)

``core`` is numpy only (what a learner reads and re-implements); ``lab`` adds torch; the
notebook demos live in ``experiments``; plotting and widgets in ``viz``; ``course`` holds
the CLI, grading, classroom, quizzes, doctor and bench and is never imported by the layers
below it. A module may not import another module's ``_private`` names.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "nnbasics"
STDLIB = set(sys.stdlib_module_names) | {"__future__"}

#: layer -> (nnbasics layers it may import, third-party top-level packages it may import)
RULES = {
    "core": ({"core", "_validate"}, {"numpy", "tqdm"}),  # tqdm: an optional progress bar only
    "data": ({"_validate"}, {"numpy", "sklearn"}),
    "testing": (set(), {"numpy"}),
    "lab": ({"core", "lab", "_validate", "data"}, {"numpy", "torch", "tqdm", "psutil", "threadpoolctl"}),
    # sklearn: notebook 12 compares the MLP with scikit-learn's gradient-boosted trees (threadpoolctl
    # keeps their OpenMP pool to one thread); both are already dependencies of data / lab.
    "experiments": ({"core", "lab", "experiments", "_validate", "data"},
                    {"numpy", "torch", "tqdm", "sklearn", "threadpoolctl"}),
    "viz": ({"core", "lab", "experiments", "viz", "_validate", "data"},
            {"numpy", "matplotlib", "ipywidgets", "PIL", "IPython"}),
}


def _layer(path: Path) -> str:
    rel = path.relative_to(PKG)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _modules() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(tree: ast.AST):
    """(imported module, [names]) for every import statement, at any depth."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, []
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, [a.name for a in node.names]


def _target_layer(module: str, names: list[str]) -> str | None:
    """The nnbasics layer an import lands in (None for other packages)."""
    parts = module.split(".")
    if parts[0] != "nnbasics":
        return None
    if len(parts) > 1:
        return parts[1]
    return names[0] if len(names) == 1 else "nnbasics"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_imports_follow_the_architecture(path):
    layer = _layer(path)
    if layer not in RULES:  # course, __init__, __main__: tooling may use everything
        return
    allowed_layers, allowed_third = RULES[layer]
    bad = []
    for module, names in _imports(ast.parse(path.read_text())):
        top = module.split(".")[0]
        if top == "nnbasics":
            targets = ({_target_layer(module, [n]) for n in names} if module == "nnbasics"
                       else {_target_layer(module, names)})
            bad += [f"{module} ({t})" for t in targets if t not in allowed_layers]
        elif top not in STDLIB and top not in allowed_third:
            bad.append(module)
    assert not bad, (f"nnbasics/{path.relative_to(PKG)} ({layer}) imports {bad}; {layer} may import "
                     f"nnbasics.{sorted(allowed_layers)} and {sorted(allowed_third)} only")


def _module_aliases(tree: ast.AST) -> dict[str, str]:
    """Local names bound to nnbasics modules, e.g. {"layers": "nnbasics.core.layers"}."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nnbasics"):
            for a in node.names:
                full = f"{node.module}.{a.name}"
                if (PKG.parent / (full.replace(".", "/") + ".py")).exists() or \
                        (PKG.parent / full.replace(".", "/")).is_dir():
                    aliases[a.asname or a.name] = full
    return aliases


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_no_module_reaches_into_another_modules_privates(path):
    tree = ast.parse(path.read_text())
    bad = []
    for module, names in _imports(tree):
        if module.startswith("nnbasics"):
            bad += [f"from {module} import {n}" for n in names if n.startswith("_")]
    aliases = _module_aliases(tree)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in aliases and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            bad.append(f"{node.value.id}.{node.attr} (line {node.lineno})")
    assert not bad, f"nnbasics/{path.relative_to(PKG)} uses private names of other modules: {bad}"


def test_every_layer_exists_and_core_is_numpy_only():
    for layer in ("core", "lab", "experiments", "viz", "course"):
        assert (PKG / layer / "__init__.py").is_file(), f"nnbasics/{layer}/ is missing"
    assert not [p for p in PKG.glob("*.py") if p.stem not in {"__init__", "__main__", "_validate",
                                                               "data", "testing"}], \
        "a module sits in the flat nnbasics/ root: put it in core/, lab/, experiments/, viz/ or course/"
