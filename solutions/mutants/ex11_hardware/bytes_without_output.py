"""I only counted what the layer reads, not the output it writes.

Hint: Y (B*H numbers) is written to memory once.
"""

EXERCISE = "11.1"
EXPECT = r"leave out the output Y"


def dense_layer_cost(B, D, H, bytes_per_number=4):
    flops = 2 * B * D * H
    n_bytes = bytes_per_number * (B * D + D * H + H)
    return flops, n_bytes, flops / n_bytes
