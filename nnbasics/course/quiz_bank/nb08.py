"""Quiz for notebook 08 — dropout."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="With torch.nn.Dropout(p=0.2) in training mode, what happens to an activation of value 3.0? "
               "And in model.eval() mode?",
        choices=("Training: 0 with probability 0.8, else 3.0; eval: multiplied by 0.8",
                 "Training: 0 with probability 0.2, else 3.0 × 0.8 = 2.4; eval: 3.0",
                 "Training: 0 with probability 0.2, else 3.0 / 0.8 = 3.75; eval: 3.0 unchanged",
                 "Training: multiplied by 0.8; eval: 3.0"),
        answer=2,
        explanation="p is the DROP probability. Inverted dropout scales the survivors by 1/(1−p) so that "
                    "E[out] = 0.2·0 + 0.8·3.75 = 3.0: the expectation is preserved and inference is the plain "
                    "identity. (Original, non-inverted dropout instead multiplied by 1 − p at test time.)",
    ),
    Question(
        prompt="You train with dropout but forget the 1/(1 − p) scaling, and use the identity at inference. "
               "What did the notebook measure on the trained p = 0.5 model?",
        choices=("The validation loss jumped 3.5–4× while the accuracy barely moved",
                 "Nothing changed: the next layer adapts",
                 "The accuracy dropped to chance",
                 "Training diverged immediately"),
        answer=0,
        explanation="At inference every activation is 1/(1 − p) times larger than what the next layer saw in "
                    "training. Inflating the activations mostly rescales the logits, which rarely flips the "
                    "winning class (accuracy within 2 points) but makes the probabilities badly overconfident: "
                    "the loss grew 3.5–4× in every seed.",
    ),
    Question(
        prompt="Digits with 40 % of the training labels corrupted: what did p = 0.5 do compared with p = 0?",
        choices=("Both reached the same final accuracy",
                 "It memorised far fewer corrupted labels and ended 10–17 points higher, though its peak "
                 "accuracy was only slightly higher",
                 "It fitted the noisy labels better",
                 "It stopped the validation accuracy from ever decreasing, at any p"),
        answer=1,
        explanation="Without dropout the network fits nearly every corrupted label and its validation accuracy "
                    "falls from an early peak; with p = 0.5 it fits about a third of them (25–38 % over 5 seeds). Early stopping at the "
                    "peak would have captured most of the gain, and p = 0.8 peaked lower (too much dropout "
                    "underfits). On the clean 40-point moons task dropout did not beat early stopping at all.",
    ),
    Question(
        prompt="Inverted dropout on the inputs of a linear model with squared loss adds, in expectation, "
               "which penalty?",
        choices=("None: dropout only adds noise",
                 "An L1 penalty λ·Σ|w_j|",
                 "An L2 penalty with the same λ for every weight",
                 "An L2 penalty p/(1−p)·Σ_j c_j w_j², stronger for features with a larger second moment c_j"),
        answer=3,
        explanation="E[ŷ_i] = x_i·w and Var[ŷ_i] = p/(1−p)·Σ_j x_ij² w_j², so the expected loss is the plain "
                    "loss plus that variance: an adaptive ridge. Its effect is to shrink every weight by about "
                    "1 − p whatever the feature's scale (the notebook measured 0.70–0.71 at p = 0.3), unlike a "
                    "ridge with one λ.",
    ),
    Question(
        prompt="A dropout layer (p = 0.5) sits right before a BatchNorm layer. What happens at evaluation?",
        choices=("Nothing: BatchNorm re-standardizes whatever it gets",
                 "BatchNorm's output has a smaller variance than in training, because its running variance "
                 "was learned from the (higher-variance) dropped activations",
                 "BatchNorm's output has a larger variance than in training",
                 "Dropout stays active because BatchNorm is in eval mode"),
        answer=1,
        explanation="Dropping entries adds variance (mean-sized values jump to 0 and survivors are doubled), so "
                    "the running variance is too large for the undropped activations seen at evaluation. The "
                    "notebook measured output variances of 0.2–0.45 instead of 1; exercise 8.3 derives the ratio. "
                    "Put dropout after the last BatchNorm.",
    ),
    Question(
        prompt="What does MC dropout's predictive entropy measure, according to the notebook's measurements?",
        choices=("Disagreement between thinned networks: high near the decision boundary, but often LOW far "
                 "from the training data",
                 "The distance of an input from the training data",
                 "The probability that the prediction is correct",
                 "The dropout rate"),
        answer=0,
        explanation="Each pass samples a thinned network of the implicit ensemble; their average predicts the same "
                    "class as the eval-mode network on over 97 % of points, and the entropy of the average "
                    "tracks closeness to the boundary (Spearman below −0.5). Points far from the data got a lower "
                    "entropy than validation points in 4 of 5 seeds: ReLU networks extrapolate confidently, so MC "
                    "dropout is not an out-of-distribution detector.",
    ),
]
