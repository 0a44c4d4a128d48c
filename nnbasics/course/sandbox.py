"""The trusted side of grading: learner code runs in a sandboxed worker; only plain data comes back.

``WorkerPool.module("01")`` returns a :class:`RemoteModule`. Its attributes are remote
functions: ``ex.predict(X, w, b)`` encodes the arguments with :mod:`nnbasics.course.wire`
(no pickle), runs the learner's ``predict`` in the worker (:mod:`nnbasics.course.worker`) and
decodes the plain-data result. The process that runs the tests never imports learner code.

- Exceptions come back as data. A builtin ``Exception`` subclass is raised here as a class
  deriving from that builtin with the same name (``pytest.raises(ValueError)`` and the stubs'
  ``NotImplementedError: Exercise 1.2 ...`` keep working); ``SystemExit``, ``KeyboardInterrupt``
  and non-builtin types become a :class:`LearnerError`.
- CPU time of the worker's whole process tree is charged to the running test; over budget,
  over the wall-clock backstop, stalled, or forking too much, the sandbox is SIGKILLed and the
  test fails with :class:`LearnerTimeout`; a dead worker fails it with :class:`LearnerCrash`.
  Both are BaseExceptions, so hypothesis and ``except Exception`` do not retry them. The next
  call starts a fresh worker.
- ``call_unmodified`` (see the grading plugin) asks the worker to report arguments that were
  changed in place; generators passed in are advanced here exactly as the learner advanced them.
- ``ex.scenario(name, **plain)`` runs a trusted scenario (``nnbasics/course/scenarios``) in the
  worker for objects that cannot cross as data (torch modules, optimizers, callables).
"""

from __future__ import annotations

import builtins
import os
import select
import shutil
import subprocess
import tempfile
import time
import warnings
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from nnbasics.course import isolation as iso_mod
from nnbasics.course import policy, proctree, wire

__all__ = ["Budget", "LearnerError", "SandboxStop", "LearnerTimeout", "LearnerCrash", "ScenarioError",
           "WorkerPool", "RemoteModule", "RemoteFunction"]

DEFAULT_CPU_S = 10.0
LOAD_CPU_S = 5.0         # at least this much CPU to import the learner's file (or the test budget)
START_WALL_S = 120.0     # interpreter + numpy (+ torch) start-up: trusted, wall-clock only
STALL_S = 15.0           # no CPU progress at all for this long while a call runs: stuck
IDLE_SLACK_S = 0.5       # CPU a worker may burn between calls before it is restarted
MAX_PROCESSES = 32       # processes in one sandbox before it counts as a fork bomb
TICK_S = 0.05
REPLY_LIMITS = wire.Limits(max_bytes=64 * 2**20, max_header=4 * 2**20)
LOG_TAIL = 4096


class LearnerError(Exception):
    """The learner's code failed in a way that is not an ordinary exception (exit, odd type...)."""


class SandboxStop(BaseException):
    """The worker was stopped or died: not an Exception, so nothing retries the test."""


class LearnerTimeout(SandboxStop):
    """Over the test's CPU budget, its wall-clock backstop, or stalled."""


class LearnerCrash(SandboxStop):
    """The worker died (os._exit, a signal, a fork bomb) or sent something malformed."""


class ScenarioError(RuntimeError):
    """A trusted scenario failed without the learner's code raising: a grader bug."""


@dataclass(frozen=True)
class Budget:
    """Per-test limits: CPU seconds of the worker's tree, and a generous wall-clock backstop."""

    cpu_s: float = DEFAULT_CPU_S
    wall_s: float | None = None

    @property
    def wall(self) -> float:
        return self.wall_s if self.wall_s is not None else max(60.0, 10.0 * self.cpu_s)


@dataclass
class _Meter:
    """CPU and wall time charged so far against one budget (one test, or one import).

    Only time spent inside calls to the worker counts: the trusted side's own work (oracles,
    hypothesis) never eats the learner's budget.
    """

    budget: Budget
    what: str = "the test"
    used_cpu: float = 0.0
    used_wall: float = 0.0

    def over(self, call_cpu: float = 0.0, call_wall: float = 0.0) -> str:
        """'' while within budget (counting the running call's use), else the Timeout message."""
        if self.used_cpu + call_cpu > self.budget.cpu_s:
            return (f"Timeout: {self.what} used more than {self.budget.cpu_s:g} s of CPU time — an "
                    "infinite loop? (check your loop's stopping condition)")
        if self.used_wall + call_wall > self.budget.wall:
            return (f"Timeout: {self.what} ran longer than {self.budget.wall:g} s of wall-clock "
                    "time (your code may be waiting for something: sleep, input, a lock)")
        return ""


