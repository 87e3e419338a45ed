"""Accuracy on real and toy data, untuned, against scikit-learn's MLPClassifier.

Each estimator is run with its defaults and the same two settings,
``random_state=0`` and ``max_iter=500``, behind a ``StandardScaler``::

    make_pipeline(StandardScaler(), est(random_state=0, max_iter=500))

and scored by 5-fold stratified cross-validation (shuffled, ``random_state=0``,
the same folds for every estimator) on:

* ``breast cancer``: ``load_breast_cancer``, 569 x 30;
* ``digits odd/even``: ``load_digits``, 1797 x 64, odd digits as the positive
  class;
* ``moons``: ``make_moons(1000, noise=0.3, random_state=0)``;
* ``circles``: ``make_circles(1000, noise=0.2, factor=0.5, random_state=0)``;
* ``xor``: the tutorial's data, ``make_xor(200, random_state=0)``.

The estimators are ``NumpyBinaryMLP``, ``TorchBinaryMLP`` (default dtype,
float32, on the CPU) and ``MLPClassifier``. The table gives, per dataset and
estimator, the accuracy (mean ± standard deviation over the folds), the log
loss and the ROC AUC (means over the folds) and the mean fit time of a fold.
BLAS and PyTorch run on ``--threads`` threads (1 by default: these networks
are too small to gain from more, and a single thread keeps the times stable
on a busy machine).

Run it from the repository root::

    .venv/bin/python benchmarks/bench_accuracy.py
    .venv/bin/python benchmarks/bench_accuracy.py --datasets moons xor
    .venv/bin/python benchmarks/bench_accuracy.py --estimators NumpyBinaryMLP
    .venv/bin/python benchmarks/bench_accuracy.py --results benchmarks/results.json

With ``--results``, the table is written to the section ``accuracy`` of that
JSON file, from which the docs render it (``make bench-all``).

``tests/test_sklearn_integration.py`` imports ``evaluate`` from this file to
check that both backends are within one point of MLPClassifier.
"""

import argparse
import platform
import time
import warnings

import sklearn
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    make_circles,
    make_moons,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_binnet import NumpyBinaryMLP
from sklearn_binnet.datasets import make_xor

SETTINGS = {"random_state": 0, "max_iter": 500}
SCORING = {"accuracy": "accuracy", "log_loss": "neg_log_loss", "roc_auc": "roc_auc"}


def _digits_odd_even():
    X, y = load_digits(return_X_y=True)
    return X, y % 2


DATASETS = {
    "breast cancer": lambda: load_breast_cancer(return_X_y=True),
    "digits odd/even": _digits_odd_even,
    "moons": lambda: make_moons(1000, noise=0.3, random_state=0),
    "circles": lambda: make_circles(1000, noise=0.2, factor=0.5, random_state=0),
    "xor": lambda: make_xor(200, random_state=0),
}


def _torch_mlp(**params):
    # Imported on use, so that the NumPy rows run without PyTorch.
    from sklearn_binnet import TorchBinaryMLP

    return TorchBinaryMLP(**params)


ESTIMATORS = {
    "NumpyBinaryMLP": NumpyBinaryMLP,
    "TorchBinaryMLP": _torch_mlp,
    "MLPClassifier": MLPClassifier,
}


def _set_torch_threads(threads):
    try:
        import torch
    except ModuleNotFoundError:
        return
    torch.set_num_threads(threads)


def evaluate(dataset, estimator, *, threads=1):
    """Cross-validate one estimator on one dataset.

    Parameters
    ----------
    dataset : str
        A key of ``DATASETS``.
    estimator : str
        A key of ``ESTIMATORS``.
    threads : int, default=1
        Threads of BLAS and of PyTorch while it runs (PyTorch's setting is
        left as set afterwards).

    Returns
    -------
    scores : dict
        Per-fold arrays ``accuracy``, ``log_loss``, ``roc_auc`` and
        ``fit_time`` (seconds).
    """
    X, y = DATASETS[dataset]()
    pipeline = make_pipeline(StandardScaler(), ESTIMATORS[estimator](**SETTINGS))
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    _set_torch_threads(threads)
    with threadpool_limits(limits=threads), warnings.catch_warnings():
        # Some folds stop at max_iter; the scores are what is reported.
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = cross_validate(pipeline, X, y, cv=cv, scoring=SCORING)
    return {
        "accuracy": result["test_accuracy"],
        "log_loss": -result["test_log_loss"],
        "roc_auc": result["test_roc_auc"],
        "fit_time": result["fit_time"],
    }


def _row(dataset, estimator, scores):
    accuracy = scores["accuracy"]
    return (
        f"| {dataset} | {estimator} "
        f"| {accuracy.mean():.4f} ± {accuracy.std():.4f} "
        f"| {scores['log_loss'].mean():.4f} "
        f"| {scores['roc_auc'].mean():.4f} "
        f"| {scores['fit_time'].mean():.3f} |"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument(
        "--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS)
    )
    parser.add_argument(
        "--estimators", nargs="+", choices=list(ESTIMATORS), default=list(ESTIMATORS)
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--results", help="write the section 'accuracy' of this file")
    args = parser.parse_args(argv)
    # Imported here: tests import ``evaluate`` from this file alone.
    from _bench_results import environment, print_environment, write_section

    env = environment()
    print_environment(env)

    print(
        f"5-fold stratified CV of make_pipeline(StandardScaler(), "
        f"est(random_state=0, max_iter=500)); scikit-learn {sklearn.__version__}, "
        f"Python {platform.python_version()}, {args.threads} thread(s)"
    )
    print()
    print("| dataset | estimator | accuracy | log loss | ROC AUC | fit time (s) |")
    print("| --- | --- | --- | --- | --- | --- |")
    start = time.perf_counter()
    table = []
    for dataset in args.datasets:
        for estimator in args.estimators:
            scores = evaluate(dataset, estimator, threads=args.threads)
            print(_row(dataset, estimator, scores), flush=True)
            table.append(
                {
                    "dataset": dataset,
                    "estimator": estimator,
                    "accuracy_mean": float(scores["accuracy"].mean()),
                    "accuracy_std": float(scores["accuracy"].std()),
                    "log_loss": float(scores["log_loss"].mean()),
                    "roc_auc": float(scores["roc_auc"].mean()),
                    "fit_time_s": float(scores["fit_time"].mean()),
                }
            )
    print()
    print(f"Total time: {time.perf_counter() - start:.1f} s")
    if args.results:
        section = {"environment": env, "threads": args.threads, "settings": SETTINGS}
        write_section(args.results, "accuracy", {**section, "table": table})


if __name__ == "__main__":
    main()
