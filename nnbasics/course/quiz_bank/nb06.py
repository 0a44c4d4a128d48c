"""Quiz for notebook 06 — weight initialization."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="All weights of an MLP start at the same constant value. What happens in training?",
        choices=("Nothing: training breaks the symmetry after a few steps",
                 "Every hidden unit in a layer gets the same gradient and stays a copy of the others",
                 "The loss becomes NaN", "Only the biases are learned, and they differ per unit"),
        answer=1,
        explanation="Identical units compute identical outputs and receive identical gradients, so "
                    "they remain identical forever: the layer acts like one unit. With all-zero "
                    "weights (and tanh/ReLU) even those gradients are zero. Random init breaks the symmetry.",
    ),
    Question(
        prompt="He (Kaiming) initialization for a ReLU layer draws weights with variance…",
        choices=("1 / fan_in", "2 / fan_in", "2 / (fan_in + fan_out)", "0.01"),
        answer=1,
        explanation="Var(z) = fan_in · Var(w) · E[h²], and ReLU keeps only half of a symmetric "
                    "signal: E[relu(z)²] = Var(z)/2. Setting fan_in · Var(w) / 2 = 1 gives "
                    "Var(w) = 2/fan_in — the factor 2 undoes ReLU's halving.",
    ),
    Question(
        prompt="With weights ~ N(0, 0.01²) in a 50-layer ReLU MLP of width 256, the activations…",
        choices=("stay about the same", "explode", "collapse towards 0 by many orders of magnitude",
                 "become exactly 1"),
        answer=2,
        explanation="Each layer multiplies the signal's std by about sqrt(256 · 0.01² / 2) ≈ 0.11; "
                    "after 50 layers that is ~1e-48. Gradients collapse with it, so nothing learns.",
    ),
    Question(
        prompt="You pair Xavier init (Var = 2/(fan_in + fan_out)) with ReLU in a deep square MLP. "
               "Layer after layer the activation std…",
        choices=("shrinks by about 1/√2 per layer", "stays constant", "grows by √2 per layer",
                 "oscillates"),
        answer=0,
        explanation="For a square layer Xavier gives Var(w) = 1/fan_in — right for tanh near 0, but "
                    "ReLU halves E[h²], so the variance halves every layer: std × 1/√2. He init's "
                    "extra factor 2 fixes exactly that.",
    ),
    Question(
        prompt="In `xavier_uniform`, why is the bound a = sqrt(6 / (fan_in + fan_out))?",
        choices=("6 is an arbitrary constant", "U(−a, a) has variance a²/3, so a² = 3 · 2/(fan_in + fan_out)",
                 "it makes the weights sum to 1", "so that |w| ≤ 1"),
        answer=1,
        explanation="The uniform distribution on (−a, a) has variance a²/3. To reach Xavier's "
                    "variance 2/(fan_in + fan_out) we need a² = 6/(fan_in + fan_out). Likewise He "
                    "uniform uses a = sqrt(6/fan_in).",
    ),
]
