"""The shared test toolkit.

- Floating-point error bounds for comparing two code paths
  (``dot_error_bound``, ``mlp_logit_error_bound``, ``fit_atol``,
  ``assert_within_bound``, ``assert_close_fits``).
- Both backends: the ``backend`` and ``backend_dtype`` fixtures and
  ``make_estimator``.
- ``run_python``: a fresh interpreter with the repository on its path.
- ``raise_on_call``: make a method raise on its n-th call (interrupts).
- ``snapshot`` / ``assert_unchanged``: a fitted estimator is exactly what it
  was, and goes on training as it would have.

Numerics.  Two different code paths (chunked vs one pass, gemm vs gemv, sparse vs dense,
float32 vs float64, NumPy vs torch) round differently, and how they round
depends on the BLAS kernel (OpenBLAS picks SkylakeX, Haswell, ... at run
time).  A relative tolerance on a value near zero asks for more than floating
point gives, so these helpers compute the absolute error that floating point
*guarantees*: a dot product of ``n`` terms computed in any order, with or
without fused multiply-adds, is within ``n * u * sum(|terms|)`` of the exact
value, where ``u = eps / 2`` (Higham, *Accuracy and Stability of Numerical
Algorithms*, 2002, section 3.1).  Two such computations differ by at most
twice that, ``n * eps * sum(|terms|)``.
"""

import math
import numbers
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal, assert_array_less
from sklearn.exceptions import NotFittedError

REPO_ROOT = Path(__file__).resolve().parents[1]

# Lipschitz constants of the activations: how much an error in a
# pre-activation can grow through the activation.
_LIPSCHITZ = {"identity": 1.0, "relu": 1.0, "tanh": 1.0, "logistic": 0.25}


def dot_error_bound(abs_sum, n_terms, dtype=np.float64):
    """Largest difference between two roundings of the same dot products.

    Parameters
    ----------
    abs_sum : array-like
        ``sum(|terms|)`` of each dot product, e.g. ``abs(A) @ abs(B)``.
    n_terms : int
        Number of terms summed in each dot product (add one for a bias).
    dtype : dtype
        The dtype the dot products are computed in.
    """
    return n_terms * np.finfo(dtype).eps * np.asarray(abs_sum, dtype=np.float64)


