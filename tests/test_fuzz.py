"""Fuzz the public compute API: finite in, finite out, or a clear error (issue 21).

Generated from the bad-input sweep's registry (``VALID_CALLS`` in ``tests/test_api_sweep.py``),
so every function registered there is fuzzed here too; ``Case.fuzz`` sets the number of
hypothesis examples (0, with a ``fuzz_reason``, opts a call out). Each example starts from the
registered valid call and changes it one way:

- values: array arguments get arrays of the same shape with extreme finite values (0, ±1e-300
  ... ±1e300; float32 up to ±1e38; often every array huge, or every array tiny), constant arrays
  (zero spread), huge offsets with a tiny spread, or scaled noise; float arguments (lr, alpha, eps...) get extreme finite numbers; the
  float inputs are all float64, all float32, or mixed (the first, or ``Case.dtype_of``, float32
  and the others float64);
- shape: an empty or length-1 axis (the first array's leading axis, with every array that shares
  it, or its last axis);
- broadcast: an argument with a partner (``Case.mismatch``) gets a shape that broadcasts against
  the partner but is wrong (the checked axis set to 1, or the leading axis dropped);
- state: an argument holding state (a cache, ``BatchNormState``, a params dict: anything that is
  not in ``Case.arrays`` but holds arrays) is set to None, or one of its arrays gets a NaN, a
  broadcast-wrong shape, a huge scale, or a negative value where only >= 0 is possible
  (``Case.nonneg``).

The property: the call returns finite floats (for same-shape values draws: the registered call's
shapes; float32 in, float32 out unless ``Case.out_dtype`` documents otherwise), or raises
ValueError/TypeError (``NonFiniteError`` is a ValueError) whose message names an argument.
Broadcast-wrong shapes and NaN/None/negative state must raise, naming the state argument.
A numpy RuntimeWarning fails too: overflow is reported by a clear error, not a warning.

The failures this found are kept as plain regression tests at the bottom of this file.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from test_api_sweep import (
    EXEMPT,
    VALID_CALLS,
    Case,
    _call,
    _names,
    _resolve,
    leaves,
    nonfinite_leaves,
)

from nnbasics._validate import NonFiniteError

# --------------------------------------------------------------------------- what is fuzzed

#: Decimal exponents of the extreme values, per dtype and magnitude class.
EXPONENTS = {
    np.float64: {"any": [-300, -100, -10, 0, 10, 100, 300], "huge": [100, 300], "tiny": [-300, -100]},
    np.float32: {"any": [-38, -10, 0, 10, 30, 38], "huge": [30, 38], "tiny": [-38, -30]},
}


@functools.cache
def values(dtype, magnitude: str = "any") -> list:
    """Finite values to draw from: ±10^k for the class's exponents, 0 and ordinary numbers (1.0
    first: hypothesis shrinks towards it)."""
    extreme = [sign * 10.0**k for k in EXPONENTS[dtype][magnitude] for sign in (1, -1)]
    return [1.0, 0.0, -1.0] + ([0.5, -2.0, 3.0] if magnitude == "any" else []) + extreme


HUGE = {np.float64: 1e300, np.float32: 1e38}


def _is_float_array(v) -> bool:
    return isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating)


def _is_float_scalar(v) -> bool:
    return isinstance(v, (float, np.floating)) and not isinstance(v, bool)


def _float_leaves(value, path):
    return [(p, leaf) for p, leaf in leaves(value, path) if _is_float_array(leaf)]


def float_arrays(case: Case, kwargs: dict) -> list[str]:
    return [a for a in case.arrays if _is_float_array(kwargs.get(a))]


def float_scalars(qual: str, kwargs: dict) -> list[str]:
    """Float arguments: in the registered call, or left at a float default (std, lr, eps...)."""
    case = VALID_CALLS[qual]
    given = [k for k, v in kwargs.items() if k not in case.arrays and _is_float_scalar(v)]
    return given + [k for k in _float_defaults(qual) if k not in kwargs and k not in case.arrays]


@functools.cache
def _float_defaults(qual: str) -> tuple:
    try:
        params = inspect.signature(_resolve(qual)).parameters.values()
    except (TypeError, ValueError):
        return ()
    return tuple(p.name for p in params if _is_float_scalar(p.default))


def state_args(case: Case, kwargs: dict) -> list[str]:
    """Arguments that hold state: not a registered array argument, but holding float arrays."""
    return [k for k, v in kwargs.items()
            if k not in case.arrays and not _is_float_scalar(v) and _float_leaves(v, k)
            and f"{k}:state" not in case.skip]


def broadcast_args(case: Case, kwargs: dict) -> list[str]:
    return [a for a in case.mismatch if isinstance(kwargs.get(a), np.ndarray)
            and f"{a}:broadcast" not in case.skip]


def modes(qual: str, kwargs: dict) -> list[str]:
    case = VALID_CALLS[qual]
    out = []
    if float_arrays(case, kwargs) or float_scalars(qual, kwargs):
        out.append("values")
    if any(isinstance(kwargs.get(a), np.ndarray) and kwargs[a].ndim for a in case.arrays):
        out.append("shape")
    if broadcast_args(case, kwargs):
        out.append("broadcast")
    if state_args(case, kwargs):
        out.append("state")
    return out


def _fuzzable(qual: str) -> bool:
    case = VALID_CALLS[qual]
    return case.fuzz > 0 and bool(modes(qual, case.make()))


FUZZED = sorted(q for q in VALID_CALLS if _fuzzable(q))


# --------------------------------------------------------------------------- strategies

def _array(data, shape, dtype, magnitude: str, label: str) -> np.ndarray:
    """An array of ``shape`` and ``dtype`` with extreme finite values in one of four styles."""
    style = data.draw(st.sampled_from(["mixed", "scaled", "constant", "offset"]), label=f"{label} style")
    if style == "mixed":  # every element its own magnitude: huge spreads
        return data.draw(_mixed(tuple(shape), dtype, magnitude), label=label)
    k = data.draw(st.sampled_from(EXPONENTS[dtype][magnitude]), label=f"{label} exponent")
    noise = np.random.default_rng(data.draw(st.integers(0, 2**16), label=f"{label} seed")).standard_normal(shape)
    if style == "scaled":  # ordinary shape, one extreme magnitude (kept finite in dtype)
        top = np.finfo(dtype).max
        return np.clip(noise * 10.0**k, -top, top).astype(dtype)
    c = data.draw(st.sampled_from(values(dtype, magnitude)), label=f"{label} constant")
    if style == "constant":  # zero spread (variance 0)
        return np.full(shape, c, dtype=dtype)
    return (c + noise * 10.0**min(k, 0)).astype(dtype)  # a huge offset, a tiny spread


@functools.cache
def _mixed(shape, dtype, magnitude):
    from hypothesis.extra.numpy import arrays
    return arrays(dtype, shape, elements=st.sampled_from(values(dtype, magnitude)))


def _cast(value, dtype):
    """``value`` with every float array inside (tuples, lists, dicts, dataclasses) cast to ``dtype``."""
    if _is_float_array(value):
        return value.astype(dtype)
    return _rebuild(value, lambda leaf: leaf.astype(dtype) if _is_float_array(leaf) else leaf)


def _rebuild(value, fn, path_filter=None, path=""):
    """A copy of a container with ``fn`` applied to its leaves (arrays and numbers)."""
    if isinstance(value, (tuple, list)):
        out = [_rebuild(v, fn, path_filter, f"{path}[{i}]") for i, v in enumerate(value)]
        return tuple(out) if isinstance(value, tuple) else out
    if isinstance(value, dict):
        return {k: _rebuild(v, fn, path_filter, f"{path}[{k!r}]") for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _rebuild(getattr(value, f.name), fn, path_filter, f"{path}.{f.name}")
                   for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if path_filter is None or path_filter(path):
        return fn(value)
    return value


def _replace_leaf(value, root: str, target: str, fn):
    """``value`` (the argument called ``root``) with the leaf at path ``target`` replaced by ``fn(leaf)``."""
    if target == root:
        return fn(value)
    return _rebuild(value, fn, lambda p: root + p == target)


def _broadcast_wrong(arr: np.ndarray, axis: int | None):
    """A shape that broadcasts against ``arr``'s partner but is wrong: ``axis`` set to length 1, or
    (axis None) the leading axis dropped. None when no such shape differs from ``arr``'s."""
    if axis is None:
        return arr[0] if arr.ndim >= 2 else None
    if arr.ndim == 0 or arr.shape[axis] == 1:
        return None
    return np.take(arr, [0], axis=axis)


