"""Quiz for notebook 12 — beyond the MLP: embeddings, the LSTM cell, convolution, attention."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="A batch looks up ids [3, 0, 3] in an embedding table with 5 rows. Which rows of the "
               "table receive a non-zero gradient?",
        choices=("All 5 rows", "Rows 0 and 3; row 3 gets the sum of its two gradients",
                 "Rows 0 and 3; row 3 gets only the gradient of its last use", "Only row 3"),
        answer=1,
        explanation="A lookup is one_hot(ids) @ table, so dtable = one_hot(ids)^T @ dout: unused rows get "
                    "exactly zero and a repeated id accumulates all its gradients. That is why the backward "
                    "pass uses np.add.at — `dtable[ids] += dout` buffers the repeats and keeps only one.",
    ),
    Question(
        prompt="Why does an LSTM pass gradients across many more time steps than a plain tanh RNN?",
        choices=("Its sigmoids never saturate",
                 "The cell state is updated additively, c' = f·c + i·g, so dc'/dc = f — near 1 when the "
                 "forget gate is open",
                 "It has four times as many parameters", "It uses a larger learning rate"),
        answer=1,
        explanation="In a tanh RNN every step multiplies the gradient by Uᵀ·diag(1 − h²), which typically "
                    "shrinks it geometrically. Along the LSTM's cell state the factor is just the forget gate. "
                    "The measurement in §2 shows it: with forget bias 1 the gradient 29 steps back is orders of "
                    "magnitude larger; with a closed forget gate (bias 0, f ≈ 0.5) it vanishes too.",
    ),
    Question(
        prompt="A 3×3 convolution with 8 filters on a 1-channel 8×8 image (padding 1) has 80 parameters. "
               "Why so few compared with a dense layer producing the same 8×8×8 output (33,280)?",
        choices=("Convolutions have no biases",
                 "Each output looks only at a 3×3 patch (locality) and all positions share the same "
                 "weights (weight sharing)",
                 "Convolutions are trained with a smaller learning rate", "im2col compresses the image"),
        answer=1,
        explanation="im2col shows a convolution is one small dense layer (9 inputs → 8 outputs, 80 "
                    "parameters) slid over every patch. Locality and sharing build in the prior that the same "
                    "local pattern matters anywhere in the image — the reason CNNs suit images.",
    ),
    Question(
        prompt="Why does scaled dot-product attention divide the scores QKᵀ by √d?",
        choices=("To make the weights sum to 1",
                 "For unit-variance entries, q·k has variance d; dividing by √d keeps scores near unit "
                 "variance so the softmax does not saturate as d grows",
                 "To make attention causal", "It is needed for numerical stability of exp"),
        answer=1,
        explanation="The softmax makes the rows sum to 1 whatever the scale. Without 1/√d, large d makes "
                    "the scores large, the softmax nearly one-hot and its gradients tiny. (Overflow of exp is "
                    "handled separately, by subtracting the row maximum in the stable softmax.)",
    ),
    Question(
        prompt="You have 500 rows of tabular data with 30 heterogeneous numeric columns. What is a sensible "
               "first model?",
        choices=("A Transformer", "A CNN", "A gradient-boosted tree ensemble, then an MLP as a comparison",
                 "An LSTM"),
        answer=2,
        explanation="Tabular features have no spatial or sequential structure for a CNN or RNN to exploit, "
                    "and trees need no feature scaling. On small tabular sets gradient boosting is a strong, "
                    "fast baseline; the measurement in §5 shows an MLP can match it only after standardising "
                    "the inputs.",
    ),
]
