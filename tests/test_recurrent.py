"""nnbasics.core.recurrent: the LSTM cell and a tanh RNN against torch in float64 (notebook 12)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbasics.core import recurrent
from nnbasics.experiments import nb12_beyond_mlp
from nnbasics.lab import models
from nnbasics.testing import F64, assert_close


def _cell(D=3, H=5, seed=0):
    torch.manual_seed(seed)
    return torch.nn.LSTMCell(D, H).double()


def _inputs(N=4, D=3, H=5, seed=1):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(*s, generator=g, dtype=torch.float64, requires_grad=True)
            for s in ((N, D), (N, H), (N, H))]


def test_lstm_cell_forward_matches_torch_to_1e10():
    cell = _cell()
    W, U, b = models.weights_from_torch(cell)
    x, h, c = _inputs()
    h_t, c_t = cell(x, (h, c))
    h_new, c_new, _ = recurrent.lstm_cell_forward(x.detach().numpy(), h.detach().numpy(),
                                                  c.detach().numpy(), W, U, b)
    assert np.max(np.abs(h_new - h_t.detach().numpy())) < 1e-10
    assert np.max(np.abs(c_new - c_t.detach().numpy())) < 1e-10
    assert_close(h_new, h_t, "h_new")
    assert_close(c_new, c_t, "c_new")


def test_gate_order_matters():
    """Reading torch's blocks as (i, f, o, g) instead of (i, f, g, o) gives a different cell."""
    cell = _cell()
    W, U, b = models.weights_from_torch(cell)
    x, h, c = (t.detach().numpy() for t in _inputs())
    H = 5
    perm = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]  # swap the g and o blocks
    good = recurrent.lstm_cell_forward(x, h, c, W, U, b)[0]
    wrong = recurrent.lstm_cell_forward(x, h, c, W[:, perm], U[:, perm], b[perm])[0]
    assert np.max(np.abs(good - wrong)) > 1e-2


def test_lstm_cell_backward_matches_torch_autograd():
    cell = _cell()
    W, U, b = models.weights_from_torch(cell)
    x, h, c = _inputs()
    h_t, c_t = cell(x, (h, c))
    g = torch.Generator().manual_seed(5)
    dh, dc = torch.randn(4, 5, generator=g, dtype=torch.float64), torch.randn(4, 5, generator=g, dtype=torch.float64)
    ((h_t * dh).sum() + (c_t * dc).sum()).backward()
    _, _, cache = recurrent.lstm_cell_forward(x.detach().numpy(), h.detach().numpy(), c.detach().numpy(), W, U, b)
    dx, dh_prev, dc_prev, dW, dU, db = recurrent.lstm_cell_backward(dh.numpy(), dc.numpy(), cache)
    assert_close(dx, x.grad, "dx", **F64)
    assert_close(dh_prev, h.grad, "dh", **F64)
    assert_close(dc_prev, c.grad, "dc", **F64)
    assert_close(dW, cell.weight_ih.grad.T, "dW", **F64)
    assert_close(dU, cell.weight_hh.grad.T, "dU", **F64)
    assert_close(db, cell.bias_ih.grad, "db", **F64)
    assert_close(db, cell.bias_hh.grad, "db (bias_hh)", **F64)


