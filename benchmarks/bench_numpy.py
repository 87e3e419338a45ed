"""Time NumpyBinaryMLP against scikit-learn's MLPClassifier, as paired ratios.

Each workload runs both estimators with identical settings (same
hyper-parameters, same ``random_state``, hence the same initial weights). In
each repeat the two jobs run back to back, their order alternating, and the
repeat's ratio is ``NumpyBinaryMLP time / MLPClassifier time``; the table gives
the median ratio and its spread (min to max over the repeats), after one
untimed warm-up run of each job. Targets are those of issue 16; the floors,
those of issue 2 (see ``_bench_results.py`` for met / within noise / missed).

* W1, the tutorial's job: ``make_xor(200, random_state=0)``, hidden (4,),
  full-batch SGD (``batch_size=None`` here, ``200`` for MLPClassifier), learning
  rate 0.1, no momentum, no penalty, no shuffling, 1000 epochs, no early stop.
* W2, tabular training: ``make_classification`` 100,000 x 20, hidden (64,),
  Adam, batch 256, 10 epochs with no early stop, float64 and float32 input.
* W3, inference: ``predict_proba`` on 1,000,000 x 20 rows with a (64,)
  network fitted on the first 2,000 rows, float64 and float32.
* W4, a wide network near the GEMM limit: ``fit`` on 200,000 x 100 float32,
  hidden (256, 128), Adam, batch 1024, 1 epoch. The figure is the fit's
  FLOP/s, counted as ``3 * 2 * n * sum(fan_in * fan_out)`` (forward once,
  backward twice), as a fraction of this machine's float32 GEMM FLOP/s,
  measured in the same repeat (the best of 3 products of two 2048 x 2048
  float32 matrices). MLPClassifier's fraction is given too, and that of the
  fit's matrix products run alone, in their shapes (a ceiling: thin
  products of 1024 rows run below the square GEMM's speed).
* W5, a search: ``GridSearchCV`` with 5 folds and ``n_jobs=1`` over 12
  candidates (hidden (32,) or (64,), alpha 1e-4, 1e-3 or 1e-2,
  learning_rate_init 1e-3 or 3e-3, max_iter 100) on
  ``make_classification(5000, 20, random_state=0)``, against the same search
  over MLPClassifier. It is the longest job: 2 repeats and no warm-up.

Fit times include everything ``fit`` does (input validation, initialisation).
An agreement column gives the largest difference between the two estimators'
``loss_curve_`` (fits), probabilities (``predict_proba``) or best scores
(search): it confirms that both did the same job.

Run it from the repository root::

    make bench                                          # every benchmark
    .venv/bin/python benchmarks/bench_numpy.py          # this one, printed only
    .venv/bin/python benchmarks/bench_numpy.py --quick  # smoke run, seconds
    .venv/bin/python benchmarks/bench_numpy.py --only W1 W4 --results out.json

The default run takes about 3 minutes on two idle cores, two thirds of it W5.
"""

import argparse
import itertools
import warnings
from dataclasses import dataclass, field

import numpy as np
from _bench_results import (
    environment,
    paired_times,
    print_environment,
    print_target_rows,
    ratios,
    spread,
    target_rows,
    timed,
    write_section,
)
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from sklearn_binnet import NumpyBinaryMLP
from sklearn_binnet.datasets import make_xor

# Sizes of the full run and of the ``--quick`` smoke run.
FULL = {"w2": 100_000, "w3": 1_000_000, "w4": 200_000, "w5": 5_000, "repeats": 5}
QUICK = {"w2": 10_000, "w3": 100_000, "w4": 10_000, "w5": 500, "repeats": 2}
W3_FIT_SAMPLES = 2_000
GEMM_SIZE = 2048
W5_GRID = {
    "hidden_layer_sizes": [(32,), (64,)],
    "alpha": [1e-4, 1e-3, 1e-2],
    "learning_rate_init": [1e-3, 3e-3],
}


def _upper(value):
    return {"op": "<=", "value": value}


@dataclass
class Case:
    """One row: our job against a reference job, with its targets."""

    id: str
    workload: str
    target: float
    floor: float | None
    ours: object
    theirs: object
    repeats: int | None = None  # None: the run's default
    warm_up: bool = True
    extra: dict = field(default_factory=dict)


# ------------------------------------------------------------------ workloads


def _fit_jobs(params, X, y, ours_batch_size, theirs_batch_size):
    """Fit jobs of NumpyBinaryMLP and MLPClassifier with the same settings."""
    ours = NumpyBinaryMLP(batch_size=ours_batch_size, **params)
    theirs = MLPClassifier(batch_size=theirs_batch_size, **params)
    return (lambda: clone(ours).fit(X, y)), (lambda: clone(theirs).fit(X, y))