# ------------------------------------------------------------------------------ exceptions

_REMOTE_CLASSES: dict[str, type] = {}


def _remote_class(name: str) -> type | None:
    """A class named like builtin exception ``name`` and deriving from it (cached)."""
    base = getattr(builtins, name, None)
    if not (isinstance(base, type) and issubclass(base, Exception)):
        return None
    if name not in _REMOTE_CLASSES:
        _REMOTE_CLASSES[name] = type(name, (base,), {"__module__": "builtins", "__qualname__": name,
                                                     "remote": True})
    return _REMOTE_CLASSES[name]


def exception_from(err: dict) -> BaseException:
    """The exception to raise in the trusted process for a worker's error report."""
    kind, name, module, message = err["kind"], err["type"], err["module"], err["message"]
    if kind == "internal":
        return ScenarioError(f"a grading scenario failed (a bug in the grader, not your code): "
                             f"{module}.{name}: {message}\n{err['traceback']}")
    if kind == "unsupported":
        return LearnerError(message)
    cls = _remote_class(name) if module == "builtins" else None
    exc = None
    if cls is not None:
        try:
            exc = cls(*err["args"]) if err.get("args") is not None else cls(message)
        except Exception:  # a builtin whose constructor wants more (UnicodeDecodeError...)
            exc = None
    if exc is None:
        shown = name if module == "builtins" else f"{module}.{name}"
        if module != "builtins" and err["builtin"] not in ("Exception", "BaseException", "object"):
            shown += f" (a {err['builtin']})"
        extra = (" — exercise code must return its result, not exit or interrupt"
                 if name in ("SystemExit", "KeyboardInterrupt", "GeneratorExit") else "")
        exc = LearnerError(f"your code raised {shown}" + (f": {message}" if message else "") + extra)
    if err["traceback"]:
        exc.add_note("in your code:\n" + err["traceback"])
    return exc


def _check_error(err) -> dict:
    keys = {"type", "module", "builtin", "message", "traceback", "kind"}
    if type(err) is not dict or not keys <= set(err) or set(err) - keys - {"args"} or \
            not all(type(err[k]) is str for k in keys) or \
            err["kind"] not in ("learner", "internal", "unsupported"):
        raise wire.WireError("malformed error report")
    args = err.get("args", ())
    if type(args) is not tuple or len(args) > 4 or not all(
            type(a) in (str, int, float, bool, type(None)) and len(str(a)) <= 4000 for a in args):
        raise wire.WireError("malformed error arguments")
    return err


# ------------------------------------------------------------------------------ the channel

