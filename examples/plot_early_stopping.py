"""
Loss and validation curves with early stopping
==============================================

A network large enough to memorise noisy training data gets better on the
training set with every epoch, and worse on new data after a while. With
``early_stopping=True`` the estimators hold out ``validation_fraction`` of
the training data (a stratified split), measure it after every epoch, stop
when its accuracy has not improved by ``tol`` for ``n_iter_no_change``
epochs, and restore the weights of the best epoch.
:class:`~sklearn_binnet.plotting.LossCurveDisplay` draws what happened.
"""

# %%
# Noisy data
# ----------
#
# 20 features of which 6 carry signal, and 10% of the labels drawn at random.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklearn_binnet import NumpyBinaryMLP
from sklearn_binnet.plotting import LossCurveDisplay

X, y = make_classification(
    n_samples=1500, n_features=20, n_informative=6, flip_y=0.1, random_state=0
)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

params = dict(
    hidden_layer_sizes=(128,),
    learning_rate_init=0.002,
    early_stopping=True,
    validation_fraction=0.2,
    max_iter=200,
    random_state=0,
)

# %%
# Watching over-fitting happen
# ----------------------------
#
# With ``n_iter_no_change=200`` the stopping rule never fires, so training
# runs all 200 epochs while the held-out 20% is scored after each one.
# ``validation_loss_curve_`` is the log-loss on it, ``validation_scores_`` its
# accuracy.
long_run = NumpyBinaryMLP(**params, n_iter_no_change=200)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    long_run.fit(X_train, y_train)
best_epoch = int(np.argmax(long_run.validation_scores_)) + 1

fig, (ax_loss, ax_score) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
LossCurveDisplay.from_estimator(long_run, ax=ax_loss, name="200 epochs")
LossCurveDisplay.from_estimator(long_run, kind="score", ax=ax_score, name="200 epochs")
for ax in (ax_loss, ax_score):
    ax.axvline(best_epoch, color="gray", linestyle=":", label="best epoch")
    ax.legend()
ax_loss.set_title("Training and validation loss")
ax_score.set_title("Validation accuracy")
plt.show()

# %%
# The training loss goes on falling towards zero while the validation loss
# turns up after a few dozen epochs: the network learns the noise. The
# accuracy on the held-out set peaks early. Because ``early_stopping=True``,
# the estimator keeps the weights of that best epoch whatever happens after
# it, even here where training ran to the end.
print(f"epochs run: {long_run.n_iter_}, best epoch: {best_epoch}")
print(f"best validation accuracy: {long_run.best_validation_score_:.3f}")

# %%
# Stopping early
# --------------
#
# With the default ``n_iter_no_change=10``, training stops as soon as more
# than 10 epochs in a row have not beaten the best validation accuracy by at
# least ``tol``, and the estimator again keeps the weights of the best epoch:
# the same model as the long run, in a fraction of the epochs.
early = NumpyBinaryMLP(**params).fit(X_train, y_train)
print(f"epochs run: {early.n_iter_}")
same = all(np.array_equal(a, b) for a, b in zip(early.coefs_, long_run.coefs_))
print(f"same weights as the long run: {same}")
print(f"test accuracy, long run:       {long_run.score(X_test, y_test):.3f}")
print(f"test accuracy, early stopping: {early.score(X_test, y_test):.3f}")

fig, ax = plt.subplots(figsize=(5, 4), layout="constrained")
LossCurveDisplay.from_estimator(early, ax=ax, name="early stopping")
ax.axvline(best_epoch, color="gray", linestyle=":", label="best epoch")
ax.legend()
ax.set_title("Early stopping")
plt.show()

# %%
# Without a held-out set
# ----------------------
#
# With ``early_stopping=False`` (the default) the stopping rule watches the
# training loss instead, and the weights of the last epoch are kept. Run to
# 200 epochs, the network has memorised the noise and does worse on the test
# set.
plain = NumpyBinaryMLP(**{**params, "early_stopping": False}, n_iter_no_change=200)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    plain.fit(X_train, y_train)
print(f"test accuracy, no early stopping: {plain.score(X_test, y_test):.3f}")
