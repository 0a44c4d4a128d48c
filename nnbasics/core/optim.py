"""Optimizers and learning-rate schedules from scratch in numpy (matching ``torch.optim`` step for step).

Every optimizer is a pure step function ``*_step(p, g, state..., hyper...) -> (p_new, state_new)``
over one parameter array, wrapped by a small class that keeps the state for a *list* of
parameter arrays. The update rules, with gradient g_t, step t = 1, 2, ... and learning rate η:

- SGD:        p <- p - η (g + λ p)
- momentum:   b <- μ b + (1 - τ) g  (b = g at t = 1);  p <- p - η b   (Nesterov: p - η (g + μ b))
- Adam:       m <- β1 m + (1-β1) g;  v <- β2 v + (1-β2) g²;
              p <- p - η m/(1-β1^t) / (sqrt(v/(1-β2^t)) + ε)     (L2: g <- g + λ p first)
- AdamW:      p <- p (1 - η λ), then the Adam update with the *raw* gradient (decoupled decay).
- Adagrad:    s <- s + g²;  p <- p - η g / (sqrt(s) + ε)       (per-coordinate rates that only shrink)
- RMSProp:    v <- α v + (1-α) g²;  p <- p - η g / (sqrt(v) + ε)  (Adagrad with a forgetting average)

Weight decay ``λ`` everywhere follows torch's convention: ``weight_decay=λ`` adds λ p to the
gradient, i.e. the penalty (λ/2) ||p||² (AdamW: the shrink p (1 - η λ) instead).

The module also holds the schedules (step, cosine, linear warmup + cosine) as pure
functions of the step, and 2-D loss surfaces with an "optimizer race" for the widgets.
"""

from __future__ import annotations

import math

import numpy as np

from nnbasics._validate import (
    as_float_array,
    check_bounds,
    check_choice,
    check_finite_output,
    check_float,
    check_int,
    finite_output,
)

__all__ = ['OPTIMIZERS', 'sgd_step', 'adam_step', 'adamw_step', 'rmsprop_step', 'adagrad_step', 'SGD', 'Adam', 'AdamW',
           'RMSprop', 'Adagrad', 'make', 'step_lr', 'cosine_lr', 'warmup_lr', 'warmup_cosine_lr', 'schedule',
           'ReduceLROnPlateau']


OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad")


# ---------------------------------------------------------------- pure step functions
def _check_pg(p, g):
    p = as_float_array(p, "p")
    g = as_float_array(g, "g")
    if p.shape != g.shape:
        raise ValueError(f"g has shape {g.shape} but p has shape {p.shape}; a gradient matches its parameter")
    return p, g


@finite_output("lr * g (or weight_decay * p) overflows; use a smaller lr or scale the gradient")
def sgd_step(p, g, buf=None, *, lr: float, momentum: float = 0.0, dampening: float = 0.0,
             weight_decay: float = 0.0, nesterov: bool = False):
    """One SGD step (torch's formulation) on one parameter array.

    Parameters
    ----------
    p, g : array_like, same shape (any)
        Parameter and its gradient.
    buf : ndarray or None
        Momentum buffer from the previous step, p's shape; ``None`` on the first step (then b = g).
    lr, momentum, dampening, weight_decay : float
    nesterov : bool

    Returns
    -------
    p_new : ndarray, p's shape and dtype
        p - lr * d with d = g + wd p (plain), b (momentum) or d + momentum b (Nesterov).
    buf_new : ndarray or None, p's shape and dtype
        The updated momentum buffer (``None`` when momentum == 0).
    """
    p, g = _check_pg(p, g)
    if buf is not None:
        buf = as_float_array(buf, "buf")
        if buf.shape != p.shape:
            raise ValueError(f"buf has shape {buf.shape} but p has shape {p.shape}; the momentum buffer "
                             "matches its parameter (pass None on the first step)")
    lr = check_float(lr, "lr", minimum=0.0)
    momentum = check_float(momentum, "momentum", minimum=0.0, maximum=1.0, max_inclusive=False)
    dampening = check_float(dampening, "dampening", minimum=0.0, maximum=1.0)
    weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("nesterov needs momentum > 0 and dampening == 0 (as in torch)")
    return _like(p, *_sgd_core(p, g, buf, lr, momentum, dampening, weight_decay, nesterov))