class _Channel:
    """The worker's stdin, stdout and stderr, pumped with ``poll`` from the calling thread.

    Non-blocking pipes and no helper threads: a worker that stops reading or writing can never
    block the grader, and a call costs just two context switches (grader -> worker -> grader),
    which keeps grading fast on a loaded machine. Only the tail of stderr (the learner's prints)
    is kept.
    """

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.fds = {"in": proc.stdin.fileno(), "out": proc.stdout.fileno(), "err": proc.stderr.fileno()}
        for fd in self.fds.values():
            os.set_blocking(fd, False)
        self.poller = select.poll()
        self.poller.register(self.fds["out"], select.POLLIN)
        self.poller.register(self.fds["err"], select.POLLIN)
        self.inbox = bytearray()
        self.log = bytearray()
        self.pending = memoryview(b"")
        self.eof = False

    def send(self, data: bytes) -> None:
        self.pending = memoryview(data)
        self.poller.register(self.fds["in"], select.POLLOUT)

    def pump(self, timeout: float):
        """Move bytes for up to ``timeout`` s; return a message ``(header, payload)``, "eof" or None.

        Raises
        ------
        wire.WireError
            When the worker's bytes are not a well-formed message within the reply limits.
        """
        if (msg := self._message()) is not None:
            return msg
        for fd, _ in self.poller.poll(timeout * 1000):
            if fd == self.fds["in"]:
                self._write()
            elif fd == self.fds["out"]:
                self._read_into(fd, self.inbox, eof_ends=True)
            else:
                self._read_into(fd, self.log, eof_ends=False)
                del self.log[:-LOG_TAIL]
        msg = self._message()
        return msg if msg is not None else ("eof" if self.eof else None)

    def _write(self) -> None:
        try:
            self.pending = self.pending[os.write(self.fds["in"], self.pending):]
        except BlockingIOError:
            return
        except OSError:  # the worker is gone: its stdout will tell
            self.pending = memoryview(b"")
        if not self.pending:
            self.poller.unregister(self.fds["in"])

    def _read_into(self, fd: int, buf: bytearray, eof_ends: bool) -> None:
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if chunk:
            buf += chunk
            return
        self.poller.unregister(fd)
        if eof_ends:
            self.eof = True

    def _message(self):
        if len(self.inbox) < wire.PREFIX.size:
            return None
        header_len, payload_len = wire.parse_prefix(bytes(self.inbox[:wire.PREFIX.size]), REPLY_LIMITS)
        end = wire.PREFIX.size + header_len + payload_len
        if len(self.inbox) < end:
            return None
        header = bytes(self.inbox[wire.PREFIX.size:wire.PREFIX.size + header_len])
        payload = bytes(self.inbox[wire.PREFIX.size + header_len:end])
        del self.inbox[:end]
        return header, payload

    def last_log_line(self) -> str:
        lines = [ln for ln in bytes(self.log).decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1][:300] if lines else ""


# ------------------------------------------------------------------------------ one worker

_LIVE_ROOTS: set[int] = set()  # pids of this process's running workers (not orphans to sweep)


