"""The sandboxed side of grading: import ONE learner module and answer calls with plain data.

Started by :mod:`nnbasics.course.sandbox` as ``python -I -S -B worker.py CONFIG_JSON`` (inside
bubblewrap where available). Standalone on purpose: stdlib, numpy and, where the notebook
allows it, torch — ``nnbasics``, ``solutions`` and ``tests`` cannot be imported here.

Protocol: :mod:`wire` messages, requests on the stdin the worker was started with, replies on
its stdout. The worker first moves both to private descriptors and points fd 0 at /dev/null and
fd 1 at fd 2, so the learner's ``print`` goes to the (tail-only) log, not into the channel::

    worker -> {"op": "ready"}                                        once, after start-up
    grader -> {"op": "load", "path": str, "name": str, "allowed": [str, ...]}
    grader -> {"op": "call", "fn": str, "args": tuple, "kwargs": dict, "check": bool}
    grader -> {"op": "scenario", "name": str, "kwargs": dict}
    worker -> {"ok": value, "rng": [state, ...], "mutated": [int, ...], "warnings": [...]}
              or {"error": {"type", "module", "builtin", "message", "traceback", "kind"}}

Nothing in this process is trusted by the grader: it only ever receives plain data back,
decodes it with validation and compares it with its own oracles.
"""

from __future__ import annotations

import builtins
import importlib.util
import json
import os
import sys
import traceback
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
#: Top-level packages nobody in the worker may import: the reference and the graded tests.
FORBIDDEN = ("nnbasics", "solutions", "tests")
MAX_TEXT = 2000
MAX_WARNINGS = 20


def _take_over_stdio() -> tuple[int, int]:
    """Move the channel off fds 0/1; fd 0 becomes /dev/null, fd 1 a copy of fd 2 (the log)."""
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    return proto_in, proto_out


def _read_exact(fd: int, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the grader closed the channel")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _set_limits(limits: dict) -> None:
    """Apply the rlimits the grader chose (hard = soft, so they cannot be raised again)."""
    import resource

    names = {"cpu": "RLIMIT_CPU", "as": "RLIMIT_AS", "fsize": "RLIMIT_FSIZE",
             "nofile": "RLIMIT_NOFILE", "nproc": "RLIMIT_NPROC", "core": "RLIMIT_CORE"}
    for key, value in limits.items():
        which = getattr(resource, names[key], None)
        if which is not None and value is not None:
            try:
                resource.setrlimit(which, (value, value))
            except (ValueError, OSError):
                pass  # e.g. RLIMIT_AS on a platform that lacks it: the grader still kills on time


def _drop_capabilities() -> None:
    """Linux, running as root without bubblewrap: give up every capability for good.

    The worker stays uid 0 (files it owns stay writable: that is why this is only "partial"
    isolation), but it can no longer read the memory or file descriptors of the
    (non-dumpable) grader, nor regain capabilities by exec.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
        for cap in range(64):
            libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        libc.capset(header, (ctypes.c_uint32 * 6)())
    except (OSError, AttributeError):
        pass


class _ForbiddenFinder:
    """A meta-path finder that refuses the reference packages to everyone in the worker."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in FORBIDDEN:
            raise ImportError(f"`import {name}` is not allowed in exercise code: the course "
                              "library and the solutions are not available while grading")
        return None


class ImportGuard:
    """Refuse the learner module's imports outside its notebook's allowlist.

    A guard, not a wall: it turns an honest mistake (or a casual ``from nnbasics... import``)
    into a clear failure. The wall is the sandbox, where the reference is simply absent.
    """

    def __init__(self, module_name: str, file_name: str, allowed):
        self.module_name, self.file_name = module_name, file_name
        self.allowed = frozenset(allowed)
        real = builtins.__import__
        # a worker that loads another file (mutant mode) replaces the guard instead of nesting it
        self.real_import = real.real_import if isinstance(real, ImportGuard) else real

    def __call__(self, name, globals=None, locals=None, fromlist=(), level=0):
        caller = sys._getframe(1).f_globals.get("__name__")
        if caller == self.module_name and level == 0:
            top = name.partition(".")[0]
            if top not in self.allowed:
                raise ImportError(
                    f"{self.file_name} may import only {', '.join(sorted(self.allowed))} "
                    f"(the exercise's import policy); `import {name}` is not allowed")
        return self.real_import(name, globals, locals, fromlist, level)


class LearnerRaised(Exception):
    """Wraps an exception raised by learner code inside a scenario (``.exc``)."""

    def __init__(self, exc: BaseException):
        super().__init__(repr(exc))
        self.exc = exc


class Learner:
    """What scenarios see: the learner's module and a safe way to call into it."""

    def __init__(self, module):
        self.module = module

    def function(self, name: str):
        fn = getattr(self.module, name, None)
        if not callable(fn):
            raise LearnerRaised(AttributeError(
                f"{os.path.basename(self.module.__file__)} has no function {name!r}"))
        return fn

    def call(self, name: str, *args, **kwargs):
        """Call the learner's ``name``; its exceptions come out as :class:`LearnerRaised`."""
        fn = self.function(name)
        try:
            return fn(*args, **kwargs)
        except BaseException as exc:  # noqa: B036 - KeyboardInterrupt/SystemExit are learner errors here
            raise LearnerRaised(exc) from None


def _text(obj) -> str:
    try:
        text = str(obj)
    except BaseException:  # noqa: B036 - a learner's __str__ may raise anything
        text = "<unprintable>"
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def describe(exc: BaseException, learner_file: str | None, kind: str = "learner") -> dict:
    """An exception as plain data: type, nearest builtin base, message, learner frames."""
    t = type(exc)
    builtin_base = next((c.__name__ for c in t.__mro__ if c.__module__ == "builtins"), "BaseException")
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename == learner_file or kind == "internal"]
    tail = [f"{os.path.basename(f.filename)}, line {f.lineno}, in {f.name}: {(f.line or '').strip()}"
            for f in frames[-3:]]
    report = {"type": _text(t.__qualname__)[:200], "module": _text(t.__module__)[:200],
              "builtin": builtin_base, "message": _text(exc), "traceback": "\n".join(tail), "kind": kind}
    args = getattr(exc, "args", ())
    if type(args) is tuple and len(args) <= 4 and all(
            type(a) in (str, int, float, bool, type(None)) and len(str(a)) <= MAX_TEXT for a in args):
        report["args"] = args  # so the grader can rebuild e.g. KeyError('W1') exactly
    return report


