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
# # 00 · Start here
#
# Welcome to **nnbasics**, a course on how neural networks really work: twelve notebooks,
# each with sliders that let you *see* an idea, the math behind it, and exercises that you
# implement yourself and that a test suite grades. Everything runs here, offline, on a laptop CPU.
#
# **How to use this page:** run it once (*Run ▸ Run All Cells*). It checks your environment,
# links every notebook, and shows your progress. Come back to it whenever you like.

# %% [markdown]
# ## 1. Is your environment ready?
#
# The check below looks at the versions of the libraries, the JupyterLab widget extension
# (without it the sliders show as text) and the course's pinned versions. Each problem comes
# with the command that fixes it.

# %%
from IPython.display import Markdown

from nnbasics.course import doctor, exercises, progress

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"

# %% [markdown]
# ## 2. How a notebook is laid out
#
# Every notebook has the same shape, so you always know where you are:
#
# 1. **Learning goals, prerequisites and run time** at the top.
# 2. **Intuition first** — a picture or a widget — then the **math**, then **code** that calls the
#    tested `nnbasics` package (the notebooks never hide a helper in a cell; `nnbasics.show_source(fn)`
#    shows you any function's code).
# 3. **Sliders.** Move them: each one changes a plot that makes an idea visible.
# 4. **Self-checks**: cells ending in `assert` hold every claim the text makes to the numbers the
#    notebook computes. If one fails, something in your environment differs — tell your instructor.
# 5. **Exercises** you implement in your own file, graded by the course's tests.
# 6. A short **quiz** and the **key takeaways**.

# %% [markdown]
# ## 3. The syllabus
#
# | # | notebook | you will learn |
# |---|---|---|
# | 01 | [The perceptron](01_perceptron.ipynb) | neurons as lines, the learning rule and its convergence, why XOR needs two layers |
# | 02 | [MLP forward pass](02_mlp_forward.ipynb) | dense layers and shapes, why nonlinearity, output layers and losses, the stable softmax |
# | 03 | [Backprop by hand](03_backprop_by_hand.ipynb) | the chain rule, a vectorised backward pass, gradient checking, an MLP that learns digits |
# | 04 | [Activations](04_activations.ipynb) | sigmoid to GELU and their derivatives, dying ReLU, which activation where |
# | 05 | [Vanishing and exploding gradients](05_vanishing_exploding.ipynb) | products of Jacobians, per-layer gradient norms, NaN hunting, clipping |
# | 06 | [Initialization](06_initialization.ipynb) | symmetry, Xavier vs He, activation variance across depth |
# | 07 | [BatchNorm vs LayerNorm](07_batchnorm_vs_layernorm.ipynb) | both from scratch, batch-size dependence, the forgotten `model.eval()` |
# | 08 | [Dropout](08_dropout.ipynb) | inverted dropout, an implicit ensemble, when it helps, MC dropout |
# | 09 | [Regularization and optimizers](09_regularization_and_optimizers.ipynb) | L2 vs weight decay, early stopping, SGD/momentum/Adam/AdamW, schedules |
# | 10 | [Debugging](10_debugging.ipynb) | overfit one batch first, a zoo of broken runs, metrics beyond accuracy |
# | 11 | [Hardware](11_hardware.ipynb) | FLOPs and bytes, a measured roofline, memory, precision |
# | 12 | [Beyond the MLP](12_beyond_the_mlp.ipynb) | embeddings, the LSTM cell, convolution, attention |

# %% [markdown]
# ## 4. Exercises and grading
#
# Your exercise files live in the [`exercises/`](../exercises) folder, one per notebook — for
# notebook 01 it is [`exercises/ex01_perceptron.py`](../exercises/ex01_perceptron.py). Each
# notebook's *Exercises (graded)* section starts with a link to its file and ends with a
# **Grade my exercises** button:
#
# 1. click the link: the file opens in JupyterLab's editor, next to the notebook;
# 2. replace a `raise NotImplementedError(...)` with your code and save (<kbd>Ctrl</kbd>+<kbd>S</kbd>);
# 3. click **Grade my exercises** in the notebook: you get your points per exercise, the first
#    check that failed and a hint, and your points are recorded in the progress table below.
#
# The grader runs your code in a separate, isolated process, so a mistake (even an infinite
# loop) only costs that exercise. No terminal is needed; if you prefer one,
# `python -m nnbasics grade 01` does the same and `python -m nnbasics progress`
# shows the table below.

# %%
# NBVAL_CHECK_OUTPUT
files = [exercises.exercise_file(f"{i:02d}").name for i in range(1, 13)]
print(f"{len(files)} exercise files, from {files[0]} to {files[-1]}")
assert len(files) == 12

# %% [markdown]
# ## 5. Your progress
#
# Points are recorded each time you grade a notebook's exercises, quiz scores each time you
# check a quiz. They live in your course folder (`.nnbasics/progress.json`);
# `python -m nnbasics progress --reset` starts over. Click **Refresh** after grading.

# %%
progress.show()

# %% [markdown]
# Ready? Open [01 · The perceptron](01_perceptron.ipynb).