# --------------------------------------------------------------------------- drawing one call

@dataclasses.dataclass
class Plan:
    """What one example changed, and so what it may expect."""

    mode: str
    same_shapes: bool = True
    dtype: str = "float64"  # float64, float32 or mixed
    must_raise: bool = False
    must_name: tuple = ()  # with must_raise: the error must name one of these


def draw_call(data, qual: str) -> tuple[dict, Plan]:
    case = VALID_CALLS[qual]
    kwargs = case.make()
    mode = data.draw(st.sampled_from(modes(qual, kwargs)), label="mode")
    plan = Plan(mode)
    {"values": _draw_values, "shape": _draw_shape, "broadcast": _draw_broadcast,
     "state": _draw_state}[mode](data, qual, kwargs, plan)
    return kwargs, plan


def _draw_values(data, qual, kwargs, plan):
    case = VALID_CALLS[qual]
    cast = float_arrays(case, kwargs) + state_args(case, kwargs)
    plan.dtype = data.draw(st.sampled_from(["float64", "float32", "mixed"]), label="dtype") if cast else ""
    lead = case.dtype_of or (cast[0] if cast else "")  # mixed: this one float32, the others float64
    dtypes = {}
    for name in cast:
        if plan.dtype == "mixed":
            dtypes[name] = np.float32 if name == lead else np.float64
        else:
            dtypes[name] = np.float64 if plan.dtype == "float64" else np.float32
        kwargs[name] = _cast(kwargs[name], dtypes[name])
    # "huge" or "tiny": every array at that magnitude (products overflow or underflow); "any": a few
    magnitude = data.draw(st.sampled_from(["huge", "tiny", "any"]), label="magnitude")
    for name in float_arrays(case, kwargs):
        if magnitude != "any" or data.draw(st.booleans(), label=f"fuzz {name}"):
            kwargs[name] = _array(data, kwargs[name].shape, dtypes[name], magnitude, name)
            if name in case.nonneg and np.any(kwargs[name] < 0):
                plan.must_raise, plan.must_name = True, plan.must_name + (name,)
    for name in float_scalars(qual, kwargs):
        if data.draw(st.booleans(), label=f"fuzz {name}"):
            kwargs[name] = data.draw(st.sampled_from(values(np.float64)), label=name)
            plan.same_shapes = False  # a scalar may set a size (val_fraction, p)
            plan.must_name += (name,) if plan.must_name else ()  # an error may name it first


