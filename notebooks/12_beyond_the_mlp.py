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
# # 12 · Beyond the MLP: embeddings, the LSTM cell, convolution and attention
#
# **Learning goals** — after this notebook you can
# - explain an embedding layer as a learned lookup table whose rows get gradients only for the
#   ids that were looked up, and train user/item embeddings for a tiny recommender;
# - compute one LSTM step by hand (forget/input/output gates and candidate) and say why its cell
#   state lets gradients reach far back in time, where a plain tanh RNN's vanish;
# - see a convolution as one small dense layer slid over the input with shared weights (im2col),
#   count how many parameters that saves, compute its output size, pool, and derive the
#   receptive field of a stack of layers;
# - implement scaled dot-product attention, explain the $1/\sqrt d$ and the causal mask, split it
#   into heads, and see why attention needs positional encodings;
# - assemble a complete Transformer block (attention, feed-forward, residuals, LayerNorm);
# - choose between an MLP, a CNN, an RNN/LSTM, a Transformer and gradient-boosted trees.
#
# **Prerequisites:** notebooks 02–07 (dense layers, softmax, backprop, training, LayerNorm).
# **Run time:** about 15 s for *Run All*; 60–75 min to work through.
#
# Every block in this notebook is built from pieces you already know: matrix products,
# elementwise nonlinearities, the softmax and the chain rule. Each building block (the
# embedding, the LSTM cell, the convolution, pooling, attention, multi-head attention, the
# Transformer block) is checked against torch in float64.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

import nnbasics
from nnbasics.core import attention, conv, embeddings, recurrent, transformer
from nnbasics.course import doctor, quiz
from nnbasics.experiments import nb12_beyond_mlp as exp
from nnbasics.lab import models
from nnbasics.viz import nb12_beyond_mlp as widgets
from nnbasics.viz import plotting

assert doctor.report(quiet=True), "fix the environment problems listed above, then restart the kernel"
torch.set_num_threads(1)  # the models here are tiny: one thread is fastest on a shared machine
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Embeddings: a lookup table learned by backprop
#
# Categorical inputs (a user id, an item id, a word) have no meaningful order, so we give every
# id its own learned vector: row $\mathrm{id}$ of a table $E \in \mathbb{R}^{V \times d}$.
# The lookup is a dense layer applied to a one-hot vector, computed without building it:
#
# $$ \mathrm{out}_n = E[\mathrm{id}_n] = \mathrm{onehot}(\mathrm{id}_n)^\top E
# \quad\Longrightarrow\quad
# \frac{\partial L}{\partial E} = \mathrm{onehot}(\mathrm{ids})^\top\, \frac{\partial L}{\partial \mathrm{out}} .$$
#
# So a row gets a gradient **only if its id was looked up**, and an id used $k$ times gets the
# **sum** of its $k$ gradients. In numpy the sum needs `np.add.at`: `dE[ids] += dout` buffers
# repeated indices and keeps only one of them.

# %%
nnbasics.show_source(embeddings.embedding_backward)

# %% [markdown]
# Check against `torch.nn.Embedding` in float64, with id 3 used three times and ids 2 and 4 never:

# %%
# NBVAL_CHECK_OUTPUT
table = rng.standard_normal((5, 2))
ids = np.array([3, 0, 3, 1, 3])
out, cache = embeddings.embedding_forward(ids, table)
dtable = embeddings.embedding_backward(np.ones_like(out), cache)
emb = torch.nn.Embedding(5, 2).double()
with torch.no_grad():
    emb.weight.copy_(torch.from_numpy(table))
emb(torch.from_numpy(ids)).sum().backward()
print("rows of dtable (upstream gradient = 1):", dtable[:, 0].tolist())
assert np.allclose(out, emb(torch.from_numpy(ids)).detach().numpy(), rtol=1e-12, atol=0)
assert np.allclose(dtable, emb.weight.grad.numpy(), rtol=1e-12, atol=0)
assert np.all(dtable[[2, 4]] == 0) and dtable[3, 0] == 3.0

# %% [markdown]
# **A tiny recommender.** Synthetic ratings come from hidden user tastes $p_u$ and item
# traits $q_i$: $r_{ui} = \mu + b_u + b_i + p_u\cdot q_i + \text{noise}$. We only see 35% of the
# (user, item) pairs and hold out a fifth of those. The model has exactly that form, with
# *learned* embedding tables $P$ (users) and $Q$ (items) trained by mini-batch SGD through
# `embedding_forward`/`embedding_backward` — each step updates only the rows in the batch.

