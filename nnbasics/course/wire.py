"""Plain-data wire format between the grader and its sandboxed worker — never pickle.

Standalone (stdlib + numpy; torch imported only when a tensor crosses): the worker
imports this file as a top-level module inside the sandbox, where ``nnbasics`` is absent.

A message is a fixed prefix, a JSON header and the raw bytes of every buffer::

    b"NNW1" | header length (u32 LE) | payload length (u64 LE) | header (UTF-8 JSON) | payload

The header is ``{"v": node, "b": [n0, n1, ...]}``: ``node`` describes the value, ``b`` the
byte length of each buffer (concatenated, in order, in the payload). Nodes:

======================  =========================================================================
value                   node
======================  =========================================================================
None, bool, int, str    the JSON value itself
float (nan, inf too)    the JSON number (Python's json writes NaN/Infinity; repr round-trips exactly)
list                    JSON array
tuple                   ``{"T": "tuple", "v": [...]}`` (kept distinct from list)
dict with str keys      ``{"T": "dict", "v": {...}}``
bytes                   ``{"T": "bytes", "b": i}``
numpy array             ``{"T": "nd", "dtype": "<f8", "shape": [...], "b": i}`` (C order)
numpy scalar            ``{"T": "np", "dtype": "<f8", "b": i}`` (np.float64 stays np.float64)
torch tensor            ``{"T": "torch", "dtype": "float32", "shape": [...], "grad": bool, "b": i}``
np.random.Generator     ``{"T": "rng", "i": k, "state": {...}}`` (PCG64; the k-th distinct one;
                        a repeat is ``{"T": "rng", "i": k}``)
======================  =========================================================================

Anything else raises :class:`Unsupported` naming the type. Decoding validates everything
(node shapes, dtype whitelist, buffer sizes against shapes, depth, counts, sizes) and raises
:class:`WireError`, so bytes from an untrusted worker can only ever become these plain values.
"""

from __future__ import annotations

import json
import math
import struct
import sys
from dataclasses import dataclass

import numpy as np

__all__ = ["Limits", "LIMITS", "WireError", "Unsupported", "PREFIX", "pack", "parse_prefix", "unpack",
           "rng_state", "set_rng_state"]

MAGIC = b"NNW1"
PREFIX = struct.Struct("<4sIQ")

#: numpy dtypes that may cross (little-endian strings as ``dtype.str`` gives them).
NUMPY_DTYPES = frozenset({"|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8",
                          "<f2", "<f4", "<f8", "<c8", "<c16"})
#: torch dtype name -> the numpy dtype its bytes are carried as (bfloat16 travels as int16 bits).
TORCH_DTYPES = {"bool": "|b1", "uint8": "|u1", "int8": "|i1", "int16": "<i2", "int32": "<i4",
                "int64": "<i8", "float16": "<f2", "bfloat16": "<i2", "float32": "<f4",
                "float64": "<f8", "complex64": "<c8", "complex128": "<c16"}


@dataclass(frozen=True)
class Limits:
    """Caps on one message: nesting depth, number of values, total bytes, one string's length."""

    max_depth: int = 32
    max_items: int = 1_000_000
    max_bytes: int = 256 * 2**20
    max_header: int = 16 * 2**20


LIMITS = Limits()


class WireError(ValueError):
    """A message that is malformed, too large or describes a value that may not cross."""


class Unsupported(TypeError):
    """A value of a type that cannot cross; ``type_name`` names it, ``where`` says where it sat."""

    def __init__(self, type_name: str, where: str, detail: str = ""):
        self.type_name, self.where, self.detail = type_name, where, detail
        super().__init__(f"a {type_name}{f' at {where}' if where else ''}{detail}")


# ------------------------------------------------------------------------------------ encoding

