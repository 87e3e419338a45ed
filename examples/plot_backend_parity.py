"""
Backend parity: one algorithm, two implementations
==================================================

:class:`~sklearn_binnet.NumpyBinaryMLP` computes its gradients with
backpropagation written by hand; :class:`~sklearn_binnet.TorchBinaryMLP`
lets PyTorch's autograd compute them and skorch run the loop. Everything
else is shared: the initial weights are drawn by the same NumPy code from
``random_state``, the samples are shuffled by the same generator into the
same mini-batches, and the loss, the L2 penalty, the optimizers and the
stopping rule follow the same formulas. In float64 the two backends
therefore produce the same training run, up to the rounding of operations
done in a different order.
"""

# %%
# Two fits from the same ``random_state``
# ---------------------------------------
#
# ``TorchBinaryMLP`` trains in float32 unless told otherwise; ``dtype="float64"``
# makes it compute in the precision of ``NumpyBinaryMLP`` on float64 data.
# Two hidden layers, mini-batches of 100 shuffled samples, an L2 penalty,
# and the two solvers.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sklearn_binnet import NumpyBinaryMLP, TorchBinaryMLP
from sklearn_binnet.plotting import LossCurveDisplay

X, y = make_classification(n_samples=500, n_features=10, random_state=0)

common = dict(
    hidden_layer_sizes=(32, 16),
    alpha=1e-3,
    batch_size=100,
    max_iter=40,
    random_state=0,
)
solvers = {
    "sgd": dict(solver="sgd", learning_rate_init=0.05, momentum=0.9),
    "adam": dict(solver="adam", learning_rate_init=0.005),
}
fits = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for solver, params in solvers.items():
        fits[solver] = (
            NumpyBinaryMLP(**common, **params).fit(X, y),
            TorchBinaryMLP(**common, **params, dtype="float64").fit(X, y),
        )

# %%
# The loss curves
# ---------------
#
# The torch curve is drawn dashed over the NumPy one: they coincide. The
# lower panels show the absolute difference between the two curves, epoch by
# epoch, on a logarithmic scale.
fig, axes = plt.subplots(
    2, 2, figsize=(10, 6), sharex=True, height_ratios=[2, 1], layout="constrained"
)
for col, (solver, (numpy_fit, torch_fit)) in enumerate(fits.items()):
    ax = axes[0, col]
    LossCurveDisplay.from_estimator(numpy_fit, ax=ax, line_kw={"linewidth": 4})
    LossCurveDisplay.from_estimator(
        torch_fit, ax=ax, line_kw={"linestyle": "--", "color": "k"}
    )
    ax.set_title(f'solver="{solver}"')
    difference = np.abs(
        np.asarray(numpy_fit.loss_curve_) - np.asarray(torch_fit.loss_curve_)
    )
    ax = axes[1, col]
    epochs = np.arange(1, difference.size + 1)
    ax.semilogy(epochs, np.maximum(difference, 1e-18), marker=".")
    ax.set(xlabel="Epoch", ylabel="|difference|", ylim=(1e-18, 1e-6))
plt.show()

# %%
# The largest gaps, and what the fitted networks predict:
for solver, (numpy_fit, torch_fit) in fits.items():
    curve_gap = np.max(
        np.abs(np.asarray(numpy_fit.loss_curve_) - np.asarray(torch_fit.loss_curve_))
    )
    proba_gap = np.max(np.abs(numpy_fit.predict_proba(X) - torch_fit.predict_proba(X)))
    print(
        f"{solver:>4}: {numpy_fit.n_iter_} and {torch_fit.n_iter_} epochs, "
        f"loss curves within {curve_gap:.1e}, probabilities within {proba_gap:.1e}"
    )

# %%
# The test suite holds the backends to this: in float64, the loss curves
# agree to 1e-8 with SGD (momentum, Nesterov's momentum, every learning-rate
# schedule) and to 1e-6 with Adam, with and without early stopping, sample
# weights and the penalty. In float32, the default of ``TorchBinaryMLP``, the
# curves agree to float32 rounding, which can be enough to make the stopping
# rule fire an epoch earlier or later.
