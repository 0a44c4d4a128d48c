"""How the grading worker is isolated on this machine, and the command line that starts it.

- **full (bubblewrap)** on Linux where ``bwrap`` can create namespaces: no network, its own PID,
  IPC, UTS and mount namespaces, a private size-capped ``/tmp``, read-only binds of only what
  Python needs (the interpreter's prefix, ``/usr``, the environment's site-packages); the course
  folder, the ``nnbasics`` package, ``solutions/``, ``tests/``, private tests and the submissions
  are not there at all. When the grader runs as root the sandbox gets a user namespace and no
  capabilities.
- **partial** everywhere else (macOS, Windows, Linux without a working bwrap, or
  ``NNBASICS_SANDBOX=none``): the rlimits, a new process session killed at the end, the CPU-time
  watchdog and the import guard only; a root grader drops the worker to ``nobody`` when that
  user can run the interpreter.

``NNBASICS_SANDBOX=bwrap|none`` forces a mode (``bwrap`` fails loudly when it cannot work).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ENV", "Isolation", "detect", "site_dirs", "worker_command", "worker_env", "rlimits"]

ENV = "NNBASICS_SANDBOX"
COURSE_PKG = Path(__file__).resolve().parent
WORKER_FILES = ("worker.py", "wire.py", "scenarios")
WORKER_MOUNT = "/sandbox"
LEARNER_MOUNT = "/learner"
TMP_BYTES = 64 * 2**20
#: rlimits of the worker (the CPU one is only a backstop: the grader's watchdog is per test).
MEMORY_BYTES = 3 * 2**30
FILE_BYTES = 64 * 2**20
OPEN_FILES = 256
CPU_BACKSTOP_S = 1800
EXTRA_TASKS = 256


@dataclass(frozen=True)
class Isolation:
    """What protects the grader from the learner's code here.

    Attributes
    ----------
    mode : {"bwrap", "none"}
    summary : str
        ``"full (bubblewrap)"`` or ``"partial (<why>)"`` — what reports print after "isolation:".
    detail : str
        One sentence on what the worker can and cannot do.
    bwrap : str or None
        Path of the bwrap executable in ``"bwrap"`` mode.
    user : tuple of int or None
        (uid, gid) a root grader drops the partial-mode worker to.
    """

    mode: str
    summary: str
    detail: str
    bwrap: str | None = None
    user: tuple[int, int] | None = None

    @property
    def full(self) -> bool:
        return self.mode == "bwrap"

    def __str__(self) -> str:
        return f"isolation: {self.summary}"


def site_dirs() -> list[str]:
    """The site-packages folders of this environment (where numpy and torch live)."""
    paths = sysconfig.get_paths()
    found = [paths["purelib"], paths["platlib"], *site.getsitepackages()]
    out = []
    for p in found:
        if os.path.isdir(p) and p not in out:
            out.append(p)
    return out


def python_executable() -> str:
    """The real interpreter binary (a venv's ``python`` is a symlink to it)."""
    return os.path.realpath(sys.executable)


def _usr_merged_binds() -> list[str]:
    """Bind /usr and mirror the top-level lib/bin links (or bind them where they are folders)."""
    args = []
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    return args + ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]


def _under(path: str, folder: str) -> bool:
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _bound_dirs() -> list[str]:
    """Host folders the sandbox sees (read-only), besides /usr and friends."""
    dirs = [os.path.realpath(sys.base_prefix), os.path.dirname(python_executable())]
    dirs += [os.path.realpath(d) for d in site_dirs()]
    out = []
    for d in dirs:
        if not _under(d, "/usr") and not any(_under(d, o) for o in out):
            out.append(d)
    return out


def secret_paths(extra=()) -> list[str]:
    """What the worker must never see: the course folder, an installed ``nnbasics``, ``extra``."""
    from nnbasics.course.exercises import course_root

    secrets = [str(course_root())]
    secrets += [os.path.join(d, "nnbasics") for d in site_dirs()]
    secrets += [str(p) for p in extra]
    return [os.path.realpath(s) for s in secrets if os.path.isdir(s)]


def _masks(extra=()) -> list[str]:
    """Secret folders that sit inside something we bind: hide them under an empty tmpfs."""
    binds = _bound_dirs() + ["/usr"]
    return [s for s in secret_paths(extra) if any(_under(s, b) for b in binds)]


def bwrap_prefix(bwrap: str, learner_dir: str, extra_secrets=()) -> list[str]:
    """The bwrap arguments up to (not including) the command to run."""
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session",
            "--proc", "/proc", "--dev", "/dev", "--size", str(TMP_BYTES), "--tmpfs", "/tmp",
            "--chdir", "/tmp", "--clearenv"]
    if os.geteuid() == 0:  # root's sandbox would keep every capability: map to nobody, drop all
        args += ["--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL"]
    for key, value in worker_env("/tmp").items():
        args += ["--setenv", key, value]
    args += _usr_merged_binds()
    for d in _bound_dirs():
        args += ["--ro-bind", d, d]
    for m in _masks(extra_secrets):
        args += ["--tmpfs", m, "--remount-ro", m]
    for name in WORKER_FILES:
        args += ["--ro-bind", str(COURSE_PKG / name), f"{WORKER_MOUNT}/{name}"]
    args += ["--ro-bind", learner_dir, LEARNER_MOUNT]
    return args


