"""``python -m nnbasics dist``: build the student edition — the course without solutions.

The edition holds the package, the notebooks (outputs stripped), fresh exercise stubs
generated from ``solutions/``, the graded tests and the install files, plus a learner's
Makefile (``make lab``, ``make grade``). It leaves out ``solutions/``, the maintainer tools
and the instructor-only tests, and refuses to finish if any solution line leaked into it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

__all__ = ["INCLUDE", "build", "solution_blocks", "find_leaks", "add_arguments", "run"]

#: What the student edition contains (relative to the course root).
INCLUDE = ["nnbasics", "notebooks", "tests/exercises", "docs", "README.md", "pyproject.toml",
           "constraints.txt", "environment.yml", "postBuild", "jupytext.toml", "conftest.py",
           ".gitignore", "LICENSE"]
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")

STUDENT_MAKEFILE = """\
# nnbasics — student edition. `make lab` opens the course; `make grade` grades your exercises.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab grade test doctor

$(STAMP): pyproject.toml constraints.txt
\ttest -x $(PY) || $(PYTHON) -m venv $(VENV)
\t$(PY) -m pip install --quiet --upgrade pip
\t$(PY) -m pip install -c constraints.txt -e ".[dev]"
\ttouch $(STAMP)

lab: $(STAMP)
\t$(VENV)/bin/jupyter lab $(ROOT_FLAG) notebooks/

grade: $(STAMP)
\t$(PY) -m nnbasics grade all

test: grade

doctor: $(STAMP)
\t$(PY) -m nnbasics doctor
"""


def _significant(line: str) -> str:
    """A line reduced to what matters for leak detection ('' for blanks and comments)."""
    text = line.split("  #")[0].strip()
    return "" if not text or text.startswith("#") else " ".join(text.split())


def solution_blocks(solutions: Path) -> dict[str, list[list[str]]]:
    """The significant lines of every ``BEGIN/END SOLUTION`` block, per solution file."""
    found = {}
    for path in sorted(solutions.glob("ex[0-9][0-9]_*.py")):
        blocks, current = [], None
        for line in path.read_text(encoding="utf-8").splitlines():
            if "# BEGIN SOLUTION" in line:
                current = []
            elif "# END SOLUTION" in line:
                blocks.append(current)
                current = None
            elif current is not None and _significant(line):
                current.append(_significant(line))
        found[path.name] = blocks
    return found


def _code_only(text: str) -> str:
    """Python source with every string literal (docstrings included) blanked out."""
    import io
    import tokenize

    lines = text.splitlines(keepends=True)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    for tok in reversed(tokens):  # from the end, so earlier positions stay valid
        if tok.type == tokenize.STRING:
            (r0, c0), (r1, c1) = tok.start, tok.end
            head, tail = lines[r0 - 1][:c0], lines[r1 - 1][c1:]
            lines[r0 - 1:r1] = [head + '""' + tail]
    return "".join(lines)


def find_leaks(edition: Path, solutions: Path) -> list[str]:
    """Places in ``edition`` holding solution code (empty list = clean).

    A block leaks when all its significant lines appear consecutively in a file outside
    ``nnbasics/`` (the library is the public oracle the graded tests compare against, and
    shows its own code in the notebooks, so it may implement the same small formulas). In
    ``exercises/`` no single solution line may survive in the code; docstrings there state
    the formulas on purpose and are not searched.
    """
    blocks = [b for bs in solution_blocks(solutions).values() for b in bs if b]
    singles = {line for b in blocks for line in b if len(line) >= 16}
    leaks = []
    for path in sorted(edition.rglob("*")):
        if not path.is_file() or path.suffix not in {".py", ".ipynb", ".md", ".txt", ".json"}:
            continue
        rel = path.relative_to(edition)
        if rel.parts[0] == "nnbasics":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":
            import json

            cells = json.loads(text).get("cells", [])
            text = "\n".join("".join(c.get("source", [])) for c in cells)
        lines = [sig for sig in map(_significant, text.splitlines()) if sig]
        joined = "\n".join(lines)
        for block in blocks:
            if len(block) >= 2 and "\n".join(block) in joined:
                leaks.append(f"{rel}: block starting {block[0]!r}")
        if rel.parts[0] == "exercises" and path.suffix == ".py":
            code = {sig for sig in map(_significant, _code_only(text).splitlines()) if sig}
            leaks += [f"{rel}: {line!r}" for line in sorted(singles & code)]
    return leaks


def build(root: Path | str, out: Path | str, *, make_zip: bool = False) -> Path:
    """Build the student edition of the course at ``root`` into ``out`` (replaced if it exists).

    Returns
    -------
    Path
        ``out``, or the ``.zip`` next to it when ``make_zip``.

    Raises
    ------
    RuntimeError
        If a solution line would leak into the edition.
    """
    root, out = Path(root).resolve(), Path(out).resolve()
    if not (root / "solutions").is_dir():
        raise FileNotFoundError(f"{root} has no solutions/ folder: build from the instructor's course")
    if out == root or root in out.parents and out.parent == root and out.name in {"nnbasics", "notebooks"}:
        raise ValueError(f"refusing to build into {out}")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for rel in INCLUDE:
        src = root / rel
        if src.is_dir():
            shutil.copytree(src, out / rel, ignore=SKIP)
        elif src.is_file():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, out / rel)
    (out / "Makefile").write_text(STUDENT_MAKEFILE, encoding="utf-8")
    # fresh stubs from the solutions — never the instructor's working copy of exercises/
    subprocess.run([sys.executable, str(root / "tools" / "make_exercises.py"), "--out",
                    str(out / "exercises"), "--solutions", str(root / "solutions")],
                   check=True, capture_output=True)
    notebooks = sorted(str(nb) for nb in (out / "notebooks").glob("*.ipynb"))
    if notebooks:  # one nbstripout for all of them: each start-up imports nbformat (about 2 s)
        subprocess.run([sys.executable, "-m", "nbstripout", *notebooks], check=True)
    readme = out / "README.md"
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        text = re.sub(r"## For contributors.*", "", text, flags=re.S).rstrip() + "\n"
        readme.write_text("> Student edition: `make lab` to start, `make grade` to grade your "
                          "exercises.\n\n" + text, encoding="utf-8")
    leaks = find_leaks(out, root / "solutions")
    if leaks:
        raise RuntimeError("solution text leaked into the student edition:\n" + "\n".join(leaks[:20]))
    if make_zip:
        archive = out.with_suffix(".zip")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(out.rglob("*")):
                if path.is_file():
                    zf.write(path, Path(out.name) / path.relative_to(out))
        return archive
    return out


def add_arguments(parser) -> None:
    parser.add_argument("--out", default="_build/nnbasics-student", help="output folder")
    parser.add_argument("--zip", action="store_true", help="also pack it as a .zip")


def run(args) -> int:
    from nnbasics.course.exercises import course_root

    try:
        result = build(course_root(), args.out, make_zip=args.zip)
    except (FileNotFoundError, ValueError, RuntimeError) as err:
        print(f"dist: {err}")
        return 1
    print(f"student edition written to {result}")
    return 0
