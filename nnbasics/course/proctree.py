"""Process trees the grader does not trust: list them, measure their CPU time, stop and kill them.

Linux reads ``/proc`` directly (a few small files per process, cheap enough to run around
every call); other platforms use psutil.
"""

from __future__ import annotations

import os
import signal
import sys
import time

__all__ = ["children", "tree", "thread_count", "cpu_seconds", "kill_tree", "reap", "set_subreaper"]

_PROC = sys.platform.startswith("linux") and os.path.exists(
    f"/proc/{os.getpid()}/task/{os.getpid()}/children")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
MAX_TREE = 4096


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (empty when it is gone)."""
    if _PROC:
        out = []
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return []
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                    out += [int(x) for x in fh.read().split()]
            except (OSError, ValueError):
                continue
        return out
    import psutil

    try:
        return [c.pid for c in psutil.Process(pid).children()]
    except psutil.Error:
        return []


def _zombie(pid: int) -> bool:
    if not _PROC:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True  # gone


def tree(root: int) -> list[int]:
    """``root`` and its living descendants, root first (at most ``MAX_TREE`` processes)."""
    out, todo = [], [root]
    while todo and len(out) < MAX_TREE:
        pid = todo.pop(0)
        out.append(pid)
        todo += [c for c in children(pid) if not _zombie(c)]
    return out


def thread_count(pid: int) -> int:
    """Number of threads of process ``pid`` (0 when it is gone)."""
    if _PROC:
        try:
            return len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            return 0
    import psutil

    try:
        return psutil.Process(pid).num_threads()
    except psutil.Error:
        return 0


def _proc_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return sum(int(f) for f in fields[11:15]) / _TICKS  # utime stime cutime cstime
    except (OSError, IndexError, ValueError):
        return 0.0


def cpu_seconds(pids) -> float:
    """CPU seconds used by these processes and their reaped children (user + system)."""
    if _PROC:
        return sum(_proc_cpu(p) for p in pids)
    import psutil

    total = 0.0
    for p in pids:
        try:
            t = psutil.Process(p).cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            continue
    return total


def _signal(pid: int, sig) -> None:
    try:
        os.kill(pid, sig)
    except (OSError, ProcessLookupError):
        pass


def kill_tree(root: int, pgid: int | None = None) -> list[int]:
    """SIGKILL ``root``, every descendant and the process group ``pgid``.

    Stops the tree first (repeating until no new process appears), so a process that forks in
    a loop cannot outrun the kill. Returns the pids that were signalled.
    """
    stop = getattr(signal, "SIGSTOP", None)
    kill = getattr(signal, "SIGKILL", signal.SIGTERM)
    seen: list[int] = []
    for _ in range(50):
        new = [p for p in tree(root) if p not in seen]
        if not new:
            break
        seen += new
        for p in new:
            if stop is not None:
                _signal(p, stop)
    if pgid is not None and hasattr(os, "killpg"):
        try:
            os.killpg(pgid, kill)
        except (OSError, ProcessLookupError):
            pass
    for p in reversed(seen):
        _signal(p, kill)
    return seen


def reap(pids, timeout: float = 1.0) -> None:
    """Collect the exit status of any of ``pids`` that are our children (no zombies left)."""
    if not hasattr(os, "waitpid") or not hasattr(os, "WNOHANG"):
        return
    deadline = time.monotonic() + timeout
    pending = set(pids)
    while pending and time.monotonic() < deadline:
        for p in list(pending):
            try:
                done, _ = os.waitpid(p, os.WNOHANG)
            except ChildProcessError:
                pending.discard(p)  # not ours (or already collected)
                continue
            if done:
                pending.discard(p)
        if pending:
            time.sleep(0.01)


def set_subreaper() -> bool:
    """Make this process adopt orphaned descendants (Linux ``PR_SET_CHILD_SUBREAPER``).

    A learner's ``setsid`` + double-fork daemon then becomes our child instead of init's, so
    it can be found and killed. Returns False where the platform has no such thing.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False
