"""Activation functions, their derivatives, and logit-based losses.

Every function here is pure NumPy and works in the dtype it is given, so a
float32 network stays float32.  Activations and derivatives work in place, as
in scikit-learn's ``sklearn.neural_network._base``: the training loop owns the
buffers and these helpers only write into them.
"""

import functools

import numpy as np
from scipy.special import expit


def _identity(Z):
    """Leave ``Z`` unchanged: f(z) = z."""


def _logistic(Z):
    """Apply the logistic sigmoid in place: f(z) = 1 / (1 + exp(-z))."""
    expit(Z, out=Z)


def _tanh(Z):
    """Apply the hyperbolic tangent in place."""
    np.tanh(Z, out=Z)


@functools.lru_cache(maxsize=32)
def _zeros_row(width, dtype):
    """A read-only row of zeros, made once per width and dtype."""
    row = np.zeros(width, dtype=dtype)
    row.flags.writeable = False
    return row


def _relu(Z):
    """Apply the rectified linear unit in place: f(z) = max(z, 0)."""
    # Against a row of zeros rather than the scalar 0: NumPy's maximum is about
    # twice as fast on wide arrays when both operands are arrays.
    np.maximum(Z, _zeros_row(Z.shape[-1], Z.dtype), out=Z)


ACTIVATIONS = {
    "identity": _identity,
    "logistic": _logistic,
    "tanh": _tanh,
    "relu": _relu,
}


# Each derivative multiplies ``delta`` (dLoss/dA) in place by f'(z), written in
# terms of the activation A = f(z) so the pre-activation need not be kept.
def _identity_derivative(A, delta):
    """f'(z) = 1: ``delta`` is unchanged."""


def _logistic_derivative(A, delta):
    """f'(z) = A * (1 - A)."""
    delta *= A
    delta *= 1 - A


def _tanh_derivative(A, delta):
    """f'(z) = 1 - A**2."""
    delta *= 1 - A**2


def _relu_derivative(A, delta):
    """f'(z) = 1 where A > 0, else 0 (the subgradient 0 is taken at z = 0)."""
    # Multiplying by the mask is several times faster than assigning through
    # it (a boolean-mask scatter); delta * 0 may give -0.0, which sums alike.
    np.multiply(delta, A > 0, out=delta)


DERIVATIVES = {
    "identity": _identity_derivative,
    "logistic": _logistic_derivative,
    "tanh": _tanh_derivative,
    "relu": _relu_derivative,
}


def sigmoid(z, out=None):
    """Return the logistic sigmoid of ``z``, without overflow for any finite z.

    ``out``, when given, receives the result (a column of ``predict_proba``).
    """
    return expit(z, out=out)


def log_sigmoid(z):
    """Return ``log(sigmoid(z))``, finite for every finite ``z``.

    Computed as ``-softplus(-z)``; ``log(expit(z))`` would return ``-inf`` as
    soon as ``expit(z)`` underflows to zero (z below about -745 in float64).
    """
    return -softplus(-z)


def softplus(z):
    """Return ``log(1 + exp(z))`` without overflow.

    ``np.logaddexp(0, z)`` computes ``max(z, 0) + log1p(exp(-|z|))``: the
    exponent is never positive.
    """
    return np.logaddexp(0, z)


def binary_log_loss_from_logits(y, z, sample_weight=None):
    """Mean binary cross-entropy of labels ``y`` in {0, 1} given logits ``z``.

    The per-sample loss ``-y log(p) - (1 - y) log(1 - p)`` with ``p = sigmoid(z)``
    simplifies to ``softplus(z) - y * z``, which stays finite and exact for any
    finite logit (no clipping of ``p`` to ``eps``).

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Targets, 0 or 1.
    z : ndarray of shape (n_samples,)
        Logits.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights of the weighted mean; ``None`` weighs every sample by one.

    Returns
    -------
    loss : float
    """
    per_sample = softplus(z) - y * z
    return float(np.average(per_sample, weights=sample_weight))