class WorkerProcess:
    """One sandboxed worker serving one learner file; started on demand, restarted after a kill."""

    def __init__(self, learner_file: Path, notebook: str, iso: iso_mod.Isolation, *,
                 extra_secrets=(), adopt_orphans: bool = False, load_cpu_s: float = LOAD_CPU_S):
        self.learner_file = Path(learner_file)
        self.load_cpu_s = load_cpu_s
        self.notebook = notebook
        self.iso = iso
        self.extra_secrets = tuple(extra_secrets)
        self.adopt_orphans = adopt_orphans
        self.proc: subprocess.Popen | None = None
        self.channel: _Channel | None = None
        self.family: set[int] = set()   # the sandbox's own processes (bwrap, python)
        self.python_pid: int | None = None
        self.threads = 0                # the worker's threads before the learner's file is loaded
        self.idle_cpu = 0.0             # the worker's CPU time when the last reply arrived
        self.load_failure: dict | None = None
        self.seq = 0
        self._tmp: str | None = None
        self._path = ""

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- life cycle
    def _prepare_files(self) -> tuple[str, str, str]:
        """A private folder with a copy of the learner's file, and an empty working folder."""
        self._tmp = tempfile.mkdtemp(prefix="nnbasics-worker-")
        learner_dir = os.path.join(self._tmp, "learner")
        os.mkdir(learner_dir)
        target = os.path.join(learner_dir, self.learner_file.name)
        shutil.copyfile(self.learner_file, target)
        os.chmod(learner_dir, 0o755)
        os.chmod(target, 0o644)
        cwd = os.path.join(self._tmp, "work")
        os.mkdir(cwd, 0o700)
        if self.iso.user is not None:
            os.chmod(self._tmp, 0o755)
            os.chown(cwd, *self.iso.user)
        return learner_dir, target, cwd

    def spawn(self) -> None:
        """Start the worker process without waiting for it (its start-up overlaps other work)."""
        if self.proc is None and self.load_failure is None:
            self._path = self._spawn()

    def _spawn(self) -> str:
        learner_dir, target, cwd = self._prepare_files()
        config = {"site": iso_mod.site_dirs(), "preload": list(policy.preload(self.notebook)),
                  "limits": iso_mod.rlimits(),
                  "drop_caps": not self.iso.full and self.iso.user is None and os.geteuid() == 0}
        argv = iso_mod.worker_command(self.iso, learner_dir, config, self.extra_secrets)
        user = {} if self.iso.user is None else {"user": self.iso.user[0], "group": self.iso.user[1],
                                                 "extra_groups": []}
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"} if self.iso.full else iso_mod.worker_env(cwd)
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=cwd, close_fds=True, env=env,
                                     start_new_session=True, **user)
        _LIVE_ROOTS.add(self.proc.pid)
        self.channel = _Channel(self.proc)
        return f"{iso_mod.LEARNER_MOUNT}/{self.learner_file.name}" if self.iso.full else target

    def start(self) -> None:
        """Spawn the worker (unless :meth:`spawn` did), wait until it is ready, import the learner's file."""
        self.spawn()
        path = self._path
        ready = self._await(None, _Meter(Budget(START_WALL_S, START_WALL_S), "starting the sandbox"),
                            0.0, expect_ready=True)
        if ready != {"op": "ready"}:
            self._died("the sandbox did not start properly")
        family = proctree.tree(self.proc.pid)
        self.family, self.python_pid = set(family), family[-1]  # bwrap, its init, then python
        self.idle_cpu = self._worker_cpu()
        self.threads = proctree.thread_count(self.python_pid)
        self._load(path)

    def _load(self, path: str) -> None:
        """Import the learner's file in the worker, under the import budget; a failure is kept
        (``load_failure``) and raised now and by every later request."""
        load = {"op": "load", "path": path, "name": self.learner_file.stem,
                "allowed": list(policy.allowed_imports(self.notebook))}
        meter = _Meter(Budget(max(LOAD_CPU_S, self.load_cpu_s)), f"importing {self.learner_file.name}")
        try:
            reply, _ = self._exchange(load, meter, self.idle_cpu)
        except SandboxStop as stop:
            self.load_failure = {"stop": type(stop), "message": str(stop)}
            raise
        if "error" in reply:
            self.load_failure = {"error": reply["error"]}
            self.kill()
            raise exception_from(reply["error"])

    def reload(self, learner_file: Path) -> bool:
        """Mutant mode only: this live, idle worker imports ``learner_file`` (same notebook, same
        file name) as a fresh module, keeping its interpreter and preloaded packages (torch's
        import is most of a worker's start-up). Mutants are the course's own code; a learner's
        file never shares a worker with another file.

        Returns False, changing nothing, when the worker cannot be reused (not started, dead,
        busy between calls, or its last import failed): the caller stops it and the next call
        starts a fresh one. A failing import is kept like :meth:`start`'s and raised by the
        next request.
        """
        learner_file = Path(learner_file)
        if (not self.alive or self.python_pid is None or self.load_failure is not None
                or learner_file.name != self.learner_file.name
                or self._worker_cpu() - self.idle_cpu > IDLE_SLACK_S):
            return False
        shutil.copyfile(learner_file, os.path.join(self._tmp, "learner", learner_file.name))
        self.learner_file = learner_file
        try:
            self._load(self._path)
        except (SandboxStop, Exception):
            pass  # kept in load_failure: the test that calls it fails with the message
        return True

    def kill(self) -> None:
        """SIGKILL the whole sandbox (process group and tree) and forget the process."""
        if self.proc is not None:
            signalled = proctree.kill_tree(self.proc.pid, self.proc.pid)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            proctree.reap(signalled, timeout=0.5)
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
            _LIVE_ROOTS.discard(self.proc.pid)
            self.proc, self.channel, self.family, self.python_pid = None, None, set(), None
            self._sweep_orphans()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    # -- processes
    def _worker_cpu(self) -> float:
        """CPU seconds of the worker process itself (all its threads): one small file to read."""
        return proctree.cpu_seconds([self.python_pid]) if self.python_pid is not None else 0.0

    def _charged(self, pids) -> list[int]:
        """The processes whose CPU counts: the worker and anything it started (not bwrap)."""
        return [p for p in pids if p == self.python_pid or p not in self.family]

    def _settle(self) -> float:
        """Kill what the learner's code started in the sandbox; return the whole tree's CPU.

        Processes other than the sandbox's own (bwrap, the worker) are never legitimate: they
        are killed after every call, their CPU time still charged to it.
        """
        if self.proc is None:
            return 0.0
        pids = proctree.tree(self.proc.pid)
        extras = [p for p in pids if p not in self.family]
        total = proctree.cpu_seconds(self._charged(pids))
        for p in extras:
            proctree.kill_tree(p)
        if extras:
            proctree.reap(extras, timeout=0.2)
        return total

    def _sweep_orphans(self) -> None:
        """Kill daemons that escaped the tree (setsid + double fork) and were adopted by us."""
        if not self.adopt_orphans:
            return
        own_sid = os.getsid(0)
        for pid in proctree.children(os.getpid()):
            try:
                if pid in _LIVE_ROOTS or os.getsid(pid) == own_sid:
                    continue  # a worker, or started by the test process itself
            except OSError:
                continue
            proctree.reap(proctree.kill_tree(pid), timeout=0.5)

    # -- requests
    def request(self, msg: dict, meter: _Meter) -> tuple[dict, list]:
        """Send ``msg`` (starting the worker if needed); return the reply and msg's generators."""
        if self.load_failure is not None:
            self._raise_load_failure()
        start_cpu = self._worker_cpu() if self.alive else 0.0
        if self.alive and start_cpu - self.idle_cpu > IDLE_SLACK_S:
            self.kill()  # it computed between calls (a background thread): start afresh
        if not self.alive or self.python_pid is None:
            if not self.alive:
                self.kill()
            self.start()
            start_cpu = self.idle_cpu
        return self._exchange(msg, meter, start_cpu)

    def _raise_load_failure(self):
        f = self.load_failure
        if "error" in f:
            raise exception_from(f["error"])
        raise f["stop"](f["message"])

    def _exchange(self, msg: dict, meter: _Meter, start_cpu: float) -> tuple[dict, list]:
        self.seq += 1
        data, generators = wire.pack({**msg, "seq": self.seq})
        self.channel.send(data)
        started = time.monotonic()
        reply = self._await(self.seq, meter, start_cpu)
        total = self._settle()
        self.idle_cpu = self._worker_cpu()
        self._sweep_orphans()
        meter.used_cpu += max(0.0, total - start_cpu)
        meter.used_wall += time.monotonic() - started
        if why := meter.over():
            self.kill()
            raise LearnerTimeout(why)
        if self.threads and proctree.thread_count(self.python_pid) > self.threads:
            self.kill()  # a thread the learner started outlives the call: the next call starts afresh
            if msg["op"] == "load":
                self.load_failure = {"stop": LearnerCrash, "message": (
                    f"crashed: importing {self.learner_file.name} started a thread; exercise code "
                    "must not start threads or processes")}
                self._raise_load_failure()
        return reply, generators

    def _await(self, seq: int | None, meter: _Meter, start_cpu: float, expect_ready=False) -> dict:
        """Wait for the reply, checking the budget every tick; kill the sandbox when over."""
        progress = (start_cpu, time.monotonic(), time.monotonic())  # cpu, when it last grew, call start
        next_tick = time.monotonic() + TICK_S
        while True:
            try:
                got = self.channel.pump(max(0.0, next_tick - time.monotonic()))
            except wire.WireError as err:
                self._died(f"it sent malformed data ({err})")
            if got == "eof":
                self._died("")
            if got is not None:
                return self._decode(*got, seq, expect_ready)
            if time.monotonic() >= next_tick:
                progress = self._tick(meter, start_cpu, progress)
                next_tick = time.monotonic() + TICK_S

    def _tick(self, meter: _Meter, start_cpu: float, progress: tuple) -> tuple:
        pids = proctree.tree(self.proc.pid)
        cpu, now = proctree.cpu_seconds(self._charged(pids)), time.monotonic()
        if cpu > progress[0] + 0.005:
            progress = (cpu, now, progress[2])
        why = meter.over(cpu - start_cpu, now - progress[2])
        if not why and now - progress[1] > STALL_S:
            why = (f"Timeout: your code waited {STALL_S:g} s without computing anything (time.sleep, "
                   "input() or a deadlock?)")
        if why:
            self.kill()
            raise LearnerTimeout(why)
        if len(pids) > MAX_PROCESSES:
            self.kill()
            raise LearnerCrash(f"crashed: your code started more than {MAX_PROCESSES} processes "
                               "(a fork bomb?); exercise code must not start processes")
        if self.proc.poll() is not None:
            self._died("")  # dead, but a forked child may hold the pipe open: no EOF would come
        self._sweep_orphans()
        return progress

    def _decode(self, header: bytes, payload: bytes, seq, expect_ready: bool) -> dict:
        try:
            reply, _ = wire.unpack(header, payload, REPLY_LIMITS)
            if type(reply) is not dict:
                raise wire.WireError("a reply must be a dict")
            if expect_ready:
                return reply
            if reply.pop("seq", None) != seq:
                raise wire.WireError("reply out of sequence")
            if "error" in reply:
                _check_error(reply["error"])
            elif "ok" not in reply:
                raise wire.WireError("a reply needs 'ok' or 'error'")
            return reply
        except wire.WireError as err:
            self._died(f"it sent malformed data ({err})")

    def _died(self, why: str):
        code = None
        if self.proc is not None:
            try:
                code = self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
        last = self.channel.last_log_line() if self.channel else ""
        self.kill()
        raise LearnerCrash("crashed: " + (why or _exit_story(code, self.iso.full))
                           + (f"; last output: {last}" if last else ""))


