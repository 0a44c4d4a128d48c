"""I mixed up the modes: fan_out for the forward pass, fan_in for the backward pass.

Hint: the forward pass sums over a unit's inputs (fan_in), the backward pass over the units an input feeds (fan_out).
"""

EXERCISE = "6.3"
EXPECT = r"keeps the (forward|backward) pass"

import numpy as np


def kaiming_std(fan_in, fan_out, negative_slope=0.0, mode="fan_in"):
    fan = fan_out if mode == "fan_in" else fan_in
    return float(np.sqrt(2.0 / ((1.0 + negative_slope**2) * fan)))
