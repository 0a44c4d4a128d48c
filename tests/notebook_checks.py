"""What every execution of a course notebook is checked for, wherever it runs.

A notebook is executed once per ``make test``: in the browser stage (JupyterLab + chromium,
``tests/browser``) where a browser is available, otherwise headless by nbclient
(``tests/test_notebooks.py``). Both executions make the same checks with the helpers here:

- :data:`GUARD` runs in the kernel before the first cell (a prepended cell for nbclient, an
  IPython start-up file for JupyterLab): the socket module refuses non-local addresses (nothing
  may download) and every warning is recorded in ``_NNBASICS_WARNINGS``; :data:`REPORT_CODE`
  prints them, and any warning fails the notebook (fix its cause, never silence it).
- The ``# NBVAL_CHECK_OUTPUT`` cells are the notebooks' deterministic printouts;
  ``tests/golden/NN_name.json`` holds what they printed when the golden was recorded.
  :func:`golden_problems` compares numbers to the precision they were printed with (one unit in
  the last printed digit, so a BLAS that rounds differently on another CPU does not fail) and all
  other text exactly. After an intended change: ``pytest tests/test_notebooks.py --update-golden``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
MARK = "# NBVAL_CHECK_OUTPUT"
REPORT = "NNBASICS-WARNINGS:"

GUARD = '''
import socket as _socket, warnings as _warnings
_LOCAL = ("127.0.0.1", "localhost", "::1", "0.0.0.0", "")
_real_connect, _real_getaddrinfo = _socket.socket.connect, _socket.getaddrinfo
def _offline_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in _LOCAL and not host.startswith("/"):
        raise OSError(f"offline test: the notebook tried to reach {address!r}")
    return _real_connect(self, address)
def _offline_getaddrinfo(host, *args, **kwargs):
    if host not in _LOCAL and host is not None:
        raise OSError(f"offline test: the notebook tried to look up {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)
_socket.socket.connect = _offline_connect
_socket.getaddrinfo = _offline_getaddrinfo
_NNBASICS_WARNINGS = []
def _record_warning(message, category, filename, lineno, file=None, line=None):
    # the kernel's own deprecation notices (JupyterLab's history request makes ipykernel warn
    # about its own do_history): plumbing no notebook can fix; everything else is recorded
    if issubclass(category, (DeprecationWarning, PendingDeprecationWarning)) and "/ipykernel/" in filename:
        return
    _NNBASICS_WARNINGS.append(f"{category.__name__}: {message} ({filename}:{lineno})")
_warnings.simplefilter("always")
_warnings.showwarning = _record_warning
'''
#: Kernel code that prints the recorded warnings after the last cell.
REPORT_CODE = f'print("{REPORT}" + __import__("json").dumps(_NNBASICS_WARNINGS))'


def _joined(text) -> str:
    """nbformat and JupyterLab store multi-line text as a string or as a list of lines."""
    return "".join(text) if isinstance(text, list) else str(text)


def output_text(outputs) -> str:
    """The text a cell printed: its streams and ``text/plain`` results, in order.

    Parameters
    ----------
    outputs : list of dict
        The cell's outputs in nbformat's JSON shape (nbclient's cells, or JupyterLab's
        ``cell.model.outputs.toJSON()``).
    """
    out = ""
    for o in outputs:
        if o.get("output_type") == "stream":
            out += _joined(o.get("text", ""))
        elif "text/plain" in (o.get("data") or {}):
            out += _joined(o["data"]["text/plain"])
    return out


def recorded_warnings(report_text: str) -> list[str]:
    """The warnings :data:`REPORT_CODE` printed (one placeholder entry when it printed nothing)."""
    if REPORT not in report_text:
        return [f"(no warning report: the kernel printed {report_text[-200:]!r})"]
    return json.loads(report_text.split(REPORT, 1)[1].strip().splitlines()[0])


_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def same_printout(expected: str, actual: str) -> str | None:
    """None if equal up to the printed precision of each number, else a description of the first difference."""
    e_nums, a_nums = _NUMBER.findall(expected), _NUMBER.findall(actual)
    if _NUMBER.sub("#", expected) != _NUMBER.sub("#", actual) or len(e_nums) != len(a_nums):
        return "the text differs"
    for e, a in zip(e_nums, a_nums):
        if e == a:
            continue
        mantissa = re.split(r"[eE]", e)[0]
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        exponent = int(re.split(r"[eE]", e)[1]) if re.search(r"[eE]", e) else 0
        ulp = 10.0 ** (exponent - decimals)
        if abs(float(e) - float(a)) > ulp * 1.0001:
            return f"{e} became {a} (more than one unit in the last printed digit)"
    return None


def golden_problems(stem: str, checked: list[str], golden_dir: Path = GOLDEN) -> list[str]:
    """Every way the ``# NBVAL_CHECK_OUTPUT`` printouts of notebook ``stem`` differ from its golden.

    Parameters
    ----------
    stem : str
        The notebook's name without ``.ipynb``, e.g. ``"07_batchnorm_vs_layernorm"``.
    checked : list of str
        What each marked cell printed, in notebook order (:func:`output_text`).

    Returns
    -------
    list of str
        Empty when the notebook printed what its golden file holds.
    """
    name = f"{stem}.ipynb"
    if not checked:
        return [f"{name}: mark at least one deterministic printout with {MARK}"]
    if not all(checked):
        return [f"{name}: a {MARK} cell printed nothing"]
    golden = golden_dir / f"{stem}.json"
    if not golden.exists():
        return [f"no golden file {golden}: record it with `pytest tests/test_notebooks.py --update-golden`"]
    expected = json.loads(golden.read_text(encoding="utf-8"))
    if len(expected) != len(checked):
        return [f"{name} has {len(checked)} {MARK} cells but {golden.name} has {len(expected)}: "
                "re-record with --update-golden if the change was intended"]
    problems = []
    for i, (e, a) in enumerate(zip(expected, checked)):
        problem = same_printout(e, a)
        if problem is not None:
            problems.append(f"{name}: checked cell #{i} differs from {golden.name} ({problem}):\n"
                            f"{a}\n--- golden:\n{e}")
    return problems


def write_golden(stem: str, checked: list[str], golden_dir: Path = GOLDEN) -> None:
    """Record ``checked`` as the golden printouts of notebook ``stem``."""
    golden_dir.mkdir(exist_ok=True)
    (golden_dir / f"{stem}.json").write_text(json.dumps(checked, indent=1, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