def _exit_story(code, via_bwrap: bool) -> str:
    """What an exit status says; bwrap reports a child killed by signal N as 128 + N."""
    import signal

    if code is None:
        return "the worker stopped answering"
    signum = -code if code < 0 else (code - 128 if via_bwrap and code > 128 else None)
    if signum is not None:
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        return f"the worker was killed by {name}"
    return f"the worker exited with code {code} during the call (os._exit? a crash in C code?)"


# ------------------------------------------------------------------------------ pool and proxies

class WorkerPool:
    """The workers of one grading session: one per notebook module, a few alive at a time.

    Parameters
    ----------
    folder : path
        Where the learner's ``exNN_*.py`` files are.
    budget : Budget
        Per-test limits (``begin_test`` starts a new one).
    isolation : Isolation, optional
        Default: :func:`nnbasics.course.isolation.detect`.
    adopt_orphans : bool
        Become the subreaper of this process (Linux) and kill adopted daemons after every call;
        only for a process that runs nothing but graded tests.
    keep : int
        Workers kept alive at once (least recently used ones are stopped).
    order : sequence of str
        The notebooks in the order their tests run: the next one's worker starts in the
        background while the current one's tests run.
    """

    def __init__(self, folder, budget: Budget = Budget(), *, isolation=None, extra_secrets=(),
                 adopt_orphans: bool = False, keep: int = 2, order=()):
        self.folder = Path(folder)
        self.budget = budget
        self.iso = isolation or iso_mod.detect()
        self.extra_secrets = tuple(extra_secrets)
        self.adopt_orphans = adopt_orphans and proctree.set_subreaper()
        self.keep = keep
        self.order = list(order)
        self.workers: OrderedDict[str, WorkerProcess] = OrderedDict()
        self.meter: _Meter | None = None
        # a pool nobody closed still kills its workers (at garbage collection or exit)
        weakref.finalize(self, _kill_all, self.workers)

    def module(self, notebook: str) -> RemoteModule:
        """The learner's module for notebook ``"NN"`` as a :class:`RemoteModule`."""
        worker = self._worker(notebook)
        if worker is None:
            raise FileNotFoundError(f"no ex{notebook}_*.py in {self.folder}")
        if notebook in self.order[:-1]:
            following = self._worker(self.order[self.order.index(notebook) + 1])
            if following is not None:
                following.spawn()
        return RemoteModule(self, notebook, worker.learner_file.name)

    def _worker(self, notebook: str) -> WorkerProcess | None:
        if notebook not in self.workers:
            matches = sorted(self.folder.glob(f"ex{notebook}_*.py"))
            if not matches:
                return None
            self.workers[notebook] = WorkerProcess(matches[0], notebook, self.iso,
                                                   extra_secrets=self.extra_secrets,
                                                   adopt_orphans=self.adopt_orphans,
                                                   load_cpu_s=self.budget.cpu_s)
        return self.workers[notebook]

    def retarget(self, folder) -> None:
        """Mutant mode only: serve the files of ``folder`` from now on. A live worker imports its
        notebook's new file (:meth:`WorkerProcess.reload`); any other is stopped."""
        self.folder = Path(folder)
        for notebook, worker in list(self.workers.items()):
            matches = sorted(self.folder.glob(f"ex{notebook}_*.py"))
            if not matches or not worker.reload(matches[0]):
                worker.kill()
                del self.workers[notebook]

    def begin_test(self, budget: Budget | None = None) -> None:
        self.meter = _Meter(budget or self.budget)

    def end_test(self) -> None:
        self.meter = None

    def request(self, notebook: str, msg: dict) -> tuple[dict, list]:
        """Send ``msg`` to notebook's worker under the running test's budget."""
        worker = self.workers[notebook]
        self.workers.move_to_end(notebook)
        for other in list(self.workers.values())[:-self.keep - 1]:
            if other.proc is not None:
                other.kill()  # the current worker, the previous one and one started ahead may live
        return worker.request(msg, self.meter or _Meter(self.budget))

    def close(self) -> None:
        """Kill every worker (and any daemon one left behind)."""
        _kill_all(self.workers)