def _no_early_stop(max_iter):
    return {"max_iter": max_iter, "tol": 0.0, "n_iter_no_change": max_iter}


def _w1(sizes):
    X, y = make_xor(200, random_state=0)
    params = {
        "hidden_layer_sizes": (4,),
        "solver": "sgd",
        "learning_rate_init": 0.1,
        "momentum": 0.0,
        "alpha": 0.0,
        "shuffle": False,
        "random_state": 0,
        **_no_early_stop(1000),
    }
    # Full batch: None for NumpyBinaryMLP, the sample count for MLPClassifier.
    jobs = _fit_jobs(params, X, y, None, X.shape[0])
    # Each run lasts hundredths of a second: more repeats cost little.
    return [Case("W1", "tutorial fit, float64", 0.3, 0.4, *jobs, repeats=15)]


def _w2(sizes):
    X, y = make_classification(sizes["w2"], 20, random_state=0)
    params = {"hidden_layer_sizes": (64,), "random_state": 0, **_no_early_stop(10)}
    cases = []
    for dtype, target, floor in [("float64", 0.25, 0.6), ("float32", 0.18, 0.45)]:
        jobs = _fit_jobs(params, X.astype(dtype), y, 256, 256)
        cases.append(Case("W2", f"tabular fit, {dtype}", target, floor, *jobs))
    return cases


def _w3(sizes):
    X, y = make_classification(sizes["w3"], 20, random_state=0)
    params = {"hidden_layer_sizes": (64,), "max_iter": 20, "random_state": 0}
    cases = []
    for dtype, floor in [("float64", 0.7), ("float32", 0.4)]:
        X_typed = X.astype(dtype, copy=False)
        fit_X, fit_y = X_typed[:W3_FIT_SAMPLES], y[:W3_FIT_SAMPLES]
        ours = NumpyBinaryMLP(**params).fit(fit_X, fit_y)
        theirs = MLPClassifier(**params).fit(fit_X, fit_y)
        cases.append(
            Case(
                "W3",
                f"predict_proba {sizes['w3']:,} x 20, {dtype}",
                0.4,
                floor,
                lambda est=ours, X=X_typed: est.predict_proba(X),
                lambda est=theirs, X=X_typed: est.predict_proba(X),
            )
        )
    return cases


def _w4(sizes):
    X, y = make_classification(sizes["w4"], 100, random_state=0)
    X = X.astype(np.float32)
    hidden = (256, 128)
    params = {"hidden_layer_sizes": hidden, "random_state": 0, **_no_early_stop(1)}
    ours, theirs = _fit_jobs(params, X, y, 1024, 1024)
    fans = [X.shape[1], *hidden, 1]
    flops = 3 * 2 * X.shape[0] * sum(a * b for a, b in itertools.pairwise(fans))
    rng = np.random.default_rng(0)
    A = rng.standard_normal((GEMM_SIZE, GEMM_SIZE), dtype=np.float32)
    B = rng.standard_normal((GEMM_SIZE, GEMM_SIZE), dtype=np.float32)

    per_flop = []
    products = _w4_products(X.shape[0], fans, 1024)

    def gemm():
        # The machine's float32 GEMM speed in this round: the best of 3
        # products, in seconds per FLOP (a fit's FLOPs times it, over the fit's
        # time, is the fraction of GEMM speed the fit reached).
        best = min(timed(lambda: A @ B)[0] for _ in range(3))
        per_flop.append(best / (2 * GEMM_SIZE**3))

    return [
        Case(
            "W4",
            f"fit {sizes['w4']:,} x 100 float32, (256, 128), Adam, batch 1024, 1 epoch",
            None,
            None,
            ours,
            theirs,
            repeats=3,
            extra={
                "gemm": gemm,
                "flops": flops,
                "per_flop": per_flop,
                "products": products,
            },
        )
    ]