def _like(p: np.ndarray, *arrays):
    """``arrays`` in p's dtype (a step keeps the parameter's dtype, as torch.optim does); None stays."""
    return tuple(None if a is None else a.astype(p.dtype, copy=False) for a in arrays)


def _sgd_core(p, g, buf, lr, momentum, dampening, weight_decay, nesterov):
    d = g + weight_decay * p if weight_decay else g.copy()  # L2 enters through the gradient
    if momentum:
        buf = d.copy() if buf is None else momentum * buf + (1.0 - dampening) * d
        d = d + momentum * buf if nesterov else buf
    else:
        buf = None
    return p - lr * d, buf


@finite_output("the update overflows: g or m too large, or eps = 0 with v = 0 (0/0); scale g or use eps > 0")
def adam_step(p, g, m, v, t: int, *, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
              weight_decay: float = 0.0):
    """One Adam step (Kingma & Ba, 2015) with optional L2 *in the gradient* (torch.optim.Adam).

    Parameters
    ----------
    p, g : array_like, same shape
    m, v : ndarray, same shape as ``p``
        First and second moment estimates (zeros before the first step); v >= 0.
    t : int >= 1
        The step number *after* incrementing (bias correction uses β^t).

    Returns
    -------
    p_new, m_new, v_new : ndarray, p's shape and dtype
        m = β1 m + (1-β1) g;  v = β2 v + (1-β2) g²;  p - lr m̂ / (sqrt(v̂) + eps).
    """
    p, g = _check_pg(p, g)
    t = check_int(t, "t", minimum=1)
    b1, b2 = _check_betas(betas)
    weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)
    lr, eps, m, v = _check_adam_state(p, m, v, lr, eps)
    return _like(p, *_adam_core(p, g, m, v, t, lr, b1, b2, eps, weight_decay, decoupled=False))


@finite_output("the update overflows: g or m too large, or eps = 0 with v = 0 (0/0); scale g or use eps > 0")
def adamw_step(p, g, m, v, t: int, *, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
               weight_decay: float = 1e-2):
    """One AdamW step (Loshchilov & Hutter, 2019): decoupled weight decay, as torch.optim.AdamW.

    p <- p (1 - lr wd) first; then the Adam update with the raw gradient ``g``.
    Shapes and returns as :func:`adam_step`.
    """
    p, g = _check_pg(p, g)
    t = check_int(t, "t", minimum=1)
    b1, b2 = _check_betas(betas)
    weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)
    lr, eps, m, v = _check_adam_state(p, m, v, lr, eps)
    return _like(p, *_adam_core(p, g, m, v, t, lr, b1, b2, eps, weight_decay, decoupled=True))


@finite_output("the update overflows: g or weight_decay * p too large, or eps = 0 with v = 0 (0/0); "
               "scale g or use eps > 0")
def rmsprop_step(p, g, v, *, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0):
    """One RMSProp step (Tieleman & Hinton, 2012) as ``torch.optim.RMSprop`` (no momentum, not centred).

    g <- g + λ p;  v <- α v + (1 - α) g²;  p <- p - lr g / (sqrt(v) + eps).
    A running average of squared gradients divides each coordinate's step: steep coordinates
    take small steps, flat ones large steps; unlike Adagrad it forgets old gradients.

    Parameters
    ----------
    p, g : array_like, same shape
    v : ndarray, same shape as ``p``
        Running average of g² (zeros before the first step); v >= 0.

    Returns
    -------
    p_new, v_new : ndarray, p's shape and dtype
    """
    p, g = _check_pg(p, g)
    lr = check_float(lr, "lr", minimum=0.0)
    alpha = check_float(alpha, "alpha", minimum=0.0, maximum=1.0)
    eps = check_float(eps, "eps", minimum=0.0)
    weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)
    v = check_bounds(_check_state(p, v, "v"), "v", low=0.0, what="a running mean of g²")
    return _like(p, *_rmsprop_core(p, g, v, lr, alpha, eps, weight_decay))