def _is_array(obj) -> bool:
    import numpy as np

    torch = sys.modules.get("torch")
    return type(obj) is np.ndarray or (torch is not None and isinstance(obj, torch.Tensor))


def _arrays_in(obj, out: list, depth: int = 0) -> list:
    """numpy arrays and torch tensors inside ``obj`` (lists, tuples, dict values), in order."""
    if _is_array(obj):
        out.append(obj)
    elif depth < 8 and isinstance(obj, (list, tuple)):
        for v in obj:
            _arrays_in(v, out, depth + 1)
    elif depth < 8 and isinstance(obj, dict):
        for v in obj.values():
            _arrays_in(v, out, depth + 1)
    return out


def _copy(a):
    import numpy as np

    return a.copy() if type(a) is np.ndarray else a.detach().clone()


def _same(old, new) -> bool:
    import numpy as np

    if type(old) is np.ndarray:
        return bool(np.array_equal(old, new, equal_nan=old.dtype.kind in "fc"))
    import torch

    return bool(torch.equal(old, new.detach()))


def _snapshot(args) -> list:
    return [[_copy(a) for a in _arrays_in(arg, [])] for arg in args]


def _mutated(before: list, args) -> list:
    """1-based positions of arguments holding an array that changed during the call."""
    changed = []
    for pos, (copies, arg) in enumerate(zip(before, args), start=1):
        now = _arrays_in(arg, [])
        if len(now) != len(copies) or not all(_same(o, n) for o, n in zip(copies, now)):
            changed.append(pos)
    return changed


def _refusal(message: str) -> dict:
    return {"error": {"type": "LearnerError", "module": "nnbasics", "builtin": "Exception",
                      "message": message, "traceback": "", "kind": "unsupported"}}


