"""I returned the variance 2 / ((1 + a^2) fan) instead of the standard deviation.

Hint: the question asks for sigma, the square root of Var(w).
"""

EXERCISE = "6.3"
EXPECT = r"returned the variance"


def kaiming_std(fan_in, fan_out, negative_slope=0.0, mode="fan_in"):
    fan = fan_in if mode == "fan_in" else fan_out
    return 2.0 / ((1.0 + negative_slope**2) * fan)