def _draw_shape(data, qual, kwargs, plan):
    case = VALID_CALLS[qual]
    plan.same_shapes = False
    arrays = [a for a in case.arrays if isinstance(kwargs.get(a), np.ndarray) and kwargs[a].ndim]
    first = arrays[0]
    length = data.draw(st.sampled_from([0, 1]), label="length")
    if data.draw(st.booleans(), label="leading axis"):
        n = kwargs[first].shape[0]
        for a in arrays:  # every array that shares the first one's leading axis
            if kwargs[a].shape[0] == n:
                kwargs[a] = kwargs[a][:length]
    else:
        kwargs[first] = kwargs[first][..., :length]


def _draw_broadcast(data, qual, kwargs, plan):
    case = VALID_CALLS[qual]
    plan.same_shapes, plan.must_raise = False, True
    options = [(a, ax) for a in broadcast_args(case, kwargs) for ax in (case.mismatch[a], None)
               if _broadcast_wrong(kwargs[a], ax) is not None]
    if not options:
        plan.must_raise = False
        return
    arg, axis = data.draw(st.sampled_from(options), label="broadcast-wrong argument and axis")
    kwargs[arg] = _broadcast_wrong(kwargs[arg], axis)


def _draw_state(data, qual, kwargs, plan):
    case = VALID_CALLS[qual]
    plan.same_shapes = False
    arg = data.draw(st.sampled_from(state_args(case, kwargs)), label="state argument")
    paths = [p for p, _ in _float_leaves(kwargs[arg], arg)]
    nonneg = [p for p in paths if p in case.nonneg]
    kinds = ["nan", "huge"] + (["negative"] if nonneg else [])
    if f"{arg}:broadcast" not in case.skip:
        kinds.append("broadcast")
    if _default(qual, arg) is not None:  # None is not a valid value of this argument
        kinds.append("none")
    kind = data.draw(st.sampled_from(kinds), label="state change")
    note(f"state change: {kind}")
    if kind == "none":
        kwargs[arg] = None
        plan.must_raise, plan.must_name = True, (arg,)
        return
    path = data.draw(st.sampled_from(nonneg if kind == "negative" else paths), label="leaf")

    def change(leaf):
        if kind == "nan":
            leaf = leaf.copy()
            leaf.flat[0] = np.nan
            return leaf
        if kind == "huge":
            return leaf * HUGE[leaf.dtype.type]
        if kind == "negative":
            return -(np.abs(leaf) + 1.0)
        wrong = _broadcast_wrong(leaf, 0 if leaf.ndim else None) if leaf.ndim else None
        return leaf if wrong is None else wrong

    before = kwargs[arg]
    kwargs[arg] = _replace_leaf(before, arg, path, change)
    if kind in ("nan", "negative"):
        plan.must_raise, plan.must_name = True, (arg,)
    elif kind == "broadcast":
        leaf_before = dict(_float_leaves(before, arg))[path]
        plan.must_raise = dict(_float_leaves(kwargs[arg], arg))[path].shape != leaf_before.shape


