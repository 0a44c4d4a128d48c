"""Quiz for notebook 09 — regularization and optimizers."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="Training error 0.01, validation error 0.60. What is happening, and what helps?",
        choices=("Underfitting: use a bigger model", "Overfitting: add weight decay, data/augmentation "
                 "or stop earlier", "The learning rate is too low", "Nothing: the training error is what counts"),
        answer=1,
        explanation="A large gap between a low training error and a high validation error means the "
                    "model memorised the training set (including its noise). Regularization — weight "
                    "decay, early stopping, augmentation, more data, less capacity — narrows the gap. "
                    "Underfitting looks different: both errors high.",
    ),
    Question(
        prompt="Why is Adam with L2 (weight_decay in torch.optim.Adam) not the same as AdamW?",
        choices=("AdamW uses a different beta2", "In Adam the L2 gradient λw is divided by sqrt(v̂), so "
                 "weights with large gradients are barely decayed; AdamW shrinks all weights by (1 - ηλ)",
                 "They are the same up to the learning rate", "AdamW has no bias correction"),
        answer=1,
        explanation="L2 adds λw to the gradient; Adam then rescales that term per coordinate like the "
                    "rest of the gradient. AdamW decouples the decay from the adaptive step. For plain "
                    "SGD there is no rescaling, so L2 and weight decay are the same update.",
    ),
    Question(
        prompt="Early stopping with patience 3: validation losses 1.0, 0.8, 0.9, 0.85, 0.82, 0.7. "
               "When does training stop?",
        choices=("After epoch index 2", "After epoch index 4 (three epochs without improvement after the best at index 1)",
                 "After epoch index 5", "It never stops"),
        answer=1,
        explanation="The best is 0.8 at index 1. Indices 2, 3, 4 do not beat it: that is 3 epochs "
                    "without improvement, so training stops at index 4 and restores the weights of "
                    "index 1 — even though 0.7 would have come next. Patience trades compute for the "
                    "risk of stopping in a temporary plateau.",
    ),
    Question(
        prompt="With label smoothing ε = 0.1 and C = 10 classes, what is the target for the true class?",
        choices=("1.0", "0.9", "0.91", "0.1"),
        answer=2,
        explanation="t = (1 - ε)·onehot + ε/C: the true class gets 0.9 + 0.01 = 0.91 and each other class "
                    "0.01 (torch's convention spreads ε over all C classes, the true one included). The "
                    "loss is then minimized at a finite logit gap, which discourages over-confidence.",
    ),
    Question(
        prompt="Plain gradient descent on a quadratic whose largest curvature is L = 20. Which learning rates converge?",
        choices=("Any lr > 0", "lr < 2/L = 0.1", "lr < 1/L² = 0.0025", "Only lr = 1/L exactly"),
        answer=1,
        explanation="Along the steepest direction the error is multiplied by (1 - ηL) every step; it shrinks "
                    "iff |1 - ηL| < 1, i.e. η < 2/L. Just above, the iterates oscillate with growing "
                    "amplitude. Far below, the flat directions barely move: that is why the learning "
                    "rate is the hyperparameter to tune first.",
    ),
    Question(
        prompt="What does Adam's bias correction do on the very first step (t = 1)?",
        choices=("Nothing: it only matters late in training",
                 "It undoes the zero initialisation of m and v, so the first step is about lr per coordinate",
                 "It adds weight decay", "It doubles the learning rate"),
        answer=1,
        explanation="m and v start at zero, so after one step m = (1-β1)g and v = (1-β2)g², both far too "
                    "small. Dividing by (1-β1^t) and (1-β2^t) with t = 1 gives m̂ = g and v̂ = g², so the "
                    "step is lr·g/|g| = ±lr. Starting t at 0 would divide by zero.",
    ),
]
