"""The grading sandbox, piece by piece: the wire format, the worker, the trusted proxy,
budgets and crashes, isolation, scenarios, the import policy and the safe gradebook writers.

The whole-class attack suite is tests/test_grading_adversarial.py.
"""

from __future__ import annotations

import json
import re
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from nnbasics.core import mlp
from nnbasics.course import classroom, grading, isolation, policy, sandbox, specs, wire
from nnbasics.course.grading_plugin import call_unmodified
from nnbasics.course.scenarios import numeric, torch_models
from nnbasics.lab.models import MLPConfig, build_mlp

ROOT = Path(__file__).resolve().parents[1]


def roundtrip(obj):
    msg, gens = wire.pack(obj)
    header_len, _ = wire.parse_prefix(msg[:wire.PREFIX.size])
    start = wire.PREFIX.size
    value, gens2 = wire.unpack(msg[start:start + header_len], msg[start + header_len:])
    assert len(gens) == len(gens2)
    return value


def unpack_header(header: dict, payload: bytes = b""):
    return wire.unpack(json.dumps(header).encode(), payload)


# ------------------------------------------------------------------------------ wire

def test_wire_round_trips_plain_data_exactly():
    value = {"none": None, "t": True, "i": -(2**100), "f": [1.5, -0.0, float("inf")], "s": "ü|\n",
             "b": b"\x00\xff", "tup": (1, (2.0,)), "list": [[], ()], "nested": {"k": {"k": [1]}}}
    assert roundtrip(value) == value
    out = roundtrip(value)
    assert type(out["tup"]) is tuple and type(out["list"][1]) is tuple and type(out["list"][0]) is list
    assert np.isnan(roundtrip(float("nan"))) and str(roundtrip(-0.0)) == "-0.0"
    assert type(roundtrip(1.0)) is float and type(roundtrip(1)) is int and type(roundtrip(True)) is bool


@pytest.mark.parametrize("arr", [
    np.arange(12.0).reshape(3, 4), np.arange(12.0).reshape(3, 4)[:, ::2], np.ones(3, np.float32),
    np.array([True, False]), np.arange(6, dtype=">i4"), np.zeros((0, 3)), np.array(5.0),
    np.array([1 + 2j], np.complex64), np.arange(4, dtype=np.uint8), np.asfortranarray(np.eye(3)),
])
def test_wire_round_trips_arrays_with_shape_and_dtype(arr):
    out = roundtrip(arr)
    assert type(out) is np.ndarray and out.shape == arr.shape
    assert out.dtype == arr.dtype.newbyteorder("=") and np.array_equal(out, arr)
    assert out.flags.writeable


def test_wire_keeps_numpy_scalar_types():
    for x in (np.float64(1.5), np.float32(2.5), np.int64(3), np.bool_(True), np.uint8(7)):
        out = roundtrip(x)
        assert type(out) is type(x) and out == x
    assert type(roundtrip(np.float64(1.0))) is not float  # np.float64 vs float matters to tests


def test_wire_rebuilds_torch_tensors():
    for t in (torch.arange(6.0).reshape(2, 3), torch.ones(3, dtype=torch.bfloat16),
              torch.tensor([True, False]), torch.zeros(2, dtype=torch.float64, requires_grad=True),
              torch.arange(3, dtype=torch.int64)):
        out = roundtrip(t)
        assert isinstance(out, torch.Tensor) and out.dtype == t.dtype and out.shape == t.shape
        assert out.requires_grad == t.requires_grad and torch.equal(out.detach(), t.detach())


def test_wire_carries_generators_by_identity_and_state():
    g = np.random.default_rng(7)
    g.random(3)
    out = roundtrip({"a": g, "b": [g]})
    assert out["a"] is out["b"][0]
    assert out["a"].random() == g.random()


@pytest.mark.parametrize("bad, named", [
    (object(), "<class 'object'>"), ({1, 2}, "<class 'set'>"), ({1: 2}, "dict key of type <class 'int'>"),
    (np.array([object()]), "dtype object"), (np.zeros(2, dtype=[("a", "f8")]), "numpy array of dtype"),
    (np.random.Generator(np.random.MT19937()), "MT19937"), (np.ma.masked_array([1.0]), "MaskedArray"),
    (lambda: 0, "function"), ([1, [2, object()]], "at [1][1]"),
])
def test_wire_refuses_other_types_naming_them(bad, named):
    with pytest.raises(wire.Unsupported, match=re.escape(named)):
        wire.pack(bad)


