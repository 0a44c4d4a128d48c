"""I wrote E[f(z)^2] = (1 + a) / 2 E[z^2], forgetting that the slope is squared.

Hint: on the negative side f(z) = a z, so f(z)^2 = a^2 z^2.
"""

EXERCISE = "6.3"
EXPECT = r"a\^2 \(not a\)"

import numpy as np


def kaiming_std(fan_in, fan_out, negative_slope=0.0, mode="fan_in"):
    fan = fan_in if mode == "fan_in" else fan_out
    return float(np.sqrt(2.0 / ((1.0 + negative_slope) * fan)))