def _rmsprop_core(p, g, v, lr, alpha, eps, weight_decay):
    if weight_decay:
        g = g + weight_decay * p
    v = alpha * v + (1.0 - alpha) * g * g
    return p - lr * g / (np.sqrt(v) + eps), v


@finite_output("the update overflows: g or weight_decay * p too large, or eps = 0 with s = 0 (0/0); "
               "scale g or use eps > 0")
def adagrad_step(p, g, s, t: int, *, lr: float = 1e-2, lr_decay: float = 0.0, eps: float = 1e-10,
                 weight_decay: float = 0.0):
    """One Adagrad step (Duchi et al., 2011) as ``torch.optim.Adagrad`` (initial accumulator 0).

    g <- g + λ p;  s <- s + g²;  p <- p - lr_t g / (sqrt(s) + eps),  lr_t = lr / (1 + (t - 1) lr_decay).
    The accumulated sum only grows, so every coordinate's effective rate only shrinks: good for
    sparse features, too timid for long non-convex training (which RMSProp and Adam fix).

    Parameters
    ----------
    p, g : array_like, same shape
    s : ndarray, same shape as ``p``
        Sum of squared gradients so far (zeros before the first step); s >= 0.
    t : int >= 1
        The step number.

    Returns
    -------
    p_new, s_new : ndarray, p's shape and dtype
    """
    p, g = _check_pg(p, g)
    t = check_int(t, "t", minimum=1)
    lr = check_float(lr, "lr", minimum=0.0)
    lr_decay = check_float(lr_decay, "lr_decay", minimum=0.0)
    eps = check_float(eps, "eps", minimum=0.0)
    weight_decay = check_float(weight_decay, "weight_decay", minimum=0.0)
    s = check_bounds(_check_state(p, s, "s"), "s", low=0.0, what="a sum of g²")
    return _like(p, *_adagrad_core(p, g, s, t, lr, lr_decay, eps, weight_decay))


def _adagrad_core(p, g, s, t, lr, lr_decay, eps, weight_decay):
    if weight_decay:
        g = g + weight_decay * p
    s = s + g * g
    clr = lr / (1.0 + (t - 1) * lr_decay)
    return p - clr * g / (np.sqrt(s) + eps), s


def _check_state(p, state, name):
    state = as_float_array(state, name)
    if state.shape != p.shape:
        raise ValueError(f"{name} has shape {state.shape} but p has shape {p.shape}")
    return state


def _check_betas(betas):
    if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    b1 = check_float(betas[0], "betas[0] (beta1)", minimum=0.0, maximum=1.0, max_inclusive=False)
    b2 = check_float(betas[1], "betas[1] (beta2)", minimum=0.0, maximum=1.0, max_inclusive=False)
    return b1, b2


def _check_adam_state(p, m, v, lr, eps):
    lr = check_float(lr, "lr", minimum=0.0)
    eps = check_float(eps, "eps", minimum=0.0)
    m = as_float_array(m, "m")
    v = check_bounds(as_float_array(v, "v"), "v", low=0.0, what="a running mean of g²")
    if m.shape != p.shape or v.shape != p.shape:
        raise ValueError(f"m {m.shape} and v {v.shape} must have p's shape {p.shape}")
    return lr, eps, m, v


