#!/usr/bin/env python3
"""Rebuild notebooks/NN_*.ipynb from their py:percent twins, stripped of outputs.

    python tools/build_notebooks.py          # every notebook
    python tools/build_notebooks.py 03 04    # some

Authors may edit either file in JupyterLab (jupytext keeps them paired); this script is
for editing the ``.py`` in a text editor. It runs jupytext then nbstripout.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    pys = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    if argv:
        pys = [p for p in pys if p.name[:2] in argv]
    for py in pys:
        ipynb = py.with_suffix(".ipynb")
        subprocess.run([sys.executable, "-m", "jupytext", "--quiet", "--to", "ipynb", str(py),
                        "-o", str(ipynb)], check=True)
        subprocess.run([sys.executable, "-m", "nbstripout", str(ipynb)], check=True)
        print(f"built {ipynb.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
