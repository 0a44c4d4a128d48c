"""Quiz for notebook 10 — debugging a network."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="Your new model does not learn. What should you try first?",
        choices=("A learning-rate sweep over 6 orders of magnitude", "Overfit a tiny batch of ~16 examples",
                 "Add dropout", "Train ten times longer"),
        answer=1,
        explanation="A correct model + loss + optimizer memorises a handful of examples quickly. If it "
                    "cannot, the bug is in the plumbing (loss pairing, gradients, data), and no amount "
                    "of tuning or training time will fix it.",
    ),
    Question(
        prompt="The training loss plateaus around 0.6 and never approaches 0; the model's outputs sum "
               "to 1 per row. What is wrong?",
        choices=("The learning rate is too high", "A softmax is applied before CrossEntropyLoss",
                 "BatchNorm is in training mode", "The labels are shuffled"),
        answer=1,
        explanation="F.cross_entropy applies log-softmax to its input. Given probabilities in [0, 1] "
                    "instead of logits, even a perfect prediction has loss -1 + log(e + C - 1) > 0, "
                    "and the gradients are squashed. Feed raw logits.",
    ),
    Question(
        prompt="Why does PyTorch accumulate gradients in .grad instead of overwriting them?",
        choices=("It is a historical bug kept for compatibility",
                 "To let you sum gradients over micro-batches or several losses before one step",
                 "Because autograd cannot free memory", "To implement momentum"),
        answer=1,
        explanation="Accumulation lets you emulate a large batch that does not fit in memory, or add "
                    "gradients of several losses. The price: you must call optimizer.zero_grad() "
                    "once per step, or the gradients of all past steps pile up (growing norms).",
    ),
    Question(
        prompt="A classifier reaches 99 % accuracy on a data set with 1 % positives. What do you check?",
        choices=("Nothing, 99 % is excellent", "The recall and F1 of the positive class, and the "
                 "confusion matrix", "The training loss", "The learning rate"),
        answer=1,
        explanation="Predicting 'negative' for everything already gives 99 %. Per-class recall/precision, "
                    "F1, PR-AUC (whose chance level is the positive rate) and the confusion matrix "
                    "show whether the minority is found at all.",
    ),
    Question(
        prompt="You standardize features with the mean and std of the *whole* data set, then split. "
               "What is the problem?",
        choices=("None: more data gives better statistics",
                 "Validation information leaks into training, so validation scores are optimistic",
                 "The network cannot learn standardized features", "It makes training slower"),
        answer=1,
        explanation="Every preprocessing statistic must be fitted on the training split only and then "
                    "applied unchanged to validation/test data — exactly what happens at deployment, "
                    "where future data are unknown.",
    ),
]
