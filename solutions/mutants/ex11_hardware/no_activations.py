"""I counted only what scales with the parameters.

Hint: the activations saved for backward take memory too.
"""

EXERCISE = "11.2"
EXPECT = r"activations are missing"


def training_memory(n_params, activation_elements, optimizer="adam", bytes_per_number=4):
    k = {"sgd": 0, "momentum": 1, "adam": 2}[optimizer]
    return bytes_per_number * (2 + k) * n_params
