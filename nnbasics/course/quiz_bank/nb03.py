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
        prompt="In the batched backward pass dZ2 = (Y_hat - Y) / N and dW2 = A1^T dZ2. A learner's dW2 is "
               "exactly N times the gradient torch computes. What happened?",
        choices=("A transpose is missing", "They used the wrong activation derivative",
                 "They forgot to divide by the batch size N (the loss is a mean)",
                 "The learning rate is too large"),
        answer=2,
        explanation="The loss is averaged over the N examples, so each example's gradient carries a 1/N. "
                    "A transposed matrix would show up as a wrong shape (unless the matrix is square), "
                    "not as a constant factor; an activation derivative would not give an exact factor N.",
    ),
    Question(
        prompt="A gradient check in float64 reports a relative error of 3e-2 for W1 only. The most likely "
               "explanation is...",
        choices=("Everything is fine", "Finite differences are always that inaccurate",
                 "The learning rate is wrong", "A bug in dW1 (or a ReLU input sitting within h of its kink)"),
        answer=3,
        explanation="A correct backward pass agrees with central differences to ~1e-7 or better in float64. "
                    "1e-2 means a bug — unless an input to a ReLU lies within h of 0, where the finite "
                    "difference straddles the kink and averages the two slopes.",
    ),
    Question(
        prompt="A network maps a million parameters to one scalar loss. Why is reverse mode (backprop) the "
               "right way to get all the gradients?",
        choices=("Forward mode cannot handle nonlinearities",
                 "One reverse pass yields the gradient for every parameter at about twice the cost of a "
                 "forward pass; forward mode would need one pass per parameter",
                 "Reverse mode uses less memory", "Reverse mode is exact and forward mode approximate"),
        answer=1,
        explanation="Forward mode propagates the derivative with respect to ONE input direction per pass "
                    "(notebook 03 needs 43 passes for its 43-parameter network). Reverse mode propagates "
                    "the derivative of ONE output with respect to everything: two matmuls per layer, about "
                    "2x the forward FLOPs. Both are exact; reverse mode pays in memory (the cache).",
    ),
    Question(
        prompt="A max gate computes m = max(z, w) with z = 2 and w = -1. The upstream gradient dL/dm is 5. "
               "What gradients do z and w receive?",
        choices=("z gets 5, w gets 0", "Both get 2.5", "Both get 5", "z gets 0, w gets 5"),
        answer=0,
        explanation="A max gate routes: the input that won (z) receives the whole upstream gradient, the "
                    "other gets 0, because nudging w a little does not change m. An add gate would give "
                    "both 5 (it distributes); a multiply gate would give each the upstream times the other "
                    "input (it swaps).",
    ),
    Question(
        prompt="For a dense layer Z = X W, why does the backward pass never build the Jacobian dZ/dX?",
        choices=("The Jacobian is always the identity", "numpy cannot store matrices that large",
                 "Its entries are not differentiable",
                 "Backward only needs the upstream gradient times that Jacobian, which equals dZ W^T — one "
                 "small matmul; the Jacobian itself has (N H) x (N D) entries, almost all zero"),
        answer=3,
        explanation="Every backward step is a vector-Jacobian product. Notebook 03 builds the Jacobian once "
                    "for N = 32, D = H = 64: 4.2 million numbers, 1/N of them non-zero, and J^T vec(dZ) "
                    "equals dZ W^T to rounding.",
    ),
]
