"""I counted one FLOP per term of the dot product.

Hint: a multiply and an add are two floating-point operations.
"""

EXERCISE = "11.1"
EXPECT = r"half the count"


def dense_layer_cost(B, D, H, bytes_per_number=4):
    flops = B * D * H
    n_bytes = bytes_per_number * (B * D + D * H + H + B * H)
    return flops, n_bytes, flops / n_bytes