# %%
ratings = exp.synthetic_ratings(60, 40, rank=3, rng=0)
rec = exp.train_recommender(ratings, dim=3, epochs=60, lr=1.0, rng=0)
print(f"{ratings.ratings.size} ratings; held-out RMSE: predict the mean {rec.baseline_rmse:.2f}, "
      f"embeddings {rec.val_rmse[-1]:.2f}")
assert rec.val_rmse[-1] < 0.4 * rec.baseline_rmse

fig, ax = plt.subplots(figsize=(5.5, 3.2))
ax.plot(rec.train_rmse, color=plotting.PALETTE[0], label="train")
ax.plot(rec.val_rmse, color=plotting.PALETTE[1], label="held out")
ax.axhline(rec.baseline_rmse, color="grey", ls="--", label="always predict the mean")
ax.set(xlabel="epoch", ylabel="RMSE", title="user/item embeddings learn the hidden tastes")
ax.legend()
fig.tight_layout()

# %% [markdown]
# Word vectors are the same idea with token ids: a language model's first layer is an
# embedding table, and words used in similar contexts end up with similar rows.
#
# ## 2. The LSTM cell
#
# A recurrent network reads a sequence one step at a time and carries a state. The LSTM
# (Hochreiter & Schmidhuber, 1997) carries two: a hidden state $h$ and a **cell state** $c$.
# One step is four dense layers on $[x_t, h_{t-1}]$ stacked into one matrix product, then gates:
#
# $$ a = x_t W + h_{t-1} U + b \in \mathbb{R}^{4H}, \quad
# i = \sigma(a_i),\; f = \sigma(a_f),\; g = \tanh(a_g),\; o = \sigma(a_o) $$
# $$ c_t = f \odot c_{t-1} + i \odot g, \qquad h_t = o \odot \tanh(c_t). $$
#
# The forget gate $f$ decides how much memory to keep, the input gate $i$ how much of the
# candidate $g$ to write, the output gate $o$ how much to reveal. torch stacks the four blocks
# in the order **i, f, g, o** and keeps two biases (`bias_ih + bias_hh`).

# %%
nnbasics.show_source(recurrent.lstm_cell_forward)

# %% [markdown]
# With the weights copied from `torch.nn.LSTMCell`, our cell must agree to 1e-10 in float64:

# %%
cell = models.build_seeded(lambda: torch.nn.LSTMCell(3, 4).double(), seed=0)  # torch's init, no global seed
W, U, b = models.weights_from_torch(cell)
x_t, h_prev, c_prev = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
h_new, c_new, _ = recurrent.lstm_cell_forward(x_t, h_prev, c_prev, W, U, b)
h_ref, c_ref = cell(torch.from_numpy(x_t), (torch.from_numpy(h_prev), torch.from_numpy(c_prev)))
err = max(np.abs(h_new - h_ref.detach().numpy()).max(), np.abs(c_new - c_ref.detach().numpy()).max())
print(f"largest difference from torch.nn.LSTMCell: {err:.1e}")
assert err < 1e-10

# %% [markdown]
# Unrolled over a sequence the **same** weights are used at every step; `lstm_forward` loops
# the cell and matches `torch.nn.LSTM` (time-major input `(T, N, D)`):

# %%
lstm = models.build_seeded(lambda: torch.nn.LSTM(3, 4).double(), seed=1)
xs = rng.standard_normal((6, 2, 3))
hs, cs, _ = recurrent.lstm_forward(xs, np.zeros((2, 4)), np.zeros((2, 4)), *models.weights_from_torch(lstm))
hs_ref, _ = lstm(torch.from_numpy(xs))
assert np.abs(hs - hs_ref.detach().numpy()).max() < 1e-10
print("hidden states after each of 6 steps:", hs.shape)

# %% [markdown]
# **Why the cell state eases vanishing gradients.** Backpropagating one step of a tanh RNN,
# $h_t = \tanh(x_t W + h_{t-1} U + b)$, multiplies the gradient by $U^\top \mathrm{diag}(1-h_t^2)$;
# over $k$ steps that product typically shrinks geometrically. Along the LSTM's cell state the
# factor is just the forget gate: $\partial c_t / \partial c_{t-1} = f$ (elementwise) — close to 1
# while the cell keeps its memory. We measure it: put a loss on the **last** hidden state of a
# 30-step sequence and compute $\lVert \partial L / \partial x_t \rVert$ for every earlier input,
# with both networks at torch's default initialisation (averaged over 5 draws).

