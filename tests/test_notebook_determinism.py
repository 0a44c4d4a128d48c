"""Every notebook, executed twice with the network switched off, prints identical self-check values.

The ``# NBVAL_CHECK_OUTPUT`` cells are the notebooks' deterministic printouts; the committed
notebooks carry no outputs, so this test is what holds those cells to their promise. Both runs
patch ``socket`` so any attempt to reach a non-local address raises: nothing may download.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MARK = "# NBVAL_CHECK_OUTPUT"

OFFLINE_GUARD = '''
import socket as _socket
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
'''

pytestmark = pytest.mark.slow


def _checked_outputs(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(OFFLINE_GUARD))
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    texts = []
    for cell in nb.cells:
        if cell.cell_type == "code" and MARK in cell.source:
            text = ""
            for out in cell.outputs:
                if out.output_type == "stream":
                    text += out.text
                elif "data" in out and "text/plain" in out.data:
                    text += out.data["text/plain"]
            texts.append(text)
    return texts


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_offline_and_deterministic(path):
    first = _checked_outputs(path)
    assert first, f"{path.name}: mark at least one deterministic printout with {MARK}"
    assert all(first), f"{path.name}: a {MARK} cell printed nothing"
    second = _checked_outputs(path)
    for i, (a, b) in enumerate(zip(first, second)):
        assert a == b, f"{path.name}: checked cell #{i} printed different values on a second run:\n{a}\n---\n{b}"


def test_offline_guard_stops_a_download(tmp_path):
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "# NBVAL_CHECK_OUTPUT\nimport urllib.request\nurllib.request.urlopen('http://example.com', timeout=5)")])
    path = tmp_path / "01_downloads.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(CellExecutionError, match="offline test"):
        _checked_outputs(path)
