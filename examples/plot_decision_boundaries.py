"""
Decision boundaries of both backends
====================================

Three small two-dimensional problems that a linear model cannot solve: two
interleaving half-moons, a circle inside a circle, and the tutorial's XOR.
The same network is trained on each with both backends, from the same
``random_state``; the colour is the predicted probability of class 1 and the
number in the corner is the accuracy on held-out points.

The two rows are alike because the backends run the same algorithm: same
initial weights, same order of the mini-batches, same loss, optimizer and
stopping rule. They differ by floating-point rounding only:
``TorchBinaryMLP`` trains in float32 by default, ``NumpyBinaryMLP`` in the
dtype of ``X`` (float64 here). Rounding can be enough to move the epoch at
which the stopping rule fires (the corner shows the number of epochs run),
and with it the boundary; trained in float64 both backends give the same
numbers, as :ref:`sphx_glr_auto_examples_plot_backend_parity.py` shows.
"""

# %%
# The data sets
# -------------
import matplotlib.pyplot as plt
from sklearn.datasets import make_circles, make_moons
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_binnet import NumpyBinaryMLP, TorchBinaryMLP
from sklearn_binnet.datasets import make_xor

datasets = {
    "moons": make_moons(300, noise=0.25, random_state=0),
    "circles": make_circles(300, noise=0.1, factor=0.5, random_state=0),
    "XOR": make_xor(300, random_state=0),
}

# %%
# The models
# ----------
#
# One hidden layer of 32 ReLU units, Adam at learning rate 0.05 on the whole
# training set at each step, until the training loss stops improving; the
# features are standardised first, as neural networks like them.
params = dict(
    hidden_layer_sizes=(32,),
    learning_rate_init=0.05,
    batch_size=None,
    max_iter=1000,
    random_state=0,
)
backends = {"NumpyBinaryMLP": NumpyBinaryMLP, "TorchBinaryMLP": TorchBinaryMLP}

fig, axes = plt.subplots(2, 3, figsize=(11, 7), layout="constrained")
for col, (data_name, (X, y)) in enumerate(datasets.items()):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    for row, (backend_name, backend) in enumerate(backends.items()):
        model = make_pipeline(StandardScaler(), backend(**params))
        model.fit(X_train, y_train)
        ax = axes[row, col]
        DecisionBoundaryDisplay.from_estimator(
            model,
            X,
            response_method="predict_proba",
            cmap="RdBu",
            alpha=0.7,
            ax=ax,
            vmin=0,
            vmax=1,
        )
        ax.scatter(*X_train.T, c=y_train, cmap="RdBu", edgecolors="k", s=15)
        ax.scatter(*X_test.T, c=y_test, cmap="RdBu", edgecolors="k", s=15, alpha=0.5)
        ax.text(
            0.97,
            0.03,
            f"accuracy {model.score(X_test, y_test):.2f}\n{model[-1].n_iter_} epochs",
            transform=ax.transAxes,
            ha="right",
            size=9,
            bbox=dict(facecolor="white", alpha=0.8),
        )
        ax.set(xticks=(), yticks=(), xlabel="", ylabel="")
        ax.set_title(f"{backend_name} on {data_name}", size=10)
plt.show()
