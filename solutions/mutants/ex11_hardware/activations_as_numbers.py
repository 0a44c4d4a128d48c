"""I multiplied the parameter terms by bytes_per_number but added the activations as a count.

Hint: every number, activations included, takes bytes_per_number bytes.
"""

EXERCISE = "11.2"
EXPECT = r"activations are counted as numbers"


def training_memory(n_params, activation_elements, optimizer="adam", bytes_per_number=4):
    k = {"sgd": 0, "momentum": 1, "adam": 2}[optimizer]
    return bytes_per_number * (2 + k) * n_params + activation_elements
