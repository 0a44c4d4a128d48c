"""I divided bytes by FLOPs for the intensity.

Hint: arithmetic intensity is FLOPs per byte (high = compute-bound).
"""

EXERCISE = "11.1"
EXPECT = r"bytes per FLOP"


def dense_layer_cost(B, D, H, bytes_per_number=4):
    flops = 2 * B * D * H
    n_bytes = bytes_per_number * (B * D + D * H + H + B * H)
    return flops, n_bytes, n_bytes / flops
