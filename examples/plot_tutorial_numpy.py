"""
The tutorial with NumpyBinaryMLP
================================

The tutorial that sklearn-binnet grew from trains a tiny network on a
two-dimensional problem that no straight line can solve: a point belongs to
class 1 when its two coordinates have the same sign. It writes forward
propagation, the cross-entropy, backward propagation and gradient descent by
hand in NumPy. :class:`~sklearn_binnet.NumpyBinaryMLP` is that code as a
scikit-learn estimator; this example runs the tutorial with it, from the data
to the decision boundary. The mathematics is in :ref:`tutorial`.
"""

# %%
# The data
# --------
#
# :func:`~sklearn_binnet.datasets.make_xor` draws the tutorial's 200 points:
# two standard-normal features, and the label ``x0 * x1 > 0``. With
# ``random_state=0`` they are exactly the points of the tutorial.
import matplotlib.pyplot as plt

from sklearn_binnet.datasets import make_xor

X, y = make_xor(200, random_state=0)

fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
for label, color in [(0, "tab:red"), (1, "tab:blue")]:
    ax.scatter(*X[y == label].T, color=color, edgecolors="k", label=f"class {label}")
ax.set(title="The tutorial's data", xlabel="feature 0", ylabel="feature 1")
ax.legend()
plt.show()

# %%
# The network and its training
# ----------------------------
#
# The tutorial's network has one hidden layer of four ReLU units and one
# sigmoid output. It is trained by plain gradient descent: every step uses all
# 200 points (``batch_size=None``), takes a step of ``0.1`` times the gradient
# (``solver="sgd"`` with ``momentum=0``), adds no L2 penalty (``alpha=0``) and
# runs for exactly 1000 epochs (the stopping rule is pushed out of reach with
# ``n_iter_no_change=1000``). Reaching ``max_iter`` is the plan here, so the
# :class:`~sklearn.exceptions.ConvergenceWarning` that says so is silenced.
import warnings

from sklearn.exceptions import ConvergenceWarning

from sklearn_binnet import NumpyBinaryMLP

clf = NumpyBinaryMLP(
    hidden_layer_sizes=(4,),
    activation="relu",
    solver="sgd",
    momentum=0.0,
    alpha=0.0,
    batch_size=None,
    learning_rate_init=0.1,
    max_iter=1000,
    n_iter_no_change=1000,
    random_state=0,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X, y)

# %%
# ``loss_curve_`` holds the loss of every epoch, computed before that epoch's
# step: entry 0 is the loss of the initial weights, as in the tutorial's
# printout.
for epoch in range(0, clf.n_iter_, 100):
    print(f"Epoch {epoch}, Loss: {clf.loss_curve_[epoch]:.6f}")
print(f"Training accuracy: {clf.score(X, y):.3f}")

# %%
# The loss curve
# --------------
#
# :class:`~sklearn_binnet.plotting.LossCurveDisplay` draws ``loss_curve_``
# against the epoch number.
from sklearn_binnet.plotting import LossCurveDisplay

fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
LossCurveDisplay.from_estimator(clf, ax=ax)
ax.set_title("Training loss")
plt.show()

# %%
# The predictions
# ---------------
#
# scikit-learn's :class:`~sklearn.inspection.DecisionBoundaryDisplay` colours
# the plane by the predicted class; the points keep the colour of their true
# class. Four ReLU units are enough to bend the boundary along both axes.
from sklearn.inspection import DecisionBoundaryDisplay

fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
DecisionBoundaryDisplay.from_estimator(
    clf, X, response_method="predict", cmap="RdBu", alpha=0.4, ax=ax
)
ax.scatter(*X.T, c=y, cmap="RdBu", edgecolors="k")
ax.set(
    title="NumpyBinaryMLP: decision boundary", xlabel="feature 0", ylabel="feature 1"
)
plt.show()

# %%
# The tutorial's own starting point
# ---------------------------------
#
# The estimator draws its initial weights as
# :class:`~sklearn.neural_network.MLPClassifier` does (uniform, scaled by the
# layer sizes). The tutorial starts instead from normal weights times 0.01
# drawn after ``np.random.seed(1)``, and zero biases. Set by hand, with
# ``warm_start=True`` so that ``fit`` starts from them, they give the
# tutorial's run, to rounding: its first loss is
# :math:`\log 2 \approx 0.6931`, the loss of a network that answers 0.5
# everywhere. From there it learns more slowly than from the estimator's
# own start (``tests/test_numpy_mlp.py`` checks this run against the
# tutorial's code, epoch by epoch).
import numpy as np
from sklearn.base import clone

rng = np.random.RandomState(1)
W1 = rng.randn(2, 4) * 0.01
W2 = rng.randn(4, 1) * 0.01

tutorial_clf = clone(clf).set_params(warm_start=True)
tutorial_clf.coefs_ = [W1, W2]
tutorial_clf.intercepts_ = [np.zeros(4), np.zeros(1)]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    tutorial_clf.fit(X, y)

for epoch in range(0, tutorial_clf.n_iter_, 200):
    print(f"Epoch {epoch}, Loss: {tutorial_clf.loss_curve_[epoch]:.6f}")
print(f"Training accuracy: {tutorial_clf.score(X, y):.3f}")