def test_wire_caps_depth_items_and_size():
    deep = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(wire.WireError, match="nested deeper"):
        wire.pack(deep)
    with pytest.raises(wire.WireError, match="items"):
        wire.pack([0] * 10, wire.Limits(max_items=5))
    with pytest.raises(wire.WireError, match="MiB"):
        wire.pack(np.zeros(2**18), wire.Limits(max_bytes=2**20))


@pytest.mark.parametrize("header, payload, why", [
    ({"v": {"T": "nd", "dtype": "|O", "shape": [1], "b": 0}, "b": [8]}, b"\0" * 8, "not allowed"),
    ({"v": {"T": "nd", "dtype": "<f8", "shape": [2], "b": 0}, "b": [8]}, b"\0" * 8, "does not match"),
    ({"v": {"T": "nd", "dtype": "<f8", "shape": [1], "b": 0, "x": 1}, "b": [8]}, b"\0" * 8, "malformed"),
    ({"v": {"T": "pickle", "b": 0}, "b": [1]}, b"\0", "unknown node"),
    ({"v": [{"T": "bytes", "b": 0}, {"T": "bytes", "b": 0}], "b": [1]}, b"\0", "bad buffer"),
    ({"v": None, "b": [1]}, b"\0", "unreferenced"),
    ({"v": None, "b": [5]}, b"\0", "add up"),
    ({"v": {"T": "rng", "i": 0, "state": {"state": -1, "inc": 1, "has_uint32": 0, "uinteger": 0}}, "b": []},
     b"", "out of range"),
    ({"v": {"T": "torch", "dtype": "int64", "shape": [1], "grad": True, "b": 0}, "b": [8]}, b"\0" * 8,
     "cannot require grad"),
    ({"v": {"k": 1}, "b": []}, b"", "unexpected node"),
])
def test_wire_decoding_validates_everything(header, payload, why):
    with pytest.raises(wire.WireError, match=why):
        unpack_header(header, payload)


def test_wire_rejects_bad_prefixes_and_deep_json():
    with pytest.raises(wire.WireError, match="magic"):
        wire.parse_prefix(struct.pack("<4sIQ", b"PKL!", 1, 1))
    with pytest.raises(wire.WireError, match="too large"):
        wire.parse_prefix(wire.PREFIX.pack(b"NNW1", 1, 2**40))
    with pytest.raises(wire.WireError):
        wire.unpack(b'{"v": ' + b"[" * 100_000 + b"]" * 100_000 + b', "b": []}', b"")


# ------------------------------------------------------------------------------ exceptions

def _err(**kw):
    base = {"type": "ValueError", "module": "builtins", "builtin": "ValueError", "message": "bad x",
            "traceback": "ex.py, line 3, in f: raise ValueError('bad x')", "kind": "learner"}
    return {**base, **kw}


def test_builtin_exceptions_come_back_as_their_builtin():
    exc = sandbox.exception_from(_err(args=("bad x",)))
    assert isinstance(exc, ValueError) and type(exc).__name__ == "ValueError" and str(exc) == "bad x"
    with pytest.raises(ValueError, match="bad x"):
        raise exc
    key = sandbox.exception_from(_err(type="KeyError", builtin="KeyError", message="'W1'", args=("W1",)))
    assert isinstance(key, KeyError) and str(key) == "'W1'"
    assert "line 3" in "".join(exc.__notes__)


@pytest.mark.parametrize("name", ["SystemExit", "KeyboardInterrupt", "GeneratorExit"])
def test_exits_and_interrupts_become_plain_failures(name):
    exc = sandbox.exception_from(_err(type=name, builtin=name, message="3"))
    assert type(exc) is sandbox.LearnerError and name in str(exc) and "not exit" in str(exc)


def test_other_exception_types_become_learner_errors_naming_them():
    exc = sandbox.exception_from(_err(type="LinAlgError", module="numpy.linalg", builtin="ValueError"))
    assert type(exc) is sandbox.LearnerError
    assert "numpy.linalg.LinAlgError (a ValueError): bad x" in str(exc)
    internal = sandbox.exception_from(_err(kind="internal"))
    assert isinstance(internal, sandbox.ScenarioError) and "grader" in str(internal)


# ------------------------------------------------------------------------------ the proxy