# %%
flow = exp.gradient_through_time(T=30, forget_bias=1.0, rng=0)
flow_closed = exp.gradient_through_time(T=30, forget_bias=0.0, rng=0)
print(f"gradient reaching 29 steps back (relative to the last step): tanh RNN {flow.rnn[-1]:.1e}, "
      f"LSTM {flow.lstm[-1]:.1e} (forget bias 1, mean f = {flow.forget_gate_mean:.2f}), "
      f"LSTM {flow_closed.lstm[-1]:.1e} (forget bias 0, mean f = {flow_closed.forget_gate_mean:.2f})")
assert flow.lstm[-1] > 100 * flow.rnn[-1]
assert flow_closed.lstm[-1] < flow.lstm[-1] / 100

fig, ax = plt.subplots(figsize=(6, 3.4))
ax.semilogy(flow.steps_back, flow.rnn, color=plotting.PALETTE[5], label="tanh RNN")
ax.semilogy(flow.steps_back, flow.lstm, color=plotting.PALETTE[0], label="LSTM, forget bias 1")
ax.semilogy(flow_closed.steps_back, flow_closed.lstm, color=plotting.PALETTE[0], ls="--",
            label="LSTM, forget bias 0")
ax.set(xlabel="steps back from the loss", ylabel=r"$\|\partial L/\partial x_t\|$ / last step",
       title="gradient reaching earlier inputs")
ax.legend()
fig.tight_layout()

# %% [markdown]
# The LSTM is no magic: with forget gates near 0.5 (bias 0) its gradient also decays
# geometrically. Initialising the forget bias to 1 (Jozefowicz et al., 2015) keeps the gates
# open at the start of training, and learning can keep them open where long memory pays off.
#
# ## 3. Convolution = a sliding dense layer with shared weights
#
# A 2-D convolution with $F$ filters of size $C\times k\times k$ computes, at every output
# position, the same dense layer on the $C k^2$ numbers of one input patch:
#
# $$ \mathrm{out}[n, f, i, j] = b_f + \sum_{c,u,v} w[f,c,u,v]\; x[n, c, i s + u - p, j s + v - p]. $$
#
# **im2col** copies every patch into one row; the convolution is then a single matrix product
# `cols @ w.reshape(F, -1).T` — a dense layer applied to all rows. (Like torch, this is
# cross-correlation: the kernel is not flipped.)

# %%
nnbasics.show_source(conv.conv2d_forward)

# %%
x_img = rng.standard_normal((2, 3, 7, 7))
w_conv, b_conv = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
out2d, _ = conv.conv2d_forward(x_img, w_conv, b_conv, stride=2, padding=1)
ref2d = F.conv2d(torch.from_numpy(x_img), torch.from_numpy(w_conv), torch.from_numpy(b_conv), stride=2, padding=1)
x_sig, w_sig = rng.standard_normal((2, 3, 10)), rng.standard_normal((5, 3, 4))
out1d, _ = conv.conv1d_forward(x_sig, w_sig, stride=2, padding=1)
ref1d = F.conv1d(torch.from_numpy(x_sig), torch.from_numpy(w_sig), stride=2, padding=1)
print("conv2d output", out2d.shape, "| conv1d output", out1d.shape)
assert np.allclose(out2d, ref2d.numpy(), rtol=1e-12, atol=1e-12)
assert np.allclose(out1d, ref1d.numpy(), rtol=1e-12, atol=1e-12)

# %% [markdown]
# **Parameters.** Locality (each output sees only a $k\times k$ patch) and weight sharing (every
# position uses the same filter) are what make convolutions cheap. For 8 filters of $3\times3$ on
# an $8\times8$ grey image (padding 1, so the output is $8\times8\times8$):

# %%
# NBVAL_CHECK_OUTPUT
counts = conv.parameter_counts((1, 8, 8), out_channels=8, kernel=3, padding=1)
print(f"conv: {counts['conv']} parameters; dense layer with the same input and output sizes: "
      f"{counts['dense']:,} ({counts['ratio']:.0f}x more)")
assert counts["conv"] == sum(p.numel() for p in torch.nn.Conv2d(1, 8, 3, padding=1).parameters())