def mlp_logit_error_bound(X, coefs, intercepts, activation="relu", dtype=None):
    """Elementwise bound on how far two forward passes' logits can differ.

    Both passes evaluate the same network on ``X`` in ``dtype``, each with its
    own summation order.  The bound propagates layer by layer: the new
    rounding of each layer's products (``dot_error_bound``) plus the error
    carried in from the layer below, amplified by ``|W|`` and the activation's
    Lipschitz constant.  The activations themselves (``np.tanh``, ``expit``)
    are correctly rounded to within a few ulps, counted as ``4 * eps * |h|``.

    Returns the bound for each logit, shape ``(n_samples,)`` for one output.
    """
    dtype = np.dtype(dtype or coefs[0].dtype)
    eps = np.finfo(dtype).eps
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=np.float64)
    h, err = X, np.zeros_like(X)
    # The input itself may have been rounded once to dtype.
    if dtype != np.float64:
        err = eps * np.abs(X)
    n_layers = len(coefs)
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        W = np.asarray(W, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        z = h @ W + b
        abs_terms = np.abs(h) @ np.abs(W) + np.abs(b)
        err = err @ np.abs(W) + dot_error_bound(abs_terms, W.shape[0] + 1, dtype)
        if i < n_layers - 1:
            h = z.copy()
            _apply(activation, h)
            err = _LIPSCHITZ[activation] * err + 4 * eps * np.abs(h)
        else:
            h = z
    # Factor 2 covers the second-order terms the propagation above neglects
    # (the error of the error), which are smaller by a factor of order eps.
    return 2 * err[:, 0] if err.shape[1] == 1 else 2 * err


def _apply(activation, Z):
    from sklearn_binnet._activations import ACTIVATIONS

    ACTIVATIONS[activation](Z)


def assert_within_bound(actual, desired, bound, err_msg=""):
    """Assert ``|actual - desired| <= bound`` elementwise, with a clear report."""
    actual = np.asarray(actual, dtype=np.float64)
    desired = np.asarray(desired, dtype=np.float64)
    diff = np.abs(actual - desired)
    bound = np.broadcast_to(np.asarray(bound, dtype=np.float64), diff.shape)
    # Equality is always within the bound, even where the bound is 0.
    assert_array_less(
        diff - bound,
        np.finfo(np.float64).tiny,
        err_msg=err_msg
        or f"max |difference| {diff.max():.3g}, bound there {bound[diff.argmax()]:.3g}",
    )


def fit_atol(reference, dtype, n_ops):
    """Absolute tolerance for a fitted quantity computed by two code paths.

    ``n_ops * eps * scale``, where ``scale`` is the largest magnitude in
    ``reference`` (at least 1, since losses and weights are of order 1 in these
    tests): one value of the array sets the scale, so that entries near zero
    get the same absolute tolerance as the others.  ``n_ops`` counts the
    rounding steps that can accumulate: terms per dot product times optimizer
    steps.  Unlike ``mlp_logit_error_bound`` this is not a guarantee, since
    training can amplify rounding; the fits compared are short and smooth.
    """
    scale = max(1.0, max(float(np.max(np.abs(r), initial=0)) for r in reference))
    return n_ops * np.finfo(dtype).eps * scale


def assert_close_fits(a, b, dtype, n_ops):
    """Two fits by different code paths agree within ``fit_atol``.

    Compares the loss curves, then every weight array, each with its own scale.
    """
    pairs = [(np.asarray(a.loss_curve_), np.asarray(b.loss_curve_), "loss_curve_")]
    for i, (wa, wb) in enumerate(
        zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True)
    ):
        pairs.append((wa, wb, f"weights[{i}]"))
    for actual, desired, name in pairs:
        assert actual.shape == desired.shape, name
        atol = fit_atol([desired], dtype, n_ops)
        np.testing.assert_allclose(actual, desired, rtol=0, atol=atol, err_msg=name)


# ------------------------------------------------------------------ backends

_CLASS_NAMES = {"numpy": "NumpyBinaryMLP", "torch": "TorchBinaryMLP"}
BACKEND_NAMES = list(_CLASS_NAMES)
DTYPES = ["float32", "float64"]


def estimator_class(backend):
    """The estimator class of ``backend`` (torch imported only when asked)."""
    import sklearn_binnet

    return getattr(sklearn_binnet, _CLASS_NAMES[backend])


def make_estimator(backend, dtype=None, **params):
    """A small, quick estimator of ``backend``; ``params`` override the defaults.

    ``dtype`` sets the torch training dtype; a NumPy estimator trains in the
    dtype of its X, which the test casts (``backend_dtype.cast``).
    """
    defaults = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    if backend == "torch" and dtype is not None:
        defaults["dtype"] = np.dtype(dtype).name
    return estimator_class(backend)(**{**defaults, **params})


@pytest.fixture(params=BACKEND_NAMES)
def backend(request):
    """Each backend by name: ``"numpy"`` and ``"torch"``."""
    return request.param


class BackendDtype:
    """One backend trained in one dtype: ``make(**params)`` and ``cast(X)``."""

    def __init__(self, backend, dtype):
        self.backend, self.dtype = backend, np.dtype(dtype)

    def make(self, **params):
        return make_estimator(self.backend, self.dtype, **params)

    def cast(self, X):
        return X.astype(self.dtype)

    def __repr__(self):
        return f"{self.backend}-{self.dtype.name}"


@pytest.fixture(
    params=[(b, d) for b in BACKEND_NAMES for d in DTYPES],
    ids=[f"{b}-{d}" for b in BACKEND_NAMES for d in DTYPES],
)
def backend_dtype(request):
    """Each backend in each training dtype (float32 and float64)."""
    return BackendDtype(*request.param)


# ---------------------------------------------------------------- processes