def _w4_products(n_samples, fans, batch_size):
    """The fit's matrix products alone, with no other work: W4's ceiling.

    Each batch of the fit multiplies, per layer, the activations by the
    weights (forward), the transposed activations by the errors (weight
    gradient) and, above the first layer, the errors by the transposed
    weights (error of the layer below): the FLOPs that W4 counts, in the
    shapes and layouts of ``NumpyBinaryMLP``'s backward pass, float32.
    """
    rng = np.random.default_rng(0)
    operands = []
    for fan_in, fan_out in itertools.pairwise(fans):
        A = rng.standard_normal((batch_size, fan_in), dtype=np.float32)
        W = rng.standard_normal((fan_in, fan_out), dtype=np.float32)
        D = rng.standard_normal((batch_size, fan_out), dtype=np.float32)
        operands.append((A, W, D))
    n_batches = -(-n_samples // batch_size)

    def products():
        for _ in range(n_batches):
            for layer, (A, W, D) in enumerate(operands):
                A @ W
                A.T @ D
                if layer:
                    D @ W.T

    return products


def _w5(sizes):
    X, y = make_classification(sizes["w5"], 20, random_state=0)
    jobs = []
    for estimator in (NumpyBinaryMLP, MLPClassifier):
        search = GridSearchCV(
            estimator(max_iter=100, random_state=0), W5_GRID, cv=5, n_jobs=1
        )
        jobs.append(lambda search=search: clone(search).fit(X, y))
    return [
        Case(
            "W5",
            f"GridSearchCV, 12 candidates x 5 folds, {sizes['w5']:,} x 20",
            0.2,
            None,
            *jobs,
            repeats=2,
            warm_up=False,
        )
    ]


WORKLOADS = {"W1": _w1, "W2": _w2, "W3": _w3, "W4": _w4, "W5": _w5}


# ------------------------------------------------------------------- timing


def _agreement(ours, theirs):
    """Largest difference between loss curves, probabilities or best scores."""
    if hasattr(ours, "best_score_"):
        return abs(ours.best_score_ - theirs.best_score_)
    if hasattr(ours, "loss_curve_"):
        ours, theirs = ours.loss_curve_, theirs.loss_curve_
    return float(np.max(np.abs(np.asarray(ours, float) - np.asarray(theirs, float))))


def _row(case, workload, reference, values, target, floor, unit="x", **more):
    return {
        "id": case.id,
        "workload": workload,
        "reference": reference,
        "unit": unit,
        "spread": spread(values),
        "target": target,
        "floor": floor,
        **more,
    }


def _measure(case, repeats):
    """Rows of ``case``: paired ratios of its jobs over ``repeats`` rounds."""
    repeats = min(repeats, case.repeats or repeats)
    jobs = {"ours": case.ours, "MLPClassifier": case.theirs}
    if "gemm" in case.extra:
        jobs["gemm"] = case.extra["gemm"]
        jobs["products"] = case.extra["products"]
    times, outputs = paired_times(jobs, repeats, warm_up=case.warm_up)
    agreement = _agreement(outputs["ours"], outputs["MLPClassifier"])
    medians = {name: float(np.median(t)) for name, t in times.items()}
    if "gemm" not in case.extra:
        values = ratios(times["ours"], times["MLPClassifier"])
        return [
            _row(
                case,
                case.workload,
                "MLPClassifier",
                values,
                _upper(case.target),
                case.floor and _upper(case.floor),
                ours_s=medians["ours"],
                reference_s=medians["MLPClassifier"],
                agreement=agreement,
            )
        ]
    # W4: the fraction of GEMM FLOP/s reached, paired within each round.
    flops = case.extra["flops"]
    per_flop = case.extra["per_flop"][-repeats:]  # the timed rounds' GEMMs
    rows = []
    labels = {
        "ours": "",
        "MLPClassifier": ", MLPClassifier",
        "products": ", its matrix products alone (ceiling)",
    }
    for name, target in (
        ("ours", {"op": ">=", "value": 0.65}),
        ("MLPClassifier", None),
        ("products", None),
    ):
        values = [flops * s / t for s, t in zip(per_flop, times[name])]
        label = case.workload + labels[name]
        rows.append(
            _row(
                case,
                label,
                f"float32 GEMM, {GEMM_SIZE}x{GEMM_SIZE}",
                values,
                target,
                None,
                unit="%",
                fit_s=medians[name],
                gemm_gflops=1e-9 / float(np.median(per_flop)),
                agreement=agreement,
            )
        )
    return rows


# --------------------------------------------------------------------- main


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: smaller data and fewer repeats (the targets are meant "
        "for the full sizes)",
    )
    parser.add_argument("--repeats", type=int, default=None, help="paired rounds")
    parser.add_argument("--only", nargs="+", choices=list(WORKLOADS))
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="BLAS threads (default: the library's own setting, one per core)",
    )
    parser.add_argument("--results", help="write the section 'numpy' of this file")
    args = parser.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def main(argv=None):
    args = _parse_args(argv)
    sizes = QUICK if args.quick else FULL
    repeats = args.repeats or sizes["repeats"]
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    env = environment()
    env["blas_threads_limit"] = args.threads
    print_environment(env)
    print(f"mode {'quick' if args.quick else 'full'}, at most {repeats} repeats\n")
    rows = []
    with threadpool_limits(limits=args.threads, user_api="blas"):
        for name in args.only or WORKLOADS:
            for case in WORKLOADS[name](sizes):
                rows.extend(_measure(case, repeats))
                print(f"{case.id} {case.workload}: done", flush=True)
    print()
    print_target_rows(target_rows({"numpy": {"rows": rows}}))
    if args.results:
        section = {"environment": env, "mode": "quick" if args.quick else "full"}
        write_section(args.results, "numpy", {**section, "rows": rows})


if __name__ == "__main__":
    main()