LEARNER = '''\
import numpy as np


def add(a, b):
    return a + b


def kinds():
    return {"f": 1.0, "f64": np.float64(1.0), "f32": np.ones(2, np.float32), "t": (1, 2), "l": [1, 2]}


def draw(rng, n):
    return rng.normal(size=n)


def double_in_place(w):
    w *= 2
    return w


def warn(x):
    return np.exp(x)


def fail(kind):
    if kind == "value":
        raise ValueError("negative")
    if kind == "exit":
        raise SystemExit(2)
    raise NotImplementedError("Exercise 9.9: fail — see notebooks/09")


def forbidden():
    import subprocess  # noqa: F401


def spin():
    while True:
        pass


def nap(s):
    sys = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "_wrap_close"][0].__init__.__globals__["sys"]
    sys.modules["_frozen_importlib"]._gcd_import("time").sleep(s)


def die():
    raise SystemExit
'''


@pytest.fixture
def pool(tmp_path):
    (tmp_path / "ex09_demo.py").write_text(LEARNER)
    p = sandbox.WorkerPool(tmp_path, sandbox.Budget(cpu_s=1.0))
    yield p
    p.close()


def test_remote_calls_return_plain_data_with_types_kept(pool):
    ex = pool.module("09")
    assert ex.add(2, 3) == 5
    assert np.array_equal(ex.add(np.ones(3), 1.0), np.full(3, 2.0))
    k = ex.kinds()
    assert type(k["f"]) is float and type(k["f64"]) is np.float64 and k["f32"].dtype == np.float32
    assert type(k["t"]) is tuple and type(k["l"]) is list
    with pytest.raises(AttributeError, match="has no function 'nope'"):
        ex.nope()
    with pytest.raises(AttributeError):
        ex._repr_pretty_  # noqa: B018 - tools probing private names never reach the worker


def test_the_callers_generator_advances_exactly_as_in_the_worker(pool):
    g, ref = np.random.default_rng(3), np.random.default_rng(3)
    assert np.array_equal(pool.module("09").draw(g, 4), ref.normal(size=4))
    assert g.random() == ref.random()


def test_call_unmodified_reports_in_place_changes(pool):
    ex = pool.module("09")
    w = np.ones(3)
    with pytest.raises(AssertionError, match=r"double_in_place modified its argument #1 in place"):
        call_unmodified(ex.double_in_place, w)
    assert np.array_equal(w, np.ones(3))  # the caller's array is never touched
    assert np.array_equal(call_unmodified(ex.add, w, w), 2 * w)


def test_warnings_are_replayed_in_the_caller(pool):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(RuntimeWarning, match="overflow"):
            pool.module("09").warn(np.array([1000.0]))


def test_learner_exceptions_raise_like_local_ones(pool):
    ex = pool.module("09")
    with pytest.raises(ValueError, match="negative"):
        ex.fail("value")
    with pytest.raises(NotImplementedError, match=r"^Exercise 9\.9: fail"):
        ex.fail("stub")
    with pytest.raises(sandbox.LearnerError, match="SystemExit"):
        ex.fail("exit")
    with pytest.raises(ImportError, match="`import subprocess` is not allowed"):
        ex.forbidden()
    assert ex.add(1, 1) == 2  # the worker lives on


def test_cpu_budget_kills_the_sandbox_and_the_next_call_starts_afresh(pool):
    ex = pool.module("09")
    pool.begin_test()
    with pytest.raises(sandbox.LearnerTimeout, match="more than 1 s of CPU"):
        ex.spin()
    pool.end_test()
    assert not pool.workers["09"].alive
    assert ex.add(1, 2) == 3


def test_a_stalled_call_is_stopped(pool, monkeypatch):
    monkeypatch.setattr(sandbox, "STALL_S", 1.0)
    with pytest.raises(sandbox.LearnerTimeout, match="without computing"):
        pool.module("09").nap(30)


def test_the_wall_clock_backstop(tmp_path):
    (tmp_path / "ex09_demo.py").write_text(LEARNER)
    p = sandbox.WorkerPool(tmp_path, sandbox.Budget(cpu_s=1.0, wall_s=1.0))
    try:
        with pytest.raises(sandbox.LearnerTimeout, match="wall-clock"):
            p.module("09").nap(5)
    finally:
        p.close()


def test_import_failures_are_remembered_and_reported_for_every_call(tmp_path):
    (tmp_path / "ex01_bad.py").write_text("raise RuntimeError('broken on import')\n")
    p = sandbox.WorkerPool(tmp_path)
    try:
        for _ in range(2):
            with pytest.raises(RuntimeError, match="broken on import"):
                p.module("01").predict(1)
        assert p.workers["01"].load_failure is not None
    finally:
        p.close()