class _Encoder:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.buffers: list[bytes] = []
        self.size = 0
        self.items = 0
        self.generators: list = []

    def buffer(self, data: bytes) -> int:
        self._grow(len(data))
        self.buffers.append(data)
        return len(self.buffers) - 1

    def _grow(self, n: int) -> None:
        self.size += n
        if self.size > self.limits.max_bytes:
            raise WireError(f"the value is larger than the {self.limits.max_bytes // 2**20} MiB limit")

    def node(self, obj, where: str, depth: int):
        self.items += 1
        if self.items > self.limits.max_items:
            raise WireError(f"the value holds more than {self.limits.max_items} items")
        if depth > self.limits.max_depth:
            raise WireError(f"the value is nested deeper than {self.limits.max_depth} levels (at {where})")
        t = type(obj)
        if obj is None or t is bool or t is int or t is float:
            if t is int and obj.bit_length() > 4096:
                raise WireError(f"an int with {obj.bit_length()} bits at {where} is too large")
            return obj
        if t is str:
            self._grow(len(obj))
            return obj
        if t is list:
            return [self.node(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(obj)]
        if t is tuple:
            return {"T": "tuple", "v": [self.node(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(obj)]}
        if t is dict:
            return {"T": "dict", "v": self._dict(obj, where, depth)}
        if t is bytes:
            return {"T": "bytes", "b": self.buffer(obj)}
        if t is np.ndarray:
            return self._array(obj, where)
        if isinstance(obj, np.generic):
            return self._scalar(obj, where)
        if t is np.random.Generator:
            return self._generator(obj, where)
        if _is_tensor(obj):
            return self._tensor(obj, where)
        raise Unsupported(_type_name(obj), where)

    def _dict(self, obj: dict, where: str, depth: int) -> dict:
        out = {}
        for k, v in obj.items():
            if type(k) is not str:
                raise Unsupported(f"dict key of type {_type_name(k)}", where, " (only str keys)")
            self._grow(len(k))
            out[k] = self.node(v, f"{where}[{k!r}]", depth + 1)
        return out

    def _le_dtype(self, dtype: np.dtype, where: str, what: str) -> np.dtype:
        le = dtype.newbyteorder("<")
        if le.str not in NUMPY_DTYPES:
            raise Unsupported(f"{what} of dtype {dtype}", where, " (only bool, integer, float and "
                              "complex dtypes)")
        return le

    def _array(self, a: np.ndarray, where: str) -> dict:
        le = self._le_dtype(a.dtype, where, "numpy array")
        data = np.ascontiguousarray(a, dtype=le).tobytes()
        return {"T": "nd", "dtype": le.str, "shape": list(a.shape), "b": self.buffer(data)}

    def _scalar(self, x, where: str) -> dict:
        le = self._le_dtype(x.dtype, where, f"numpy scalar {type(x).__name__}")
        return {"T": "np", "dtype": le.str, "b": self.buffer(np.asarray(x, dtype=le).tobytes())}

    def _generator(self, g, where: str) -> dict:
        for k, seen in enumerate(self.generators):
            if seen is g:
                return {"T": "rng", "i": k}
        state = rng_state(g, where)
        self.generators.append(g)
        return {"T": "rng", "i": len(self.generators) - 1, "state": state}

    def _tensor(self, t, where: str) -> dict:
        import torch

        name = str(t.dtype).removeprefix("torch.")
        if name not in TORCH_DTYPES or t.layout != torch.strided or t.device.type != "cpu":
            raise Unsupported(f"torch tensor ({t.dtype}, {t.layout}, {t.device})", where,
                              " (only dense CPU tensors of standard dtypes)")
        data = t.detach().contiguous()
        if name == "bfloat16":
            data = data.view(torch.int16)
        raw = data.numpy().astype(TORCH_DTYPES[name], copy=False).tobytes()
        return {"T": "torch", "dtype": name, "shape": list(t.shape), "grad": bool(t.requires_grad),
                "b": self.buffer(raw)}


def _is_tensor(obj) -> bool:
    torch = sys.modules.get("torch")  # a tensor can only exist if torch was imported
    return torch is not None and isinstance(obj, torch.Tensor)


def _type_name(obj) -> str:
    t = type(obj)
    return f"<class '{t.__qualname__}'>" if t.__module__ in ("builtins", "__main__") \
        else f"<class '{t.__module__}.{t.__qualname__}'>"


def pack(obj, limits: Limits = LIMITS) -> tuple[bytes, list]:
    """Encode ``obj`` as one message.

    Returns
    -------
    message : bytes
    generators : list of np.random.Generator
        The distinct generators found in ``obj``, in the order their nodes number them.

    Raises
    ------
    Unsupported
        For a value of a type that cannot cross (its ``type_name`` and ``where``).
    WireError
        When a cap (depth, items, bytes) is exceeded.
    """
    enc = _Encoder(limits)
    tree = enc.node(obj, "", 0)
    header = json.dumps({"v": tree, "b": [len(b) for b in enc.buffers]}, allow_nan=True,
                        separators=(",", ":")).encode("utf-8")
    if len(header) > limits.max_header:
        raise WireError(f"the value's description is larger than {limits.max_header // 2**20} MiB")
    payload_len = sum(len(b) for b in enc.buffers)
    return b"".join([PREFIX.pack(MAGIC, len(header), payload_len), header, *enc.buffers]), enc.generators


# ------------------------------------------------------------------------------------ decoding

def parse_prefix(prefix: bytes, limits: Limits = LIMITS) -> tuple[int, int]:
    """The header and payload lengths announced by a message's first ``PREFIX.size`` bytes."""
    if len(prefix) != PREFIX.size:
        raise WireError("truncated message prefix")
    magic, header_len, payload_len = PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise WireError(f"bad magic {magic!r}: not a grader message")
    if header_len > limits.max_header or payload_len > limits.max_bytes:
        raise WireError(f"message too large (header {header_len} B, payload {payload_len} B)")
    return header_len, payload_len


class _Decoder:
    def __init__(self, buffers: list[memoryview], limits: Limits):
        self.buffers = buffers
        self.limits = limits
        self.items = 0
        self.used: set[int] = set()
        self.generators: list = []

    def take(self, i) -> memoryview:
        if type(i) is not int or not 0 <= i < len(self.buffers) or i in self.used:
            raise WireError(f"bad buffer reference {i!r}")
        self.used.add(i)
        return self.buffers[i]

    def node(self, n, depth: int):
        self.items += 1
        if self.items > self.limits.max_items or depth > self.limits.max_depth:
            raise WireError("message nested too deep or holding too many items")
        t = type(n)
        if n is None or t in (bool, int, float, str):
            return n
        if t is list:
            return [self.node(v, depth + 1) for v in n]
        if t is not dict or type(n.get("T")) is not str:
            raise WireError(f"unexpected node of type {t.__name__}")
        kind = n["T"]
        handler = getattr(self, f"_{kind}", None) if kind in _KINDS else None
        if handler is None:
            raise WireError(f"unknown node kind {kind!r}")
        _expect_keys(n, _KINDS[kind])
        return handler(n, depth)

    def _tuple(self, n, depth):
        if type(n["v"]) is not list:
            raise WireError("a tuple node needs a list")
        return tuple(self.node(v, depth + 1) for v in n["v"])

    def _dict(self, n, depth):
        if type(n["v"]) is not dict:
            raise WireError("a dict node needs an object")
        return {k: self.node(v, depth + 1) for k, v in n["v"].items()}

    def _bytes(self, n, depth):
        return bytes(self.take(n["b"]))

    def _nd(self, n, depth):
        dtype = _numpy_dtype(n["dtype"])
        shape = _shape(n["shape"])
        buf = self.take(n["b"])
        _check_size(buf, shape, dtype.itemsize)
        return np.frombuffer(buf, dtype=dtype).reshape(shape).copy()

    def _np(self, n, depth):
        dtype = _numpy_dtype(n["dtype"])
        buf = self.take(n["b"])
        _check_size(buf, (), dtype.itemsize)
        return np.frombuffer(buf, dtype=dtype)[0]

    def _torch(self, n, depth):
        import torch

        name = n["dtype"]
        if type(name) is not str or name not in TORCH_DTYPES or type(n["grad"]) is not bool:
            raise WireError(f"bad tensor node (dtype {name!r})")
        shape = _shape(n["shape"])
        carrier = np.dtype(TORCH_DTYPES[name])
        buf = self.take(n["b"])
        _check_size(buf, shape, carrier.itemsize)
        t = torch.from_numpy(np.frombuffer(buf, dtype=carrier).reshape(shape).copy())
        if name == "bfloat16":
            t = t.view(torch.bfloat16)
        if n["grad"]:
            if not (t.is_floating_point() or t.is_complex()):
                raise WireError(f"a {name} tensor cannot require grad")
            t.requires_grad_(True)
        return t

    def _rng(self, n, depth):
        k = n["i"]
        if type(k) is not int or not 0 <= k <= len(self.generators):
            raise WireError(f"bad generator reference {k!r}")
        if k < len(self.generators):
            if "state" in n:
                raise WireError("a repeated generator carries no state")
            return self.generators[k]
        if "state" not in n:
            raise WireError("a new generator needs its state")
        g = np.random.Generator(np.random.PCG64())
        set_rng_state(g, n["state"])
        self.generators.append(g)
        return g


_KINDS = {"tuple": ({"T", "v"}, set()), "dict": ({"T", "v"}, set()), "bytes": ({"T", "b"}, set()),
          "nd": ({"T", "dtype", "shape", "b"}, set()), "np": ({"T", "dtype", "b"}, set()),
          "torch": ({"T", "dtype", "shape", "grad", "b"}, set()), "rng": ({"T", "i"}, {"state"})}


def _expect_keys(n: dict, spec) -> None:
    required, optional = spec
    keys = set(n)
    if not required <= keys or keys - required - optional:
        raise WireError(f"malformed {n['T']!r} node with keys {sorted(keys)}")


def _numpy_dtype(s) -> np.dtype:
    if type(s) is not str or s not in NUMPY_DTYPES:
        raise WireError(f"dtype {s!r} is not allowed")
    return np.dtype(s)


def _shape(shape) -> tuple:
    if type(shape) is not list or len(shape) > 32 or \
            not all(type(d) is int and 0 <= d <= 2**40 for d in shape):
        raise WireError(f"bad shape {shape!r}")
    return tuple(shape)


def _check_size(buf: memoryview, shape: tuple, itemsize: int) -> None:
    if len(buf) != math.prod(shape) * itemsize:
        raise WireError(f"buffer of {len(buf)} bytes does not match shape {shape} x {itemsize} B")


def unpack(header: bytes, payload: bytes, limits: Limits = LIMITS) -> tuple[object, list]:
    """Decode one message from its header and payload (as announced by :func:`parse_prefix`).

    Returns
    -------
    value : object
        Plain data only: None, bool, int, float, str, bytes, list, tuple, dict, numpy arrays
        and scalars, torch tensors, numpy Generators.
    generators : list of np.random.Generator
        The distinct generators in ``value``, numbered as in the message.

    Raises
    ------
    WireError
        For anything malformed, oversized, or not in the whitelist.
    """
    try:
        doc = json.loads(header.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise WireError(f"unreadable message header: {type(err).__name__}") from None
    if type(doc) is not dict or set(doc) != {"v", "b"} or type(doc["b"]) is not list:
        raise WireError("malformed message header")
    sizes = doc["b"]
    if not all(type(s) is int and s >= 0 for s in sizes) or sum(sizes) != len(payload):
        raise WireError("buffer sizes do not add up to the payload")
    view, offsets, start = memoryview(payload), [], 0
    for s in sizes:
        offsets.append(view[start:start + s])
        start += s
    dec = _Decoder(offsets, limits)
    try:
        value = dec.node(doc["v"], 0)
    except RecursionError:
        raise WireError("message nested too deep") from None
    if len(dec.used) != len(sizes):
        raise WireError("unreferenced buffers in the message")
    return value, dec.generators


# ------------------------------------------------------------------------------------ generators

def rng_state(g, where: str = "") -> dict:
    """The PCG64 state of a numpy Generator as plain JSON data."""
    if type(g.bit_generator) is not np.random.PCG64:
        raise Unsupported(f"np.random.Generator backed by {type(g.bit_generator).__name__}", where,
                          " (use np.random.default_rng, which is PCG64)")
    s = g.bit_generator.state
    return {"state": int(s["state"]["state"]), "inc": int(s["state"]["inc"]),
            "has_uint32": int(s["has_uint32"]), "uinteger": int(s["uinteger"])}


def set_rng_state(g, state) -> None:
    """Give PCG64 Generator ``g`` a state received from the other side (validated)."""
    if type(state) is not dict or set(state) != {"state", "inc", "has_uint32", "uinteger"}:
        raise WireError("malformed generator state")
    ok = (type(state["state"]) is int and 0 <= state["state"] < 2**128
          and type(state["inc"]) is int and 0 <= state["inc"] < 2**128
          and state["has_uint32"] in (0, 1) and type(state["has_uint32"]) is int
          and type(state["uinteger"]) is int and 0 <= state["uinteger"] < 2**32)
    if not ok:
        raise WireError("generator state out of range")
    g.bit_generator.state = {"bit_generator": "PCG64",
                             "state": {"state": state["state"], "inc": state["inc"]},
                             "has_uint32": state["has_uint32"], "uinteger": state["uinteger"]}
