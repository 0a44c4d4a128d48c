"""Gradient flow through depth in numpy: the chain-rule product, its sigmoid bound, and clipping.

Backpropagation multiplies one local derivative per layer, so the gradient that reaches the
input of an L-layer chain is a product of L factors: with sigmoid (max slope 0.25) it shrinks
at least as fast as 0.25^L; with large weights it can grow geometrically. Global norm clipping
caps the length of the whole update while keeping its direction.
"""

from __future__ import annotations

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_choice,
    check_float,
    check_int,
    finite_output,
)
from nnbasics.core import kernels

__all__ = ['MAX_SLOPE', 'clip_grad_norm', 'sigmoid_bound', 'chain_grad']


#: Largest slope max_z |f'(z)| of each activation: the factor a layer's Jacobian can add at most.
MAX_SLOPE = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0, "leaky_relu": 1.0, "elu": 1.0,
             "gelu": 1.1289, "identity": 1.0}


@finite_output("the total norm of grads overflows float64: the gradients are too large")
def clip_grad_norm(grads, max_norm: float, *, eps: float = 1e-6) -> tuple[list, float]:
    """Global gradient-norm clipping, as ``torch.nn.utils.clip_grad_norm_`` (2-norm).

    All gradients are treated as ONE long vector: its norm is computed over every array
    together, and if it exceeds ``max_norm`` every array is scaled by the same factor, so
    the update keeps its direction and only its length is capped.

    .. math:: \\lVert g \\rVert = \\sqrt{\\textstyle\\sum_i \\lVert g_i \\rVert^2}, \\qquad
              g_i \\leftarrow g_i \\cdot \\min\\!\\big(1, \\tfrac{\\text{max\\_norm}}{\\lVert g \\rVert + \\varepsilon}\\big)

    Parameters
    ----------
    grads : sequence of array_like
        One gradient per parameter, any shapes.
    max_norm : float
        The largest allowed total norm (> 0).
    eps : float
        Guards the division (torch uses 1e-6).

    Returns
    -------
    clipped : list of ndarray
        New arrays (the inputs are not modified), same shapes and dtypes.
    total_norm : float
        The total norm *before* clipping (what torch returns, useful for logging).
    """
    if isinstance(grads, np.ndarray) or not isinstance(grads, (list, tuple)):
        raise TypeError(f"grads must be a list of arrays (one per parameter), got {type(grads).__name__}")
    if not grads:
        raise ValueError("grads is empty; expected at least one gradient array")
    max_norm = check_float(max_norm, "max_norm", minimum=0.0, min_inclusive=False)
    eps = check_float(eps, "eps", minimum=0.0)
    arrays = [as_float_array(g, f"grads[{i}]", allow_empty=True) for i, g in enumerate(grads)]
    total = float(np.sqrt(sum(np.sum(np.square(a, dtype=np.float64)) for a in arrays)))
    coef = min(1.0, max_norm / (total + eps))
    return [(a * coef).astype(a.dtype, copy=False) if coef < 1.0 else a.copy() for a in arrays], total


def sigmoid_bound(n_layers: int) -> float:
    """Upper bound 0.25^L on the product of L sigmoid derivatives (max sigmoid' = 0.25 at 0).

    .. math:: \\prod_{l=1}^{L} \\sigma'(z_l) \\le 0.25^L, \\qquad 0.25^{10} \\approx 9.5 \\times 10^{-7}

    Parameters
    ----------
    n_layers : int
        Number L of sigmoid layers the gradient passes through (>= 0).

    Returns
    -------
    float
    """
    n_layers = check_int(n_layers, "n_layers", minimum=0)
    return 0.25**n_layers


@finite_output("the product of the weights overflows float64: too many large weights")
def chain_grad(x, weights, activation: str = "sigmoid") -> np.ndarray:
    """Derivative of a chain of scalar units h_l = f(w_l h_{l-1}) with respect to its input.

    By the chain rule it is the product of the local derivatives:

    .. math:: \\frac{d h_L}{d h_0} = \\prod_{l=1}^{L} w_l\\, f'(w_l h_{l-1})

    Parameters
    ----------
    x : array_like, shape (N,)
        Inputs h_0 (one chain evaluation per entry).
    weights : array_like, shape (L,)
        The weight w_l of each unit.
    activation : {"sigmoid", "tanh", "relu", "identity"}

    Returns
    -------
    ndarray, shape (N,)
        dh_L/dh_0 for each input (float64).
    """
    x = as_float_array(x, "x", ndim=1, dtype=np.float64)
    weights = as_float_array(weights, "weights", ndim=1, dtype=np.float64)
    check_choice(activation, "activation", ("sigmoid", "tanh", "relu", "identity"))
    fwd, bwd = kernels.ACTIVATIONS[activation]
    h = x.copy()
    grad = np.ones_like(x)
    for w in weights:
        h, cache = fwd(w * h)  # z = w h_{l-1}: (N,)
        grad = grad * w * bwd(np.ones_like(h), cache)  # chain rule: times w_l f'(z_l)
    return grad
