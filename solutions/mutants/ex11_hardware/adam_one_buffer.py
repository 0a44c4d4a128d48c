"""I gave Adam one extra buffer per parameter, like momentum.

Hint: Adam keeps a first AND a second moment per parameter.
"""

EXERCISE = "11.2"
EXPECT = r"TWO buffers"


def training_memory(n_params, activation_elements, optimizer="adam", bytes_per_number=4):
    k = {"sgd": 0, "momentum": 1, "adam": 1}[optimizer]
    return bytes_per_number * ((2 + k) * n_params + activation_elements)
