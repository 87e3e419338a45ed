"""Peak memory of a fit on a large float32 array, as a multiple of its size.

The target of issue 6: fitting on a C-contiguous float32 array of
2,000,000 x 50 (400 MB) peaks below 1.3 times the array's size above the
baseline, i.e. no hidden float64 copy of the data and no copy of it per
epoch. A read-only ``np.memmap`` of the same data must work as well.
M1, the target of issue 16: the same fit with ``early_stopping=True`` (10% of
the rows held out for validation) peaks at most 1.15 times the data.

Each measurement runs in a fresh subprocess, so that one cannot inherit the
peak of another. The subprocess imports everything and fits a tiny model first
(so that libraries, thread pools and allocator arenas are set up), reads its
peak resident set size (``VmHWM`` in ``/proc/self/status``, else
``ru_maxrss``) as the baseline, then makes the data and fits. Reported per
backend and input:

* ``peak``: the peak resident set size above the baseline, in MB and as a
  multiple of the array's size. The data itself is in it (1.0x for an array in
  memory; for a memory map, the pages of the file read into memory), so the
  target is ``peak / data < 1.3``.
* ``fit extra``: the peak above the resident size just before ``fit``: what
  the fit itself allocated at its worst.

Run it from the repository root::

    .venv/bin/python benchmarks/bench_memory.py                 # both backends
    .venv/bin/python benchmarks/bench_memory.py --backends numpy
    .venv/bin/python benchmarks/bench_memory.py --quick         # smoke run

The network is small (one hidden layer of 16 units, batches of 1,000 rows, 2
epochs): its own memory is negligible, so the figures are the data handling's.
The full run takes one to two minutes on two cores and needs 400 MB of space
in the temporary directory for the memory map.

With ``--results PATH``, the figures are written to the section ``memory``
of that JSON file (``make bench``), from which the docs render them. Each
figure is one measurement (no spread: peak memory hardly varies from run to
run).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

TARGET = 1.3


def _status_kb(field):
    """Return a ``/proc/self/status`` field in kB, or None where there is none."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _peak_bytes():
    peak = _status_kb("VmHWM")
    if peak is None:  # not Linux: ru_maxrss is in kB on Linux, bytes on macOS
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024
    return peak * 1024


def _current_bytes():
    current = _status_kb("VmRSS")
    return None if current is None else current * 1024


KINDS = ("array", "memmap", "early stopping")


def _estimator(backend, epochs, early_stopping=False):
    params = dict(
        hidden_layer_sizes=(16,),
        batch_size=1000,
        max_iter=epochs,
        random_state=0,
        early_stopping=early_stopping,
    )
    if backend == "numpy":
        from sklearn_binnet import NumpyBinaryMLP

        return NumpyBinaryMLP(**params)
    from sklearn_binnet import TorchBinaryMLP

    return TorchBinaryMLP(dtype="float32", **params)


def _labels(X):
    # A label from the data, computed in blocks: no temporary of X's size.
    y = np.empty(X.shape[0], dtype=np.int64)
    for start in range(0, X.shape[0], 100_000):
        block = X[start : start + 100_000]
        y[start : start + 100_000] = block[:, 0] * block[:, 1] > 0
    return y


def _worker(backend, kind, rows, features, epochs, path):
    """Measure one fit; print the figures as JSON on stdout."""
    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    rng = np.random.default_rng(0)
    # Warm-up: import and run every code path once, on tiny data.
    X_small = rng.standard_normal((2048, features), dtype=np.float32)
    _estimator(backend, 1).fit(X_small, _labels(X_small))
    baseline = _peak_bytes()

    if kind != "memmap":
        X = rng.standard_normal((rows, features), dtype=np.float32)
    else:
        X = np.memmap(path, dtype=np.float32, mode="r", shape=(rows, features))
    y = _labels(X)
    assert X.flags.c_contiguous and X.dtype == np.float32
    before_fit = max(_current_bytes() or 0, 0)
    start = time.perf_counter()
    est = _estimator(backend, epochs, kind == "early stopping").fit(X, y)
    fit_seconds = time.perf_counter() - start
    peak = _peak_bytes()
    assert est.n_iter_ == epochs
    print(
        json.dumps(
            {
                "baseline": baseline,
                "before_fit": before_fit,
                "peak": peak,
                "data": X.nbytes,
                "fit_seconds": fit_seconds,
            }
        )
    )


