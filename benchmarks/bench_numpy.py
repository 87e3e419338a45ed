"""Time NumpyBinaryMLP against scikit-learn's MLPClassifier, as ratios.

Each workload runs both estimators with identical settings (same
hyper-parameters, same ``random_state``, hence the same initial weights) and
reports ``NumpyBinaryMLP time / MLPClassifier time``.  Times are medians of
``--repeats`` runs measured with ``time.perf_counter``; the two estimators'
runs are interleaved (and their order alternated) so that machine noise hits
both alike, after one untimed warm-up run each.

Workloads (targets from issue 2):

* W1, the tutorial's job: ``make_xor(200, random_state=0)``, hidden (4,),
  full-batch SGD (``batch_size=None`` here, ``200`` for MLPClassifier), learning
  rate 0.1, no momentum, no penalty, no shuffling, 1000 epochs with no early
  stop. Target ratio <= 0.4.
* W2, tabular training: ``make_classification`` 100,000 x 20, hidden (64,),
  Adam, batch 256, 10 epochs with no early stop, in float64 (target <= 0.6)
  and with float32 input (target <= 0.45).
* W3, inference: ``predict_proba`` on 1,000,000 x 20 rows with a (64,)
  network fitted on the first 2,000 rows, float64 (target <= 0.7) and float32
  (target <= 0.4, the model fitted on float32 too).

Fit times include everything ``fit`` does (input validation, initialisation).
Below the table, an agreement section prints the largest difference between
the two estimators' ``loss_curve_`` (training) or probabilities (inference):
it confirms that both did the same job.

Run it from the repository root::

    make bench                                        # the full run
    .venv/bin/python benchmarks/bench_numpy.py            # the same
    .venv/bin/python benchmarks/bench_numpy.py --quick    # smoke run, seconds
    .venv/bin/python benchmarks/bench_numpy.py --repeats 9

The default run takes well under a minute on two idle cores. Ratios depend on
the BLAS build and its settings (threads, ``OPENBLAS_*`` variables) and on
what else runs on the machine; the header prints all three.
"""

import argparse
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_info

import sklearn_binnet
from sklearn_binnet import NumpyBinaryMLP
from sklearn_binnet.datasets import make_xor

# Sizes of the full run and of the ``--quick`` smoke run.
FULL = {"w2_samples": 100_000, "w3_samples": 1_000_000, "repeats": 5}
QUICK = {"w2_samples": 10_000, "w3_samples": 100_000, "repeats": 2}
W3_FIT_SAMPLES = 2_000


@dataclass
class Case:
    """One row of the table: two zero-argument jobs timed against each other."""

    workload: str
    dtype: str
    target: float
    ours: Callable[[], Any]
    theirs: Callable[[], Any]


@dataclass
class Result:
    """Median times of a case, and how far apart the two outputs were."""

    case: Case
    ours_s: float
    theirs_s: float
    agreement: float

    @property
    def ratio(self):
        return self.ours_s / self.theirs_s


# ------------------------------------------------------------------ workloads


def _pair(params, ours_batch_size, theirs_batch_size):
    """Return NumpyBinaryMLP and MLPClassifier with the same settings."""
    ours = NumpyBinaryMLP(batch_size=ours_batch_size, **params)
    theirs = MLPClassifier(batch_size=theirs_batch_size, **params)
    return ours, theirs


def _fit_job(estimator, X, y):
    return lambda: clone(estimator).fit(X, y)


def _jobs(ours, theirs, X, y):
    return _fit_job(ours, X, y), _fit_job(theirs, X, y)


def _w1_cases():
    X, y = make_xor(200, random_state=0)
    max_iter = 1000
    params = {
        "hidden_layer_sizes": (4,),
        "solver": "sgd",
        "learning_rate_init": 0.1,
        "momentum": 0.0,
        "alpha": 0.0,
        "max_iter": max_iter,
        "tol": 0.0,
        "n_iter_no_change": max_iter,
        "shuffle": False,
        "random_state": 0,
    }
    # Full batch: None for NumpyBinaryMLP, the sample count for MLPClassifier.
    ours, theirs = _pair(params, None, X.shape[0])
    return [Case("W1 tutorial fit", "float64", 0.4, *_jobs(ours, theirs, X, y))]


def _w2_cases(n_samples):
    X, y = make_classification(n_samples, 20, random_state=0)
    max_iter = 10
    params = {
        "hidden_layer_sizes": (64,),
        "solver": "adam",
        "max_iter": max_iter,
        "tol": 0.0,
        "n_iter_no_change": max_iter,
        "random_state": 0,
    }
    ours, theirs = _pair(params, 256, 256)
    return [
        Case("W2 tabular fit", "float64", 0.6, *_jobs(ours, theirs, X, y)),
        Case(
            "W2 tabular fit",
            "float32",
            0.45,
            *_jobs(ours, theirs, X.astype(np.float32), y),
        ),
    ]