# %% [markdown]
# **Output size.** Along one axis, a window of size $k$ moved in steps of $s$ over an input of
# length $n$ padded with $p$ zeros on each side fits
#
# $$ n_{\text{out}} = \Big\lfloor \frac{n + 2p - k}{s} \Big\rfloor + 1 $$
#
# times (the floor: a last partial window is dropped). "Same" padding $p = (k-1)/2$ with $s=1$ keeps
# the size; stride 2 roughly halves it. Checked against torch for a few settings:

# %%
# NBVAL_CHECK_OUTPUT
for n, k, s, p in [(8, 3, 1, 1), (8, 3, 2, 1), (7, 3, 2, 0), (28, 5, 1, 0), (32, 4, 4, 0)]:
    ours = conv.output_length(n, k, s, p)
    torch_size = torch.nn.functional.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p)
    print(f"n={n:2d}, k={k}, stride={s}, padding={p}: output {ours:2d} (torch: {torch_size.shape[-1]})")
    assert ours == torch_size.shape[-1]

# %% [markdown]
# **Pooling** shrinks a feature map without weights: max pooling keeps the largest value of every
# $k\times k$ window (per channel), so a feature detected anywhere in the window survives a small
# shift. Its gradient is routed to the winner of each window only — every other input gets 0.

# %%
x_pool = rng.standard_normal((2, 3, 6, 6))
pooled, pool_cache = conv.maxpool2d_forward(x_pool, 2)
t_pool = torch.from_numpy(x_pool).requires_grad_()
ref_pool = F.max_pool2d(t_pool, 2)
ref_pool.sum().backward()
dx_pool = conv.maxpool2d_backward(np.ones_like(pooled), pool_cache)
print(f"max pooling 2x2: {x_pool.shape} -> {pooled.shape}; inputs that receive a gradient: "
      f"{int((dx_pool != 0).sum())} of {dx_pool.size} (one per window)")
assert np.array_equal(pooled, ref_pool.detach().numpy()) and np.array_equal(dx_pool, t_pool.grad.numpy())
assert (dx_pool != 0).sum() == pooled.size

# %% [markdown]
# **Receptive field.** One unit of a deep layer sees only part of the input: its *receptive field*.
# Each layer's window covers $k$ units of the layer below, and after a strided layer (or a pooling
# layer) neighbouring units sit several input pixels apart, so deeper windows reach further.
# We *measure* it with autograd: take one unit of the last layer, backpropagate, and see which
# units of every earlier layer get a non-zero gradient. The stack below is VGG-like along one axis:
# conv 3, conv 3, max-pool 2 (stride 2), conv 3, conv 3.

# %%
stack_kernels, stack_strides = [3, 3, 2, 3, 3], [1, 1, 2, 1, 1]
footprint = exp.gradient_footprint(stack_kernels, stack_strides, n=24)
print("input pixels seen by one unit of each layer:", footprint.sizes.tolist())
seen = np.flatnonzero(footprint.masks[0])
assert seen[-1] - seen[0] + 1 == footprint.sizes[-1] and np.all(np.diff(footprint.sizes) > 0)

fig, ax = plt.subplots(figsize=(7.5, 3.2))
names = ["input"] + [f"{'pool' if k == 2 else 'conv'} k={k}, s={s}" for k, s in zip(stack_kernels, stack_strides)]
widgets.draw_footprint(ax, footprint.masks, footprint.centres, names)
ax.set_title("receptive field of one unit of the last layer")
fig.tight_layout()

# %% [markdown]
# How does the receptive field grow, layer by layer? Work it out from the pictures — it is
# **exercise 12.4** (`receptive_field(kernels, strides)`), and this measurement is how the grader
# checks you. Two facts to start from: a stride-1 layer with $k=3$ adds 2 pixels to the receptive
# field; the pooling layer's stride changes how much every *later* layer adds.
#
# **Try it.** Change the kernel size, the number of conv layers and the pooling stride: which
# one makes the receptive field grow fastest?

# %%
receptive_explorer = widgets.receptive_explorer()
receptive_explorer

# %% [markdown]
# ## 4. Attention
#
# **Try it.** One query (orange) scores six keys by their dot product; the softmax turns the
# scores into weights (arrow widths, and the highlighted row of the heat-map); the output (star)
# is the weighted average of the values. Turn the query, make it longer, switch off the
# $1/\sqrt d$ scaling. When does attention become nearly one-hot?

