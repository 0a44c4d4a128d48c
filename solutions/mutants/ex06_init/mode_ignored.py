"""I always divided by fan_in and ignored the mode argument.

Hint: mode="fan_out" asks for the std that keeps the backward pass: it divides by fan_out.
"""

EXERCISE = "6.3"
EXPECT = r"keeps the backward pass"

import numpy as np


def kaiming_std(fan_in, fan_out, negative_slope=0.0, mode="fan_in"):
    return float(np.sqrt(2.0 / ((1.0 + negative_slope**2) * fan_in)))
