"""Quiz for notebook 02 — the MLP forward pass."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="A batch X has shape (N, D) = (32, 64) and a dense layer maps to H = 10 units. "
               "What shapes do W, b and Z = XW + b have?",
        choices=("W (10, 64), b (32,), Z (32, 10)", "W (64, 10), b (10,), Z (32, 10)",
                 "W (64, 10), b (32, 10), Z (10, 32)", "W (32, 64), b (64,), Z (32, 64)"),
        answer=1,
        explanation="The inner dimensions of a matrix product must match: (32, 64) @ (64, 10) -> (32, 10). "
                    "The bias has one entry per output unit, (10,), and numpy broadcasts it over the 32 rows.",
    ),
    Question(
        prompt="Why does a stack of linear layers without activations gain no expressive power?",
        choices=("Their gradients vanish", "They have too few parameters", "Biases cancel out",
                 "The product W1 W2 W3 is again one matrix: the whole stack is a single linear map"),
        answer=3,
        explanation="(X W1 + b1) W2 + b2 = X (W1 W2) + (b1 W2 + b2): any depth of linear layers equals "
                    "one linear layer, so the decision boundary stays a hyperplane. A nonlinearity between "
                    "layers (ReLU, tanh) is what lets the network bend it.",
    ),
    Question(
        prompt="Softmax of the logits [1000, 999, 0] computed as exp(z) / sum(exp(z)) gives nan. "
               "What is the standard fix?",
        choices=("Use float32", "Clip the logits to [-10, 10]", "Subtract the maximum logit first",
                 "Divide the logits by 1000"),
        answer=2,
        explanation="softmax(z) = softmax(z - c) for any constant c. With c = max(z) every exponent is <= 0, "
                    "so exp never overflows and the largest term is exactly 1. Clipping or rescaling would "
                    "change the answer; float32 overflows even sooner (at about 88).",
    ),
    Question(
        prompt="Which output layer and loss fit a task where an image can carry several tags at once?",
        choices=("One sigmoid per tag + binary cross-entropy", "Softmax + cross-entropy", "Identity + MSE",
                 "Identity + Huber"),
        answer=0,
        explanation="Softmax makes the classes compete (probabilities sum to 1): one label per example. "
                    "Independent sigmoids give each tag its own probability, so several can be high at once "
                    "(multi-label classification).",
    ),
    Question(
        prompt="A regression network is trained with MSE. Under which assumption is that the same as "
               "maximum likelihood?",
        choices=("The targets are integers", "The inputs are standardised",
                 "The targets are the network's output plus Gaussian noise of a fixed variance",
                 "The network has no hidden layer"),
        answer=2,
        explanation="-log N(y; z, s^2) = (y - z)^2 / (2 s^2) + log(2 pi s^2) / 2: with a fixed s the mean "
                    "negative log-likelihood is MSE / (2 s^2) plus a constant, so both have the same "
                    "minimiser (notebook 02 checks the identity on a batch). Cross-entropy is likewise the "
                    "negative log-likelihood of the labels under the softmax.",
    ),
    Question(
        prompt="A fresh 10-class classifier starts training with a cross-entropy of 2.81. What does that "
               "tell you?",
        choices=("All is well: 2.81 is small",
                 "Its initial logits are spread out: a uniform guess would give ln 10 = 2.30, so the random "
                 "network is confidently wrong; scale the last layer down",
                 "The learning rate is too high", "The labels are shuffled"),
        answer=1,
        explanation="Equal logits give softmax = 1/C and a loss of ln C = 2.303, and at a random init the "
                    "expected loss cannot be lower (Jensen). Notebook 02 measures 2.81 for He "
                    "initialization on the digits (logit std 1.4) and 2.301 once the last layer is "
                    "scaled by 0.01. Nothing has been trained yet, so neither the learning rate nor the "
                    "labels can be the cause.",
    ),
]