# %%
attention_explorer = widgets.attention_explorer()
attention_explorer

# %% [markdown]
# **The math.** Scaled dot-product attention (Vaswani et al., 2017) with queries
# $Q\in\mathbb{R}^{L_q\times d}$, keys $K\in\mathbb{R}^{L_k\times d}$, values $V\in\mathbb{R}^{L_k\times d_v}$:
#
# $$ A = \operatorname{softmax}\!\Big(\frac{QK^\top}{\sqrt d} + M\Big) \;\;\text{(row-wise)}, \qquad
# \mathrm{out} = A V, $$
#
# with $M_{ts} = -\infty$ where query $t$ may not look at key $s$ (the causal mask: $s > t$).
# Why $\sqrt d$? If the entries of $q$ and $k$ have unit variance, $q\cdot k$ has variance $d$:
# large scores saturate the softmax and its gradients vanish. The softmax is the stable one from
# notebook 02 (`nnbasics.core.losses.softmax`); masked scores are set to $-10^{30}$, whose exponential
# is exactly 0.

# %%
nnbasics.show_source(attention.attention_forward)

# %%
q, k, v = rng.standard_normal((2, 5, 8)), rng.standard_normal((2, 5, 8)), rng.standard_normal((2, 5, 3))
for causal in (False, True):
    ours, att_cache = attention.attention_forward(q, k, v, causal=causal)
    ref = F.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (q, k, v)), is_causal=causal)
    assert np.allclose(ours, ref.numpy(), rtol=1e-12, atol=1e-12)
print("causal attention weights of sequence 0 (rows sum to 1, nothing above the diagonal):")
print(np.round(att_cache[3][0], 2))
assert np.all(np.triu(att_cache[3], 1) == 0)
raw = np.sum(rng.standard_normal((2000, 64)) * rng.standard_normal((2000, 64)), axis=1)
print(f"variance of q·k for d=64: {raw.var():.1f}; after dividing by sqrt(d): {(raw / 8).var():.2f}")
assert 0.8 < (raw / 8).var() < 1.2

# %% [markdown]
# **Multi-head attention.** One softmax gives each query *one* weighted average of the values. With
# $h$ heads the model projects the tokens to $h$ smaller sets of queries, keys and values (the
# $D$ features split into $h$ blocks of $D/h$), attends in each head independently — one head can
# follow the previous token while another follows a matching word (built by hand below) — then
# concatenates the heads and mixes them with an output projection:
#
# $$ \text{head}_j = \operatorname{softmax}\!\Big(\frac{Q_j K_j^\top}{\sqrt{D/h}}\Big) V_j, \qquad
#    \operatorname{MHA}(X) = [\text{head}_1, \dots, \text{head}_h]\, W_o + b_o, $$
#
# with $Q = XW_q + b_q$ (and $K$, $V$ alike) cut into column blocks $Q_j$. The matrix products
# cost the same as one head of width $D$. `multi_head_attention_forward` is this formula; with the
# weights copied from `torch.nn.MultiheadAttention` it agrees in float64:

# %%
mha = models.build_seeded(lambda: torch.nn.MultiheadAttention(8, 2, batch_first=True, dtype=torch.float64), seed=2)
x_seq = rng.standard_normal((1, 6, 8))  # one sequence: 6 tokens, D = 8
ours_mha, mha_cache = transformer.multi_head_attention_forward(x_seq, x_seq, models.mha_params_from_torch(mha),
                                                               n_heads=2, causal=True)
causal_blocked = torch.triu(torch.ones(6, 6, dtype=torch.bool), 1)  # torch's bool mask: True = blocked
with torch.no_grad():
    ref_mha, ref_weights = mha(*(torch.from_numpy(x_seq),) * 3, attn_mask=causal_blocked,
                               average_attn_weights=False)
err_mha = max(np.abs(ours_mha - ref_mha.numpy()).max(), np.abs(mha_cache["weights"] - ref_weights.numpy()).max())
print(f"largest difference from torch.nn.MultiheadAttention (output and per-head weights): {err_mha:.1e}")
assert err_mha < 1e-12

fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.0))
for j, ax in enumerate(axes):
    im = ax.imshow(mha_cache["weights"][0, j], cmap="viridis", vmin=0, vmax=1)
    ax.set(title=f"head {j + 1}", xlabel="key position", ylabel="query position")