def worker_env(home: str) -> dict[str, str]:
    """The worker's whole environment: nothing of the grader's leaks in."""
    return {"HOME": home, "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}


def rlimits() -> dict:
    """The worker's resource limits (hard = soft; see worker.py)."""
    limits = {"core": 0, "cpu": CPU_BACKSTOP_S, "as": MEMORY_BYTES, "fsize": FILE_BYTES,
              "nofile": OPEN_FILES, "nproc": None}
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        limits["nproc"] = _tasks_of_this_user() + EXTRA_TASKS  # root is exempt from RLIMIT_NPROC
    return limits


def _tasks_of_this_user() -> int:
    """Threads (tasks) this user already runs: RLIMIT_NPROC counts them all."""
    import psutil

    uid, total = os.getuid(), 0
    for p in psutil.process_iter(["uids", "num_threads"]):
        try:
            if p.info["uids"] and p.info["uids"].real == uid:
                total += p.info["num_threads"] or 1
        except psutil.Error:
            continue
    return total


def worker_command(iso: Isolation, learner_dir: str, config: dict, extra_secrets=()) -> list[str]:
    """The argv that starts a worker for the learner file(s) in ``learner_dir``."""
    python = [python_executable(), "-I", "-S", "-B"]
    if iso.full:
        return [*bwrap_prefix(iso.bwrap, learner_dir, extra_secrets), *python,
                f"{WORKER_MOUNT}/worker.py", json.dumps(config)]
    return [*python, str(COURSE_PKG / "worker.py"), json.dumps(config)]


# ------------------------------------------------------------------------------ detection

def _probe(bwrap: str) -> str:
    """'' when bwrap can start Python in a sandbox here, else the reason it cannot."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="nnbasics-probe-") as tmp:
        cmd = [*bwrap_prefix(bwrap, tmp), python_executable(), "-I", "-S", "-c", "pass"]
        try:
            res = subprocess.run(cmd, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as err:
            return str(err)
    if res.returncode != 0:
        lines = res.stderr.decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit code {res.returncode}"
    return ""


def _fallback_user() -> tuple[int, int] | None:
    """(uid, gid) of ``nobody`` when we are root and nobody can run the interpreter, else None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    try:
        import pwd

        nobody = pwd.getpwnam("nobody")
    except (ImportError, KeyError):
        return None
    needed = [python_executable(), sysconfig.get_paths()["stdlib"], *site_dirs(), str(COURSE_PKG)]
    return (nobody.pw_uid, nobody.pw_gid) if all(_world_readable(p) for p in needed) else None


def _world_readable(path: str) -> bool:
    """Can any user reach and read ``path`` (o+x on every folder above it, o+r on it)?"""
    p = Path(os.path.realpath(path))
    try:
        if not p.stat().st_mode & 0o004:
            return False
        return all(parent.stat().st_mode & 0o001 for parent in p.parents)
    except OSError:
        return False


def _partial(reason: str) -> Isolation:
    user = _fallback_user()
    who = "nobody" if user else ("root" if hasattr(os, "geteuid") and os.geteuid() == 0
                                 else "your user")
    detail = (f"the worker runs as {who} with resource limits, its own process session (killed "
              "at the end), a CPU-time watchdog and an import guard; it can read files that "
              f"{who} can read" + ("" if user or who != "root" else ", and write them"))
    return Isolation("none", f"partial ({reason})", detail, user=user)


@functools.lru_cache(maxsize=4)
def _detect(forced: str) -> Isolation:
    bwrap = shutil.which("bwrap") if sys.platform.startswith("linux") else None
    if forced == "none":
        return _partial(f"bubblewrap disabled by {ENV}=none")
    if bwrap is None:
        if forced == "bwrap":
            raise RuntimeError(f"{ENV}=bwrap but bubblewrap is not installed "
                               "(Debian/Ubuntu: sudo apt-get install bubblewrap)")
        return _partial("bubblewrap not found")
    why = _probe(bwrap)
    if why:
        if forced == "bwrap":
            raise RuntimeError(f"{ENV}=bwrap but bubblewrap cannot create a sandbox here: {why}")
        return _partial(f"bubblewrap cannot create a sandbox here: {why}")
    return Isolation("bwrap", "full (bubblewrap)",
                     "the worker sees no network, no other process and no course, test or "
                     "submission file; only Python, numpy/torch and its own exercise file, read-only",
                     bwrap=bwrap)


def detect() -> Isolation:
    """The isolation this machine gives (probed once per process; ``NNBASICS_SANDBOX`` forces it).

    Raises
    ------
    RuntimeError
        On native Windows (the worker needs POSIX pipes and process control: use WSL), or when
        ``NNBASICS_SANDBOX=bwrap`` but bubblewrap cannot sandbox here.
    ValueError
        For an unknown ``NNBASICS_SANDBOX`` value.
    """
    if os.name == "nt":
        raise RuntimeError("grading runs learner code in a POSIX sandbox: use Linux, macOS or WSL "
                           "(on Windows: wsl --install, then install the course inside WSL)")
    forced = os.environ.get(ENV, "").strip().lower()
    if forced not in ("", "bwrap", "none"):
        raise ValueError(f"{ENV} must be 'bwrap' or 'none', got {forced!r}")
    return _detect(forced)
