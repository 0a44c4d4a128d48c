"""Notebook 03 widgets: step through the forward and backward pass of a 2-2-1 network (node and
weight gradients), and through the gate patterns of f = 2 (x y + max(z, w))."""

from __future__ import annotations

import numpy as np

from nnbasics.experiments import nb03_backprop
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["backprop_step", "backprop_explorer", "N_STEPS", "gate_step", "gate_explorer", "N_GATE_STEPS"]

_POS = {"x[0]": (0.0, 1.0), "x[1]": (0.0, 0.0), "z1[0]": (1.0, 1.0), "z1[1]": (1.0, 0.0),
        "a1[0]": (2.0, 1.0), "a1[1]": (2.0, 0.0), "z2": (3.0, 0.5), "y_hat": (4.0, 1.0), "L": (4.0, 0.0)}
_EDGES = [("x[0]", "z1[0]"), ("x[0]", "z1[1]"), ("x[1]", "z1[0]"), ("x[1]", "z1[1]"), ("z1[0]", "a1[0]"),
          ("z1[1]", "a1[1]"), ("a1[0]", "z2"), ("a1[1]", "z2"), ("z2", "y_hat"), ("z2", "L")]
#: The weighted edges of each layer (their gradients are shown under the layer once known).
_WEIGHTS = {"W1": [("x[0]", "z1[0]"), ("x[0]", "z1[1]"), ("x[1]", "z1[0]"), ("x[1]", "z1[1]")],
            "W2": [("a1[0]", "z2"), ("a1[1]", "z2")]}
_WEIGHT_TEXT_AT = {"W1": (0.5, -0.45), "W2": (2.5, -0.45)}
_N_FORWARD = 9
#: forward steps (one per node) followed by backward steps (one per node gradient or weight layer).
N_STEPS = _N_FORWARD + 10


@frozen_cache(maxsize=64)
def _trace(x1: float, x2: float, y: float) -> dict:
    return nb03_backprop.tiny_network_trace(x1, x2, y)


@frozen_cache(maxsize=512)
def backprop_step(step: int = 0, x1: float = 1.0, y: int = 1) -> dict:
    """Pure data: which node values and gradients are known after ``step`` steps.

    Steps 0..8 evaluate the nodes in forward order; steps 9..18 fill gradients in reverse,
    including the weight gradients dL/dW2 and dL/dW1 as soon as their layer's dL/dz is known.

    Returns
    -------
    dict
        ``nodes`` {name: {"value", "grad"}} (all of them), ``weight_grads`` {"W1": (2, 2),
        "W2": (2,)} and ``weights`` (the same shapes), ``known_values`` and ``known_grads``
        (sets of names; "W1"/"W2" once the weight gradients are known), ``current`` (this step's
        name), ``phase`` ("forward" or "backward"), ``note`` (what this step computes), ``step``.
    """
    step = int(step)
    if not 0 <= step < N_STEPS:
        raise ValueError(f"step must be in 0..{N_STEPS - 1}, got {step}")
    tr = _trace(float(x1), -0.5, float(y))
    order = tr["forward"]
    if step < _N_FORWARD:
        known_v, known_g = set(order[:step + 1]), set()
        current, phase = order[step], "forward"
        note = f"forward: {current} = {tr['nodes'][current]['value']:.4f}"
    else:
        k = step - _N_FORWARD
        known_v = set(order)
        known_g = {name for name, _ in tr["backward"][:k + 1]}
        current, why = tr["backward"][k]
        phase = "backward"
        if current in tr["nodes"]:
            note = f"backward: {why} = {tr['nodes'][current]['grad']:.4f}"
        else:
            note = f"backward: {why}"
    return {"nodes": tr["nodes"], "weight_grads": {k: tr["grads"][k] for k in ("W1", "W2")},
            "weights": {k: tr["params"][k] for k in ("W1", "W2")}, "known_values": known_v,
            "known_grads": known_g, "current": current, "phase": phase, "note": note, "step": step}


def _label(name: str) -> str:
    return name.replace("y_hat", "ŷ")


