"""Quiz for notebook 04 — activation functions."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="What is the largest value of the sigmoid's derivative σ'(x)?",
        choices=("1, at x = 0", "0.25, at x = 0", "0.5, at x = 0", "it grows without bound"),
        answer=1,
        explanation="σ'(x) = σ(x)(1 − σ(x)) is largest where σ = 1/2, i.e. at x = 0, giving "
                    "1/2 · 1/2 = 1/4. Through L sigmoid layers the gradient can shrink by up to "
                    "(1/4)^L — one reason deep sigmoid networks learn slowly.",
    ),
    Question(
        prompt="How are tanh and sigmoid related?",
        choices=("tanh(x) = σ(x) − 0.5", "tanh(x) = 2σ(2x) − 1", "tanh(x) = σ(x)²",
                 "they are unrelated"),
        answer=1,
        explanation="tanh is a sigmoid stretched to (−1, 1) and compressed in x: 2σ(2x) − 1. "
                    "That makes it zero-centred, and its derivative peaks at 1 instead of 1/4.",
    ),
    Question(
        prompt="A ReLU unit is 'dead'. What does that mean?",
        choices=("Its weights are exactly zero",
                 "Its pre-activation is negative for every input, so its output and gradient are 0",
                 "It outputs very large values", "It was removed by dropout"),
        answer=1,
        explanation="For z ≤ 0 ReLU outputs 0 and has derivative 0. If that holds for all "
                    "training inputs, no gradient ever reaches the unit's weights and it cannot "
                    "recover. Large learning rates cause it; Leaky ReLU/ELU keep f' > 0.",
    ),
    Question(
        prompt="Which output activation fits a classifier choosing one of 10 classes?",
        choices=("ReLU", "sigmoid on each output independently", "softmax", "tanh"),
        answer=2,
        explanation="Softmax turns 10 logits into probabilities that sum to 1 — one distribution "
                    "over mutually exclusive classes. Independent sigmoids suit multi-label "
                    "problems; in practice the softmax is folded into the cross-entropy on logits.",
    ),
    Question(
        prompt="Why does a ReLU MLP typically train faster than the same sigmoid MLP?",
        choices=("ReLU has more parameters", "ReLU's derivative is 1 on active units, so gradients "
                 "do not shrink layer after layer", "ReLU is zero-centred",
                 "ReLU outputs probabilities"),
        answer=1,
        explanation="The chain rule multiplies by f'(z) at every layer: ≤ 1/4 for sigmoid, exactly "
                    "1 for active ReLUs. The notebook measured first-layer gradients orders of "
                    "magnitude larger with ReLU. (ReLU is not zero-centred; GELU/ELU are closer.)",
    ),
]
