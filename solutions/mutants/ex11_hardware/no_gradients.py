"""I counted the parameters and the optimizer state but not the gradients.

Hint: backward stores one gradient per parameter until the optimizer step.
"""

EXERCISE = "11.2"
EXPECT = r"gradients"


def training_memory(n_params, activation_elements, optimizer="adam", bytes_per_number=4):
    k = {"sgd": 0, "momentum": 1, "adam": 2}[optimizer]
    return bytes_per_number * ((1 + k) * n_params + activation_elements)
