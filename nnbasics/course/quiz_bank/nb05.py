"""Quiz for notebook 05 — vanishing and exploding gradients."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="A gradient flows back through 10 sigmoid layers whose weight matrices have spectral "
               "norm at most 1. By at least what factor does its norm shrink?",
        choices=("0.5^10 ≈ 1e-3", "0.25^10 ≈ 1e-6", "0.1^10 = 1e-10", "It cannot shrink: weights have norm 1"),
        answer=1,
        explanation="Each layer multiplies by W^T diag(σ'(z)); ‖W‖₂ ≤ 1 and σ' ≤ 0.25 (its value at 0), "
                    "so each factor is at most 0.25 and ten of them at most 0.25^10 ≈ 9.5e-7. In practice "
                    "most σ'(z) are below 0.25, so the shrink is even stronger.",
    ),
    Question(
        prompt="Why do residual connections h + F(h) help gradients reach the early layers?",
        choices=("They make the network shallower at inference time",
                 "Their Jacobian is I + ∂F/∂h, so an identity path carries the gradient unchanged",
                 "They normalize the activations", "They clip the gradient"),
        answer=1,
        explanation="The derivative of h + F(h) is the identity plus the branch's Jacobian: even when the "
                    "branch's contribution vanishes, the identity passes the gradient back untouched. "
                    "In the notebook a 20-layer sigmoid network went from 1e-17 to about 1e-3.",
    ),
    Question(
        prompt="Global gradient-norm clipping with threshold τ does what when ‖g‖ > τ?",
        choices=("Clips each entry of g to [-τ, τ]",
                 "Rescales each parameter's gradient to norm τ separately",
                 "Multiplies every gradient by the same factor τ/‖g‖, keeping the direction",
                 "Skips the update"),
        answer=2,
        explanation="The norm is computed over ALL parameters as one vector, and all gradients are scaled "
                    "by the same factor, so the update's direction is kept and only its length is capped. "
                    "Clipping each array separately (or each entry) changes the direction.",
    ),
    Question(
        prompt="Which problem does gradient clipping NOT fix?",
        choices=("Loss jumping to NaN after one huge update", "Vanishing gradients in early layers",
                 "Rare exploding batches in an RNN", "Overshooting with a too-large step"),
        answer=1,
        explanation="Clipping only ever makes gradients smaller. Vanishing gradients need a different "
                    "activation, a better init, normalization or residual connections.",
    ),
    Question(
        prompt="Karpathy's update-to-data ratio std(ΔW)/std(W) for one step is about 1e-1 in every layer. "
               "What does that suggest?",
        choices=("The learning rate is too high: each step changes the weights by ~10%",
                 "The learning rate is too low", "The network is well tuned (≈1e-3 is bad)",
                 "The gradients are vanishing"),
        answer=0,
        explanation="A healthy ratio is around 1e-3: each step nudges the weights by a thousandth of their "
                    "spread. 1e-1 means the weights are being rewritten every few steps (lower the "
                    "learning rate); 1e-5 would mean the layer barely learns.",
    ),
]