class _StepView(View):
    """The 2-2-1 graph: nodes fill in forward, gradients flow back along the edges, and under each
    layer its weight gradient dL/dW appears (and its edges turn green) once it is known."""

    def init(self, fig, d):
        ax = fig.add_subplot()
        self.arrows = [ax.annotate("", xy=(_POS[b][0] - 0.18, _POS[b][1]), xytext=(_POS[a][0] + 0.18, _POS[a][1]),
                                   arrowprops=dict(arrowstyle="->", color="0.7", lw=1.5)) for a, b in _EDGES]
        xy = list(_POS.values())
        self.nodes = ax.scatter([x for x, _ in xy], [y for _, y in xy], s=1500, c=["white"] * len(xy),
                                edgecolors="0.4", linewidths=1, zorder=3)
        for name, (x, y) in _POS.items():
            ax.text(x, y + 0.04, _label(name), ha="center", va="center", fontsize=9, weight="bold", zorder=4)
        self.values = {name: ax.text(x, y - 0.08, "", ha="center", va="center", fontsize=8, zorder=4)
                       for name, (x, y) in _POS.items()}
        self.grads = {name: ax.text(x, y - 0.26, "", ha="center", va="center", fontsize=8, color=PALETTE[5],
                                    zorder=4) for name, (x, y) in _POS.items()}
        self.weight_texts = {p: ax.text(*xy, "", ha="center", va="center", fontsize=8, color=PALETTE[2])
                             for p, xy in _WEIGHT_TEXT_AT.items()}
        ax.scatter([], [], s=80, c=PALETTE[4], edgecolors="0.4", label="value known (forward)")
        ax.scatter([], [], s=80, c=PALETTE[1], edgecolors=PALETTE[7], label="this step")
        ax.plot([], [], color=PALETTE[5], label="∂L/∂node flowing back")
        ax.plot([], [], color=PALETTE[2], label="∂L/∂W known (its edges)")
        ax.set(xlim=(-0.5, 4.5), ylim=(-0.6, 1.6))
        ax.set_xticks(range(5), ["input x", "z1 = x W1 + b1", "a1 = σ(z1)", "z2 = a1·W2 + b2", "output / loss"],
                      fontsize=8)
        ax.set_yticks([])
        ax.legend(loc="upper center", fontsize=7, ncol=4, frameon=False)
        self.ax = ax
        return self.update(d)

    def update(self, d):
        weight_known = {e for p, edges in _WEIGHTS.items() if p in d["known_grads"] for e in edges}
        for arrow, (a, b) in zip(self.arrows, _EDGES):
            passed = a in d["known_grads"] and b != "y_hat"  # the gradient has flowed back along it
            arrow.arrow_patch.set_color(PALETTE[2] if (a, b) in weight_known and not passed
                                        else PALETTE[5] if passed else "0.7")
        faces, edges, widths = [], [], []
        for name in _POS:
            is_cur = name == d["current"]
            faces.append(PALETTE[1] if is_cur else (PALETTE[4] if name in d["known_values"] else "white"))
            edges.append(PALETTE[7] if is_cur else "0.4")
            widths.append(2.5 if is_cur else 1)
            node = d["nodes"][name]
            self.values[name].set_text(f"{node['value']:.3f}" if name in d["known_values"] else "")
            show_grad = name in d["known_grads"] and node["grad"] is not None
            self.grads[name].set_text(f"∂L/∂ = {node['grad']:.3f}" if show_grad else "")
        for param, text in self.weight_texts.items():
            g = np.round(np.asarray(d["weight_grads"][param]), 3).tolist()
            text.set_text(f"∂L/∂{param} = {g}" if param in d["known_grads"] else "")
        self.nodes.set_facecolors(faces)
        self.nodes.set_edgecolors(edges)
        self.nodes.set_linewidths(widths)
        self.ax.set_title(f"step {d['step']} of {N_STEPS - 1} — {d['note']}", fontsize=9)
        return [*self.arrows, self.nodes, *self.values.values(), *self.grads.values(),
                *self.weight_texts.values(), self.ax.title]


@register("03", "backprop")
def backprop_explorer() -> Explorer:
    """Step slider through forward then backward; the input x[0] and the target y change every number."""
    import ipywidgets as w

    controls = {
        "step": w.IntSlider(value=0, min=0, max=N_STEPS - 1, description="step"),
        "x1": w.FloatSlider(value=1.0, min=-2.0, max=2.0, step=0.25, description="input x[0]"),
        "y": w.Dropdown(options=[1, 0], value=1, description="target y"),
    }
    return Explorer(controls, backprop_step, _StepView(), figsize=(8.5, 4.2),
                    summary=lambda d: f"<code>{d['note']}</code>",
                    title="Backprop step by step: a 2-2-1 sigmoid network with BCE loss")


# --------------------------------------------------------------------------- gate patterns
_GPOS = {"x": (0.0, 1.5), "y": (0.0, 1.0), "z": (0.0, 0.5), "w": (0.0, 0.0), "a": (1.0, 1.25),
         "m": (1.0, 0.25), "s": (2.0, 0.75), "f": (3.0, 0.75)}
