"""
Tuning hyper-parameters with GridSearchCV in a Pipeline
=======================================================

The estimators are ordinary scikit-learn classifiers: they go into a
:class:`~sklearn.pipeline.Pipeline` after a scaler, and
:class:`~sklearn.model_selection.GridSearchCV` tunes them through the
pipeline's ``<step>__<parameter>`` names, cloning and refitting them as
often as it needs. Here the search looks for the width of the hidden layer
and the strength of the L2 penalty ``alpha`` on the two moons.
"""

# %%
# The pipeline
# ------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import make_moons
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_binnet import NumpyBinaryMLP

X, y = make_moons(400, noise=0.3, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

pipeline = Pipeline(
    [
        ("scale", StandardScaler()),
        (
            "mlp",
            NumpyBinaryMLP(learning_rate_init=0.01, max_iter=2000, random_state=0),
        ),
    ]
)

# %%
# The search
# ----------
#
# Three widths times four penalties, each scored by 3-fold cross-validation:
# 36 fits, then one more on the whole training set with the best pair.
param_grid = {
    "mlp__hidden_layer_sizes": [(4,), (16,), (64,)],
    "mlp__alpha": [1e-4, 1e-2, 1.0, 10.0],
}
search = GridSearchCV(pipeline, param_grid, cv=3)
search.fit(X_train, y_train)
print("best parameters:", search.best_params_)
print(f"cross-validated accuracy: {search.best_score_:.3f}")
print(f"test accuracy: {search.score(X_test, y_test):.3f}")

# %%
# ``cv_results_`` holds every score. A heat map of the mean accuracy shows
# that four hidden units are too few for the moons, that a mild penalty costs
# nothing to the wider networks, and that a strong one (``alpha=10``)
# flattens any of them towards a nearly linear boundary, at a cost in
# accuracy.
results = pd.DataFrame(search.cv_results_)
scores = results.pivot_table(
    index="param_mlp__hidden_layer_sizes",
    columns="param_mlp__alpha",
    values="mean_test_score",
)

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
image = ax.imshow(scores.to_numpy(), cmap="viridis")
ax.set_xticks(np.arange(scores.shape[1]), [f"{a:g}" for a in scores.columns])
ax.set_yticks(np.arange(scores.shape[0]), [str(h) for h in scores.index])
ax.set(xlabel="alpha", ylabel="hidden_layer_sizes")
middle = (scores.to_numpy().min() + scores.to_numpy().max()) / 2
for (row, col), value in np.ndenumerate(scores.to_numpy()):
    color = "k" if value > middle else "w"
    ax.text(col, row, f"{value:.3f}", ha="center", va="center", color=color)
fig.colorbar(image, ax=ax, label="mean accuracy (3-fold CV)")
ax.set_title("GridSearchCV over the pipeline")
plt.show()

# %%
# The refitted pipeline
# ---------------------
#
# ``best_estimator_`` is the pipeline refitted with the best parameters; its
# last step is a fitted :class:`~sklearn_binnet.NumpyBinaryMLP` like any
# other, with its training history.
from sklearn.inspection import DecisionBoundaryDisplay

best = search.best_estimator_
print(best.named_steps["mlp"])
print("epochs:", best.named_steps["mlp"].n_iter_)

fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
DecisionBoundaryDisplay.from_estimator(
    best, X, response_method="predict_proba", cmap="RdBu", alpha=0.7, ax=ax
)
ax.scatter(*X_test.T, c=y_test, cmap="RdBu", edgecolors="k")
ax.set_title("Best pipeline on the test points")
plt.show()
