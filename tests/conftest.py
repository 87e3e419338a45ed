"""Shared test toolkit: floating-point error bounds for comparing two code paths.

Two different code paths (chunked vs one pass, gemm vs gemv, sparse vs dense,
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

import numpy as np
from numpy.testing import assert_array_less

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