def _adam_core(p, g, m, v, t, lr, b1, b2, eps, weight_decay, decoupled):
    if decoupled:
        p = p * (1.0 - lr * weight_decay)  # AdamW: decay the parameter, never touches m or v
    elif weight_decay:
        g = g + weight_decay * p  # Adam + L2: the decay is rescaled by 1/sqrt(v) like the gradient
    m = b1 * m + (1.0 - b1) * g
    v = b2 * v + (1.0 - b2) * g * g
    bc1 = 1.0 - b1**t
    bc2 = 1.0 - b2**t
    denom = np.sqrt(v) / math.sqrt(bc2) + eps
    return p - (lr / bc1) * m / denom, m, v


# ---------------------------------------------------------------- stateful wrappers
class _Optimizer:
    """Keeps per-parameter state; ``step(params, grads)`` returns NEW arrays (inputs untouched)."""

    def __init__(self, lr: float):
        self.lr = check_float(lr, "lr", minimum=0.0)
        self.t = 0
        self.state: list = []

    def _check_lists(self, params, grads):
        if not isinstance(params, (list, tuple)) or not isinstance(grads, (list, tuple)):
            raise TypeError("params and grads must be lists of arrays (one entry per parameter)")
        if len(params) != len(grads):
            raise ValueError(f"got {len(params)} params but {len(grads)} grads")
        if self.state and len(self.state) != len(params):
            raise ValueError(f"this optimizer was started with {len(self.state)} params, got {len(params)}")

    def step(self, params, grads) -> list:
        """Apply one update to every (p, g) pair and return the new parameters."""
        self._check_lists(params, grads)
        checked = [_check_pg(p, g) for p, g in zip(params, grads)]
        return self._step_checked([p for p, _ in checked], [g for _, g in checked])

    def _step_checked(self, params, grads) -> list:
        if not self.state:
            self.state = [self._init_state(p) for p in params]
        self.t += 1
        out = []
        for i, (p, g) in enumerate(zip(params, grads)):
            with np.errstate(over="ignore", invalid="ignore"):
                p_new, self.state[i] = self._update(p, g, self.state[i])
            out.append(p_new)
        return check_finite_output(out, f"{type(self).__name__}.step",
                                   "the update overflows: lr too large for these gradients (or the params)")


class SGD(_Optimizer):
    """SGD with optional momentum, dampening, Nesterov and L2 weight decay (torch.optim.SGD)."""

    def __init__(self, lr: float, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(lr)
        self.kw = dict(momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov)
        sgd_step(np.zeros(1), np.zeros(1), lr=self.lr, **self.kw)  # validate the settings once, early
        self.kw = {k: float(v) if k != "nesterov" else bool(v) for k, v in self.kw.items()}

    def _init_state(self, p):
        return None

    def _update(self, p, g, buf):
        k = self.kw
        return _sgd_core(p, g, buf, self.lr, k["momentum"], k["dampening"], k["weight_decay"], k["nesterov"])


class Adam(_Optimizer):
    """Adam with L2 added to the gradient (torch.optim.Adam, amsgrad=False)."""

    _decoupled = False

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(lr)
        self.kw = dict(betas=_check_betas(betas), eps=check_float(eps, "eps", minimum=0.0),
                       weight_decay=check_float(weight_decay, "weight_decay", minimum=0.0))

    def _init_state(self, p):
        return (np.zeros_like(p), np.zeros_like(p))

    def _update(self, p, g, state):
        (b1, b2), k = self.kw["betas"], self.kw
        p_new, m, v = _adam_core(p, g, state[0], state[1], self.t, self.lr, b1, b2, k["eps"],
                                 k["weight_decay"], self._decoupled)
        return p_new, (m, v)


class AdamW(Adam):
    """AdamW: decoupled weight decay (torch.optim.AdamW; default weight_decay 0.01)."""

    _decoupled = True

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2):
        super().__init__(lr, betas, eps, weight_decay)