# Prepended to the code of ``run_python(..., block=...)``: importing a blocked
# package then fails as if it were not installed.  A finder rather than
# ``sys.modules[name] = None``, which SciPy's array-API helpers trip over.
_BLOCK_IMPORTS = """\
import sys


class _NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, _NotInstalled())
"""


def run_python(
    code=None,
    *,
    args=(),
    cwd=None,
    env=None,
    block=(),
    stdin=None,
    timeout=120,
    check=True,
):
    """Run Python code (or a script: ``args``) in a fresh interpreter.

    The repository is on ``PYTHONPATH``; ``env`` adds or overrides variables;
    ``block`` names top-level packages that must fail to import there.  With
    ``check`` (default), a non-zero exit fails the test with the output.
    Returns the ``subprocess.CompletedProcess`` (text mode).
    """
    command = [sys.executable]
    if code is not None:
        code = textwrap.dedent(code)
        if block:
            code = _BLOCK_IMPORTS.format(blocked=tuple(block)) + code
        command += ["-c", code]
    command += [str(arg) for arg in args]
    path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": path, **(env or {})},
        timeout=timeout,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


# -------------------------------------------------------------- interrupts


def raise_on_call(monkeypatch, owner, name, at, exception=KeyboardInterrupt):
    """Make the method ``owner.name`` raise ``exception`` on its ``at``-th call.

    Earlier calls run the original.  Returns the list of calls made so far
    (one entry per call), so a test can check that the ``at``-th was reached.
    """
    original = getattr(owner, name)
    calls = []

    def patched(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == at:
            raise exception
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, patched)
    return calls


# ------------------------------------------------------- unchanged models


def snapshot(est):
    """The whole estimator as bytes: equal bytes, same model and optimizer."""
    return pickle.dumps(est)


def assert_unfitted(est, X):
    """``est`` is not fitted: predict raises, and it has no fitted attribute."""
    with pytest.raises(NotFittedError):
        est.predict(X)
    assert not [
        name for name in vars(est) if name.endswith("_") and not name.startswith("_")
    ]


def assert_unchanged(est, state, X, y=None):
    """``est`` is exactly what it was when ``snapshot`` returned ``state``.

    Same bytes (every attribute, the optimizer's state included: where they
    differ, the first differing attribute is named), the same predictions,
    finite weights; and with ``y``, training goes on from the same state: one
    more ``partial_fit`` of both gives bitwise equal weights (the same code
    path on the same input in one process).
    """
    before = pickle.loads(state)
    if snapshot(est) != state:
        _assert_equal_recursive(vars(est), vars(before), type(est).__name__)
        raise AssertionError("the estimator's pickled bytes changed")
    assert_array_equal(est.predict_proba(X), before.predict_proba(X))
    assert all(np.isfinite(w).all() for w in est.coefs_ + est.intercepts_)
    if y is None:
        return
    for model in (est, before):  # partial_fit refuses early stopping
        model.set_params(early_stopping=False).partial_fit(X, y)
    for wa, wb in zip(
        est.coefs_ + est.intercepts_, before.coefs_ + before.intercepts_, strict=True
    ):
        assert wa.dtype == wb.dtype
        assert_array_equal(wa, wb)
    assert est.loss_curve_ == before.loss_curve_


def _assert_equal_recursive(a, b, path):
    """Name the first attribute where ``a`` and ``b`` differ."""
    if type(a).__module__.startswith("torch"):
        import torch

        if isinstance(a, torch.Tensor):
            assert isinstance(b, torch.Tensor) and torch.equal(a, b), path
            return
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), path
        assert a.dtype == b.dtype, path
        assert_array_equal(a, b, err_msg=path)
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (u, v) in enumerate(zip(a, b)):
            _assert_equal_recursive(u, v, f"{path}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            _assert_equal_recursive(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, numbers.Real) and not isinstance(a, bool):
        assert isinstance(b, numbers.Real), path
        assert a == b or (math.isnan(a) and math.isnan(b)), path
    elif hasattr(a, "__dict__") and not isinstance(a, type):
        assert type(a) is type(b), path
        _assert_equal_recursive(vars(a), vars(b), f"{path}.__dict__")
    elif not callable(a):
        assert a == b, path
