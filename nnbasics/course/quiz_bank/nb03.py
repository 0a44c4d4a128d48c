"""Quiz for notebook 03 — backprop by hand."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="For one sigmoid neuron with binary cross-entropy, what is dL/dz for a single example?",
        choices=("y - y_hat", "y_hat - y", "y_hat (1 - y_hat)", "(y_hat - y) y_hat (1 - y_hat)"),
        answer=1,
        explanation="dL/dy_hat = (y_hat - y) / (y_hat (1 - y_hat)) and dy_hat/dz = y_hat (1 - y_hat): the "
                    "sigmoid's derivative cancels, leaving y_hat - y. Softmax with cross-entropy gives the "
                    "same form. Then dL/dw = (y_hat - y) x.",
    ),
    Question(
        prompt="In the batched backward pass dW2 = A1^T dZ2 / B. A learner's dW2 is exactly B times the "
               "gradient torch computes. What happened?",
        choices=("A transpose is missing", "They forgot to divide by the batch size B (the loss is a mean)",
                 "They used the wrong activation derivative", "The learning rate is too large"),
        answer=1,
        explanation="The loss is averaged over the B examples, so each example's gradient carries a 1/B. "
                    "A transposed matrix would show up as a wrong shape, not a constant factor.",
    ),
    Question(
        prompt="Why does the forward pass store a cache (inputs, pre-activations) for the backward pass?",
        choices=("Backward needs those values (e.g. x for dW = x^T dout, z for ReLU's mask); storing them "
                 "trades memory for not recomputing the forward pass",
                 "To make the forward pass faster", "Because numpy requires it",
                 "So the gradients can be checked numerically"),
        answer=0,
        explanation="Each local derivative depends on forward values. Caching costs memory proportional to "
                    "the activations; gradient checkpointing keeps only some and recomputes the rest during "
                    "backward, trading about one extra forward pass for much less memory.",
    ),
    Question(
        prompt="A gradient check in float64 reports a relative error of 3e-2 for W1 only. The most likely "
               "explanation is...",
        choices=("Everything is fine", "Finite differences are always that inaccurate",
                 "A bug in dW1 (or a ReLU input sitting within h of its kink)", "The learning rate is wrong"),
        answer=2,
        explanation="A correct backward pass agrees with central differences to ~1e-7 or better in float64. "
                    "1e-2 means a bug — unless an input to a ReLU lies within h of 0, where the finite "
                    "difference straddles the kink and averages the two slopes.",
    ),
    Question(
        prompt="A network maps a million parameters to one scalar loss. Why is reverse mode (backprop) the "
               "right way to get all the gradients?",
        choices=("Forward mode cannot handle nonlinearities",
                 "One reverse pass yields the gradient for every parameter at about the cost of one forward "
                 "pass; forward mode would need one pass per parameter",
                 "Reverse mode uses less memory", "Reverse mode is exact and forward mode approximate"),
        answer=1,
        explanation="Forward mode propagates the derivative with respect to ONE input direction per pass. "
                    "Reverse mode propagates the derivative of ONE output with respect to everything. With "
                    "many inputs and a scalar output, reverse mode wins by a factor of the number of "
                    "parameters (at the price of storing the forward values).",
    ),
]