_GEDGES = [("x", "a"), ("y", "a"), ("z", "m"), ("w", "m"), ("a", "s"), ("m", "s"), ("s", "f")]
_GATE_OF = {"a": "×", "m": "max", "s": "+", "f": "×2"}
#: step 0 shows the forward values; steps 1..5 fill the gradients backward, one gate at a time.
N_GATE_STEPS = 6


@frozen_cache(maxsize=512)
def gate_step(step: int = 0, x: float = 3.0, y: float = -4.0, z: float = 2.0, w: float = -1.0) -> dict:
    """Pure data for the gate stepper: the forward values, and the gradients known after ``step``.

    Returns
    -------
    dict
        ``nodes`` {name: {"value", "grad"}}, ``known_grads`` (set of names), ``pattern`` and
        ``note`` of this step ("forward" at step 0), ``current`` (names filled at this step),
        ``step``.
    """
    step = int(step)
    if not 0 <= step < N_GATE_STEPS:
        raise ValueError(f"step must be in 0..{N_GATE_STEPS - 1}, got {step}")
    tr = nb03_backprop.gate_graph_trace(x, y, z, w)
    known, current = set(), ()
    for names, _, _ in tr["backward"][:step]:
        current = tuple(n.strip() for n in names.split(","))
        known |= set(current)
    if step == 0:
        pattern, note = "forward", "forward: every value computed, no gradient yet"
    else:
        _, pattern, note = tr["backward"][step - 1]
    return {"nodes": tr["nodes"], "known_grads": known, "current": current, "pattern": pattern,
            "note": note, "step": step}


class _GateView(View):
    """f = 2 (x y + max(z, w)) as a graph: values in black, gradients in colour as they arrive."""

    def init(self, fig, d):
        ax = fig.add_subplot()
        for a, b in _GEDGES:
            ax.annotate("", xy=(_GPOS[b][0] - 0.15, _GPOS[b][1]), xytext=(_GPOS[a][0] + 0.15, _GPOS[a][1]),
                        arrowprops=dict(arrowstyle="->", color="0.7", lw=1.2))
        xy = np.array(list(_GPOS.values()))
        self.nodes = ax.scatter(xy[:, 0], xy[:, 1], s=1150, c=["white"] * len(xy), edgecolors="0.4",
                                linewidths=1, zorder=3)
        for name, (x, y) in _GPOS.items():
            gate = f" ({_GATE_OF[name]})" if name in _GATE_OF else ""
            ax.text(x, y + 0.02, name + gate, ha="center", va="center", fontsize=8, weight="bold", zorder=4)
        self.values = {n: ax.text(x, y - 0.09, "", ha="center", fontsize=7, zorder=4) for n, (x, y) in _GPOS.items()}
        self.grads = {n: ax.text(x + 0.2, y + 0.1, "", ha="left", fontsize=8, color=PALETTE[5], zorder=4)
                      for n, (x, y) in _GPOS.items()}
        ax.scatter([], [], s=60, c=PALETTE[1], edgecolors=PALETTE[7], label="filled at this step")
        ax.plot([], [], color=PALETTE[5], label="gradient ∂f/∂node")
        ax.set(xlim=(-0.5, 3.8), ylim=(-0.35, 1.85))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.legend(loc="lower right", fontsize=7, frameon=False)
        self.ax = ax
        return self.update(d)

    def update(self, d):
        faces = [PALETTE[1] if n in d["current"] else "white" for n in _GPOS]
        self.nodes.set_facecolors(faces)
        for name in _GPOS:
            node = d["nodes"][name]
            self.values[name].set_text(f"{node['value']:g}")
            self.grads[name].set_text(f"{node['grad']:g}" if name in d["known_grads"] else "")
        self.ax.set_title(f"step {d['step']}: {d['pattern']} — {d['note']}", fontsize=9)
        return [self.nodes, *self.values.values(), *self.grads.values(), self.ax.title]


@register("03", "gates")
def gate_explorer() -> Explorer:
    """Step through f = 2 (x y + max(z, w)) backward; the inputs change which input the max routes to."""
    import ipywidgets as w

    slider = dict(min=-5.0, max=5.0, step=0.5, continuous_update=True)
    controls = {
        "step": w.IntSlider(value=0, min=0, max=N_GATE_STEPS - 1, description="step"),
        "x": w.FloatSlider(value=3.0, description="x", **slider),
        "y": w.FloatSlider(value=-4.0, description="y", **slider),
        "z": w.FloatSlider(value=2.0, description="z", **slider),
        "w": w.FloatSlider(value=-1.0, description="w", **slider),
    }
    return Explorer(controls, gate_step, _GateView(), figsize=(7.0, 3.4),
                    summary=lambda d: f"<code>{d['note']}</code>",
                    title="Gate patterns: add distributes, multiply swaps, max routes")