def test_unrolled_lstm_and_bptt_match_torch_lstm():
    torch.manual_seed(3)
    lstm = torch.nn.LSTM(3, 4).double()
    W, U, b = models.weights_from_torch(lstm)
    g = torch.Generator().manual_seed(4)
    xs = torch.randn(6, 2, 3, generator=g, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(1, 2, 4, generator=g, dtype=torch.float64, requires_grad=True)
    c0 = torch.randn(1, 2, 4, generator=g, dtype=torch.float64, requires_grad=True)
    out, (hT, cT) = lstm(xs, (h0, c0))
    dhs = torch.randn(6, 2, 4, generator=g, dtype=torch.float64)
    (out * dhs).sum().backward()
    hs, cs, caches = recurrent.lstm_forward(xs.detach().numpy(), h0[0].detach().numpy(), c0[0].detach().numpy(),
                                            W, U, b)
    assert_close(hs, out, "hs")
    assert_close(cs[-1], cT[0], "c_T")
    dxs, dh0, dc0, dW, dU, db = recurrent.lstm_backward(dhs.numpy(), caches)
    assert_close(dxs, xs.grad, "dxs")
    assert_close(dh0, h0.grad[0], "dh0")
    assert_close(dc0, c0.grad[0], "dc0")
    assert_close(dW, lstm.weight_ih_l0.grad.T, "dW")
    assert_close(dU, lstm.weight_hh_l0.grad.T, "dU")
    assert_close(db, lstm.bias_hh_l0.grad, "db")


def test_rnn_forward_backward_match_torch_rnn():
    torch.manual_seed(7)
    rnn = torch.nn.RNN(3, 4, nonlinearity="tanh").double()
    W, U, b = models.weights_from_torch(rnn)
    g = torch.Generator().manual_seed(8)
    xs = torch.randn(5, 2, 3, generator=g, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(1, 2, 4, generator=g, dtype=torch.float64, requires_grad=True)
    out, _ = rnn(xs, h0)
    dhs = torch.randn(5, 2, 4, generator=g, dtype=torch.float64)
    (out * dhs).sum().backward()
    hs, caches = recurrent.rnn_forward(xs.detach().numpy(), h0[0].detach().numpy(), W, U, b)
    assert_close(hs, out, "hs")
    dxs, dh0, dW, dU, db = recurrent.rnn_backward(dhs.numpy(), caches)
    assert_close(dxs, xs.grad, "dxs")
    assert_close(dh0, h0.grad[0], "dh0")
    assert_close(dW, rnn.weight_ih_l0.grad.T, "dW")
    assert_close(dU, rnn.weight_hh_l0.grad.T, "dU")
    assert_close(db, rnn.bias_ih_l0.grad, "db")


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_cell_state_is_a_convex_mix_when_gates_saturate_and_states_bounded(seed):
    """Property: |h'| < 1 always, and with f = 1, i = 0 (huge gate biases) the cell is copied."""
    rng = np.random.default_rng(seed)
    W, U, b = recurrent.init_lstm(3, 4, rng=rng)
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    h_new, c_new, _ = recurrent.lstm_cell_forward(x, h, c, W, U, b)
    assert np.all(np.abs(h_new) < 1)
    b2 = b.copy()
    b2[:4] = -50.0  # input gate closed
    b2[4:8] = 50.0  # forget gate open
    _, c_keep, _ = recurrent.lstm_cell_forward(x, h, c, W, U, b2)
    assert_close(c_keep, c, "c with f=1, i=0", rtol=1e-12, atol=1e-12)


def test_cell_state_eases_vanishing_gradients():
    """The notebook's claim: after 29 steps a tanh RNN keeps < 1e-5 of the gradient, an LSTM with
    forget bias 1 keeps > 100x more; with forget bias 0 the LSTM's gradient also decays fast."""
    flow = nb12_beyond_mlp.gradient_through_time(T=30, forget_bias=1.0, rng=0)
    assert flow.rnn[0] == pytest.approx(1.0) and flow.lstm[0] == pytest.approx(1.0)
    assert flow.rnn[-1] < 1e-5
    assert flow.lstm[-1] > 100 * flow.rnn[-1]
    assert flow.forget_gate_mean > 0.7
    closed = nb12_beyond_mlp.gradient_through_time(T=30, forget_bias=0.0, rng=0)
    assert closed.lstm[-1] < flow.lstm[-1] / 100


@pytest.mark.parametrize("call, match", [
    (lambda: recurrent.lstm_cell_forward(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 4)),
                                         np.ones((3, 12)), np.ones((4, 16)), np.ones(16)), r"W must have shape"),
    (lambda: recurrent.lstm_cell_forward(np.ones((2, 3)), np.ones((3, 4)), np.ones((3, 4)),
                                         np.ones((3, 16)), np.ones((4, 16)), np.ones(16)), "N=2"),
    (lambda: recurrent.lstm_cell_forward(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 5)),
                                         np.ones((3, 16)), np.ones((4, 16)), np.ones(16)), "c must have"),
    (lambda: recurrent.lstm_cell_forward(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 4)),
                                         np.ones((3, 16)), np.ones((4, 16)), np.full(16, np.nan)), "NaN"),
    (lambda: recurrent.lstm_cell_backward(np.ones((2, 3)), np.ones((2, 4)),
                                          recurrent.lstm_cell_forward(np.ones((2, 3)), np.ones((2, 4)),
                                                                      np.ones((2, 4)), np.ones((3, 16)),
                                                                      np.ones((4, 16)), np.ones(16))[2]),
     "dh_new must have shape"),
    (lambda: recurrent.lstm_forward(np.ones((5, 2, 3)), np.ones((3, 4)), np.ones((3, 4)),
                                    np.ones((3, 16)), np.ones((4, 16)), np.ones(16)), "N=2 sequences"),
    (lambda: recurrent.lstm_backward(np.ones((2, 2, 4)), []), "T=2"),
    (lambda: recurrent.rnn_cell_forward(np.ones((2, 3)), np.ones((2, 4)), np.ones((3, 5)),
                                        np.ones((4, 4)), np.ones(4)), "W must have shape"),
    (lambda: recurrent.rnn_backward(np.ones((3, 2, 4)), []), "T=3"),
    (lambda: recurrent.init_lstm(0, 4, rng=0), "D must be >= 1"),
    (lambda: recurrent.init_rnn(2, 4, rng=None), "rng must be"),
    (lambda: nb12_beyond_mlp.gradient_through_time(T=1), "T must be >= 2"),
    (lambda: models.weights_from_torch(torch.nn.Linear(2, 2)), "LSTMCell"),
])
def test_bad_input_is_rejected_with_a_message(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
