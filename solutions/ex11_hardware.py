"""Exercises for notebook 11 — hardware.

Implement each function where it says ``raise NotImplementedError``, then run
``python -m nnbasics grade 11``.
Plain Python is enough.
Imports allowed: numpy only (plus the standard library's collections, dataclasses,
functools, itertools, math, typing).
"""


def dense_layer_cost(B, D, H, bytes_per_number=4):
    """Exercise 11.1 — FLOPs, bytes and arithmetic intensity of a dense layer.

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
        2 * B * D * H (a multiply and an add per term; ignore the bias add).
    n_bytes : int
        bytes_per_number * (numbers in X + W + b + Y): each read or written once.
    intensity : float
        flops / n_bytes, in FLOP/byte.
    """
    # BEGIN SOLUTION 11.1
    flops = 2 * B * D * H
    n_bytes = bytes_per_number * (B * D + D * H + H + B * H)
    return flops, n_bytes, flops / n_bytes
    # END SOLUTION 11.1


def training_memory(n_params, activation_elements, optimizer="adam", bytes_per_number=4):
    """Exercise 11.2 — bytes needed to train a model.

    total = parameters + gradients + optimizer state + activations, where the optimizer keeps
    0 (``"sgd"``), 1 (``"momentum"``) or 2 (``"adam"``) extra numbers per parameter.

    Parameters
    ----------
    n_params : int
        P, trainable numbers.
    activation_elements : int
        A, numbers saved for the backward pass.
    optimizer : {"sgd", "momentum", "adam"}
    bytes_per_number : int

    Returns
    -------
    int
        bytes_per_number * (P + P + k * P + A).
    """
    # BEGIN SOLUTION 11.2
    k = {"sgd": 0, "momentum": 1, "adam": 2}[optimizer]
    return bytes_per_number * ((2 + k) * n_params + activation_elements)
    # END SOLUTION 11.2
