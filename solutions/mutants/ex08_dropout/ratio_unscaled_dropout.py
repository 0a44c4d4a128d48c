"""I modelled dropout as x * m without the 1/(1 - p) rescaling.

Hint: the exercise is about inverted dropout (exercise 8.1): kept entries are divided by 1 - p.
"""

EXERCISE = "8.3"
EXPECT = r"not scaled"


def eval_variance_ratio(mean, var, p):
    return var / ((1.0 - p) * (var + mean**2) - ((1.0 - p) * mean) ** 2)
