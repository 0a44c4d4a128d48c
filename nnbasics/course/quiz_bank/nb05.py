"""Quiz for notebook 05 — vanishing and exploding gradients."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="A gradient flows back through 10 sigmoid layers whose weight matrices have spectral "
               "norm at most 1. What is the most its norm can keep?",
        choices=("0.25^10 ≈ 1e-6 of its size", "0.5^10 ≈ 1e-3 of its size", "0.1^10 = 1e-10 of its size",
                 "All of it: the weights have norm 1"),
        answer=0,
        explanation="Each layer multiplies by W^T diag(σ'(z)); ‖W‖₂ ≤ 1 and σ' ≤ 0.25 (its value at 0), "
                    "so each factor is at most 0.25 and ten of them at most 0.25^10 ≈ 9.5e-7. The "
                    "notebook's network kept far less (3e-9) although its σ' were close to 0.25: a "
                    "typical gradient is stretched by the rms gain √(fan_in·Var w) ≈ 0.58, not by the "
                    "largest singular value.",
    ),
    Question(
        prompt="Why do residual connections h + F(h) help gradients reach the early layers?",
        choices=("They make the network shallower at inference time", "They normalize the activations",
                 "They clip the gradient",
                 "Their Jacobian is I + ∂F/∂h, so an identity path carries the gradient unchanged"),
        answer=3,
        explanation="The derivative of h + F(h) is the identity plus the branch's Jacobian: even when the "
                    "branch's contribution vanishes, the identity passes the gradient back untouched. In "
                    "the notebook the gradient reaching the first hidden layer of a 20-layer sigmoid "
                    "residual network was about 1.0–1.2 times the one at the last (plain sigmoid: 1e-17).",
    ),
    Question(
        prompt="Global gradient-norm clipping with threshold τ does what when ‖g‖ > τ?",
        choices=("Clips each entry of g to [-τ, τ]",
                 "Rescales each parameter's gradient to norm τ separately",
                 "Multiplies every gradient by the same factor τ/‖g‖, keeping the direction",
                 "Makes small gradients larger, so vanishing gradients are fixed too"),
        answer=2,
        explanation="The norm is computed over ALL parameters as one vector, and all gradients are scaled "
                    "by the same factor: the update keeps its direction, only its length is capped. "
                    "Clipping each entry (by value) turned the notebook's update by about 60°. Clipping "
                    "only ever shrinks gradients, so it does nothing against vanishing ones.",
    ),
    Question(
        prompt="A 50-layer ReLU MLP with He init and BatchNorm after every linear layer, at "
               "initialisation: what did the notebook measure?",
        choices=("Both the activations and the gradients keep their scale: BatchNorm fixes everything",
                 "The activations keep their scale, but the gradient grows about 1.21x per layer "
                 "towards the input (1e4 over 50 layers)",
                 "The gradient vanishes like in a sigmoid network",
                 "The forward pass overflows to inf"),
        answer=1,
        explanation="BatchNorm normalizes the forward signal, but backwards each layer multiplies the "
                    "squared gradient by E[f'(z)²]/Var f(z) = π/(π−1) for ReLU: √ ≈ 1.21 per layer, as "
                    "measured. Putting the blocks on residual branches brought it to about 1.02.",
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
                    "learning rate); 1e-5 would mean the layer barely learns. At lr = 1 the notebook's "
                    "network had ratios of 4–67 % and its loss jumped up instead of falling.",
    ),
    Question(
        prompt="A linear recurrent network applies the same W at every time step. What decides whether "
               "∂h_T/∂h_0 vanishes or explodes for long sequences?",
        choices=("The number of hidden units", "The spectral norm ‖W‖₂ alone",
                 "The learning rate",
                 "The largest |eigenvalue| ρ(W): below 1 it vanishes, above 1 it explodes"),
        answer=3,
        explanation="∂h_T/∂h_0 = (W^T)^T and ‖W^T‖^(1/T) → ρ(W). The spectral norm governs the first "
                    "steps only: in the notebook ‖W‖₂ was 1.5 for ρ = 0.9, yet the gradient shrank by "
                    "0.90 per step in the long run.",
    ),
]
