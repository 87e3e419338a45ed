"""The tutorial, end to end, with NumpyBinaryMLP.

A network with one hidden layer of four ReLU units and a sigmoid output learns
the XOR-like data of the tutorial (200 points; the class is 1 where both
features have the same sign) by full-batch gradient descent on the binary
cross-entropy, learning rate 0.1, for 1000 epochs. The script prints the loss
every 100 epochs and the training accuracy.

Run it with ``make demo`` or ``python examples/tutorial_numpy.py``.
"""

import warnings

from sklearn.exceptions import ConvergenceWarning

from sklearn_binnet import NumpyBinaryMLP
from sklearn_binnet.datasets import make_xor

X, y = make_xor(200, random_state=0)

clf = NumpyBinaryMLP(
    hidden_layer_sizes=(4,),
    activation="relu",
    solver="sgd",  # plain gradient descent: no momentum, no penalty
    momentum=0.0,
    alpha=0.0,
    batch_size=None,  # the whole data set in every step
    learning_rate_init=0.1,
    max_iter=1000,
    n_iter_no_change=1000,  # train for all 1000 epochs, as the tutorial does
    random_state=0,
)
with warnings.catch_warnings():
    # Stopping at max_iter is the plan here, not a failure to converge.
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X, y)

for epoch in range(0, len(clf.loss_curve_), 100):
    print(f"Epoch {epoch}, Loss: {clf.loss_curve_[epoch]:.6f}")
print(f"Final loss: {clf.loss_:.6f}")
print(f"Training accuracy: {clf.score(X, y):.3f}")
