"""Quiz for notebook 07 — BatchNorm vs LayerNorm."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="A conv layer outputs activations of shape (N, C, H, W). Over which entries does "
               "BatchNorm2d compute one mean and variance?",
        choices=("Per channel c, over the batch and all positions (N, H, W)",
                 "Per sample n, over (C, H, W)",
                 "Per sample and channel, over (H, W)",
                 "Per position (h, w), over (N, C)"),
        answer=0,
        explanation="BatchNorm keeps one mean/variance per feature, and a conv layer's feature is a "
                    "channel: its statistics come from every sample and every position (so the running "
                    "variance is unbiased over N·H·W values). Per sample over (C, H, W) is LayerNorm, per "
                    "sample and channel is InstanceNorm; GroupNorm sits between them (notebook §6).",
    ),
    Question(
        prompt="torch.nn.BatchNorm1d normalizes a training batch with the biased variance (÷N). "
               "Which variance goes into running_var, and what is torch's momentum=0.1 in Keras's convention?",
        choices=("The biased one; Keras momentum 0.1",
                 "The unbiased one (÷(N−1)); Keras momentum 0.1",
                 "The unbiased one (÷(N−1)); Keras momentum 0.9",
                 "The biased one; Keras momentum 0.99"),
        answer=2,
        explanation="running_var ← (1−m)·running_var + m·σ²_B·N/(N−1): the running average estimates the "
                    "population variance, for which the unbiased estimate is right, while the batch itself is "
                    "normalized with its own biased statistics. torch's m weights the NEW batch, Keras's the "
                    "OLD average, so torch 0.1 = Keras 0.9 (Keras's default 0.99 averages about 10× longer: a "
                    "half-life of 69 steps against 6.6).",
    ),
    Question(
        prompt="You evaluate a BatchNorm network on batches of 4 test images but forgot model.eval(). What happens?",
        choices=("Nothing: BatchNorm behaves the same in both modes",
                 "torch raises an error",
                 "Only dropout is affected by model.eval()",
                 "Predictions depend on the other images in each batch, and the running statistics are overwritten"),
        answer=3,
        explanation="In train mode BN uses the batch's own mean/variance — with 4 images a noisy estimate "
                    "(and with images of one class, it subtracts the class itself) — and updates the "
                    "running averages as a side effect. The notebook measured 95 % → 71 % accuracy with "
                    "shuffled batches of 4 and 14 % with single-class batches. Only a batch of exactly one "
                    "raises an error.",
    ),
    Question(
        prompt="Why do transformer blocks use LayerNorm (or RMSNorm) rather than BatchNorm?",
        choices=("LayerNorm has fewer parameters",
                 "A token's LayerNorm output does not depend on the batch, the sequence length or padding",
                 "BatchNorm cannot be differentiated",
                 "LayerNorm makes attention linear"),
        answer=1,
        explanation="LN normalizes each token over its own features, so it behaves identically in training "
                    "and inference, at batch size 1, and for sequences of any length; BN would mix statistics "
                    "across samples and padded positions (the notebook measured a change of 0.5 from padding). "
                    "Both have 2·D parameters; RMSNorm drops the centring (and β) to save work.",
    ),
    Question(
        prompt="LayerNorm(a·x + c), for a per-sample scale a > 0 and a per-sample constant shift c "
               "(the same for every feature of that sample), equals...",
        choices=("LayerNorm(x), up to ε", "a·LayerNorm(x) + c", "LayerNorm(x) / a", "It depends on γ and β"),
        answer=0,
        explanation="Subtracting the sample's mean removes c and dividing by its standard deviation removes a "
                    "(up to ε). So the gradient has no component along these two directions: each row of "
                    "dL/dx sums to zero and is orthogonal to x̂ — the two facts that check your backward "
                    "pass in exercises 7.2 and 7.5.",
    ),
    Question(
        prompt="Santurkar et al. injected random, per-step shifts and scalings right after every BatchNorm "
               "layer. What did the notebook's version of that experiment show?",
        choices=("The noisy network behaved like the un-normalized one: BN works by reducing covariate shift",
                 "The noisy network diverged at every learning rate",
                 "Its layers' inputs shifted more than without normalization, yet it still trained far better "
                 "than the un-normalized network at lr 1.0",
                 "Noise made no difference to the input distributions"),
        answer=2,
        explanation="The measured step-to-step shift of the ReLU inputs was larger with the noise (0.42 vs "
                    "0.27–0.37 without normalization), yet the final loss was 0.64–0.74 against 1.2–2.3. "
                    "Reducing internal covariate shift cannot be what makes BatchNorm work; a smoother loss "
                    "surface that tolerates large steps is the better-supported explanation.",
    ),
]
