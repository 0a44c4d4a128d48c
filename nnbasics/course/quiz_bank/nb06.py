"""Quiz for notebook 06 — weight initialization."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="All weights of an MLP start at the same constant value. What happens in training?",
        choices=("Nothing: training breaks the symmetry after a few steps",
                 "The loss becomes NaN",
                 "Every hidden unit in a layer gets the same gradient and stays a copy of the others",
                 "Only the biases are learned, and they differ per unit"),
        answer=2,
        explanation="Identical units compute identical outputs and receive identical gradients, so "
                    "they remain identical forever: the layer acts like one unit (in the notebook, 16 "
                    "constant units were as accurate as a single one). With all-zero weights even "
                    "those gradients are zero. Random init breaks the symmetry.",
    ),
    Question(
        prompt="He (Kaiming) initialization for a ReLU layer draws weights with variance…",
        choices=("2 / fan_in", "1 / fan_in", "2 / (fan_in + fan_out)", "0.01"),
        answer=0,
        explanation="Var(z) = fan_in · Var(w) · E[h²], and ReLU keeps only half of a symmetric "
                    "signal: E[relu(z)²] = Var(z)/2. Setting fan_in · Var(w) / 2 = 1 gives "
                    "Var(w) = 2/fan_in — the factor 2 (a gain of √2) undoes ReLU's halving.",
    ),
    Question(
        prompt="With weights ~ N(0, 0.01²) in a 50-layer ReLU MLP of width 256, the activations…",
        choices=("stay about the same", "explode", "become exactly 1",
                 "collapse towards 0 by many orders of magnitude"),
        answer=3,
        explanation="Each layer multiplies the signal's RMS by about sqrt(256 · 0.01² / 2) ≈ 0.11; "
                    "after 50 layers that is ~1e-48. Gradients collapse with it, so nothing learns.",
    ),
    Question(
        prompt="You pair Xavier init (Var = 2/(fan_in + fan_out)) with ReLU in a deep square MLP. "
               "Layer after layer the activation RMS…",
        choices=("shrinks by about 1/√2 per layer", "stays constant", "grows by √2 per layer",
                 "oscillates"),
        answer=0,
        explanation="For a square layer Xavier gives Var(w) = 1/fan_in — right for tanh near 0, but "
                    "ReLU halves E[h²], so it halves every layer: RMS × 1/√2 (measured: × 0.706). He "
                    "init's extra factor 2 fixes exactly that.",
    ),
    Question(
        prompt="He init with mode='fan_in' keeps the forward variance. In a network whose widths "
               "shrink from 1024 to 64, what happens to the backward gradient?",
        choices=("It explodes exponentially with depth",
                 "It drifts by a constant factor set by the first and last widths, because the "
                 "per-layer ratios n_out/n_in telescope",
                 "It is also kept exactly", "It vanishes exponentially with depth"),
        answer=1,
        explanation="Backward, each layer multiplies the gradient's variance by n_out · Var(w) · E[f'²] "
                    "= n_out / n_in with fan_in init; the product over layers telescopes to a ratio of "
                    "widths. In the notebook's funnel the backward RMS drifted by about 4 = √(1024/64) "
                    "while the forward one stayed flat; mode='fan_out' swaps the roles.",
    ),
    Question(
        prompt="What does orthogonal initialization give a deep *linear* network that Gaussian "
               "initialization does not?",
        choices=("Faster matrix multiplications", "Sparse weights",
                 "Every singular value of the input-output Jacobian equal to 1 (dynamical isometry)",
                 "Zero-mean activations"),
        answer=2,
        explanation="A product of orthogonal matrices is orthogonal: no direction of the gradient is "
                    "stretched or crushed. With Gaussian weights the notebook's 32-layer Jacobian had "
                    "fewer than 20 % of its singular values within ×2 of 1 (median ~1e-5). With ReLU no "
                    "init can do this: about half the units are off for any input.",
    ),
]
