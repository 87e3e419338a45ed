"""
Class imbalance and ``class_weight``
====================================

When one class is rare, a network trained on the plain cross-entropy spends
little of its loss on it, and a classifier that thresholds the probability
at 0.5 misses many of its members. ``class_weight="balanced"`` weighs every
sample by ``n_samples / (2 * count of its class)``, so that both classes
weigh the same in the loss; a dict such as ``{0: 1, 1: 10}`` sets the
weights by hand. Class weights multiply ``sample_weight`` when both are
given.
"""

# %%
# Data with 5% positives
# ----------------------
#
# A wide cloud of 1900 negatives and a tight cluster of 100 positives that
# overlaps its edge.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    balanced_accuracy_score,
    recall_score,
)
from sklearn.model_selection import train_test_split

from sklearn_binnet import NumpyBinaryMLP

X, y = make_blobs(
    n_samples=[1900, 100],
    centers=[[0, 0], [2, 2]],
    cluster_std=[1.2, 0.8],
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
print("class counts in the training set:", np.bincount(y_train))

# %%
# Two networks, with and without class weights
# --------------------------------------------
params = dict(
    hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=500, random_state=0
)
models = {
    "class_weight=None": NumpyBinaryMLP(**params),
    'class_weight="balanced"': NumpyBinaryMLP(**params, class_weight="balanced"),
}
for name, model in models.items():
    model.fit(X_train, y_train)
    y_pred = model.predict(X_test)
    print(
        f"{name:>24}: accuracy {model.score(X_test, y_test):.3f}, "
        f"balanced accuracy {balanced_accuracy_score(y_test, y_pred):.3f}, "
        f"recall of class 1 {recall_score(y_test, y_pred):.3f}"
    )

# %%
# The plain network has the better accuracy, which the majority class makes
# easy to get, but misses many of the positives. The weighted one moves its
# boundary into the majority class: it finds almost all positives, at the
# price of more false alarms, and has the better balanced accuracy.
fig, axes = plt.subplots(2, 2, figsize=(9, 8), layout="constrained")
for (name, model), (ax_boundary, ax_matrix) in zip(models.items(), axes.T):
    DecisionBoundaryDisplay.from_estimator(
        model, X, response_method="predict", cmap="coolwarm", alpha=0.4, ax=ax_boundary
    )
    ax_boundary.scatter(*X_test.T, c=y_test, cmap="coolwarm", edgecolors="k", s=15)
    ax_boundary.set_title(name)
    ConfusionMatrixDisplay.from_estimator(
        model, X_test, y_test, ax=ax_matrix, colorbar=False
    )
plt.show()

# %%
# Weights are weights
# -------------------
#
# ``class_weight`` does nothing that ``sample_weight`` could not: it is
# turned into per-sample weights. A dict of class weights and the
# corresponding sample weights give the same network.
from sklearn.utils.class_weight import compute_sample_weight

by_class = NumpyBinaryMLP(**params, class_weight="balanced").fit(X_train, y_train)
by_sample = NumpyBinaryMLP(**params).fit(
    X_train, y_train, sample_weight=compute_sample_weight("balanced", y_train)
)
print(
    "same weights:",
    all(np.allclose(a, b) for a, b in zip(by_class.coefs_, by_sample.coefs_)),
)

# %%
# Moving the threshold instead
# ----------------------------
#
# Another route is to train without weights, so that ``predict_proba``
# estimates the probabilities of the data as they are, and to move the
# decision threshold away from 0.5.
# :class:`~sklearn.model_selection.TunedThresholdClassifierCV` picks the
# threshold that maximises a score by cross-validation.
from sklearn.model_selection import TunedThresholdClassifierCV

tuned = TunedThresholdClassifierCV(
    NumpyBinaryMLP(**params), scoring="balanced_accuracy", cv=5
).fit(X_train, y_train)
y_pred = tuned.predict(X_test)
print(f"threshold: {tuned.best_threshold_:.3f}")
print(
    f"balanced accuracy {balanced_accuracy_score(y_test, y_pred):.3f}, "
    f"recall of class 1 {recall_score(y_test, y_pred):.3f}"
)
