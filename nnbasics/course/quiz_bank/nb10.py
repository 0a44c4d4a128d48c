"""Quiz for notebook 10 — debugging a network."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="Your new model does not learn. What should you try first?",
        choices=("A learning-rate sweep over 6 orders of magnitude", "Add dropout", "Train ten times longer",
                 "Check the loss at step 0 (about ln C), then overfit a tiny batch of ~16 examples"),
        answer=3,
        explanation="A fresh classifier should start near ln C; a correct model + loss + optimizer then "
                    "memorises a handful of examples quickly (§1: 200 Adam steps). If it cannot, the bug is in "
                    "the plumbing (loss pairing, gradients, data), and no amount of tuning or training time "
                    "will fix it.",
    ),
    Question(
        prompt="The training loss plateaus around 0.6 and never approaches 0; the model's outputs sum "
               "to 1 per row. What is wrong?",
        choices=("A softmax is applied before CrossEntropyLoss", "The learning rate is too high",
                 "BatchNorm is in training mode", "The labels are shuffled"),
        answer=0,
        explanation="F.cross_entropy applies log-softmax to its input. Given probabilities in [0, 1] "
                    "instead of logits, even a perfect prediction has loss -1 + log(e + C - 1) > 0 (0.55 for "
                    "3 classes), and the gradients shrink (§3: 0.3x the healthy run's). Feed raw logits.",
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
        prompt="A classifier reaches 99 % accuracy on a data set with 1 % positives and a ROC-AUC of 0.8. "
               "What do you conclude?",
        choices=("It is excellent on both counts",
                 "Accuracy is fine, ROC-AUC is too low",
                 "Check recall/F1 of the positives and the PR curve: accuracy and ROC-AUC can both look good "
                 "while most flagged examples are false alarms",
                 "Train longer"),
        answer=2,
        explanation="Predicting 'negative' for everything already gives 99 %. ROC-AUC ignores how rare the "
                    "positives are: in §4 the same scorer keeps ROC-AUC 0.8 at every positive rate while its "
                    "precision at half recall falls below 1 %. Per-class recall, F1 and AP next to its chance "
                    "level (the positive rate) show what a user of the model would see.",
    ),
    Question(
        prompt="You standardize features with the mean and std of the *whole* data set, then split. "
               "What is the problem?",
        choices=("None: more data gives better statistics",
                 "The network cannot learn standardized features",
                 "It makes training slower",
                 "Validation information leaks into training, so the validation score is no longer an "
                 "honest estimate of deployment"),
        answer=3,
        explanation="Every preprocessing statistic must be fitted on the training split only and applied "
                    "unchanged to validation/test data — exactly what happens at deployment, where future data "
                    "are unknown. On the zoo's i.i.d. toy data the effect is not measurable (within 1 point); "
                    "it matters when training and deployment data differ.",
    ),
    Question(
        prompt="A model's predictions with confidence around 0.9 are right only 60 % of the time. What "
               "does temperature scaling do about it?",
        choices=("Divides all logits by one T > 1 fitted on held-out data: confidences shrink, the "
                 "predicted classes (and the accuracy) stay the same",
                 "Retrains the last layer", "Raises the accuracy to 90 %", "Removes the least confident examples"),
        answer=0,
        explanation="Dividing every logit by the same T never changes which one is largest, so accuracy is "
                    "unchanged; T > 1 makes the softmax softer. In §5 T ≈ 5 cuts the expected calibration "
                    "error of an overfit MLP from 0.21 to 0.05.",
    ),
]