fig.colorbar(im, ax=axes, fraction=0.046, label="attention weight")
fig.suptitle("two heads, two different mixing patterns (causal)")
assert not np.allclose(mha_cache["weights"][0, 0], mha_cache["weights"][0, 1], atol=0.05)

# %% [markdown]
# Random weights mix at random. Training sets the weights; here two jobs are set by hand
# (`two_head_patterns`) to show that two heads do two of them at once. Each token is a one-hot
# word next to a one-hot position. Head 1's queries carry the position $t$ and its keys the
# position $s+1$, so a query meets a key only at $s = t-1$; head 2's queries and keys both carry
# the word, so a query meets the earlier copies of its own word (and itself). The sentence
# "a b a c b a" (the first token has nothing before it: causal attention leaves it only itself):

# %%
words = ["a", "b", "a", "c", "b", "a"]
pattern = exp.two_head_patterns([{"a": 0, "b": 1, "c": 2}[w] for w in words], n_vocab=3)
_, hand = transformer.multi_head_attention_forward(pattern["x"], pattern["x"], pattern["params"],
                                                   n_heads=pattern["n_heads"], causal=True)
fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.0))
for j, ax in enumerate(axes):
    im = ax.imshow(hand["weights"][j], cmap="viridis", vmin=0, vmax=1)
    ax.set(title=("head 1: the previous token", "head 2: the same word")[j], xlabel="key", ylabel="query",
           xticks=range(6), yticks=range(6), xticklabels=words, yticklabels=words)
fig.colorbar(im, ax=axes, fraction=0.046, label="attention weight")
w1, w2 = hand["weights"]
assert np.all(w1[np.arange(1, 6), np.arange(5)] > 0.95)  # every token but the first looks one back
assert np.all((w2 * pattern["same_word"]).sum(axis=1) > 0.99)  # all weight on its own word, here or earlier

# %% [markdown]
# **Attention does not know the order of its tokens.** Shuffle the tokens of a sequence and the
# output of (unmasked) self-attention is shuffled in the same way — nothing else changes:
# self-attention is *permutation equivariant*. (Each output is a weighted average whose weights
# come from dot products between tokens; no term mentions a position.) "dog bites man" and "man
# bites dog" get the same set of outputs. The usual fix is to **add a positional encoding** to
# every token before the first block. The sinusoidal one (Vaswani et al.) gives position $p$ the vector
#
# $$ PE_{p,2i} = \sin(p\,\omega_i), \quad PE_{p,2i+1} = \cos(p\,\omega_i), \qquad \omega_i = 10000^{-2i/D}, $$
#
# a set of clocks turning at geometrically spaced speeds. Because
# $\sin a \sin b + \cos a \cos b = \cos(a-b)$, the dot product $PE_p \cdot PE_q = \sum_i \cos((p-q)\,\omega_i)$
# depends only on the **offset** $p - q$: attention can learn "look 3 tokens back" once for every
# position. Learned position embeddings (a lookup table, §1) are the other common choice.

# %%
perm_checks = [exp.permutation_check(L=6, D=8, n_heads=2, rng=seed) for seed in range(3)]
for c in perm_checks:
    print(f"block(shuffled tokens) vs shuffled block(tokens): max difference {c.error_without_positions:.1e} "
          f"without positions, {c.error_with_positions:.2f} with sinusoidal positions")
assert all(c.error_without_positions < 1e-12 and c.error_with_positions > 0.5 for c in perm_checks)

pe = attention.sinusoidal_positions(32, 16)
gram = pe @ pe.T  # (32, 32): constant along every diagonal = depends on p - q only
assert all(np.allclose(np.diagonal(gram, o), np.diagonal(gram, o)[0], rtol=0, atol=1e-12) for o in range(-31, 32))
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8.4, 3.1))
im = ax1.imshow(pe.T, aspect="auto", cmap="coolwarm", vmin=-1, vmax=1)
ax1.set(xlabel="position p", ylabel="feature (sin/cos pairs)", title="sinusoidal positional encodings")
fig.colorbar(im, ax=ax1, fraction=0.046)
ax2.plot(np.arange(32), gram[0], color=plotting.PALETTE[0], label=r"$PE_0 \cdot PE_k$")
ax2.plot(np.arange(32) - 10, gram[10], "--", color=plotting.PALETTE[1], label=r"$PE_{10} \cdot PE_{10+k}$")
ax2.set(xlabel="offset k", ylabel="dot product", title="similarity depends on the offset only")
ax2.legend(fontsize=8)
fig.tight_layout()