def _kill_all(workers: dict) -> None:
    for worker in workers.values():
        worker.kill()


class RemoteModule:
    """Stands for the learner's module: every attribute is a :class:`RemoteFunction`."""

    def __init__(self, pool: WorkerPool, notebook: str, file_name: str):
        self._pool, self._notebook, self.__file__ = pool, notebook, file_name

    def __getattr__(self, name: str) -> RemoteFunction:
        if name.startswith("_"):  # tools probe _repr_pretty_ etc.: never a learner's exercise
            raise AttributeError(name)
        return RemoteFunction(self, name)

    def scenario(self, name: str, **kwargs):
        """Run trusted scenario ``name`` (``nnbasics/course/scenarios``) in the worker.

        The scenario builds the objects that cannot cross (torch models, optimizers,
        callables) from the plain ``kwargs``, calls the learner's function and returns
        plain data. Learner exceptions are raised here like those of a direct call.
        """
        return _result(self, {"op": "scenario", "name": name, "kwargs": kwargs}, False, f"scenario {name!r}")

    def __repr__(self) -> str:
        return f"<learner module {self.__file__} (sandboxed)>"


class RemoteFunction:
    """One learner function; calling it runs it in the worker."""

    def __init__(self, module: RemoteModule, name: str):
        self.module, self.__name__ = module, name

    def __call__(self, *args, **kwargs):
        __tracebackhide__ = True  # pytest shows the test's line and the learner's error, not ours
        return self.call(args, kwargs)

    def call(self, args: tuple, kwargs: dict, *, check_unmodified: bool = False):
        """Call with ``args``/``kwargs``; with ``check_unmodified`` fail if an array argument changed."""
        __tracebackhide__ = True
        msg = {"op": "call", "fn": self.__name__, "args": tuple(args), "kwargs": dict(kwargs),
               "check": check_unmodified}
        return _result(self.module, msg, check_unmodified, self.__name__)

    def __repr__(self) -> str:
        return f"<learner function {self.__name__} in {self.module.__file__} (sandboxed)>"


