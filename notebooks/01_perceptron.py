# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · The perceptron
#
# **Learning goals** — after this notebook you can
# - compute a neuron's output $z = w \cdot x + b$ and explain what $w$ and $b$ do to its decision line;
# - apply the perceptron learning rule by hand and say when it is guaranteed to converge;
# - show why a single perceptron cannot learn XOR, and how a second layer fixes it;
# - implement prediction, the update rule and the training loop yourself (graded).
#
# **Prerequisites:** vectors and dot products; Python and numpy basics.
# **Run time:** about 10 s for *Run All*; 30–45 min to work through.
#
# Every number below is computed by the tested `nnbasics` package — the notebook never
# hides a helper in a cell. First, check that your environment is ready:

# %%
import matplotlib.pyplot as plt
import numpy as np

import nnbasics
from nnbasics import data
from nnbasics.core import perceptron
from nnbasics.course import doctor, quiz
from nnbasics.experiments import nb01_perceptron as exp
from nnbasics.viz import nb01_perceptron as widgets
from nnbasics.viz import plotting

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"

# %% [markdown]
# ## 1. A neuron draws a line
#
# A perceptron weighs its inputs, adds a bias and fires if the total is non-negative:
#
# $$ z = w \cdot x + b = \sum_{j=1}^{D} w_j x_j + b, \qquad \hat y = \operatorname{step}(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}$$
#
# The points where $z = 0$ form a line in 2-D (a hyperplane in $D$ dimensions). The weight
# vector $w$ is **perpendicular** to that line and sets its orientation; the bias $b$
# **shifts** it: its distance from the origin is $|b| / \lVert w \rVert$. Without a bias,
# every boundary would pass through the origin.
#
# **Try it.** Move the sliders and find weights that compute AND, then OR. Then try XOR.

# %%
line_explorer = widgets.boundary_explorer(gate="and")
line_explorer

# %% [markdown]
# The library function behind the picture is short — read it rather than trust it:

# %%
nnbasics.show_source(perceptron.predict)

# %% [markdown]
# **Self-check.** With $w = (1, 1)$ and $b = -1.5$ only $(1,1)$ clears the threshold, which
# is AND; lowering the bias to $-0.5$ gives OR. The cell below verifies both and prints the
# net inputs $z$ (its output is checked by the test suite).

# %%
# NBVAL_CHECK_OUTPUT
X_and, y_and = data.logic_gate("and")
X_or, y_or = data.logic_gate("or")
w = np.array([1.0, 1.0])
print("z for AND weights:", perceptron.net_input(X_and, w, -1.5))
assert perceptron.accuracy(X_and, y_and, w, -1.5) == 1.0
assert perceptron.accuracy(X_or, y_or, w, -0.5) == 1.0

# %% [markdown]
# ## 2. Learning the weights: the perceptron rule
#
# Rosenblatt's rule visits the examples one at a time and changes the weights **only when
# it makes a mistake**:
#
# $$ w \leftarrow w + \eta\,(y - \hat y)\,x, \qquad b \leftarrow b + \eta\,(y - \hat y). $$
#
# If the neuron said 0 but the answer is 1, $w$ moves *towards* $x$ so that $w\cdot x$ grows
# next time; a false 1 moves it away. A correct answer gives $y - \hat y = 0$: no change.
#
# **Convergence theorem** (Novikoff, 1962). If some line separates the classes with margin
# $\gamma$ and every point lies within radius $R$ of the origin, the rule makes at most
# $(R/\gamma)^2$ mistakes in total — whatever the order of the examples. So on separable data
# the mistakes per epoch must reach 0. (With zero initial weights the learning rate $\eta$
# only rescales $w$ and $b$, so it does not change the sequence of mistakes at all.)

# %%
X, y, (w_star, b_star) = data.separable(80, rng=1, margin=0.1, return_separator=True)
history = perceptron.train(X, y, lr=1.0, epochs=50, rng=np.random.default_rng(0))
bound = perceptron.mistake_bound(X, w_star, b_star)
print(f"mistakes per epoch: {history.mistakes}; total {sum(history.mistakes)} <= bound {bound:.0f}")
assert history.converged and history.mistakes[-1] == 0
assert perceptron.accuracy(X, y, history.w, history.b) == 1.0
assert sum(history.mistakes) <= bound  # Novikoff's theorem, checked on real data

# %% [markdown]
# The explorer trains on two Gaussian clusters and draws every epoch's line (light) and the
# final one (dark). Change the learning rate, the number of epochs and how far apart the
# clusters are. Does the learning rate change the mistakes? What happens when the clusters
# overlap (separation below about 3) and the data stop being separable?

# %%
learning = widgets.learning_explorer()
learning

# %% [markdown]
# ## 3. XOR: where one line is not enough
#
# XOR outputs 1 when exactly one input is 1. Its positive points $(0,1)$ and $(1,0)$ sit on
# one diagonal, its negatives on the other — no line puts them on different sides. The
# learning rule therefore never stops making mistakes, and the best any line can do is
# 3 out of 4.

