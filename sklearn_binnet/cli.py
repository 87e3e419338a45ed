"""The ``binnet`` command (also ``python -m sklearn_binnet``).

Three subcommands, each with its own ``--help``:

``binnet demo [--backend numpy|torch|both] [--out DIR]``
    The tutorial end to end: trains its network on its data and writes the
    plots ``data.png``, ``loss.png`` and ``predictions.png`` into ``DIR``.
``binnet fit DATA.csv --target COLUMN [options]``
    Cross-validates and fits a pipeline (one-hot encoding of the non-numeric
    columns, scaling of the numeric ones, a binary MLP) on a CSV file and
    saves it with ``skops.io``.
``binnet predict MODEL.skops DATA.csv [--proba] [--output OUT.csv]``
    Loads a model written by ``binnet fit`` and writes its predictions.

A mistake in the input (a missing file, a missing column, a target that is not
binary, a file that is not CSV, a bad option) is reported as one line on
stderr, ``binnet <command>: error: ...``, with exit status 2, and nothing is
written. Warnings of the libraries are shown once each, as one line
``binnet <command>: warning: ...``. Apart from these, the commands print only
the lines their ``--help`` describes.

matplotlib (``demo``), pandas and skops (``fit``, ``predict``) and torch with
skorch (``--backend torch``) are imported only by the commands that need them.
"""

import argparse
import contextlib
import importlib.util
import io
import os
import sys
import warnings
from pathlib import Path

import numpy as np

__all__ = ["build_parser", "main"]

_PROG = "binnet"
_USAGE_ERROR = 2
_PLOT_EXTRA = 'pip install "sklearn-binnet[plot]"'
_CLI_EXTRA = 'pip install "sklearn-binnet[cli]"'
_TORCH_EXTRA = 'pip install "sklearn-binnet[torch]"'

# The tutorial: 200 points, one hidden layer of four ReLU units, full-batch
# gradient descent at learning rate 0.1 for exactly 1000 epochs.
_DEMO_SAMPLES = 200
_DEMO_PARAMS = {
    "hidden_layer_sizes": (4,),
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
_DEMO_PRINT_EVERY = 100
_DEMO_FILES = ("data.png", "loss.png", "predictions.png")

# Types that ``binnet predict`` lets skops rebuild: those a model written by
# ``binnet fit`` is made of. skops already trusts most scikit-learn and NumPy
# types by default; listing them keeps the check explicit and independent of
# skops' defaults. Anything else in a model file is refused.
_TRUSTED_TYPES = frozenset(
    {
        "sklearn_binnet._numpy_mlp.NumpyBinaryMLP",
        "sklearn_binnet._optimizers.AdamOptimizer",
        "sklearn_binnet._optimizers.SGDOptimizer",
        "sklearn.pipeline.Pipeline",
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.preprocessing._encoders.OneHotEncoder",
        "sklearn.preprocessing._data.StandardScaler",
        "numpy.dtype",
        "numpy.ndarray",
        "numpy.bool_",
        "numpy.float32",
        "numpy.float64",
        "numpy.int32",
        "numpy.int64",
        "numpy.str_",
    }
)


class _UsageError(Exception):
    """A mistake in the user's input: one line on stderr, exit status 2."""


class _ArgumentParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr.

    argparse prints the whole usage before its error message; a single line
    reads better in a log, and ``--help`` is named in it.
    """

    def error(self, message):
        self.exit(
            _USAGE_ERROR,
            f"{self.prog}: error: {message} (see '{self.prog} --help')\n",
        )


# ---------------------------------------------------------------- arguments


def _hidden_layer_sizes(text):
    """Parse ``--hidden``: comma-separated positive integers, e.g. ``64,32``."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of positive integers such as 64,32"
        )
    return sizes


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a seed: give an integer from 0 to 2**32 - 1"
        )
    return value