def test_mutant_mode_reuses_a_live_worker_with_a_fresh_module(tmp_path):
    """``WorkerPool.retarget`` (the mutant runner): the live worker imports the next folder's
    file as a new module (nothing of the old one survives), keeps its process, and a worker
    that cannot be reused (its import failed) is replaced."""
    files = {"a": "import numpy as np\nVALUE = 1\n\ndef value():\n    return VALUE\n\ndef only_in_a():\n    return 'a'\n",
             "b": "def value():\n    return 2\n",
             "bad": "raise RuntimeError('broken on import')\n",
             "c": "def value():\n    return 3\n"}
    for name, text in files.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "ex09_demo.py").write_text(text)
    p = sandbox.WorkerPool(tmp_path / "a", sandbox.Budget(cpu_s=5.0))
    try:
        assert p.module("09").value() == 1 and p.module("09").only_in_a() == "a"
        pid = p.workers["09"].python_pid
        p.retarget(tmp_path / "b")
        assert p.workers["09"].python_pid == pid  # the same process ...
        assert p.module("09").value() == 2  # ... serving the new file
        with pytest.raises(AttributeError, match="has no function 'only_in_a'"):
            p.module("09").only_in_a()
        p.retarget(tmp_path / "bad")
        with pytest.raises(RuntimeError, match="broken on import"):
            p.module("09").value()
        p.retarget(tmp_path / "c")  # a failed import is never reused: a fresh worker
        assert p.module("09").value() == 3 and p.workers["09"].python_pid != pid
    finally:
        p.close()


def test_a_timeout_is_a_base_exception_so_hypothesis_does_not_retry_it():
    assert not issubclass(sandbox.LearnerTimeout, Exception)
    assert not issubclass(sandbox.LearnerCrash, Exception)


def test_unsupported_arguments_are_a_test_bug_named_clearly(pool):
    with pytest.raises(TypeError, match="only plain data can cross"):
        pool.module("09").add(object(), 1)


# ------------------------------------------------------------------------------ isolation

PROBE = '''\
def probe(course, site):
    g = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "_wrap_close"][0].__init__.__globals__
    socket = g["sys"].modules["_frozen_importlib"]._gcd_import("socket")
    try:
        socket.create_connection(("127.0.0.1", 22), timeout=1).close()
        net = "connected"
    except OSError as err:
        net = type(err).__name__
    writable = True
    try:
        open(site + "/nnbasics_probe.txt", "w").close()
    except OSError:
        writable = False
    listing = g["listdir"](course) if g["path"].isdir(course) else []
    return {"course": [n for n in listing if n != ".venv"], "solutions": g["path"].exists(course + "/solutions"),
            "pids": sorted(int(p) for p in g["listdir"]("/proc") if p.isdigit()),
            "uid": g["getuid"](), "net": net, "site_writable": writable,
            "nnbasics": g["path"].exists(site + "/nnbasics")}
'''


def test_bubblewrap_hides_the_course_the_network_and_other_processes(tmp_path):
    iso = isolation.detect()
    if not iso.full:
        pytest.skip(str(iso))
    (tmp_path / "ex01_probe.py").write_text(PROBE)
    p = sandbox.WorkerPool(tmp_path, isolation=iso)
    try:
        seen = p.module("01").probe(str(ROOT), isolation.site_dirs()[0])
    finally:
        p.close()
    assert seen["course"] == [] and not seen["solutions"], seen["course"]  # at most the venv's path
    assert max(seen["pids"]) < 10, f"the worker sees the host's processes: {seen['pids']}"
    assert seen["net"] != "connected" and not seen["site_writable"]
    assert not Path(isolation.site_dirs()[0], "nnbasics_probe.txt").exists()


def test_the_isolation_mode_can_be_forced_and_is_reported(monkeypatch):
    monkeypatch.setenv(isolation.ENV, "none")
    iso = isolation.detect()
    assert not iso.full and str(iso) == "isolation: partial (bubblewrap disabled by NNBASICS_SANDBOX=none)"
    monkeypatch.setenv(isolation.ENV, "chroot")
    with pytest.raises(ValueError, match="NNBASICS_SANDBOX must be"):
        isolation.detect()


