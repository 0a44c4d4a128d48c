"""The concepts, in numpy only: what a learner reads and re-implements, one idea per module.

perceptron, layers (dense + activations with the cache API), losses (output layers, stable
softmax), activations, gradcheck, gradflow (vanishing/exploding, clipping), mlp (the
from-scratch network), init, norm, dropout, regularization, optim, metrics, conv, recurrent,
attention, embeddings. Nothing here imports torch, matplotlib or ipywidgets.
"""
