"""I counted numbers instead of bytes.

Hint: multiply the count of numbers by bytes_per_number.
"""

EXERCISE = "11.1"
EXPECT = r"count numbers, not bytes"


def dense_layer_cost(B, D, H, bytes_per_number=4):
    flops = 2 * B * D * H
    n_bytes = B * D + D * H + H + B * H
    return flops, n_bytes, flops / n_bytes