_NO_DEFAULT = object()


def _default(qual: str, arg: str):
    """The declared default of ``arg`` (a sentinel when it has none), so None is not tried where valid."""
    try:
        p = inspect.signature(_resolve(qual)).parameters.get(arg)
    except (TypeError, ValueError):
        return _NO_DEFAULT
    return _NO_DEFAULT if p is None or p.default is inspect.Parameter.empty else p.default


# --------------------------------------------------------------------------- the property

@functools.cache
def reference(qual: str) -> dict:
    """Path -> shape of every array in the registered valid call's result."""
    out = _call(_resolve(qual), VALID_CALLS[qual].make())
    return {p: np.shape(leaf) for p, leaf in leaves(out) if isinstance(leaf, np.ndarray)}


def _arg_names(qual: str, kwargs: dict) -> set:
    try:
        names = set(inspect.signature(_resolve(qual)).parameters)
    except (TypeError, ValueError):
        names = set()
    return names | set(kwargs)


def _describe(kwargs) -> str:
    parts = []
    for k, v in kwargs.items():
        if isinstance(v, np.ndarray):
            finite = v[np.isfinite(v)] if np.issubdtype(v.dtype, np.floating) else v
            top = f", max |.| {np.max(np.abs(finite)):.0e}" if finite.size and v.dtype.kind == "f" else ""
            parts.append(f"{k}={v.dtype}{v.shape}{top}")
        elif v is None or isinstance(v, (int, float, str, bool)):
            parts.append(f"{k}={v!r}")
        else:
            parts.append(f"{k}=<{type(v).__name__}>")
    return ", ".join(parts)


