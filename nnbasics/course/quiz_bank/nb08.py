"""Quiz for notebook 08 — dropout."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="With torch.nn.Dropout(p=0.2) in training mode, what happens to an activation of value 3.0?",
        choices=("It becomes 0 with probability 0.8, else stays 3.0",
                 "It becomes 0 with probability 0.2, else 3.0 / 0.8 = 3.75",
                 "It becomes 0 with probability 0.2, else 3.0 × 0.8 = 2.4",
                 "It is multiplied by 0.8"),
        answer=1,
        explanation="p is the DROP probability. Inverted dropout scales the survivors by 1/(1−p) so that "
                    "E[out] = 0.2·0 + 0.8·3.75 = 3.0: the expectation is preserved and inference can be "
                    "the plain identity.",
    ),
    Question(
        prompt="What does a dropout layer do in model.eval() mode?",
        choices=("Drops with probability p, without scaling", "Nothing: it is the identity",
                 "Multiplies by (1 − p)", "Drops with probability p/2"),
        answer=1,
        explanation="With inverted dropout all the compensation happens during training, so inference "
                    "uses the full network unchanged. (Original, non-inverted dropout instead multiplied "
                    "the weights by 1 − p at test time.)",
    ),
    Question(
        prompt="You train with dropout but forget the 1/(1 − p) scaling, and use the identity at inference. "
               "What goes wrong?",
        choices=("Nothing: the next layer adapts",
                 "At inference every activation is about 1/(1 − p) times larger than what the next layer saw "
                 "in training",
                 "Gradients become zero", "Training diverges immediately"),
        answer=1,
        explanation="In training the next layer sees a mean of (1 − p)·h; at inference it sees h. The "
                    "notebook measured the mean ratio (≈ 1 − p) and a trained model's validation loss "
                    "jumping when its activations are inflated this way.",
    ),
    Question(
        prompt="In the notebook's experiment (over-parameterized MLP, 40 noisy points), what did p = 0.5 do "
               "compared with p = 0?",
        choices=("Lower training loss and lower validation loss",
                 "Higher training loss but a smaller train/validation gap",
                 "No difference", "Higher validation loss only"),
        answer=1,
        explanation="Dropout makes memorizing the noise harder (training loss stays higher) and the network "
                    "generalizes better (validation loss stops climbing): a smaller gap. Too much dropout "
                    "underfits; typical rates are 0.5 for large fully connected layers, 0.1–0.3 elsewhere.",
    ),
    Question(
        prompt="What is MC dropout?",
        choices=("Dropout with p chosen by Monte-Carlo search",
                 "Keeping dropout on at inference and averaging several stochastic passes; their spread "
                 "signals uncertainty",
                 "Dropping whole layers", "Dropout applied to the inputs only"),
        answer=1,
        explanation="Each pass samples a different thinned network from the implicit ensemble; averaging "
                    "their softmax outputs approximates the ensemble prediction, and disagreement (entropy, "
                    "std) is larger for inputs near the decision boundary or far from the data.",
    ),
]
