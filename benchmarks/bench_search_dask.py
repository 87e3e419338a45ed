"""Time of a grid search: in this process, in local worker processes, on dask.

Issue 7: ``GridSearchCV(..., n_jobs=-1)`` under ``joblib.parallel_backend("dask")``
runs its fits on the workers of a dask cluster. This script times the same
search, for each backend, three ways:

* ``sequential``: ``n_jobs=1``, every fit in this process;
* ``loky``: ``n_jobs=-1`` with joblib's default backend, one worker process
  per core on this machine (their start is in the time);
* ``dask``: ``n_jobs=-1`` under the dask backend, on a ``LocalCluster`` of
  one single-threaded worker process per core on the loopback interface. The
  cluster's start is reported apart (``setup s``): on a real cluster it is
  paid once for many searches.

The search runs twice in each subprocess: the first run (``1st s``) pays for
starting joblib's worker processes and for the imports in every worker; the
second (``2nd s``) finds them ready, as a search does on a running cluster.

Each measurement runs in a fresh subprocess, so that none reuses the worker
processes or the imports of another. On one machine the dask cluster does
what joblib's own processes do; the point of the dask backend is that the
same code runs on a cluster of many machines (``Client("tcp://...")``).

Run it from the repository root::

    .venv/bin/python benchmarks/bench_search_dask.py
    .venv/bin/python benchmarks/bench_search_dask.py --quick   # smoke run
"""

import argparse
import json
import os
import subprocess
import sys
import time
import warnings

MODES = ("sequential", "loky", "dask")


def _search(backend, n_jobs, max_iter):
    from sklearn.model_selection import GridSearchCV

    from sklearn_binnet import NumpyBinaryMLP, TorchBinaryMLP

    estimator_class = NumpyBinaryMLP if backend == "numpy" else TorchBinaryMLP
    grid = {
        "hidden_layer_sizes": [(16,), (32,), (64,)],
        "alpha": [1e-4, 1e-2],
        "learning_rate_init": [1e-3, 1e-2],
    }
    estimator = estimator_class(max_iter=max_iter, random_state=0)
    return GridSearchCV(estimator, grid, cv=3, n_jobs=n_jobs)


def _worker(backend, mode, n_samples, max_iter):
    import joblib
    from sklearn.datasets import make_classification
    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = make_classification(n_samples, 20, n_informative=8, random_state=0)
    setup, seconds = 0.0, []
    if mode == "dask":
        from dask.distributed import Client, LocalCluster

        start = time.perf_counter()
        cluster = LocalCluster(
            n_workers=os.cpu_count(),
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        client = Client(cluster)
        setup = time.perf_counter() - start
        for _ in range(2):
            start = time.perf_counter()
            with joblib.parallel_backend("dask"):
                search = _search(backend, -1, max_iter).fit(X, y)
            seconds.append(time.perf_counter() - start)
        client.close()
        cluster.close()
    else:
        n_jobs = 1 if mode == "sequential" else -1
        for _ in range(2):
            start = time.perf_counter()
            search = _search(backend, n_jobs, max_iter).fit(X, y)
            seconds.append(time.perf_counter() - start)
    print(
        json.dumps(
            {
                "setup": setup,
                "seconds": seconds,
                "best_score": float(search.best_score_),
                "n_fits": len(search.cv_results_["params"]) * 3,
            }
        )
    )


def _measure(backend, mode, args):
    command = [
        sys.executable,
        __file__,
        "--worker",
        backend,
        mode,
        "--samples",
        str(args.samples),
        "--max-iter",
        str(args.max_iter),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"{backend}/{mode} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--max-iter", type=int, default=30)
    parser.add_argument(
        "--backends", nargs="+", default=["numpy", "torch"], choices=["numpy", "torch"]
    )
    parser.add_argument("--quick", action="store_true", help="1,000 samples, 5 epochs")
    parser.add_argument(
        "--results", help="write the section 'search_dask' of this file"
    )
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.samples, args.max_iter = 1_000, 5
    if args.worker:
        _worker(*args.worker, args.samples, args.max_iter)
        return 0

    import dask
    import joblib
    from _bench_results import environment, print_environment, write_section

    env = environment()
    print_environment(env)

    print(
        f"GridSearchCV, 12 candidates x 3 folds, {args.samples:,} x 20 samples, "
        f"{args.max_iter} epochs; one thread per process (OMP_NUM_THREADS=1); "
        f"{os.cpu_count()} cores, joblib {joblib.__version__}, dask "
        f"{dask.__version__}, python {sys.version.split()[0]}"
    )
    columns = ("backend", "mode", "setup s", "1st s", "2nd s", "best score")
    header = "{:8} {:11} {:>8} {:>7} {:>7} {:>10}".format(*columns)
    print(header)
    print("-" * len(header))
    table = []
    for backend in args.backends:
        for mode in MODES:
            r = _measure(backend, mode, args)
            print(
                f"{backend:8} {mode:11} {r['setup']:8.1f} {r['seconds'][0]:7.1f} "
                f"{r['seconds'][1]:7.1f} {r['best_score']:10.4f}"
            )
            table.append({"backend": backend, "mode": mode, **r})
    if args.results:
        config = {
            "samples": args.samples,
            "features": 20,
            "max_iter": args.max_iter,
            "candidates": 12,
            "folds": 3,
        }
        section = {"environment": env, "config": config, "table": table}
        write_section(args.results, "search_dask", section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
