"""Test session set-up shared by the doctests and ``tests/``."""

import os

# scikit-learn's array-API estimator check is skipped unless SciPy's array API
# support is switched on before SciPy is first imported: switch it on so that
# check_estimator runs every check this machine can run.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

# Plots in doctests and tests are drawn off-screen. The environment variable
# selects the Agg backend without importing matplotlib here, and subprocesses
# started by the tests inherit it.
os.environ.setdefault("MPLBACKEND", "Agg")

# The tests train tiny networks, for which one thread is fastest, and a second
# thread per process only competes with the other process (joblib workers,
# subprocesses) on a 2-core CI machine: one thread keeps test times stable.
# Set before NumPy's BLAS and PyTorch start their thread pools.
os.environ.setdefault("OMP_NUM_THREADS", "1")


def pytest_configure(config):
    # A ragged array silently made an object array is an error in the tests.
    # The warning moved to numpy.exceptions in NumPy 1.25 (and left the top
    # level in 2.0); `make test-min` runs NumPy 1.24, hence no fixed ini line.
    import numpy as np

    module = "numpy.exceptions" if hasattr(np, "exceptions") else "numpy"
    config.addinivalue_line(
        "filterwarnings", f"error::{module}.VisibleDeprecationWarning"
    )
