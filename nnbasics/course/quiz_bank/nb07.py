"""Quiz for notebook 07 — BatchNorm vs LayerNorm."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="For activations of shape (N, D), over which axis does each layer compute its mean and variance?",
        choices=("BatchNorm over D (features), LayerNorm over N (batch)",
                 "BatchNorm over N (batch), LayerNorm over D (features)",
                 "Both over N", "Both over D"),
        answer=1,
        explanation="BatchNorm keeps one mean/variance per feature, estimated from the batch (axis 0); "
                    "LayerNorm keeps one per sample, computed from that sample's own features (last axis). "
                    "That single difference explains batch-size dependence, running statistics and "
                    "why LN suits sequences.",
    ),
    Question(
        prompt="torch.nn.BatchNorm1d normalizes a training batch with the biased variance (÷N). "
               "Which variance goes into running_var?",
        choices=("The biased one (÷N), the same as the normalization",
                 "The unbiased one (÷(N−1))", "The variance of the running mean",
                 "None: running_var stays at 1"),
        answer=1,
        explanation="running_var ← (1−m)·running_var + m·σ²_B·N/(N−1). The running average estimates "
                    "the population variance, for which the unbiased estimate is right; the batch itself "
                    "is normalized with its own (biased) statistics. Using ÷N in both is a classic off-by-"
                    "a-factor bug that the notebook's torch comparison catches.",
    ),
    Question(
        prompt="You evaluate a BatchNorm network on batches of 4 test images but forgot model.eval(). What happens?",
        choices=("Nothing: BatchNorm behaves the same in both modes",
                 "Predictions depend on the other images in each batch, and the running statistics are overwritten",
                 "torch raises an error", "Only dropout is affected by model.eval()"),
        answer=1,
        explanation="In train mode BN uses the batch's own mean/variance — with 4 images a noisy estimate "
                    "(and with images of one class, it subtracts the class itself) — and updates the "
                    "running averages as a side effect. The notebook measured a large accuracy drop. "
                    "Only a batch of exactly one raises an error.",
    ),
    Question(
        prompt="Why do transformers use LayerNorm rather than BatchNorm?",
        choices=("LayerNorm has fewer parameters",
                 "LayerNorm's output for a token does not depend on the batch, the sequence length or padding",
                 "BatchNorm cannot be differentiated", "LayerNorm makes attention linear"),
        answer=1,
        explanation="LN normalizes each token over its own features, so it behaves identically in training "
                    "and inference, at batch size 1, and for sequences of any length; BN would mix statistics "
                    "across samples and padded positions. Both have 2·D parameters (γ and β).",
    ),
    Question(
        prompt="LayerNorm(a·x + c) for a per-sample scale a > 0 and shift c equals...",
        choices=("a·LayerNorm(x) + c", "LayerNorm(x)", "LayerNorm(x) / a", "It depends on γ and β"),
        answer=1,
        explanation="Subtracting the sample's mean removes c and dividing by its standard deviation removes a "
                    "(up to ε). This invariance is checked by a property test; it also means LN's backward "
                    "must remove the gradient along these two directions — the two sums in the formula.",
    ),
]