def check_call(qual: str, case: Case, kwargs: dict, plan: Plan) -> None:
    """Call ``qual`` with ``kwargs`` and check the property (module docstring)."""
    call = f"{qual}({_describe(kwargs)}) [{plan.mode}]"
    note(call)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            out = _call(_resolve(qual), kwargs)
        except (ValueError, TypeError) as err:
            names = plan.must_name or tuple(sorted(_arg_names(qual, kwargs)))
            assert any(_names(n, str(err)) for n in names), (
                f"{call} raised {type(err).__name__} without naming {' or '.join(names)}: {err}")
            return
        except Exception as err:  # noqa: BLE001 - a warning or a deep error is the failure reported
            pytest.fail(f"{call} raised {type(err).__name__} (want a finite result or a ValueError/"
                        f"TypeError naming an argument): {err}")
    assert not plan.must_raise, f"{call} returned without an error (want one naming {plan.must_name or 'an argument'})"
    bad = [p for p in nonfinite_leaves(out) if not _documented(case, out, p)]
    assert not bad, f"{call} returned NaN/inf in {bad} from finite inputs (want a finite result or NonFiniteError)"
    if plan.mode == "values" and plan.same_shapes and "shape" not in case.skip:
        ref = reference(qual)  # (paths can differ: no momentum buffer when momentum=0)
        wrong = {p: np.shape(leaf) for p, leaf in leaves(out)
                 if isinstance(leaf, np.ndarray) and p in ref and np.shape(leaf) != ref[p]}
        assert not wrong, f"{call} returned shapes {wrong}, the registered call {ref}"
    _check_dtypes(call, case, kwargs, plan, out)


def _documented(case: Case, out, path: str) -> bool:
    """Whether a non-finite leaf is a documented result: ``Case.nonfinite_ok`` says so, or it is
    inside a record flagged ``diverged`` (a training run whose loss became NaN/inf)."""
    return bool(case.nonfinite_ok) or any(getattr(obj, "diverged", False) is True and path.startswith(p)
               for p, obj in _records(out, "result"))


def _records(value, path):
    """``(path, object)`` for ``value`` and every dataclass inside it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield path, value
        for f in dataclasses.fields(value):
            yield from _records(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            yield from _records(v, f"{path}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _records(v, f"{path}[{k!r}]")


def _check_dtypes(call, case, kwargs, plan, out):
    got = {p: leaf.dtype for p, leaf in leaves(out) if _is_float_array(leaf)}
    if plan.mode != "values" or not plan.dtype or not got:
        return
    if plan.dtype == "mixed":
        want = {kwargs[case.dtype_of].dtype} if case.dtype_of else {np.dtype(np.float32), np.dtype(np.float64)}
    else:
        want = {np.dtype(plan.dtype)}
    if case.out_dtype:
        want.add(np.dtype(case.out_dtype))
    wrong = {p: str(d) for p, d in got.items() if d not in want}
    assert not wrong, f"{call} returned dtypes {wrong}; want {sorted(map(str, want))} (documented in Case.out_dtype)"


# --------------------------------------------------------------------------- tests

@pytest.mark.parametrize("qual", FUZZED)
def test_finite_in_finite_out_or_clear_error(qual):
    case = VALID_CALLS[qual]

    @settings(max_examples=case.fuzz, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def run(data):
        kwargs, plan = draw_call(data, qual)
        check_call(qual, case, kwargs, plan)

    run()


def test_every_registered_call_is_fuzzed_or_says_why():
    """The sweep's completeness test makes every public function registered or exempt; here every
    registered call is fuzzed, has nothing to fuzz, or gives a reason for ``fuzz=0``."""
    silent = [q for q, c in VALID_CALLS.items() if c.fuzz == 0 and not c.fuzz_reason]
    assert not silent, f"fuzz=0 without a fuzz_reason: {silent}"
    assert set(FUZZED) <= set(VALID_CALLS) and not set(FUZZED) & set(EXEMPT)


def test_documented_dtypes_are_in_the_docstring():
    """A call whose float results do not keep the inputs' dtype says so in its docstring."""
    undocumented = []
    for q, c in VALID_CALLS.items():
        if c.out_dtype and c.out_dtype not in (inspect.getdoc(_resolve(q)) or ""):
            undocumented.append(q)
    assert not undocumented, f"Case.out_dtype set but the docstring does not mention it: {undocumented}"