class Worker:
    """The request loop: one learner module, one request at a time (a later ``load`` replaces
    the module: the mutant runner's reuse, see ``WorkerProcess.reload``)."""

    def __init__(self, proto_in: int, proto_out: int):
        import wire

        self.wire = wire
        self.proto_in, self.proto_out = proto_in, proto_out
        self.module = None
        self.learner_file = None

    # -- channel
    def read(self):
        prefix = _read_exact(self.proto_in, self.wire.PREFIX.size)
        header_len, payload_len = self.wire.parse_prefix(prefix)
        header = _read_exact(self.proto_in, header_len)
        return self.wire.unpack(header, _read_exact(self.proto_in, payload_len))

    def send(self, obj) -> None:
        self._write(self.wire.pack(obj)[0])

    def respond(self, reply: dict, what: str) -> None:
        """Send ``reply``; a result that cannot cross becomes an error naming its type."""
        try:
            data, _ = self.wire.pack(reply)
        except self.wire.Unsupported as err:
            data, _ = self.wire.pack({**_refusal(f"{what} returned {err}, which cannot be graded: "
                                                 "return numpy arrays/numbers"), "seq": reply["seq"]})
        except self.wire.WireError as err:
            data, _ = self.wire.pack({**_refusal(f"{what} returned a value that cannot be graded: "
                                                 f"{err}"), "seq": reply["seq"]})
        self._write(data)

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.proto_out, view):]

    # -- requests
    def load(self, req: dict) -> dict:
        path, name = req["path"], req["name"]
        self.learner_file = path
        builtins.__import__ = ImportGuard(name, os.path.basename(path), req["allowed"])
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException as exc:  # noqa: B036 - any failure of the learner's import is reported
            return {"error": describe(exc, path)}
        self.module = module
        return {"ok": None}

    def call(self, req: dict, generators: list) -> dict:
        fn_name, args, kwargs = req["fn"], req["args"], req["kwargs"]
        fn = getattr(self.module, fn_name, None)
        if not callable(fn):
            exc = AttributeError(f"{os.path.basename(self.learner_file)} has no function {fn_name!r}")
            return {"error": describe(exc, self.learner_file)}
        before = _snapshot(args) if req["check"] else None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: B036 - the learner's SystemExit etc. are reported
                return {"error": describe(exc, self.learner_file)}
        return self.reply(result, generators, caught, _mutated(before, args) if before else [])

    def scenario(self, req: dict, generators: list) -> dict:
        import scenarios

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = scenarios.run(req["name"], Learner(self.module), req["kwargs"])
            except LearnerRaised as wrapped:
                return {"error": describe(wrapped.exc, self.learner_file)}
            except BaseException as exc:  # noqa: B036 - a scenario bug: reported as such
                return {"error": describe(exc, self.learner_file, kind="internal")}
        return self.reply(result, generators, caught, [])

    @staticmethod
    def reply(result, generators, caught, mutated) -> dict:
        import wire

        return {"ok": result, "rng": [wire.rng_state(g) for g in generators], "mutated": mutated,
                "warnings": [{"category": w.category.__name__, "message": _text(w.message)[:500]}
                             for w in caught[:MAX_WARNINGS]]}

    def serve(self) -> None:
        self.send({"op": "ready"})
        while True:
            try:
                req, generators = self.read()
            except EOFError:
                return
            op = req.get("op")
            if op == "load":
                reply, what = self.load(req), "loading"
            elif op == "call":
                reply, what = self.call(req, generators), req["fn"]
            elif op == "scenario":
                reply, what = self.scenario(req, generators), f"scenario {req['name']!r}"
            else:
                return
            self.respond({**reply, "seq": req["seq"]}, what)


def main(argv: list[str]) -> int:
    config = json.loads(argv[1])
    proto_in, proto_out = _take_over_stdio()
    sys.path[:0] = [HERE]
    sys.path.extend(config["site"])
    sys.meta_path.insert(0, _ForbiddenFinder())
    import numpy  # noqa: F401 - preloaded: the learner's `import numpy` must not cost their budget

    if "torch" in config["preload"]:
        import torch

        torch.set_num_threads(1)
    _set_limits(config["limits"])
    if config.get("drop_caps"):
        _drop_capabilities()
    Worker(proto_in, proto_out).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