def _result(module: RemoteModule, msg: dict, check: bool, what: str):
    """Send one request and turn the reply into a return value or an exception."""
    __tracebackhide__ = True
    try:
        reply, generators = module._pool.request(module._notebook, msg)
    except (wire.Unsupported, wire.WireError) as err:
        raise TypeError(f"the test passed {err} to {what}; only plain data can cross to the "
                        "sandbox (use a scenario for objects)") from None
    if "error" in reply:
        raise exception_from(reply["error"])
    _apply_side_effects(reply, generators, check, what)
    return reply["ok"]


def _apply_side_effects(reply: dict, generators: list, check: bool, what: str) -> None:
    """Advance the caller's generators, replay warnings, report in-place changes."""
    __tracebackhide__ = True
    states, mutated, caught = reply.get("rng", []), reply.get("mutated", []), reply.get("warnings", [])
    if type(states) is not list or len(states) != len(generators) or type(mutated) is not list \
            or type(caught) is not list:
        raise LearnerCrash("crashed: the worker sent an inconsistent reply")
    for g, state in zip(generators, states):
        wire.set_rng_state(g, state)
    for w in caught[:20]:
        category = getattr(builtins, str(w.get("category", "")), UserWarning) if type(w) is dict else None
        if not (isinstance(category, type) and issubclass(category, Warning)):
            category = UserWarning
        warnings.warn(str(w.get("message", ""))[:500] if type(w) is dict else "", category, stacklevel=4)
    if check and mutated:
        k = mutated[0]
        raise AssertionError(f"{what} modified its argument #{k} in place; return a new array "
                             "instead (e.g. w = w + ..., not w += ...)")