class RMSprop(_Optimizer):
    """RMSProp (torch.optim.RMSprop with momentum=0, centered=False)."""

    def __init__(self, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(lr)
        self.kw = dict(alpha=check_float(alpha, "alpha", minimum=0.0, maximum=1.0),
                       eps=check_float(eps, "eps", minimum=0.0),
                       weight_decay=check_float(weight_decay, "weight_decay", minimum=0.0))

    def _init_state(self, p):
        return np.zeros_like(p)

    def _update(self, p, g, v):
        k = self.kw
        return _rmsprop_core(p, g, v, self.lr, k["alpha"], k["eps"], k["weight_decay"])


class Adagrad(_Optimizer):
    """Adagrad (torch.optim.Adagrad, initial_accumulator_value=0)."""

    def __init__(self, lr: float = 1e-2, lr_decay: float = 0.0, eps: float = 1e-10, weight_decay: float = 0.0):
        super().__init__(lr)
        self.kw = dict(lr_decay=check_float(lr_decay, "lr_decay", minimum=0.0),
                       eps=check_float(eps, "eps", minimum=0.0),
                       weight_decay=check_float(weight_decay, "weight_decay", minimum=0.0))

    def _init_state(self, p):
        return np.zeros_like(p)

    def _update(self, p, g, s):
        k = self.kw
        return _adagrad_core(p, g, s, self.t, self.lr, k["lr_decay"], k["eps"], k["weight_decay"])


def make(name: str, lr: float, weight_decay: float = 0.0) -> _Optimizer:
    """An optimizer by name: sgd, momentum (0.9), nesterov (0.9), adam, adamw, rmsprop, adagrad."""
    check_choice(name, "name", OPTIMIZERS)
    if name == "rmsprop":
        return RMSprop(lr, weight_decay=weight_decay)
    if name == "adagrad":
        return Adagrad(lr, weight_decay=weight_decay)
    if name == "sgd":
        return SGD(lr, weight_decay=weight_decay)
    if name in ("momentum", "nesterov"):
        return SGD(lr, momentum=0.9, weight_decay=weight_decay, nesterov=name == "nesterov")
    return (Adam if name == "adam" else AdamW)(lr, weight_decay=weight_decay)


# ---------------------------------------------------------------- schedules
@finite_output("base_lr * gamma^k overflows: gamma > 1 grows the rate without bound")
def step_lr(step: int, base_lr: float, step_size: int, gamma: float = 0.1) -> float:
    """Step decay: base_lr · gamma^(step // step_size)  (torch StepLR)."""
    step = check_int(step, "step", minimum=0)
    base_lr = check_float(base_lr, "base_lr", minimum=0.0)
    step_size = check_int(step_size, "step_size", minimum=1)
    gamma = check_float(gamma, "gamma", minimum=0.0)
    return base_lr * gamma ** (step // step_size)


def cosine_lr(step: int, base_lr: float, total_steps: int, min_lr: float = 0.0) -> float:
    """Cosine annealing: min + (base - min)(1 + cos(π t / T))/2, held at min after T (CosineAnnealingLR)."""
    step = check_int(step, "step", minimum=0)
    base_lr = check_float(base_lr, "base_lr", minimum=0.0)
    total_steps = check_int(total_steps, "total_steps", minimum=1)
    min_lr = check_float(min_lr, "min_lr", minimum=0.0, maximum=base_lr)
    t = min(step, total_steps)
    return min_lr + (base_lr - min_lr) * (1.0 + math.cos(math.pi * t / total_steps)) / 2.0


def warmup_lr(step: int, base_lr: float, warmup_steps: int, start_factor: float = 0.0) -> float:
    """Linear warmup: base · (s + (1 - s) min(t, W)/W)  (torch LinearLR with end_factor=1)."""
    step = check_int(step, "step", minimum=0)
    base_lr = check_float(base_lr, "base_lr", minimum=0.0)
    warmup_steps = check_int(warmup_steps, "warmup_steps", minimum=1)
    start_factor = check_float(start_factor, "start_factor", minimum=0.0, maximum=1.0)
    return base_lr * (start_factor + (1.0 - start_factor) * min(step, warmup_steps) / warmup_steps)


def warmup_cosine_lr(step: int, base_lr: float, warmup_steps: int, total_steps: int,
                     min_lr: float = 0.0, start_factor: float = 0.0) -> float:
    """Linear warmup for ``warmup_steps``, then cosine decay to ``min_lr`` at ``total_steps``."""
    warmup_steps = check_int(warmup_steps, "warmup_steps", minimum=1)
    total_steps = check_int(total_steps, "total_steps", minimum=warmup_steps + 1)
    step = check_int(step, "step", minimum=0)
    check_float(start_factor, "start_factor", minimum=0.0, maximum=1.0)
    if step < warmup_steps:
        return warmup_lr(step, base_lr, warmup_steps, start_factor)
    return cosine_lr(step - warmup_steps, base_lr, total_steps - warmup_steps, min_lr)


def schedule(name: str, steps: int, base_lr: float = 0.1, **kw) -> np.ndarray:
    """The learning rate at steps 0..steps-1 of a named schedule, shape (steps,).

    ``name`` in {"constant", "step", "cosine", "warmup_cosine"}; ``kw`` go to the function.
    """
    check_choice(name, "name", ("constant", "step", "cosine", "warmup_cosine"))
    steps = check_int(steps, "steps", minimum=1)
    if name == "constant":
        return np.full(steps, check_float(base_lr, "base_lr", minimum=0.0))
    fn = {"step": step_lr, "cosine": cosine_lr, "warmup_cosine": warmup_cosine_lr}[name]
    if name in ("cosine", "warmup_cosine"):
        kw.setdefault("total_steps", steps)
    if name == "step":
        kw.setdefault("step_size", max(1, steps // 3))
    if name == "warmup_cosine":
        kw.setdefault("warmup_steps", max(1, steps // 10))
    return np.array([fn(t, base_lr, **kw) for t in range(steps)])


class ReduceLROnPlateau:
    """Cut the learning rate when a monitored value stops improving (torch's ReduceLROnPlateau, mode "min").

    After each epoch call ``lr = sched.step(val_loss)``. A value counts as better when it is below
    ``best * (1 - threshold)`` (relative threshold, torch's default). After more than ``patience``
    epochs without a better value the rate is multiplied by ``factor`` (not below ``min_lr``), then
    ``cooldown`` epochs pass before bad epochs are counted again.

    Parameters
    ----------
    lr : float > 0
        The starting learning rate.
    factor : float in (0, 1)
    patience : int >= 0
    threshold : float >= 0
    cooldown : int >= 0
    min_lr : float >= 0
    eps : float >= 0
        A cut smaller than eps is skipped (as in torch).

    Examples
    --------
    >>> sched = ReduceLROnPlateau(0.1, factor=0.5, patience=1)
    >>> [sched.step(v) for v in [1.0, 0.9, 0.95, 0.92, 0.91]]
    [0.1, 0.1, 0.1, 0.05, 0.05]
    """

    def __init__(self, lr: float, factor: float = 0.1, patience: int = 10, threshold: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0.0, eps: float = 1e-8):
        self.lr = check_float(lr, "lr", minimum=0.0, min_inclusive=False)
        self.factor = check_float(factor, "factor", minimum=0.0, maximum=1.0, min_inclusive=False,
                                  max_inclusive=False)
        self.patience = check_int(patience, "patience", minimum=0)
        self.threshold = check_float(threshold, "threshold", minimum=0.0)
        self.cooldown = check_int(cooldown, "cooldown", minimum=0)
        self.min_lr = check_float(min_lr, "min_lr", minimum=0.0)
        self.eps = check_float(eps, "eps", minimum=0.0)
        self.best = math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def step(self, value: float) -> float:
        """Record one epoch's monitored value; return the learning rate for the next epoch."""
        value = check_float(value, "value")
        if value < self.best * (1.0 - self.threshold):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.lr
