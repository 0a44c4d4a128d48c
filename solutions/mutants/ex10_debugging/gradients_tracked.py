"""I called model.eval() and thought that also turns off autograd.

Hint: eval() changes layer behaviour; torch.no_grad() stops gradient tracking.
"""

EXERCISE = "10.3"
EXPECT = r"no_grad|autograd was recording"



def eval_accuracy(model, X, y):
    was_training = model.training
    model.eval()
    acc = (model(X).argmax(1) == y).double().mean().item()
    model.train(was_training)
    return acc