# %% [markdown]
# **A complete Transformer block.** It wraps the pieces of notebook 07 around two sublayers, each
# with a **residual connection**: normalise each token (LayerNorm), self-attend, add the input
# back; normalise again, apply the same small MLP to every token (the feed-forward sublayer,
# usually $4D$ wide), add back. This is the *pre-LN* arrangement of GPT-2 and torch's
# `norm_first=True`:
#
# $$ H = X + \operatorname{MHA}(\operatorname{LN}_1(X)), \qquad
#    Y = H + \operatorname{ReLU}(\operatorname{LN}_2(H)\, W_1 + b_1)\, W_2 + b_2 . $$
#
# The output has the input's shape, so blocks stack. With weights copied from
# `torch.nn.TransformerEncoderLayer` (dropout 0) our block agrees in float64:

# %%
nnbasics.show_source(transformer.transformer_block_forward)

# %%
layer = models.build_seeded(lambda: torch.nn.TransformerEncoderLayer(
    8, 2, dim_feedforward=32, dropout=0.0, batch_first=True, norm_first=True, dtype=torch.float64).eval(), seed=3)
ours_block, block_cache = transformer.transformer_block_forward(x_seq, models.transformer_params_from_torch(layer),
                                                                n_heads=2, causal=True)
with torch.no_grad():
    ref_block = layer(torch.from_numpy(x_seq), src_mask=causal_blocked, is_causal=True).numpy()
print(f"block output {ours_block.shape} (same as its input); largest difference from torch: "
      f"{np.abs(ours_block - ref_block).max():.1e}")
assert np.abs(ours_block - ref_block).max() < 1e-12

# %% [markdown]
# The residuals give gradients a direct path through every block (the identity's derivative is
# 1, like the LSTM's cell state in §2). But does a *fresh* block start near the identity? Only if
# its branches start small. We measure $\lVert \text{block}(x) - x\rVert / \lVert x\rVert$ over 5 random
# initialisations: with the usual $\mathcal N(0, 1/\text{fan-in})$ weights the two branches change
# the input by about as much as its own size; scaling the last projection of each branch ($W_o$
# and $W_2$) down — GPT-2 multiplies it by $1/\sqrt{2\cdot\text{layers}}$, some models start it
# at 0 — makes a deep stack start close to the identity.

# %%
ratios = {scale: exp.residual_branch_ratio(scale, rng=0) for scale in (1.0, 1 / np.sqrt(2 * 12), 0.1)}
for scale, r in ratios.items():
    print(f"output projections x {scale:.2f}: |block(x) - x| / |x| = {r.min():.2f} to {r.max():.2f}")
assert ratios[1.0].min() > 0.5 and ratios[0.1].max() < 0.15

# %% [markdown]
# ## 5. Architecture guide
#
# | data | structure | first choice | why |
# |---|---|---|---|
# | tabular, heterogeneous columns | none | gradient-boosted trees (then an MLP) | no scaling needed, strong on small data |
# | categorical ids (users, items, words) | lookup | embeddings + MLP / dot product | one learned vector per id |
# | images, spectrograms, signals | local, translation-invariant | CNN | locality + weight sharing: few parameters |
# | sequences, moderate length, streaming | order matters | RNN / LSTM | constant memory per step, cell state carries information |
# | sequences where any position relates to any other | long-range | Transformer (attention) | every pair interacts in one step; parallel over positions |
#
# Two small measurements. **Images:** on the 8×8 digits, a tiny CNN (one $3\times3$ conv layer)
# against an MLP, same optimiser and epochs:

# %%
images = exp.cnn_vs_mlp(0)
print(f"digits validation accuracy: MLP {images['mlp']['val_acc']:.3f} ({images['mlp']['params']} params), "
      f"CNN {images['cnn']['val_acc']:.3f} ({images['cnn']['params']} params)")
assert images["cnn"]["params"] < 0.6 * images["mlp"]["params"]
assert images["cnn"]["val_acc"] > 0.95 and abs(images["cnn"]["val_acc"] - images["mlp"]["val_acc"]) <= 0.02

# %% [markdown]
# **Tables:** scikit-learn's bundled breast-cancer data (569 patients, 30 numeric measurements
# on very different scales, 171 held out). Gradient boosting needs no preprocessing; the MLP is
# trained on raw and on standardised features:

