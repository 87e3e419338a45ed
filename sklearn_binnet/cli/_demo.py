"""``binnet demo``: the tutorial end to end, with its own numbers and plots."""

import io
import os
import stat
import warnings
from pathlib import Path

import numpy as np

from ._common import PLOT_EXTRA, UsageError, estimator_class, require
from ._output import check_directory, new_file_mode, replace_all

# The tutorial: 200 points, one hidden layer of four ReLU units, full-batch
# gradient descent at learning rate 0.1 for exactly 1000 epochs.
_SAMPLES = 200
_HIDDEN = 4
_PARAMS = {
    "hidden_layer_sizes": (_HIDDEN,),
    "activation": "relu",
    "solver": "sgd",
    "momentum": 0.0,
    "alpha": 0.0,
    "batch_size": None,
    "learning_rate_init": 0.1,
    "max_iter": 1000,
    # Never stop early: the tutorial runs all 1000 epochs.
    "n_iter_no_change": 1000,
    "random_state": 0,
}
_PRINT_EVERY = 100
FILES = ("data.png", "loss.png", "predictions.png")


def tutorial_weights(n_features=2, n_hidden=_HIDDEN):
    """The tutorial's starting weights and biases, drawn as it draws them.

    ``np.random.seed(1)``, then ``W1`` and ``W2`` from ``randn * 0.01`` in that
    order, and zero biases; the legacy global generator is left as it was.
    """
    rng = np.random.RandomState(1)
    W1 = rng.randn(n_features, n_hidden) * 0.01
    W2 = rng.randn(n_hidden, 1) * 0.01
    return [W1, W2], [np.zeros(n_hidden), np.zeros(1)]


def _new_estimator(backend, init):
    params = dict(_PARAMS)
    if backend == "torch":
        # float64, so that both backends print the tutorial's digits.
        params["dtype"] = "float64"
    clf = estimator_class(backend)(**params)
    if init == "tutorial":
        # A warm start from hand-set weights: fit trains from them.
        clf.set_params(warm_start=True)
        clf.coefs_, clf.intercepts_ = tutorial_weights()
    return clf


def _plan(out):
    """Check before training that the three plots can be written into ``out``."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r} exists and is not a directory")
    existing = out
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"--out {str(out)!r}: {str(existing)!r} is not a directory")
    check_directory(existing, existing, str(out), "--out")
    modes = {}
    for name in FILES:
        path = out / name
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            modes[name] = new_file_mode()
            continue
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(
                f"--out {str(out)!r}: {name} exists and is not a regular file "
                "(a directory, a link or a device): refusing to replace it"
            )
        if not info.st_mode & 0o222:
            raise UsageError(
                f"--out {str(out)!r}: {name} is read-only: refusing to replace it"
            )
        modes[name] = stat.S_IMODE(info.st_mode) & 0o777
    return modes


def run(args):
    """Run ``binnet demo``; return the exit status."""
    backends = ["numpy", "torch"] if args.backend == "both" else [args.backend]
    for backend in backends:
        estimator_class(backend)  # a missing torch is reported before the work
    require("matplotlib", "binnet demo", PLOT_EXTRA)
    out = Path(args.out)
    modes = _plan(out)

    from sklearn.exceptions import ConvergenceWarning

    from ..datasets import make_xor

    X, y = make_xor(_SAMPLES, random_state=0)
    fitted = {}
    for backend in backends:
        clf = _new_estimator(backend, args.init)
        with warnings.catch_warnings():
            # Stopping at max_iter is the plan here, not a failure to converge.
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        label = f"[{backend}] " if len(backends) > 1 else ""
        losses = clf.loss_curve_
        for epoch in range(0, len(losses), _PRINT_EVERY):
            print(f"{label}Epoch {epoch}, Loss: {losses[epoch]:.6f}")
        print(f"{label}Final loss (epoch {len(losses) - 1}): {losses[-1]:.6f}")
        print(f"{label}Training accuracy: {clf.score(X, y):.3f}")
        fitted[backend] = clf

    # Everything is drawn in memory first: a failure while plotting writes
    # nothing.
    images = dict(zip(FILES, _figures(X, y, fitted)))
    _write(out, images, modes)
    print(f"Wrote {', '.join(FILES)} to {out}")
    return 0


def _write(out, images, modes):
    """Write the plots: all three or none; remove directories made for them."""
    created = []
    parent = out
    while not parent.exists():
        created.append(parent)
        parent = parent.parent
    try:
        out.mkdir(parents=True, exist_ok=True)
        replace_all(out, images, modes)
    except OSError as exc:
        for directory in created:  # deepest first
            try:
                directory.rmdir()
            except OSError:
                break
        raise UsageError(
            f"cannot write the plots to {str(out)!r}: {exc.strerror or exc}"
        ) from exc


def _figures(X, y, fitted):
    """Draw the three plots of the demo; return them as PNG bytes."""
    # Figures made without pyplot: no GUI backend is involved, and the caller's
    # pyplot state (if main() runs inside a session) is left alone.
    from matplotlib.figure import Figure
    from sklearn.inspection import DecisionBoundaryDisplay

    from ..plotting import LossCurveDisplay

    cmap = "Spectral"  # the tutorial's colour map

    data_fig = Figure(figsize=(5, 4), layout="constrained")
    ax = data_fig.subplots()
    scatter = ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, edgecolors="k", s=25)
    ax.legend(*scatter.legend_elements(), title="class")
    ax.set(title="The tutorial's data", xlabel="x0", ylabel="x1")

    loss_fig = Figure(figsize=(5, 4), layout="constrained")
    ax = loss_fig.subplots()
    # With both backends the curves coincide: the second one is dashed over
    # the first, thicker one, so that both stay visible.
    styles = [{"linewidth": 3}, {"linestyle": "--"}]
    for clf, style in zip(fitted.values(), styles):
        LossCurveDisplay.from_estimator(clf, ax=ax, line_kw=style)
    ax.set_title("Training loss per epoch")

    pred_fig = Figure(figsize=(5 * len(fitted), 4), layout="constrained")
    axes = np.atleast_1d(pred_fig.subplots(1, len(fitted)))
    for ax, clf in zip(axes, fitted.values()):
        DecisionBoundaryDisplay.from_estimator(
            clf, X, response_method="predict", cmap=cmap, alpha=0.5, ax=ax
        )
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, edgecolors="k", s=25)
        ax.set(
            title=f"{type(clf).__name__}: decision boundary",
            xlabel="x0",
            ylabel="x1",
        )

    images = []
    for figure in (data_fig, loss_fig, pred_fig):
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100)
        images.append(buffer.getvalue())
    return images