def _w3_cases(n_samples):
    X, y = make_classification(n_samples, 20, random_state=0)
    params = {"hidden_layer_sizes": (64,), "max_iter": 20, "random_state": 0}
    ours, theirs = _pair(params, "auto", "auto")
    cases = []
    for dtype, target in [("float64", 0.7), ("float32", 0.4)]:
        X_typed = X.astype(dtype, copy=False)
        fit_X, fit_y = X_typed[:W3_FIT_SAMPLES], y[:W3_FIT_SAMPLES]
        fitted_ours = clone(ours).fit(fit_X, fit_y)
        fitted_theirs = clone(theirs).fit(fit_X, fit_y)
        cases.append(
            Case(
                "W3 predict_proba",
                dtype,
                target,
                lambda est=fitted_ours, X=X_typed: est.predict_proba(X),
                lambda est=fitted_theirs, X=X_typed: est.predict_proba(X),
            )
        )
    return cases


# ------------------------------------------------------------------- timing


def _timed(job):
    start = time.perf_counter()
    output = job()
    return time.perf_counter() - start, output


def _agreement(ours_output, theirs_output):
    """Largest difference between the loss curves, or the probabilities."""
    if hasattr(ours_output, "loss_curve_"):
        ours_output = ours_output.loss_curve_
        theirs_output = theirs_output.loss_curve_
    diff = np.asarray(ours_output, float) - np.asarray(theirs_output, float)
    return float(np.max(np.abs(diff)))


def _measure(case, repeats):
    """Time both jobs ``repeats`` times, interleaved, after one warm-up each."""
    case.ours()
    case.theirs()
    times = {"ours": [], "theirs": []}
    outputs = {}
    for repeat in range(repeats):
        order = ["ours", "theirs"] if repeat % 2 == 0 else ["theirs", "ours"]
        for name in order:
            seconds, outputs[name] = _timed(getattr(case, name))
            times[name].append(seconds)
    return Result(
        case,
        statistics.median(times["ours"]),
        statistics.median(times["theirs"]),
        _agreement(outputs["ours"], outputs["theirs"]),
    )


# ------------------------------------------------------------------ reports


def _print_environment():
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
        f"sklearn-binnet {sklearn_binnet.__version__} "
        f"({os.path.dirname(sklearn_binnet.__file__)})"
    )
    for pool in threadpool_info():
        print(
            f"{pool['user_api']}: {pool['internal_api']} {pool['version']}, "
            f"{pool['num_threads']} threads, "
            f"architecture {pool.get('architecture')}, "
            f"threading {pool.get('threading_layer')}"
        )
    blas_env = {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")}
    print(f"OPENBLAS_* environment: {blas_env or 'none'}")
    # Other processes on the machine distort the ratios, multi-threaded BLAS
    # calls most of all: report the load the run started under.
    if hasattr(os, "getloadavg"):
        print(f"load average (1 min) at start: {os.getloadavg()[0]:.2f}")


def _print_table(results):
    header = ["workload", "dtype", "ours (s)", "MLPClassifier (s)", "ratio"]
    header += ["target", "met"]
    rows = [
        [
            r.case.workload,
            r.case.dtype,
            f"{r.ours_s:.4f}",
            f"{r.theirs_s:.4f}",
            f"{r.ratio:.3f}",
            f"<= {r.case.target}",
            "yes" if r.ratio <= r.case.target else "no",
        ]
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))


def _print_agreement(results):
    print(
        "\nAgreement (max |ours - MLPClassifier|: loss_curve_ for fits, "
        "probabilities for predict_proba):"
    )
    for r in results:
        print(f"  {r.case.workload}, {r.case.dtype}: {r.agreement:.2e}")


# --------------------------------------------------------------------- main


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: smaller W2/W3 data and fewer repeats (targets are "
        "meant for the full sizes)",
    )
    parser.add_argument(
        "--repeats", type=int, default=None, help="timed runs per estimator"
    )
    args = parser.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def main(argv=None):
    args = _parse_args(argv)
    sizes = QUICK if args.quick else FULL
    repeats = args.repeats or sizes["repeats"]
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    _print_environment()
    print(
        f"mode {'quick' if args.quick else 'full'}: W2 {sizes['w2_samples']:,} "
        f"rows, W3 {sizes['w3_samples']:,} rows, median of {repeats} repeats"
        + (" (the targets are meant for the full run)" if args.quick else "")
        + "\n"
    )
    results = []
    for make_cases in [
        _w1_cases,
        lambda: _w2_cases(sizes["w2_samples"]),
        lambda: _w3_cases(sizes["w3_samples"]),
    ]:
        for case in make_cases():
            results.append(_measure(case, repeats))
    _print_table(results)
    _print_agreement(results)


if __name__ == "__main__":
    main()
