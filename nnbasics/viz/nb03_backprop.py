"""Notebook 03 widget: step through the forward and backward pass of a 2-2-1 network."""

from __future__ import annotations

from nnbasics.experiments import nb03_backprop
from nnbasics.viz.explorer import Explorer, View, frozen_cache, register
from nnbasics.viz.plotting import PALETTE

__all__ = ["backprop_step", "backprop_explorer", "N_STEPS"]

_POS = {"x1": (0.0, 1.0), "x2": (0.0, 0.0), "z1": (1.0, 1.0), "z2": (1.0, 0.0), "h1": (2.0, 1.0),
        "h2": (2.0, 0.0), "o": (3.0, 0.5), "y_hat": (4.0, 1.0), "L": (4.0, 0.0)}
_EDGES = [("x1", "z1"), ("x1", "z2"), ("x2", "z1"), ("x2", "z2"), ("z1", "h1"), ("z2", "h2"),
          ("h1", "o"), ("h2", "o"), ("o", "y_hat"), ("o", "L")]
_N_FORWARD = 9
#: forward steps (one per node) followed by backward steps (one per gradient).
N_STEPS = _N_FORWARD + 8


@frozen_cache(maxsize=64)
def _trace(x1: float, x2: float, y: float) -> dict:
    return nb03_backprop.tiny_network_trace(x1, x2, y)


@frozen_cache(maxsize=512)
def backprop_step(step: int = 0, x1: float = 1.0, y: int = 1) -> dict:
    """Pure data: which node values and gradients are known after ``step`` steps.

    Steps 0..8 evaluate the nodes in forward order; steps 9..16 fill gradients in reverse.

    Returns
    -------
    dict
        ``nodes`` {name: {"value", "grad"}} (all of them), ``known_values`` and ``known_grads``
        (sets of node names), ``current`` (the node of this step), ``phase`` ("forward" or
        "backward"), ``note`` (what this step computes), ``step``.
    """
    step = int(step)
    if not 0 <= step < N_STEPS:
        raise ValueError(f"step must be in 0..{N_STEPS - 1}, got {step}")
    tr = _trace(float(x1), -0.5, float(y))
    order = tr["forward"]
    if step < _N_FORWARD:
        known_v, known_g = set(order[:step + 1]), set()
        current, phase = order[step], "forward"
        v = tr["nodes"][current]["value"]
        note = f"forward: {current} = {v:.4f}"
    else:
        k = step - _N_FORWARD
        known_v = set(order)
        known_g = {name for name, _ in tr["backward"][:k + 1]}
        current, why = tr["backward"][k]
        phase = "backward"
        note = f"backward: {why} = {tr['nodes'][current]['grad']:.4f}"
    return {"nodes": tr["nodes"], "known_values": known_v, "known_grads": known_g, "current": current,
            "phase": phase, "note": note, "step": step}


def _label(name: str) -> str:
    return name.replace("y_hat", "ŷ")


class _StepView(View):
    """The 2-2-1 graph: nodes fill in forward, gradients flow back along the edges."""

    def init(self, fig, d):
        ax = fig.add_subplot()
        self.arrows = [ax.annotate("", xy=(_POS[b][0] - 0.18, _POS[b][1]), xytext=(_POS[a][0] + 0.18, _POS[a][1]),
                                   arrowprops=dict(arrowstyle="->", color="0.7", lw=1.5)) for a, b in _EDGES]
        xy = list(_POS.values())
        self.nodes = ax.scatter([x for x, _ in xy], [y for _, y in xy], s=1500, c=["white"] * len(xy),
                                edgecolors="0.4", linewidths=1, zorder=3)
        for name, (x, y) in _POS.items():
            ax.text(x, y + 0.04, _label(name), ha="center", va="center", fontsize=10, weight="bold", zorder=4)
        self.values = {name: ax.text(x, y - 0.08, "", ha="center", va="center", fontsize=8, zorder=4)
                       for name, (x, y) in _POS.items()}
        self.grads = {name: ax.text(x, y - 0.26, "", ha="center", va="center", fontsize=8, color=PALETTE[5],
                                    zorder=4) for name, (x, y) in _POS.items()}
        ax.scatter([], [], s=80, c=PALETTE[4], edgecolors="0.4", label="value known (forward)")
        ax.scatter([], [], s=80, c=PALETTE[1], edgecolors=PALETTE[7], label="this step")
        ax.plot([], [], color=PALETTE[5], label="gradient flowing back")
        ax.set(xlim=(-0.5, 4.5), ylim=(-0.5, 1.6))
        ax.set_xticks(range(5), ["inputs", "pre-activation z", "hidden h = σ(z)", "logit o", "output / loss"],
                      fontsize=8)
        ax.set_yticks([])
        ax.legend(loc="upper center", fontsize=7, ncol=3, frameon=False)
        self.ax = ax
        return self.update(d)

    def update(self, d):
        for arrow, (a, b) in zip(self.arrows, _EDGES):
            passed = a in d["known_grads"] and b != "y_hat"  # the gradient has flowed back along it
            arrow.arrow_patch.set_color(PALETTE[5] if passed else "0.7")
        faces, edges, widths = [], [], []
        for name in _POS:
            is_cur = name == d["current"]
            faces.append(PALETTE[1] if is_cur else (PALETTE[4] if name in d["known_values"] else "white"))
            edges.append(PALETTE[7] if is_cur else "0.4")
            widths.append(2.5 if is_cur else 1)
            node = d["nodes"][name]
            self.values[name].set_text(f"{node['value']:.3f}" if name in d["known_values"] else "")
            show_grad = name in d["known_grads"] and node["grad"] is not None
            self.grads[name].set_text(f"∂L/∂{name} = {node['grad']:.3f}" if show_grad else "")
        self.nodes.set_facecolors(faces)
        self.nodes.set_edgecolors(edges)
        self.nodes.set_linewidths(widths)
        self.ax.set_title(f"step {d['step']} of {N_STEPS - 1} — {d['note']}")
        return [*self.arrows, self.nodes, *self.values.values(), *self.grads.values(), self.ax.title]


@register("03", "backprop")
def backprop_explorer() -> Explorer:
    """Step slider through forward then backward; the input x1 and the target y change every number."""
    import ipywidgets as w

    controls = {
        "step": w.IntSlider(value=0, min=0, max=N_STEPS - 1, description="step"),
        "x1": w.FloatSlider(value=1.0, min=-2.0, max=2.0, step=0.25, description="input x1"),
        "y": w.Dropdown(options=[1, 0], value=1, description="target y"),
    }
    return Explorer(controls, backprop_step, _StepView(), figsize=(8.0, 4.0),
                    summary=lambda d: f"<code>{d['note']}</code>",
                    title="Backprop step by step: a 2-2-1 sigmoid network with BCE loss")
