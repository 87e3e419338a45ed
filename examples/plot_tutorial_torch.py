"""
The tutorial with TorchBinaryMLP
================================

The second half of the tutorial writes the same network in PyTorch: an
``nn.Module`` with two linear layers, the binary cross-entropy, the Adam
optimizer at learning rate 0.01 and a loop of 1000 full-batch steps.
:class:`~sklearn_binnet.TorchBinaryMLP` holds that module and lets skorch run
the loop, behind the interface of :class:`~sklearn_binnet.NumpyBinaryMLP`.
This example needs the ``torch`` extra (``pip install
"sklearn-binnet[torch]"``).
"""

# %%
# Training
# --------
#
# The parameters say what the tutorial's loop did: Adam at ``0.01``, every
# sample in every step, no penalty, 1000 epochs.
import warnings

from sklearn.exceptions import ConvergenceWarning

from sklearn_binnet import TorchBinaryMLP
from sklearn_binnet.datasets import make_xor

X, y = make_xor(200, random_state=0)

clf = TorchBinaryMLP(
    hidden_layer_sizes=(4,),
    activation="relu",
    solver="adam",
    learning_rate_init=0.01,
    alpha=0.0,
    batch_size=None,
    max_iter=1000,
    n_iter_no_change=1000,
    random_state=0,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X, y)

for epoch in range(0, clf.n_iter_, 100):
    print(f"Epoch {epoch}, Loss: {clf.loss_curve_[epoch]:.6f}")
print(f"Training accuracy: {clf.score(X, y):.3f}")

# %%
# The fitted skorch net is ``net_``, and its module is the tutorial's network.
# It returns the logit rather than the probability: the loss and the
# probabilities are computed from the logit, which never overflows (the
# tutorial's ``nn.Sigmoid`` followed by ``nn.BCELoss`` has to clip).
print(clf.net_.module_)

# %%
# The loss curve
# --------------
import matplotlib.pyplot as plt

from sklearn_binnet.plotting import LossCurveDisplay

fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
LossCurveDisplay.from_estimator(clf, ax=ax)
ax.set_title("Training loss (Adam, learning rate 0.01)")
plt.show()

# %%
# Predictions against the truth
# -----------------------------
#
# The tutorial ends on a plot of the predicted classes over the true ones.
# Here the background is the predicted class and the markers are the true
# classes; the points that the network gets wrong are circled.
from sklearn.inspection import DecisionBoundaryDisplay

y_pred = clf.predict(X)
fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
DecisionBoundaryDisplay.from_estimator(
    clf, X, response_method="predict", cmap="RdBu", alpha=0.4, ax=ax
)
ax.scatter(*X.T, c=y, cmap="RdBu", edgecolors="k", label="true class")
wrong = y_pred != y
ax.scatter(*X[wrong].T, s=160, facecolors="none", edgecolors="k", label="misclassified")
ax.set(
    title="TorchBinaryMLP: decision boundary", xlabel="feature 0", ylabel="feature 1"
)
ax.legend(loc="lower right")
plt.show()

# %%
# Serving without PyTorch
# -----------------------
#
# :func:`~sklearn_binnet.to_numpy` returns a
# :class:`~sklearn_binnet.NumpyBinaryMLP` with the same weights: it predicts
# the same, and needs only NumPy and scikit-learn to load and run.
from sklearn_binnet import to_numpy

numpy_clf = to_numpy(clf)
print(numpy_clf)
print("same predictions:", (numpy_clf.predict(X) == y_pred).all())