def _cv_folds(text):
    try:
        value = int(text)
    except ValueError:
        value = 1
    if value == 1 or value < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of folds: give an integer >= 2, or 0 to "
            "skip cross-validation"
        )
    return value


def build_parser():
    """Return the argument parser of the ``binnet`` command.

    The documentation generates its command-line reference from it.

    Returns
    -------
    parser : argparse.ArgumentParser
        The parser, with one subparser per command (``demo``, ``fit``,
        ``predict``).

    See Also
    --------
    main : Run the command.

    Examples
    --------
    >>> from sklearn_binnet.cli import build_parser
    >>> build_parser().prog
    'binnet'
    """
    parser = _ArgumentParser(
        prog=_PROG,
        description=(
            "Binary classifiers built on small neural networks "
            "(sklearn-binnet): the tutorial demo, and fit / predict on CSV "
            "files."
        ),
        epilog=(
            "Each command has its own --help. Errors in the input are one line "
            "on stderr with exit status 2, and write nothing."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser(
        "demo",
        help="train the tutorial's network and plot it",
        description=(
            "The tutorial end to end on its data, make_xor(200, "
            "random_state=0): a network with one hidden layer of 4 ReLU units, "
            "trained by full-batch gradient descent (learning rate 0.1) for "
            "1000 epochs. Prints 'Epoch N, Loss: L' every 100 epochs (N counted "
            "from 0, as in the tutorial) and the training accuracy, then writes "
            "data.png (the data), loss.png (the loss per epoch) and "
            "predictions.png (the decision boundary with the points) into DIR "
            "and prints where. With --backend both, each line is prefixed with "
            "the backend's name and both loss curves are drawn. Needs "
            f"matplotlib ({_PLOT_EXTRA})."
        ),
    )
    demo.add_argument(
        "--backend",
        choices=["numpy", "torch", "both"],
        default="numpy",
        help="NumpyBinaryMLP, TorchBinaryMLP or both (default: %(default)s)",
    )
    demo.add_argument(
        "--out",
        default="binnet-demo",
        metavar="DIR",
        help="directory for the three plots, created if needed (default: %(default)s)",
    )
    demo.set_defaults(run=_demo)

    fit = commands.add_parser(
        "fit",
        help="cross-validate and fit a model on a CSV file",
        description=(
            "Reads DATA.csv (a header row, one sample per row), builds a "
            "pipeline that one-hot encodes the non-numeric columns (unknown "
            "categories are ignored at prediction time), standardises the "
            "numeric ones and feeds a binary MLP classifier; prints one line "
            "per fold of stratified K-fold cross-validation and the mean ± std "
            "of accuracy, ROC AUC and log loss; fits on all rows and saves the "
            "pipeline with skops.io. The target must have exactly two "
            "classes and no missing values; numeric features must have no "
            f"missing values. Needs pandas and skops ({_CLI_EXTRA})."
        ),
    )
    fit.add_argument("data", metavar="DATA.csv", help="the training data")
    fit.add_argument(
        "--target", required=True, metavar="COLUMN", help="name of the label column"
    )
    fit.add_argument(
        "--backend",
        choices=["numpy", "torch"],
        default="numpy",
        help="NumpyBinaryMLP or TorchBinaryMLP (default: %(default)s)",
    )
    fit.add_argument(
        "--hidden",
        type=_hidden_layer_sizes,
        default=(100,),
        metavar="SIZES",
        help="hidden layer sizes, comma-separated, e.g. 64,32 (default: 100)",
    )
    fit.add_argument(
        "--max-iter",
        type=_positive_int,
        default=200,
        metavar="N",
        help="maximum number of epochs (default: %(default)s)",
    )
    fit.add_argument(
        "--cv",
        type=_cv_folds,
        default=5,
        metavar="K",
        help="number of cross-validation folds, 0 to skip (default: %(default)s)",
    )
    fit.add_argument(
        "--random-state",
        type=_seed,
        default=0,
        metavar="SEED",
        help="seed of the folds and of the network (default: %(default)s)",
    )
    fit.add_argument(
        "--model",
        default="model.skops",
        metavar="OUT.skops",
        help="where to save the fitted pipeline (default: %(default)s)",
    )
    fit.set_defaults(run=_fit)

    predict = commands.add_parser(
        "predict",
        help="predict with a model saved by 'binnet fit'",
        description=(
            "Loads MODEL.skops, checking with skops that it holds only the "
            "types a model of 'binnet fit' is made of (anything else is "
            "refused), and writes a CSV with one row per row of DATA.csv: a "
            "'prediction' column and, with --proba, one probability column per "
            "class, named after the class. DATA.csv needs the feature columns "
            "of the training data; other columns are ignored. Writes to stdout "
            f"unless --output is given. Needs pandas and skops ({_CLI_EXTRA})."
        ),
    )
    predict.add_argument("model", metavar="MODEL.skops", help="a model file")
    predict.add_argument("data", metavar="DATA.csv", help="the samples to predict")
    predict.add_argument(
        "--proba", action="store_true", help="add the class probabilities"
    )
    predict.add_argument(
        "--output",
        metavar="OUT.csv",
        help="write the predictions to this file and print a line saying so",
    )
    predict.set_defaults(run=_predict)
    return parser


# ------------------------------------------------------------------ helpers


def _require(package, purpose, extra):
    """Fail early, with the install command, if an optional package is missing.

    Only looks the package up: importing skops, for one, takes a second or
    two (it imports torch when installed), which the commands pay only when
    they get to the point of saving or loading a model.
    """
    if importlib.util.find_spec(package) is None:
        raise _UsageError(f"{purpose} needs {package}, which is not installed: {extra}")


def _estimator_class(backend):
    if backend == "numpy":
        from ._numpy_mlp import NumpyBinaryMLP

        return NumpyBinaryMLP
    try:
        from . import TorchBinaryMLP
    except ImportError as exc:
        raise _UsageError(
            f"--backend {backend} needs PyTorch and skorch: {_TORCH_EXTRA}"
        ) from exc
    return TorchBinaryMLP


def _check_input_file(path, what):
    path = Path(path)
    if not path.exists():
        raise _UsageError(f"{what} {str(path)!r} does not exist")
    if not path.is_file():
        raise _UsageError(f"{what} {str(path)!r} is not a file")
    return path


def _check_output_file(path, option):
    """Fail before any work if ``path`` cannot be an output file."""
    path = Path(path)
    if path.is_dir():
        raise _UsageError(f"{option} {str(path)!r} is a directory")
    if not path.parent.is_dir():
        raise _UsageError(
            f"{option} {str(path)!r}: directory {str(path.parent)!r} does not exist"
        )
    return path


def _write_atomically(path, data):
    """Write ``data`` to ``path`` all at once, or not at all.

    The bytes go to a temporary file next to ``path`` that replaces it only
    when complete, so a failure never leaves a truncated file behind. (Opened
    with ``open`` rather than ``tempfile.mkstemp``, whose private 0600 mode
    would stick to the result instead of the user's umask.)
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as file:
            file.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _read_csv(path):
    """Read a CSV file into a DataFrame; raise a usage error if it is not one."""
    import pandas as pd

    path = _check_input_file(path, "data file")
    try:
        with path.open("rb") as file:
            head = file.read(8192)
    except OSError as exc:
        raise _UsageError(f"cannot read {str(path)!r}: {exc.strerror}") from exc
    # Text files never hold NUL bytes; binary files (images, archives, pickles)
    # nearly always do, and pandas would otherwise parse some of them.
    if b"\0" in head:
        raise _UsageError(f"{str(path)!r} is not a CSV file: it holds binary data")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError as exc:
        raise _UsageError(f"{str(path)!r} is empty") from exc
    except pd.errors.ParserError as exc:
        reason = str(exc).strip().splitlines()[-1]
        raise _UsageError(f"{str(path)!r} is not a valid CSV file: {reason}") from exc
    except UnicodeDecodeError as exc:
        raise _UsageError(f"{str(path)!r} is not a UTF-8 text CSV file") from exc
    except OSError as exc:
        raise _UsageError(f"cannot read {str(path)!r}: {exc.strerror}") from exc
    if frame.shape[0] == 0:
        raise _UsageError(f"{str(path)!r} has a header but no data rows")
    return frame


def _listing(values, limit=5):
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def _warning_printer(prog):
    """Return a ``warnings.showwarning`` that prints each warning once, in a line.

    The default format adds the file, the line number and the source line of
    the library code that warned: noise to a user of the command. The same
    warning from every cross-validation fold is shown once.
    """
    shown = set()

    def show(message, category, filename, lineno, file=None, line=None):
        text = (str(message).strip().splitlines() or [category.__name__])[0]
        if (category, text) not in shown:
            shown.add((category, text))
            print(f"{prog}: warning: {text}", file=sys.stderr)

    return show


# --------------------------------------------------------------------- demo


def _demo(args):
    estimator_classes = {
        backend: _estimator_class(backend)
        for backend in (
            ["numpy", "torch"] if args.backend == "both" else [args.backend]
        )
    }
    _require("matplotlib", "binnet demo", _PLOT_EXTRA)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise _UsageError(f"--out {str(out)!r} exists and is not a directory")

    from sklearn.exceptions import ConvergenceWarning

    from .datasets import make_xor

    X, y = make_xor(_DEMO_SAMPLES, random_state=0)
    fitted = {}
    for backend, estimator_class in estimator_classes.items():
        clf = estimator_class(**_DEMO_PARAMS)
        with warnings.catch_warnings():
            # Stopping at max_iter is the plan here, not a failure to converge.
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        label = f"[{backend}] " if len(estimator_classes) > 1 else ""
        for epoch in range(0, len(clf.loss_curve_), _DEMO_PRINT_EVERY):
            print(f"{label}Epoch {epoch}, Loss: {clf.loss_curve_[epoch]:.6f}")
        print(f"{label}Training accuracy: {clf.score(X, y):.3f}")
        fitted[backend] = clf

    # Everything is drawn in memory first: a failure while plotting writes
    # nothing.
    images = dict(zip(_DEMO_FILES, _demo_figures(X, y, fitted)))
    _write_demo_files(out, images)
    print(f"Wrote {', '.join(_DEMO_FILES)} to {out}")
    return 0


def _demo_figures(X, y, fitted):
    """Draw the three plots of the demo; return them as PNG bytes."""
    # Figures made without pyplot: no GUI backend is involved, and the caller's
    # pyplot state (if main() runs inside a session) is left alone.
    from matplotlib.figure import Figure
    from sklearn.inspection import DecisionBoundaryDisplay

    from .plotting import LossCurveDisplay

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


def _write_demo_files(out, images):
    """Write the PNGs into ``out``; on failure remove what this call created."""
    created_dirs = []
    parent = out
    while not parent.exists():
        created_dirs.append(parent)
        parent = parent.parent
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, data in images.items():
            _write_atomically(out / name, data)
            written.append(out / name)
    except OSError as exc:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        for directory in created_dirs:  # deepest first
            with contextlib.suppress(OSError):
                directory.rmdir()
        raise _UsageError(
            f"cannot write the plots to {str(out)!r}: {exc.strerror or exc}"
        ) from exc


# ---------------------------------------------------------------------- fit


def _split_target(frame, target, path):
    """Return the features and the target, checked to be a binary problem."""
    if target not in frame.columns:
        raise _UsageError(
            f"no column {target!r} in {str(path)!r} (columns: "
            f"{_listing(list(frame.columns), limit=10)})"
        )
    y = frame[target]
    X = frame.drop(columns=[target])
    if X.shape[1] == 0:
        raise _UsageError(f"{str(path)!r} has no feature column besides {target!r}")
    n_missing = int(y.isna().sum())
    if n_missing:
        raise _UsageError(
            f"target column {target!r} has {n_missing} missing value(s): drop "
            "those rows first"
        )
    classes = sorted(y.unique().tolist(), key=str)
    if len(classes) != 2:
        raise _UsageError(
            f"target column {target!r} has {len(classes)} distinct value(s) "
            f"({_listing(classes)}); binnet fit needs exactly 2 classes"
        )
    missing_numeric = [
        column
        for column in X.columns
        if _is_numeric(X[column]) and X[column].isna().any()
    ]
    if missing_numeric:
        raise _UsageError(
            f"numeric column(s) {_listing(missing_numeric)} have missing values: "
            "fill or drop them first"
        )
    return X, y


def _is_numeric(column):
    from pandas.api.types import is_numeric_dtype

    return is_numeric_dtype(column.dtype)


def _make_pipeline(X, estimator):
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [column for column in X.columns if _is_numeric(X[column])]
    categorical = [column for column in X.columns if column not in numeric]
    preprocess = ColumnTransformer(
        [
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("numeric", StandardScaler(), numeric),
        ]
    )
    return Pipeline([("preprocess", preprocess), ("classifier", estimator)])


def _fit_or_fail(pipeline, X, y):
    try:
        return pipeline.fit(X, y)
    except ValueError as exc:
        # The data passed the checks above, so what is left (e.g. a diverging
        # fit) is reported as the estimator words it.
        raise _UsageError(f"training failed: {exc}") from exc


def _fit(args):
    for package in ("pandas", "skops"):
        _require(package, "binnet fit", _CLI_EXTRA)
    estimator_class = _estimator_class(args.backend)
    model_path = _check_output_file(args.model, "--model")
    frame = _read_csv(args.data)
    X, y = _split_target(frame, args.target, args.data)

    from sklearn.base import clone

    estimator = estimator_class(
        hidden_layer_sizes=args.hidden,
        max_iter=args.max_iter,
        random_state=args.random_state,
    )
    pipeline = _make_pipeline(X, estimator)

    if args.cv:
        smallest = int(y.value_counts().min())
        if args.cv > smallest:
            raise _UsageError(
                f"--cv {args.cv} is more folds than the {smallest} row(s) of the "
                "smallest class"
            )
        _cross_validate(pipeline, X, y, args.cv, args.random_state, clone)

    pipeline = _fit_or_fail(clone(pipeline), X, y)
    negative, positive = pipeline.classes_.tolist()
    print(
        f"Fitted on all {X.shape[0]} rows ({X.shape[1]} feature columns; classes "
        f"{negative!r} and {positive!r}, the positive class)"
    )
    note = ""
    if args.backend != "numpy":
        # skops would have to rebuild torch and skorch objects (data loaders,
        # callbacks, partials) that binnet predict cannot trust. The NumPy
        # twin has the same weights and predictions, and loads without torch.
        from ._convert import to_numpy

        pipeline.steps[-1] = ("classifier", to_numpy(pipeline[-1]))
        note = " (as NumpyBinaryMLP: same weights, loads without torch)"
    import skops.io

    _write_atomically(model_path, skops.io.dumps(pipeline))
    print(f"Saved the model to {model_path}{note}")
    return 0


def _cross_validate(pipeline, X, y, n_folds, random_state, clone):
    """Print one line per stratified fold, then the mean ± std of each metric."""
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_folds, shuffle=True, random_state=random_state)
    scores = {"accuracy": [], "ROC AUC": [], "log loss": []}
    for fold, (train, test) in enumerate(folds.split(X, y), start=1):
        model = _fit_or_fail(clone(pipeline), X.iloc[train], y.iloc[train])
        X_test, y_test = X.iloc[test], y.iloc[test]
        proba = model.predict_proba(X_test)
        positive = model.classes_[1]
        scores["accuracy"].append(accuracy_score(y_test, model.predict(X_test)))
        scores["ROC AUC"].append(roc_auc_score(y_test == positive, proba[:, 1]))
        scores["log loss"].append(log_loss(y_test, proba, labels=model.classes_))
        summary = ", ".join(
            f"{name} {values[-1]:.3f}" for name, values in scores.items()
        )
        print(f"Fold {fold}/{n_folds}: {summary}", flush=True)
    summary = ", ".join(
        f"{name} {np.mean(values):.3f} ± {np.std(values):.3f}"
        for name, values in scores.items()
    )
    print(f"Cross-validation ({n_folds} folds): {summary}")


# ------------------------------------------------------------------ predict


def _load_model(path):
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:
        # skops raises whatever its zip and JSON readers raise on a file that
        # is not a skops archive.
        raise _UsageError(f"{str(path)!r} is not a skops model file") from exc
    refused = sorted(set(untrusted) - _TRUSTED_TYPES)
    if refused:
        raise _UsageError(
            f"refusing to load {str(path)!r}: it holds types that binnet does not "
            f"trust ({_listing(refused)}); only models written by 'binnet fit' are "
            "loaded"
        )
    try:
        model = sio.load(path, trusted=list(untrusted))
    except Exception as exc:
        raise _UsageError(f"cannot load {str(path)!r}: {exc}") from exc
    if not (
        hasattr(model, "predict_proba") and len(getattr(model, "classes_", ())) == 2
    ):
        raise _UsageError(f"{str(path)!r} does not hold a fitted binary classifier")
    return model


def _predict(args):
    for package in ("pandas", "skops"):
        _require(package, "binnet predict", _CLI_EXTRA)
    output = (
        None if args.output is None else _check_output_file(args.output, "--output")
    )
    model_path = _check_input_file(args.model, "model file")
    frame = _read_csv(args.data)
    model = _load_model(model_path)
    try:
        labels = model.predict(frame)
        proba = model.predict_proba(frame) if args.proba else None
    except ValueError as exc:
        # The usual cause: columns of the training data missing from DATA.csv.
        reason = str(exc).strip().splitlines()[0]
        raise _UsageError(f"cannot predict on {args.data!r}: {reason}") from exc

    import pandas as pd

    result = pd.DataFrame({"prediction": labels})
    if proba is not None:
        names = [str(label) for label in model.classes_]
        if "prediction" in names:
            # A class literally named "prediction" would overwrite the labels.
            names = [f"proba_{name}" for name in names]
        for name, column in zip(names, proba.T):
            result[name] = column
    text = result.to_csv(index=False)
    if output is None:
        sys.stdout.write(text)
    else:
        _write_atomically(output, text.encode())
        print(f"Wrote {len(result)} predictions to {output}")
    return 0


# --------------------------------------------------------------------- main


def main(argv=None):
    """Run the ``binnet`` command.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name; None means ``sys.argv[1:]``.

    Returns
    -------
    status : int
        The exit status: 0 on success (``--help`` included), 2 on a mistake in
        the input (reported as one line on stderr).

    See Also
    --------
    sklearn_binnet.plotting.LossCurveDisplay : The loss plot of ``binnet demo``.

    Examples
    --------
    >>> from sklearn_binnet.cli import main
    >>> main(["fit", "no-such-file.csv", "--target", "y"])
    2
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        # --help, or a bad argument already reported by the parser.
        return exc.code
    prog = f"{_PROG} {args.command}"
    with warnings.catch_warnings():
        # Every warning reaches the printer, which shows each one once.
        warnings.simplefilter("always")
        warnings.showwarning = _warning_printer(prog)
        try:
            return args.run(args)
        except _UsageError as exc:
            print(f"{prog}: error: {exc}", file=sys.stderr)
            return _USAGE_ERROR
        except KeyboardInterrupt:
            print(f"{prog}: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:
            # The reader of stdout went away (``binnet predict ... | head``):
            # not an error of ours. Point stdout at /dev/null so that Python's
            # final flush does not fail again, as the Python docs advise.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 1
