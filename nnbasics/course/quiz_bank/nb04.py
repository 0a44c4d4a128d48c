"""Quiz for notebook 04 — activation functions."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="What is the largest value of the sigmoid's derivative σ'(x)?",
        choices=("0.25, at x = 0", "1, at x = 0", "0.5, at x = 0", "it grows without bound"),
        answer=0,
        explanation="σ'(x) = σ(x)(1 − σ(x)) is largest where σ = 1/2, i.e. at x = 0, giving "
                    "1/2 · 1/2 = 1/4. Through L sigmoid layers the gradient can shrink by up to "
                    "(1/4)^L — one reason deep sigmoid networks learn slowly.",
    ),
    Question(
        prompt="How are tanh and sigmoid related?",
        choices=("tanh(x) = σ(x) − 0.5", "tanh(x) = σ(x)²", "they are unrelated",
                 "tanh(x) = 2σ(2x) − 1"),
        answer=3,
        explanation="tanh is a sigmoid stretched to (−1, 1) and compressed in x: 2σ(2x) − 1. "
                    "That makes it zero-centred, and its derivative peaks at 1 instead of 1/4.",
    ),
    Question(
        prompt="A ReLU unit is 'dead'. What does that mean, and what did the notebook measure?",
        choices=("Its weights are exactly zero, from the initialisation on",
                 "It outputs very large values after a big learning-rate step",
                 "Its pre-activation is ≤ 0 on every input, so no example sends it a gradient; "
                 "at lr 0.3 many units became dead during training and a few revived later",
                 "It was removed by dropout and comes back at evaluation time"),
        answer=2,
        explanation="For z ≤ 0 ReLU outputs 0 and has derivative 0, so a unit negative on all "
                    "inputs gets exactly zero gradient. The notebook's units were mostly alive "
                    "at initialisation and were killed by the too-large steps (11–16 of 24 at "
                    "lr 0.3); deeper units can revive when the layers below change their inputs. "
                    "On the narrow spiral network this cost 10–50 points of accuracy.",
    ),
    Question(
        prompt="A neuron's inputs are all positive (outputs of a sigmoid layer). For one example, "
               "what can you say about the gradient of its weights?",
        choices=("Its components are all zero",
                 "All its components have the same sign, so each step moves every weight up, or "
                 "every weight down",
                 "Its components have random signs",
                 "It is always larger than with zero-centred inputs"),
        answer=1,
        explanation="∂L/∂w_i = (∂L/∂z) · h_i: one shared number times a positive h_i. Reaching "
                    "weights of mixed signs then takes a zig-zag. In the notebook 100 % of the "
                    "steps had same-sign components with positive inputs (about half with "
                    "centred ones), and the positive inputs needed more than three times as many "
                    "steps, in a valley with a condition number above 10.",
    ),
    Question(
        prompt="Why does a ReLU MLP typically train faster than the same sigmoid MLP?",
        choices=("ReLU's derivative is 1 on active units, so gradients do not shrink layer "
                 "after layer", "ReLU has more parameters", "ReLU is zero-centred",
                 "ReLU outputs probabilities"),
        answer=0,
        explanation="The chain rule multiplies by f'(z) at every layer: ≤ 1/4 for sigmoid, exactly "
                    "1 for active ReLUs. In the notebook the sigmoid network's first layer got "
                    "less than 1/1000 of its last layer's gradient and its loss stayed at ln 2 "
                    "for 30 epochs. (ReLU is not zero-centred: its mean output is 0.40 for "
                    "N(0, 1) inputs.)",
    ),
    Question(
        prompt="GELU(x) = x Φ(x), with Φ the standard normal CDF. Which reading is right?",
        choices=("It is ReLU with a learned slope for x < 0",
                 "It is the derivative of the normal density",
                 "It is the expected value of x times a random gate that keeps x with "
                 "probability Φ(x); SiLU = x σ(x) uses a similar, gentler gate",
                 "It is zero-centred, like tanh"),
        answer=2,
        explanation="Φ(x) = P(ε ≤ x) for ε ~ N(0, 1), so E[x · 1(ε ≤ x)] = x Φ(x): larger inputs "
                    "are more likely to pass (checked by Monte Carlo in the notebook). Since "
                    "σ(1.702x) ≈ Φ(x), SiLU is the same idea; it is the gate of SwiGLU in LLaMA. "
                    "GELU's mean output for N(0, 1) inputs is 0.28, not 0.",
    ),
]