# %%
tab = exp.tabular_comparison(0)
print(f"breast-cancer validation accuracy ({tab['n_val']} patients): boosted trees {tab['trees']:.3f}, "
      f"MLP on raw features {tab['mlp_raw']:.3f}, MLP on standardised features {tab['mlp_standardised']:.3f}")
print(f"standardised MLP vs trees: {round((tab['mlp_standardised'] - tab['trees']) * tab['n_val'])} more "
      f"patients right; vs raw MLP: {round((tab['mlp_standardised'] - tab['mlp_raw']) * tab['n_val'])} more")
assert tab["mlp_standardised"] > tab["mlp_raw"] and tab["mlp_standardised"] >= tab["trees"] > tab["mlp_raw"]

# %% [markdown]
# On the digits the CNN matches the MLP (within 2 points over 5 seeds) with about half the
# parameters; on larger images the gap in parameters grows with the image size (§3). On the
# table the trees are good out of the box; the MLP trails them on raw features (in 6 of 8 random
# splits) and overtakes them once the inputs are standardised (in all 8 splits, by 2–8 of the 171
# patients — a handful of examples). On data this small, measure on your own data before you
# believe a rule of thumb.
#
# ## 6. Exercises (graded)
#
# Open your exercise file **[exercises/ex12_beyond_mlp.py](../exercises/ex12_beyond_mlp.py)**
# (a click opens it in JupyterLab's editor) and implement, using numpy only:
#
# | exercise | function | what it does |
# |---|---|---|
# | 12.1 | `lstm_cell_forward(x, h, c, W, U, b)` | one LSTM step, gates in torch's order i, f, g, o; return `(h_new, c_new)` |
# | 12.2 | `embedding_backward(dout, ids, V)` | the (V, E) gradient of a lookup table; repeated ids accumulate |
# | 12.3 | `attention_forward(q, k, v, causal)` | scaled dot-product attention (§4); return `(out, weights)` |
# | 12.4 | `receptive_field(kernels, strides)` | derive how many input pixels one unit of each layer sees (§3) |
#
# Save the file (<kbd>Ctrl</kbd>+<kbd>S</kbd>), then click **Grade my exercises** at the end of
# this section: it runs the course's tests on your file and shows your points per exercise,
# the first check that failed and a hint. Prefer a terminal? `python -m nnbasics grade 12`
# in the course folder does the same.
#
# The graded tests compare with torch in float64 (and, for 12.4, with the gradient footprint of
# §3) and recognise the usual mistakes (wrong gate order, a missing $1/\sqrt d$, repeated ids
# counted once, a stride applied too early). Until you implement an
# exercise, the cell below just tells you where to start; once you have, it compares your answer
# with the library's.

# %%
from nnbasics.course import exercises

mine = exercises.attempt("12", "attention_forward", q[0], k[0], v[0], True)
if mine is not None:
    assert np.allclose(mine[0], attention.attention_forward(q[0], k[0], v[0], causal=True)[0]), \
        "your attention_forward disagrees with nnbasics.core.attention.attention_forward"
    print("✅ your attention_forward matches the library")

# %%
exercises.grade_button("12")

# %% [markdown]
# ## 7. Quiz and key takeaways

# %%
quiz.show("12")

# %% [markdown]
# **Key takeaways**
# - An embedding is a dense layer on a one-hot input, stored as a lookup table: only looked-up
#   rows get gradients, and repeated ids add up (`np.add.at`).
# - An LSTM step is four dense layers and gates; the additive cell-state update
#   $c_t = f\odot c_{t-1} + i\odot g$ lets gradients travel far back when the forget gate is open.
# - A convolution is one small dense layer slid over every patch (im2col); locality and weight
#   sharing cut the parameters by orders of magnitude.
# - A conv layer's output size is $\lfloor (n + 2p - k)/s\rfloor + 1$; pooling and strides make the
#   receptive field of deeper layers grow quickly (exercise 12.4).
# - Attention is softmax$(QK^\top/\sqrt d)V$: every position mixes the values of the positions it
#   attends to; a causal mask hides the future; several heads attend in parallel at the cost of one.
# - Self-attention is blind to order (permutation equivariant) until positional encodings are added.
# - A Transformer block = attention and a per-token MLP, each wrapped in LayerNorm and a residual;
#   it starts near the identity only when its branches' output projections start small.
# - Pick the architecture whose built-in assumptions match your data — and measure.