# --------------------------------------------------------------------------- what the fuzz found
# Each row: a call that used to return NaN/inf silently, compute a wrong result, warn, or fail
# deep inside numpy (issue 21 and this file's first runs), and the clear error it raises now.

def _found():
    from test_api_sweep import A, tiny_model, tiny_params

    from nnbasics.core import conv, dropout, layers, losses, mlp, norm, optim, regularization
    from nnbasics.core.gradcheck import numerical_gradient
    from nnbasics.data import standardize
    from nnbasics.experiments import nb06_init, nb08_dropout, nb09_regularization
    from nnbasics.lab import diagnostics, hardware, models

    big = np.full((2, 3), 1e200)
    x = np.ones(3)
    p = tiny_params()
    no_w2 = {k: v for k, v in p.items() if k != "W2"}
    nan_params = {**p, "b1": np.full(4, np.nan)}
    _, dense_cache = layers.dense_forward(A(2, 3), A(3, 4), A(4))
    _, bn_cache = norm.batchnorm_forward(A(4, 3), np.ones(3), np.zeros(3))
    reg = nb09_regularization.make_regression_1d(n_train=6, n_val=6, rng=0)
    return [
        (lambda: layers.dense_forward(big, big.T, np.zeros(2)), NonFiniteError, r"dense_forward.*\|x\| <= 1e\+200"),
        (lambda: losses.mse(np.array([1e200]), np.array([0.0])), NonFiniteError, "pred - target overflows"),
        (lambda: losses.mae(np.full(8, 2e38, np.float32), np.zeros(8, np.float32)), NonFiniteError, "mae"),
        (lambda: norm.batchnorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3),
                                        norm.BatchNormState(np.zeros(3), -np.ones(3)), train=False),
         ValueError, r"state\.running_var must be >= 0"),
        (lambda: norm.batchnorm_backward(np.ones((4, 3)), dataclasses.replace(bn_cache, inv_std=-bn_cache.inv_std)),
         ValueError, r"cache\.inv_std must be >= 0"),
        (lambda: optim.adam_step(x, x, np.zeros(3), -x, 1), ValueError, "v must be >= 0"),
        (lambda: optim.sgd_step(np.ones((3, 2)), np.ones((3, 2)), np.ones(2), lr=0.1, momentum=0.9),
         ValueError, r"buf has shape \(2,\) but p has shape \(3, 2\)"),
        (lambda: optim.sgd_step(np.ones((3, 2)), np.ones((3, 2)), np.ones(7), lr=0.1, momentum=0.9),
         ValueError, r"buf has shape \(7,\)"),
        (lambda: numerical_gradient(lambda: float("nan"), np.ones(3)), NonFiniteError, "f returned nan"),
        (lambda: numerical_gradient(lambda: None, np.ones(3)), TypeError, "f must return one number"),
        (lambda: numerical_gradient(lambda: np.ones(2), np.ones(3)), TypeError, r"f must return one number.*\(2,\)"),
        (lambda: conv.conv2d_backward(np.ones((1, 1, 1, 1)), None), TypeError, "cache must be the tuple"),
        (lambda: layers.dense_backward(np.ones((2, 4)), (dense_cache[0], dense_cache[1][:1])), ValueError,
         r"cache\[1\] \(w\) has shape \(1, 4\)"),
        (lambda: layers.dense_backward(np.ones((2, 4)), (dense_cache[0], np.full((3, 4), np.nan))), ValueError,
         r"cache\[1\] contains NaN"),
        (lambda: layers.sigmoid_backward(np.ones(3), np.full(3, 7.0)), ValueError, r"cache must be in \[0, 1\]"),
        (lambda: mlp.forward(np.ones((2, 3)), no_w2), ValueError, r"unexpected keys \['b2'\]"),
        (lambda: mlp.two_layer_forward(np.ones((2, 3)), nan_params), ValueError, r"params\['b1'\] contains"),
        (lambda: models.torch_model_from_params(nan_params), ValueError, r"params\['b1'\] contains"),
        (lambda: diagnostics.dead_unit_fraction(tiny_model(), np.full((4, 3), 1e300)), ValueError,
         "X has values up to 1.0e\\+300, beyond the largest torch.float32"),
        (lambda: nb09_regularization.capacity_fit(2, 0.0, {**reg, "x_train": reg["x_train"] * np.nan}),
         ValueError, r"data\['x_train'\] contains"),
        (lambda: nb08_dropout.scaling_mismatch(np.zeros((2, 2)), 0.5, rng=0), ValueError, "x has mean 0"),
        (lambda: hardware.underflow_demo(scale=1e10), NonFiniteError, "overflows float16"),
        (lambda: standardize(np.full((3, 2), 1e300) * [[1], [-1], [1]]), NonFiniteError, "X_train too large"),
        # notebooks 06-09's functions (a RuntimeWarning, a NaN cache accepted, or a silently wrong 0)
        (lambda: dropout.dropout_linear_penalty(big, np.ones(3), 0.3), NonFiniteError,
         r"dropout_linear_penalty.*\|X\| <= 1e\+200"),
        (lambda: norm.rmsnorm_forward(big, np.ones(3)), NonFiniteError, r"x \* x overflows the mean square"),
        (lambda: norm.layernorm_forward(np.array([[1e200, -1e200, 0.0]]), np.ones(3), np.zeros(3)),
         NonFiniteError, "overflows the variance of a sample"),  # was: x_hat silently all zeros
        (lambda: norm.groupnorm_backward(np.ones((2, 4, 3)), norm.GroupNormCache(
            np.ones((2, 4, 3)), np.full((2, 2), np.nan), np.ones(4), 2)), ValueError, r"cache\.inv_std contains NaN"),
        (lambda: norm.rmsnorm_backward(np.ones((2, 3)), norm.RMSNormCache(np.ones((2, 3)), np.ones((2, 1)), np.ones(1))),
         ValueError, r"cache\.gamma has shape \(1,\)"),
        (lambda: optim.rmsprop_step(x, x, -x), ValueError, "v must be >= 0"),
        (lambda: regularization.l1_penalty_grad([np.ones(3, np.float32)], 1e100), NonFiniteError, "lam too large"),
        (lambda: regularization.lasso_ista(big.T, np.ones(3), 0.1), NonFiniteError, r"Phi\^T Phi overflows"),
        (lambda: nb09_regularization.sparsity_path(np.ones((4, 2), np.float32), np.ones(4, np.float32),
                                                   np.array([1e38], np.float32), steps=2),
         NonFiniteError, r"sparsity_path.*\|lams\| <= 1e\+38"),
        (lambda: nb08_dropout.spatial_dropout_information(np.ones((1, 2, 4, 1)), 0.5, rng=0), ValueError, "W >= 2"),
        (lambda: nb06_init.jacobian_singular_values(depth=2, width=3, gain=1e300), NonFiniteError, "gain too large"),
    ]


