"""I reused He's ReLU formula sqrt(2 / fan) whatever the negative slope.

Hint: Leaky ReLU passes a^2 of the negative half, so less needs to be made up than for ReLU.
"""

EXERCISE = "6.3"
EXPECT = r"does not depend on negative_slope"

import numpy as np


def kaiming_std(fan_in, fan_out, negative_slope=0.0, mode="fan_in"):
    fan = fan_in if mode == "fan_in" else fan_out
    return float(np.sqrt(2.0 / fan))
