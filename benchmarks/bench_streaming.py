"""Peak memory of out-of-core training with ``fit_stream``, against the data size.

Issue 7: training from the blocks of a dask array or from ``.npy`` files on
disk keeps memory bounded by a few blocks, whatever the size of the data. The
same data is trained on three ways, with the same estimator and epochs:

* ``in memory``: the whole float32 array in memory, ``est.fit(X, y)``, the
  reference (its peak holds the data itself, 1.0x);
* ``dask``: a dask array of random blocks (``da.random``), never held whole,
  through ``fit_stream(est, dask_chunks(X, y), ...)``, each block computed
  when it is reached;
* ``npy files``: one ``X_i.npy`` / ``y_i.npy`` pair per block, written
  beforehand, through ``fit_stream(est, [(X_path, y_path), ...], ...)``;
  each file is memory-mapped when its chunk is reached.

Each measurement runs in a fresh subprocess, so that one cannot inherit the
peak of another. The subprocess imports everything and trains a tiny model on
each path first (libraries, thread pools and allocator arenas set up), reads
its peak resident set size (``VmHWM`` in ``/proc/self/status``, else
``ru_maxrss``) as the baseline, then trains. Reported: the peak resident set
size above that baseline, in MB, as a multiple of the data size and as a
multiple of one block.

Run it from the repository root::

    .venv/bin/python benchmarks/bench_streaming.py                  # numpy backend
    .venv/bin/python benchmarks/bench_streaming.py --backends numpy torch
    .venv/bin/python benchmarks/bench_streaming.py --quick          # smoke run

The full run takes about a minute on two cores and needs the data size
(400 MB by default) in the temporary directory for the ``.npy`` files.
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

KINDS = ("in memory", "dask", "npy files")


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


def _estimator(backend, epochs):
    params = dict(
        hidden_layer_sizes=(16,), batch_size=1000, max_iter=epochs, random_state=0
    )
    if backend == "numpy":
        from sklearn_binnet import NumpyBinaryMLP

        return NumpyBinaryMLP(**params)
    from sklearn_binnet import TorchBinaryMLP

    return TorchBinaryMLP(dtype="float32", **params)


def _labels(X):
    return (X[:, 0] * X[:, 1] > 0).astype(np.int64)


def _dask_data(rows, features, block_rows):
    import dask.array as da

    X = da.random.default_rng(0).standard_normal(
        (rows, features), chunks=(block_rows, features), dtype=np.float32
    )
    return X, _labels(X)


def _npy_paths(directory, n_blocks):
    return [
        (os.path.join(directory, f"X_{i}.npy"), os.path.join(directory, f"y_{i}.npy"))
        for i in range(n_blocks)
    ]


def _write_npy_files(directory, rows, features, block_rows):
    """Write one X_i.npy / y_i.npy pair per block, one block in memory at a time."""
    rng = np.random.default_rng(0)
    n_blocks = -(-rows // block_rows)
    for i, (X_path, y_path) in enumerate(_npy_paths(directory, n_blocks)):
        size = min(block_rows, rows - i * block_rows)
        X = rng.standard_normal((size, features), dtype=np.float32)
        np.save(X_path, X)
        np.save(y_path, _labels(X))
    return n_blocks


def _train(backend, kind, rows, features, block_rows, epochs, directory):
    """Train once the ``kind`` way; return the seconds it took."""
    from sklearn_binnet import dask_chunks, fit_stream

    est = _estimator(backend, epochs)
    start = time.perf_counter()
    if kind == "in memory":
        X = np.random.default_rng(0).standard_normal((rows, features), np.float32)
        y = _labels(X)
        start = time.perf_counter()
        est.fit(X, y)
    elif kind == "dask":
        X, y = _dask_data(rows, features, block_rows)
        fit_stream(est, dask_chunks(X, y), classes=[0, 1], epochs=epochs)
    else:
        paths = _npy_paths(directory, -(-rows // block_rows))
        fit_stream(est, paths, classes=[0, 1], epochs=epochs)
    seconds = time.perf_counter() - start
    assert est.t_ == rows * epochs
    return seconds


def _worker(backend, kind, rows, features, block_rows, epochs, directory):
    """Measure one training run; print the figures as JSON on stdout."""
    from sklearn.exceptions import ConvergenceWarning

    warnings.simplefilter("ignore", ConvergenceWarning)
    # Warm-up: import and run the same code path once, on tiny data.
    with tempfile.TemporaryDirectory() as tiny:
        _write_npy_files(tiny, 2000, features, 1000)
        _train(backend, kind, 2000, features, 1000, 1, tiny)
    baseline = _peak_bytes()
    seconds = _train(backend, kind, rows, features, block_rows, epochs, directory)
    print(json.dumps({"baseline": baseline, "peak": _peak_bytes(), "seconds": seconds}))


def _measure(backend, kind, args, directory):
    command = [
        sys.executable,
        __file__,
        "--worker",
        backend,
        kind,
        "--rows",
        str(args.rows),
        "--features",
        str(args.features),
        "--block-rows",
        str(args.block_rows),
        "--epochs",
        str(args.epochs),
        "--path",
        directory,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{backend}/{kind} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--block-rows", type=int, default=50_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument(
        "--backends", nargs="+", default=["numpy"], choices=["numpy", "torch"]
    )
    parser.add_argument(
        "--quick", action="store_true", help="200,000 rows, one epoch: a smoke run"
    )
    parser.add_argument("--results", help="write the section 'streaming' of this file")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.epochs = 200_000, 1
    if args.worker:
        _worker(
            *args.worker,
            args.rows,
            args.features,
            args.block_rows,
            args.epochs,
            args.path,
        )
        return 0

    from _bench_results import environment, print_environment, write_section

    env = environment()
    print_environment(env)
    mb = 1e6
    data = args.rows * args.features * 4
    block = args.block_rows * args.features * 4
    n_blocks = -(-args.rows // args.block_rows)
    import dask

    print(
        f"float32 {args.rows:,} x {args.features} ({data / mb:,.0f} MB) in "
        f"{n_blocks} blocks of {args.block_rows:,} rows ({block / mb:,.0f} MB), "
        f"hidden (16,), batch 1000, {args.epochs} epoch(s); numpy "
        f"{np.__version__}, dask {dask.__version__}, python "
        f"{sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    header = (
        f"{'backend':8} {'input':10} {'peak MB':>8} {'peak/data':>9} "
        f"{'peak/block':>10} {'seconds':>8}"
    )
    print(header)
    print("-" * len(header))
    table = []
    with tempfile.TemporaryDirectory() as directory:
        _write_npy_files(directory, args.rows, args.features, args.block_rows)
        for backend in args.backends:
            for kind in KINDS:
                r = _measure(backend, kind, args, directory)
                peak = r["peak"] - r["baseline"]
                print(
                    f"{backend:8} {kind:10} {peak / mb:8.0f} {peak / data:8.2f}x "
                    f"{peak / block:9.1f}x {r['seconds']:8.1f}"
                )
                table.append(
                    {
                        "backend": backend,
                        "input": kind,
                        "peak_mb": peak / mb,
                        "peak_over_data": peak / data,
                        "peak_over_block": peak / block,
                        "seconds": r["seconds"],
                    }
                )
    if args.results:
        config = {
            "rows": args.rows,
            "features": args.features,
            "block_rows": args.block_rows,
            "blocks": n_blocks,
            "epochs": args.epochs,
            "data_mb": data / mb,
            "block_mb": block / mb,
        }
        section = {"environment": env, "config": config, "table": table}
        write_section(args.results, "streaming", section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