def _write_memmap(path, rows, features):
    """Write the data file of the memory map in blocks (no 400 MB temporary)."""
    rng = np.random.default_rng(0)
    out = np.memmap(path, dtype=np.float32, mode="w+", shape=(rows, features))
    for start in range(0, rows, 100_000):
        stop = min(start + 100_000, rows)
        out[start:stop] = rng.standard_normal((stop - start, features), np.float32)
    out.flush()
    del out


def _measure(backend, kind, args, path):
    command = [
        sys.executable,
        __file__,
        "--worker",
        backend,
        kind.replace(" ", "_"),
        "--rows",
        str(args.rows),
        "--features",
        str(args.features),
        "--epochs",
        str(args.epochs),
        "--path",
        path,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{backend}/{kind} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument(
        "--backends", nargs="+", default=["numpy", "torch"], choices=["numpy", "torch"]
    )
    parser.add_argument(
        "--quick", action="store_true", help="200,000 rows, one epoch: a smoke run"
    )
    parser.add_argument("--results", help="write the section 'memory' of this file")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.epochs = 200_000, 1
    if args.worker:
        backend, kind = args.worker
        kind = kind.replace("_", " ")
        _worker(backend, kind, args.rows, args.features, args.epochs, args.path)
        return 0

    from _bench_results import (
        environment,
        print_environment,
        print_target_rows,
        spread,
        target_rows,
        write_section,
    )

    env = environment()
    print_environment(env)
    mb = 1e6
    config = (
        f"fit on float32 {args.rows:,} x {args.features} "
        f"({args.rows * args.features * 4 / mb:,.0f} MB), hidden (16,), batches of "
        f"1,000, {args.epochs} epoch(s)"
    )
    print(config)
    header = (
        f"{'backend':8} {'input':15} {'data MB':>8} {'peak MB':>8} "
        f"{'peak/data':>9} {'fit extra MB':>12} {'fit s':>6}"
    )
    print(header)
    print("-" * len(header))
    measurements, rows = [], []
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "X.f32")
        _write_memmap(path, args.rows, args.features)
        for backend in args.backends:
            for kind in KINDS:
                r = _measure(backend, kind, args, path)
                peak = r["peak"] - r["baseline"]
                extra = r["peak"] - max(r["before_fit"], r["baseline"])
                measurements.append(
                    {
                        "backend": backend,
                        "input": kind,
                        "data_mb": r["data"] / mb,
                        "peak_mb": peak / mb,
                        "peak_over_data": peak / r["data"],
                        "fit_extra_mb": extra / mb,
                        "fit_s": r["fit_seconds"],
                    }
                )
                print(
                    f"{backend:8} {kind:15} {r['data'] / mb:8.0f} {peak / mb:8.0f} "
                    f"{peak / r['data']:8.2f}x {extra / mb:12.0f} "
                    f"{r['fit_seconds']:6.1f}"
                )
                target, floor = _targets(kind)
                rows.append(
                    {
                        "id": "M1" if kind == "early stopping" else "M0",
                        "workload": f"fit peak memory, {backend}, {kind}",
                        "reference": "data size",
                        "unit": "x",
                        "spread": spread([peak / r["data"]]),
                        "target": target,
                        "floor": floor,
                    }
                )
    print()
    print_target_rows(target_rows({"memory": {"rows": rows}}))
    if args.results:
        section = {"environment": env, "config": config, "rows": rows}
        write_section(args.results, "memory", {**section, "table": measurements})
    return 0


def _targets(kind):
    """Targets of a row: M1 (issue 16) with early stopping, else issue 6's."""
    if kind == "early stopping":
        return {"op": "<=", "value": 1.15}, None
    return {"op": "<=", "value": TARGET}, None


if __name__ == "__main__":
    sys.exit(main())
