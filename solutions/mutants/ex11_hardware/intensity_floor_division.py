"""I used // for the intensity, as for the other integer counts.

Hint: the intensity is a ratio: use true division.
"""

EXERCISE = "11.1"
EXPECT = r"rounded down"


def dense_layer_cost(B, D, H, bytes_per_number=4):
    flops = 2 * B * D * H
    n_bytes = bytes_per_number * (B * D + D * H + H + B * H)
    return flops, n_bytes, flops // n_bytes
