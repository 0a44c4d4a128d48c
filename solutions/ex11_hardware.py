"""Exercises for notebook 11 — hardware.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 11``.
Plain Python is enough.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""

import numpy as np


def dense_layer_cost(B, D, H, bytes_per_number=4):
    """Exercise 11.1 — FLOPs, bytes and arithmetic intensity of a dense layer (notebook 11, §1).

    The layer computes Y = X @ W + b with X (B, D), W (D, H), b (H,), Y (B, H).

    Parameters
    ----------
    B, D, H : int
        Batch size, input features, output features.
    bytes_per_number : int
        4 for float32, 2 for bfloat16/float16.

    Returns
    -------
    flops : int
        Floating-point operations of X @ W, a multiply and an add each counting as one
        (ignore the bias add).
    n_bytes : int
        Bytes moved if each of X, W, b is read once and Y written once.
    intensity : float
        FLOPs per byte.
    """
    # BEGIN SOLUTION 11.1
    flops = 2 * B * D * H
    n_bytes = bytes_per_number * (B * D + D * H + H + B * H)
    return flops, n_bytes, flops / n_bytes
    # END SOLUTION 11.1


def training_memory(n_params, activation_elements, optimizer="adam", bytes_per_number=4):
    """Exercise 11.2 — bytes needed to train a model (notebook 11, §6).

    Count what one training step keeps in memory: the parameters, one gradient per parameter,
    the optimizer's state (SGD keeps none, SGD with momentum one velocity per parameter, Adam
    its first and second moment per parameter) and the activations saved for backward.

    Parameters
    ----------
    n_params : int
        P, trainable numbers.
    activation_elements : int
        A, numbers saved for the backward pass.
    optimizer : {"sgd", "momentum", "adam"}
    bytes_per_number : int
        Every number is stored with this many bytes.

    Returns
    -------
    int
        Bytes.
    """
    # BEGIN SOLUTION 11.2
    k = {"sgd": 0, "momentum": 1, "adam": 2}[optimizer]
    return bytes_per_number * ((2 + k) * n_params + activation_elements)
    # END SOLUTION 11.2


def quantize_per_channel(W):
    """Exercise 11.3 — symmetric int8 quantization with one scale per output channel (§7).

    Store W as integers q in [-127, 127] (dtype int8) and one positive float scale per column
    h (an output channel of x @ W), so that ``q[:, h] * scale[h]`` approximates ``W[:, h]``.
    Derive the scale: it must not clip any weight (no |W[d, h]| may exceed 127 * scale[h]) and,
    within that, make the rounding error as small as possible. A column of zeros gets any
    positive scale (its q is 0). Do not modify W.

    Parameters
    ----------
    W : ndarray, shape (D, H)

    Returns
    -------
    q : ndarray of int8, shape (D, H)
    scale : ndarray of float, shape (H,)
    """
    # BEGIN SOLUTION 11.3
    amax = np.abs(W).max(axis=0)  # (H,) the largest magnitude of each output channel
    scale = np.where(amax > 0, amax / 127.0, 1.0)  # the tightest scale that clips nothing
    q = np.round(W / scale).astype(np.int8)  # |W / scale| <= 127: rounding cannot leave the range
    return q, scale
    # END SOLUTION 11.3