@pytest.mark.parametrize("index", range(len(_found())))
def test_found_by_the_fuzz_now_raises_a_clear_error(index):
    call, kind, match = _found()[index]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(kind, match=match):
            call()


def test_nonfinite_error_is_a_value_error_and_a_floating_point_error():
    assert issubclass(NonFiniteError, ValueError) and issubclass(NonFiniteError, FloatingPointError)


def test_found_by_the_fuzz_now_returns_the_right_value():
    import torch

    from nnbasics.core import (
        activations,
        attention,
        gradcheck,
        norm,
        optim,
        recurrent,
        regularization,
    )
    from nnbasics.experiments import nb08_dropout

    # gelu_tanh_derivative(1e300) was 0 * inf = NaN; torch's derivative is exactly 1 (0 far left)
    x = np.array([-1e300, -30.0, -3.0, 0.5, 30.0, 1e300])
    xt = torch.tensor(x[1:-1], requires_grad=True)
    torch.nn.functional.gelu(xt, approximate="tanh").sum().backward()
    got = activations.gelu_tanh_derivative(x)
    np.testing.assert_allclose(got[1:-1], xt.grad.numpy(), rtol=1e-12, atol=1e-300)
    assert got[0] == 0.0 and got[-1] == 1.0
    # adam_step kept float64 moments' dtype instead of the parameter's
    p32 = np.ones(3, np.float32)
    assert all(a.dtype == np.float32 for a in optim.adam_step(p32, p32, np.zeros(3), np.zeros(3), 1))
    # float32 stayed float32 through attention and BPTT (were float64)
    q = np.ones((2, 3), np.float32)
    out, cache = attention.attention_forward(q, q, q)
    assert out.dtype == np.float32 and all(g.dtype == np.float32 for g in attention.attention_backward(out, cache))
    W, U, b = (a.astype(np.float32) for a in recurrent.init_rnn(3, 4, rng=0))
    hs, caches = recurrent.rnn_forward(np.ones((2, 2, 3), np.float32), np.zeros((2, 4), np.float32), W, U, b)
    assert all(g.dtype == np.float32 for g in recurrent.rnn_backward(np.ones_like(hs), caches))
    # ema_half_life(1e-300) divided by log(1 - 1e-300) = log(1) = 0; the half-life is ln 2 / m
    assert norm.ema_half_life(1e-300) == pytest.approx(np.log(2) * 1e300, rel=1e-12)
    # r^2 and the neighbour correlation are scale-invariant: were NaN/0 for huge or tiny maps
    maps = nb08_dropout.smooth_feature_maps(2, 3, 6, 6, rng=0)
    ref = nb08_dropout.spatial_dropout_information(maps, 0.5, rng=1)
    for scale in (1e-250, 1e250):
        got = nb08_dropout.spatial_dropout_information(maps * scale, 0.5, rng=1)
        for k in ("r2_elementwise", "r2_spatial", "neighbour_corr"):
            np.testing.assert_allclose(got[k], ref[k], rtol=1e-9, atol=1e-12)
    # float32 stayed float32 through RMSProp, Adagrad and ISTA (were float64)
    assert all(a.dtype == np.float32 for a in optim.rmsprop_step(p32, p32, np.zeros(3)))
    assert all(a.dtype == np.float32 for a in optim.adagrad_step(p32, p32, np.zeros(3), 1))
    assert regularization.lasso_ista(np.eye(3, dtype=np.float32), p32, 0.1, steps=5).dtype == np.float32
    # numerical_gradient left x perturbed when f failed
    xs = np.zeros(2)
    with pytest.raises(TypeError):
        gradcheck.numerical_gradient(lambda: None if xs[0] else 0.0, xs)
    assert np.all(xs == 0.0)


def test_training_that_overflows_is_flagged_diverged():
    """A finite loss with an inf gradient used to make every weight NaN with ``diverged`` False;
    the numpy MLP raised a ValueError about ``logits`` instead of flagging the run."""
    from test_api_sweep import A, labels, tiny_model

    from nnbasics.core import mlp
    from nnbasics.lab.train import TrainConfig, fit

    X, y = A(8, 3) * 1e30, labels(0, 1).repeat(4)
    hist = fit(tiny_model(), X.astype(np.float32), y, cfg=TrainConfig(epochs=2, batch_size=4))
    assert hist.diverged and np.isnan(hist.train_loss[-1])
    hist = mlp.train(A(8, 3) * 1e200, y, hidden=(4,), epochs=2, batch_size=4, rng=0)
    assert hist.diverged and np.isnan(hist.train_loss[-1])
