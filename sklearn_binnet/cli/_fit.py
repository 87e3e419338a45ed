"""``binnet fit``: cross-validate and fit a pipeline on a CSV file, save it."""

import ast
import time

import numpy as np

from ._common import (
    CLI_EXTRA,
    UsageError,
    estimator_class,
    first_line,
    listing,
    require,
)
from ._csv import read_csv, source_name
from ._output import ZIP_MAGIC, plan_output
from ._progress import progress

# Estimator parameters that have a flag of their own; --param names the rest.
_FLAGS = {
    "hidden_layer_sizes": "--hidden-layer-sizes",
    "max_iter": "--max-iter",
    "early_stopping": "--early-stopping",
    "learning_rate_init": "--learning-rate-init",
    "batch_size": "--batch-size",
    "alpha": "--alpha",
    "random_state": "--random-state",
}


def solvers():
    """The solvers the NumPy estimator accepts, from its own constraints."""
    from .._numpy_mlp import NumpyBinaryMLP

    for constraint in NumpyBinaryMLP._parameter_constraints["solver"]:
        if hasattr(constraint, "options"):
            return sorted(constraint.options)
    return [NumpyBinaryMLP().solver]


def _literal(text):
    """A --param VALUE: a Python literal when it is one, else the text."""
    if text in ("inf", "-inf", "nan"):
        return float(text)
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def estimator_params(args):
    """The estimator's parameters from the flags and ``--param``, unchecked."""
    params = {
        name: getattr(args, name)
        for name in _FLAGS
        if getattr(args, name, None) is not None
    }
    for name, text in args.param:
        if name in _FLAGS:
            raise UsageError(f"--param {name}: use {_FLAGS[name]} instead")
        if name in params:
            raise UsageError(f"--param {name} is given twice")
        params[name] = _literal(text)
    return params


def make_estimator(backend, params):
    """An estimator of ``backend`` with ``params``, checked by its constraints."""
    cls = estimator_class(backend)
    unknown = sorted(set(params) - set(cls().get_params()))
    if unknown:
        raise UsageError(
            f"--param {unknown[0]}: {cls.__name__} has no parameter {unknown[0]!r} "
            f"(see help({cls.__name__}))"
        )
    estimator = cls(**params)
    try:
        estimator._validate_params()
    except (ValueError, TypeError) as exc:
        raise UsageError(first_line(exc)) from exc
    return estimator


def is_numeric(column):
    from pandas.api.types import is_numeric_dtype

    return is_numeric_dtype(column.dtype)


def make_pipeline(X, estimator):
    """One-hot encoding of the non-numeric columns, scaling of the others."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [column for column in X.columns if is_numeric(X[column])]
    categorical = [column for column in X.columns if column not in numeric]
    preprocess = ColumnTransformer(
        [
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("numeric", StandardScaler(), numeric),
        ]
    )
    return Pipeline([("preprocess", preprocess), ("classifier", estimator)])


def _not_a_model(head):
    """``--model`` replaces a skops file (a zip archive), never other data."""
    if head and not head.startswith(ZIP_MAGIC):
        return "exists and is not a model file"
    return None


def split_target(frame, target, name):
    """Return the features and the target, checked to be a binary problem."""
    if target not in frame.columns:
        raise UsageError(
            f"no column {target!r} in {name} (columns: "
            f"{listing(list(frame.columns), limit=10)})"
        )
    y = frame[target]
    X = frame.drop(columns=[target])
    if X.shape[1] == 0:
        raise UsageError(f"{name} has no feature column besides {target!r}")
    n_missing = int(y.isna().sum())
    if n_missing:
        raise UsageError(
            f"target column {target!r} has {n_missing} missing value(s): drop "
            "those rows first"
        )
    classes = sorted(y.unique().tolist(), key=str)
    if len(classes) != 2:
        raise UsageError(
            f"target column {target!r} has {len(classes)} distinct value(s) "
            f"({listing(classes)}); binnet fit needs exactly 2 classes"
        )
    missing_numeric = [
        column
        for column in X.columns
        if is_numeric(X[column]) and X[column].isna().any()
    ]
    if missing_numeric:
        raise UsageError(
            f"numeric column(s) {listing(missing_numeric)} have missing values: "
            "fill or drop them first"
        )
    return X, y


def _fit_or_fail(pipeline, X, y, bars, description):
    """Fit ``pipeline`` under a progress bar; a failure is a usage error."""
    try:
        with bars.watch(pipeline[-1], description):
            return pipeline.fit(X, y)
    except (ValueError, TypeError) as exc:
        # The data passed the checks above, so what is left (e.g. a diverging
        # fit) is reported as the estimator words it.
        raise UsageError(f"training failed: {first_line(exc)}") from exc


def run(args):
    """Run ``binnet fit``; return the exit status."""
    start = time.perf_counter()
    for package in ("pandas", "skops"):
        require(package, "binnet fit", CLI_EXTRA)
    estimator = make_estimator(args.backend, estimator_params(args))
    output = plan_output(
        args.model,
        "--model",
        inputs=[("data file", args.data)],
        guard=_not_a_model,
    )
    frame = read_csv(args.data, args.sep)
    name = source_name(args.data)
    X, y = split_target(frame, args.target, name)
    pipeline = make_pipeline(X, estimator)

    from sklearn.base import clone

    bars = progress("binnet fit", args.quiet)
    score = ""
    if args.cv:
        smallest = int(y.value_counts().min())
        if args.cv > smallest:
            raise UsageError(
                f"--cv {args.cv} is more folds than the {smallest} row(s) of the "
                "smallest class"
            )
        accuracy = _cross_validate(pipeline, X, y, args.cv, args.random_state, bars)
        score = f"; cross-validated accuracy {accuracy:.3f}"

    description = "final fit" if args.cv else "fit"
    pipeline = _fit_or_fail(clone(pipeline), X, y, bars, description)
    note = ""
    if args.backend != "numpy":
        # skops would have to rebuild torch and skorch objects (data loaders,
        # callbacks, partials) that binnet predict cannot trust. The NumPy
        # twin has the same weights and predictions, and loads without torch.
        from .._convert import to_numpy

        pipeline.steps[-1] = ("classifier", to_numpy(pipeline[-1]))
        note = " (as NumpyBinaryMLP: same weights, loads without torch)"
    import skops.io

    output.write(skops.io.dumps(pipeline))
    negative, positive = pipeline.classes_.tolist()
    print(
        f"Fitted {X.shape[0]} rows x {X.shape[1]} feature columns; classes "
        f"{negative!r} and {positive!r} (positive: {positive!r}){score}; "
        f"{time.perf_counter() - start:.1f} s; model saved to {output}{note}"
    )
    return 0


def _cross_validate(pipeline, X, y, n_folds, random_state, bars):
    """Print one line per stratified fold, then the mean ± std of each metric.

    The folds are fitted one after the other, each under a bar of ``bars``.
    Returns the mean accuracy.
    """
    from sklearn.base import clone
    from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_folds, shuffle=True, random_state=random_state)
    scores = {"accuracy": [], "ROC AUC": [], "log loss": []}
    for fold, (train, test) in enumerate(folds.split(X, y), start=1):
        model = _fit_or_fail(
            clone(pipeline),
            X.iloc[train],
            y.iloc[train],
            bars,
            f"fold {fold}/{n_folds}",
        )
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
    return float(np.mean(scores["accuracy"]))