def test_grade_reports_its_isolation(monkeypatch):
    monkeypatch.setenv(isolation.ENV, "none")
    report = grading.grade("11", impl_dir=ROOT / "solutions")
    assert report.passed and report.isolation.startswith("partial")
    assert "isolation: partial (bubblewrap disabled" in grading.format_report(report)


def test_the_worker_is_masked_from_secrets_inside_what_it_may_see(monkeypatch):
    monkeypatch.setattr(isolation, "_bound_dirs", lambda: [str(ROOT.parent)])
    assert str(ROOT) in isolation._masks()


# ------------------------------------------------------------------------------ records

def _rec(event, nodeid, **kw):
    return {"event": event, "nodeid": nodeid, "exercise": "1.1", "points": 1, **kw}


def test_points_come_only_from_collected_tests_of_this_run():
    prefixes = ("tests/exercises/test_ex01_perceptron.py::",)
    a = "tests/exercises/test_ex01_perceptron.py::test_a"
    records = [_rec("collected", a), _rec("result", a, outcome="passed"),
               _rec("result", a.replace("test_a", "test_b"), outcome="passed"),  # never collected
               _rec("collected", "elsewhere.py::test_c", points=3000),          # not a file of this run
               _rec("collected", a, points=50),                                  # a second claim
               _rec("collected", a.replace("test_a", "test_d"), points=float("inf"))]
    [ex] = grading._collect(records, prefixes)
    assert (ex.points, ex.max_points) == (1, 1)


# ------------------------------------------------------------------------------ scenarios

def test_the_numeric_scenario_loss_is_the_librarys():
    rng = np.random.default_rng(0)
    params = mlp.init_params((4, 5, 3), rng=rng)
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    assert numeric._two_layer_loss(X, y, params) == pytest.approx(mlp.loss_and_grads(X, y, params, "relu")[0],
                                                                  rel=1e-12)


def test_model_specs_rebuild_the_same_model():
    model = build_mlp(MLPConfig(d_in=3, hidden=(4, 4), d_out=2, activation="tanh", dropout=0.2, seed=1))
    model.eval()
    rebuilt = torch_models.build_model(specs.model_spec(model))
    rebuilt.eval()
    x = torch.randn(5, 3)
    assert torch.equal(model(x), rebuilt(x))
    assert [type(m) for m in model.modules()] == [type(m) for m in rebuilt.modules()]
    with pytest.raises(TypeError, match="cannot describe a BatchNorm1d"):
        specs.model_spec(torch.nn.BatchNorm1d(3))


# ------------------------------------------------------------------------------ the import policy

def test_torch_only_where_the_exercise_is_about_torch():
    for nb in [f"{i:02d}" for i in range(1, 13)]:
        allowed = policy.allowed_imports(nb)
        assert "numpy" in allowed and ("torch" in allowed) == (nb in ("05", "10"))
        assert "nnbasics" not in allowed and "os" not in allowed


def test_the_policy_is_stated_in_every_stub_and_in_the_instructor_guide():
    guide = (ROOT / "docs" / "instructor.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "solutions").glob("ex[0-9][0-9]_*.py")):
        nb = path.name[2:4]
        sentence = policy.policy_sentence(nb)
        assert sentence in " ".join(path.read_text().split()), f"{path.name} does not state: {sentence}"
        assert sentence in " ".join((ROOT / "exercises" / path.name).read_text().split())
        main = "numpy and torch" if "torch" in policy.allowed_imports(nb) else "numpy only"
        assert f"| {nb} | {main} |" in guide, f"docs/instructor.md: no import row for notebook {nb}"


# ------------------------------------------------------------------------------ safe gradebook text

@pytest.mark.parametrize("raw, cell", [
    ("=1+2", "'=1+2"), ("+cmd", "'+cmd"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "\\x09x"),
    ("plain", "plain"), ("a|b\nc", "a|b\\x0ac"),
])
def test_csv_cells_never_become_formulas(raw, cell):
    assert classroom.csv_cell(raw) == cell
    assert classroom.csv_cell(3.5) == 3.5


def test_markdown_cells_cannot_break_the_table():
    assert classroom.md_cell("a|b\nc") == "a\\|b\\\\x0ac"
    assert "|" not in classroom.md_cell("x|y").replace("\\|", "")
    assert classroom.md_cell("<script>") == "\\<script\\>"


def test_display_names_survive_any_bytes():
    assert classroom.display_name("caf\udce9") == "caf\\xe9"
    assert classroom.display_name("line\nbreak") == "line\\x0abreak"
