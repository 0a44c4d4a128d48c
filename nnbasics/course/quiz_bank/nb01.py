"""Quiz for notebook 01 — the perceptron."""

from nnbasics.course.quiz import Question

QUESTIONS = [
    Question(
        prompt="What does the bias b do to the perceptron's decision boundary w·x + b = 0?",
        choices=("It rotates the boundary", "It shifts the boundary away from the origin",
                 "It changes the step activation into a sigmoid", "Nothing once w is learned"),
        answer=1,
        explanation="w sets the boundary's orientation (w is normal to it); b moves it: the "
                    "distance from the origin is |b| / ||w||. Without b every boundary passes "
                    "through the origin, so OR and AND could not be learned.",
    ),
    Question(
        prompt="When does the perceptron learning rule change the weights?",
        choices=("After every example", "Only at the end of an epoch",
                 "Only when the loss increases", "Only when an example is misclassified"),
        answer=3,
        explanation="The update is lr·(y − ŷ)·x; when the prediction is right, y − ŷ = 0 and "
                    "nothing changes. That is why the mistake count per epoch is the natural "
                    "progress measure.",
    ),
    Question(
        prompt="Why can a single perceptron not learn XOR?",
        choices=("The learning rate is too small", "XOR needs more training epochs",
                 "No straight line separates XOR's two classes",
                 "The step function is not differentiable"),
        answer=2,
        explanation="A perceptron's decision boundary is a line (hyperplane). XOR's positives "
                    "(0,1) and (1,0) sit on one diagonal and its negatives on the other; no line "
                    "puts them on different sides, so at best 3 of 4 points are right.",
    ),
    Question(
        prompt="The perceptron convergence theorem guarantees...",
        choices=("a finite number of mistakes on linearly separable data", "convergence on any dataset",
                 "the maximum-margin boundary", "zero test error"),
        answer=0,
        explanation="Novikoff (1962): at most (R/γ)² mistakes, with the radius R and the margin γ "
                    "measured on the augmented inputs (x, 1), because the bias is learned like a "
                    "weight. It promises *a* separating line, not the best one, and says nothing "
                    "about data that are not separable (there the weights cycle forever).",
    ),
    Question(
        prompt="How does a two-layer network solve XOR?",
        choices=("Its hidden units draw two lines; the output unit combines the half-planes",
                 "It memorises the four points in its bias",
                 "It uses a larger learning rate",
                 "It replaces the step with a linear activation"),
        answer=0,
        explanation="For example h1 = OR(x), h2 = NAND(x) and output = AND(h1, h2). The hidden "
                    "layer maps XOR's points to a space where they *are* linearly separable. "
                    "With a linear activation the two layers would collapse into one line again.",
    ),
    Question(
        prompt="After 25 epochs on XOR (rows in order) the perceptron's last line gets 2 of the 4 "
               "points right, although a line with 3 of 4 exists. Why?",
        choices=("The learning rate is too large", "It needs more epochs",
                 "The rule reacts only to the current mistake: on data no line separates its "
                 "weights cycle, and nothing keeps the best line seen",
                 "The bias is not learned"),
        answer=2,
        explanation="In notebook 01 every epoch from the second on ends at w = (-1, 0), b = 0, a line "
                    "with 2 of 4 right, so more epochs repeat the cycle, and from zero weights the "
                    "learning rate only rescales it. The pocket algorithm keeps the best line "
                    "visited — but in order the rule never visits a 3-of-4 line on XOR; shuffled, it "
                    "does in 4 of 10 seeds.",
    ),
]
