"""I divided the gradient by v + eps.

Hint: divide by the square ROOT of the running mean square (the gradient's typical size).
"""

EXERCISE = "9.5"
EXPECT = r"square ROOT"


def rmsprop_step(p, g, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * v + (1.0 - alpha) * g * g
    return p - lr * g / (v + eps), v
