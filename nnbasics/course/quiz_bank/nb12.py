"""Quiz for notebook 12 — beyond the MLP: embeddings, the LSTM cell, convolution, attention."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="A batch looks up ids [3, 0, 3] in an embedding table with 5 rows. Which rows of the "
               "table receive a non-zero gradient?",
        choices=("Rows 0 and 3; row 3 gets the sum of its two gradients", "All 5 rows",
                 "Rows 0 and 3; row 3 gets only the gradient of its last use", "Only row 3"),
        answer=0,
        explanation="A lookup is one_hot(ids) @ table, so dtable = one_hot(ids)^T @ dout: unused rows get "
                    "exactly zero and a repeated id accumulates all its gradients. That is why the backward "
                    "pass uses np.add.at — `dtable[ids] += dout` buffers the repeats and keeps only one.",
    ),
    Question(
        prompt="Why does an LSTM pass gradients across many more time steps than a plain tanh RNN?",
        choices=("Its sigmoids never saturate", "It has four times as many parameters",
                 "The cell state is updated additively, c' = f·c + i·g, so dc'/dc = f — near 1 when the "
                 "forget gate is open",
                 "It uses a larger learning rate"),
        answer=2,
        explanation="In a tanh RNN every step multiplies the gradient by Uᵀ·diag(1 − h²), which typically "
                    "shrinks it geometrically. Along the LSTM's cell state the factor is just the forget gate. "
                    "The measurement in §2 shows it: with forget bias 1 (mean f ≈ 0.73) the gradient 29 steps "
                    "back is orders of magnitude larger than the RNN's; with a half-open forget gate (bias 0, "
                    "f ≈ 0.5) it vanishes too.",
    ),
    Question(
        prompt="A 3×3 convolution with 8 filters on a 1-channel 8×8 image (padding 1) has 80 parameters. "
               "Why so few compared with a dense layer producing the same 8×8×8 output (33,280)?",
        choices=("Convolutions have no biases",
                 "Convolutions are trained with a smaller learning rate", "im2col compresses the image",
                 "Each output looks only at a 3×3 patch (locality) and all positions share the same "
                 "weights (weight sharing)"),
        answer=3,
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
                    "the scores large, the softmax nearly one-hot and its gradients tiny (§4 measures the "
                    "variance: 64 for d = 64, 1.0 after scaling). Overflow of exp is handled separately, by "
                    "subtracting the row maximum in the stable softmax.",
    ),
    Question(
        prompt="You have 500 rows of tabular data with 30 heterogeneous numeric columns. What is a sensible "
               "first model?",
        choices=("A gradient-boosted tree ensemble, then an MLP on standardised inputs as a comparison",
                 "A Transformer", "A CNN", "An LSTM"),
        answer=0,
        explanation="Tabular features have no spatial or sequential structure for a CNN or RNN to exploit, "
                    "and trees need no feature scaling. In §5 the trees are good out of the box; the MLP "
                    "trails them on raw features (6 of 8 splits) and overtakes them by a few patients once "
                    "the inputs are standardised — so try both, and measure.",
    ),
    Question(
        prompt="You shuffle the tokens of a sentence and feed it to a self-attention block without "
               "positional encodings (and without a causal mask). What happens to the outputs?",
        choices=("They are unchanged", "They change unpredictably", "Attention raises an error",
                 "They are shuffled in the same way: self-attention is permutation equivariant"),
        answer=3,
        explanation="Every output is a weighted average whose weights come from dot products between tokens; "
                    "nothing refers to a position, so permuting the inputs permutes the outputs (§4 measures a "
                    "difference of 1e-15). Adding positional encodings — sinusoidal ones, whose dot products "
                    "depend only on the offset p − q, or learned ones — lets the model use word order.",
    ),
]