# %%
X_xor, y_xor = data.xor()
xor_history = perceptron.train(X_xor, y_xor, lr=1.0, epochs=25)
xor_acc = perceptron.accuracy(X_xor, y_xor, xor_history.w, xor_history.b)
print(f"mistakes per epoch: {xor_history.mistakes[:8]} ...  final accuracy: {xor_acc:.2f}")
assert not xor_history.converged and min(xor_history.mistakes) > 0
assert xor_acc <= 0.75

# %%
fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
for ax, gate in zip(axes, ["and", "or", "xor"]):
    Xg, yg = data.logic_gate(gate)
    h = perceptron.train(Xg, yg, lr=1.0, epochs=25)
    plotting.decision_boundary(ax, lambda P, h=h: perceptron.predict(P, h.w, h.b), Xg, yg,
                               title=f"{gate.upper()}: accuracy "
                                     f"{perceptron.accuracy(Xg, yg, h.w, h.b):.0%}")
axes[0].legend(loc="upper left", fontsize=8)
fig.suptitle("One perceptron after 25 epochs: AND and OR are learned, XOR is not")
fig.tight_layout()

# %% [markdown]
# ## 4. The fix: a second layer
#
# Two hidden units can each draw a line: $h_1 = \mathrm{OR}(x)$ and $h_2 = \mathrm{NAND}(x)$.
# XOR is exactly "both": $\hat y = \mathrm{AND}(h_1, h_2)$. The hidden layer maps the four
# points into a new space where they *are* linearly separable. With hand-chosen weights this
# 2-2-1 network is exact:

# %%
net = perceptron.xor_network_weights()
xor_pred = perceptron.two_layer_predict(X_xor, **net)
print("two-layer predictions:", xor_pred, " targets:", y_xor)
assert np.array_equal(xor_pred, y_xor)

# %% [markdown]
# Hand-picking weights does not scale. Replace the step by a smooth activation (tanh) and
# the weights can be *learned* by gradient descent — the subject of notebooks 02 and 03.
# A tiny torch MLP with 4 hidden units learns XOR in well under a second:

# %%
torch_xor = exp.fit_torch_xor(hidden=4, epochs=600, lr=0.1, seed=0)
print("learned probabilities:", np.round(torch_xor["probabilities"], 3))
assert np.array_equal(torch_xor["predictions"], y_xor)
assert torch_xor["losses"][-1] < 0.05 * torch_xor["losses"][0]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.2))
ax1.semilogy(torch_xor["losses"], color=plotting.PALETTE[0])
ax1.set(xlabel="step", ylabel="binary cross-entropy (log scale)", title="a 2-4-1 MLP learning XOR")
model = torch_xor["model"]
import torch  # noqa: E402  (only needed for this plot)

with torch.no_grad():
    plotting.decision_boundary(
        ax2, lambda P: (model(torch.tensor(P, dtype=torch.float32)).squeeze(1) > 0).numpy().astype(int),
        X_xor, y_xor, title="its decision regions: not a line")
fig.tight_layout()

# %% [markdown]
# ## 5. Exercises (graded)
#
# Open **`exercises/ex01_perceptron.py`** and implement, using numpy only:
#
# | exercise | function | what it does |
# |---|---|---|
# | 1.1 | `predict(X, w, b)` | step$(Xw + b)$ for every row, as 0/1 integers, shape (N,) |
# | 1.2 | `update(w, b, x, y, lr)` | one application of the perceptron rule; return new `(w, b)` |
# | 1.3 | `train(X, y, lr, epochs)` | the loop from §2 with rows in order; return `(w, b, mistakes)` |
#
# Check your work from a terminal in the course folder (or prefix with `!` in a cell):
#
# ```
# python -m nnbasics grade 01
# ```
#
# The grader prints points per exercise, the first failing check and a hint. Until you
# implement an exercise, the cell below just tells you where to start; once you have, it
# compares your answer with the library's.

# %%
from nnbasics.course import exercises

mine = exercises.attempt("01", "predict", X_and, np.array([1.0, 1.0]), -1.5)
if mine is not None:
    assert np.array_equal(mine, perceptron.predict(X_and, np.array([1.0, 1.0]), -1.5)), \
        "your predict disagrees with nnbasics.core.perceptron.predict on the AND points"
    print("✅ your predict matches the library on AND")

# %% [markdown]
# ## 6. Quiz and key takeaways

# %%
quiz.show("01")

# %% [markdown]
# **Key takeaways**
# - A perceptron computes $\operatorname{step}(w\cdot x + b)$: $w$ orients the decision line,
#   $b$ shifts it.
# - The learning rule updates only on mistakes; on linearly separable data it provably
#   converges (at most $(R/\gamma)^2$ mistakes).
# - XOR is not linearly separable: one perceptron gets at most 3 of 4 points right.
# - A hidden layer re-maps the inputs so that a line suffices; with smooth activations its
#   weights can be learned — next: **02 · the MLP forward pass**.
