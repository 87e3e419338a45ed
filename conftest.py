"""Test session set-up shared by the doctests and ``tests/``."""

import os

# scikit-learn's array-API estimator check is skipped unless SciPy's array API
# support is switched on before SciPy is first imported: switch it on so that
# check_estimator runs every check this machine can run.
os.environ.setdefault("SCIPY_ARRAY_API", "1")
