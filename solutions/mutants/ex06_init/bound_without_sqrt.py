"""I forgot the square root: a = 6 / (fan_in + fan_out).

Hint: a^2 = 6 / (fan_in + fan_out), so a is its square root.
"""

EXERCISE = "6.2"
EXPECT = r"bound|\|W\| reaches"


def xavier_uniform(fan_in, fan_out, rng):
    a = 6.0 / (fan_in + fan_out)
    return rng.uniform(-a, a, size=(fan_in, fan_out))
