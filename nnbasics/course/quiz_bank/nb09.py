"""Quiz for notebook 09 — regularization and optimizers."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="Training error 0.01, validation error 0.60. What is happening, and what helps?",
        choices=("Overfitting: add weight decay, data/augmentation or stop earlier",
                 "Underfitting: use a bigger model", "The learning rate is too low",
                 "Nothing: the training error is what counts"),
        answer=0,
        explanation="A large gap between a low training error and a high validation error means the "
                    "model memorised the training set (including its noise). Regularization — weight "
                    "decay, early stopping, augmentation, more data, less capacity — narrows the gap. "
                    "Underfitting looks different: both errors high (degree 1 in the notebook's table).",
    ),
    Question(
        prompt="Adam with L2 (weight_decay in torch.optim.Adam) and AdamW, same λ = 0.1, run to convergence on "
               "the notebook's least-squares problem. Where does each end?",
        choices=("Both at the ridge solution; only their paths differ",
                 "Both at the unregularized least-squares solution",
                 "Adam + L2 at the least-squares solution, AdamW at the ridge solution",
                 "Adam + L2 at the ridge solution; AdamW at the least-squares solution, because its decoupled "
                 "decay only binds where |w_i| reaches about 1/λ"),
        answer=3,
        explanation="Adam + L2 still minimizes the penalized loss: after 20 000 steps it sat on the ridge "
                    "solution (to 1e-3). AdamW's shrink ηλw must balance an Adam step of at most about η per "
                    "coordinate, so it bounds |w_i| by ~1/λ instead of penalizing w²: with λ = 0.1 the bound did "
                    "not bind (least squares), with λ = 1 it clipped the weights at |w_i| = 1.",
    ),
    Question(
        prompt="Early stopping with patience 3: validation losses 1.0, 0.8, 0.9, 0.85, 0.82, 0.7. "
               "When does training stop?",
        choices=("After epoch index 2",
                 "After epoch index 5", "It never stops",
                 "After epoch index 4 (three epochs without improvement after the best at index 1)"),
        answer=3,
        explanation="The best is 0.8 at index 1. Indices 2, 3, 4 do not beat it: that is 3 epochs "
                    "without improvement, so training stops at index 4 and restores the weights of "
                    "index 1 — even though 0.7 would have come next. Patience trades compute for the "
                    "risk of stopping in a temporary plateau.",
    ),
    Question(
        prompt="Why does an L1 penalty λΣ|w_i| produce weights that are exactly zero, while an L2 penalty does not?",
        choices=("L1 is only used with ISTA, which rounds small weights",
                 "L1 pushes every weight towards 0 with the same force λ however small it is, and its proximal "
                 "step (soft thresholding) returns exactly 0 whenever |w| ≤ t; L2's pull λw fades near 0",
                 "L2 weights are zero too, but only at convergence",
                 "Because the L1 penalty is larger than the L2 penalty"),
        answer=1,
        explanation="minimize ½(z − w)² + t|z|: for |w| ≤ t no z ≠ 0 beats z = 0, so the answer is exactly 0; "
                    "otherwise z = w − t·sign(w). L2's proximal step w/(1 + t) only rescales. The notebook's "
                    "path: the L1 zero count grew with λ and kept exactly the 3 true features at λ ≈ 0.56; "
                    "ridge never produced a single zero.",
    ),
    Question(
        prompt="You multiply the batch size by 4 and the learning rate by 4 (the linear scaling rule). When does "
               "that stop working?",
        choices=("Never: it is exact", "Immediately: larger batches always need smaller rates",
                 "When the scaled rate crosses the stability limit (η < 2/L on a quadratic): one big step "
                 "then overshoots where four small ones would not",
                 "Only when the batch no longer fits in memory"),
        answer=2,
        explanation="One step with 4B examples moves about as far as 4 steps with B only while those steps "
                    "point the same way — i.e. while the rate is small relative to the curvature. The notebook "
                    "measured the same final loss for B = 16, 64, 256 (lr 0.1 to 1.6) and an explosion at B = "
                    "1024 (lr 6.4). Keeping lr fixed instead made every larger batch worse (fewer steps).",
    ),
    Question(
        prompt="Adagrad and RMSProp both divide each coordinate's step by the root of its squared gradients. "
               "What does RMSProp change?",
        choices=("It uses a running average that forgets old gradients, so the rates do not only shrink",
                 "It adds momentum and bias correction",
                 "It removes the square root",
                 "Nothing: they are the same optimizer"),
        answer=0,
        explanation="Adagrad sums g² over the whole run, so every effective rate η/√s only decreases — good for "
                    "sparse features, too timid for long non-convex training. RMSProp keeps v ← αv + (1−α)g², a "
                    "forgetting average (α = 0.99 in torch). Momentum and bias correction on top of that make Adam.",
    ),
]
