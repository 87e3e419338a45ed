"""Activations, derivatives and the logit-based loss helpers."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.metrics import log_loss

from sklearn_binnet._activations import (
    ACTIVATIONS,
    DERIVATIVES,
    binary_log_loss_from_logits,
    log_sigmoid,
    sigmoid,
    softplus,
)

REFERENCE = {
    "identity": lambda z: z,
    "logistic": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_in_place_matches_formula(name, dtype):
    z = np.linspace(-4, 4, 41).astype(dtype)
    out = z.copy()
    ACTIVATIONS[name](out)
    assert out.dtype == dtype
    assert_allclose(out, REFERENCE[name](z.astype(np.float64)), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(DERIVATIVES))
def test_derivative_matches_central_differences(name):
    # Avoid the ReLU kink at 0, where the derivative is a subgradient choice.
    z = np.linspace(-3, 3, 40) + 0.0125
    step = 1e-6
    numeric = (REFERENCE[name](z + step) - REFERENCE[name](z - step)) / (2 * step)
    activated = z.copy()
    ACTIVATIONS[name](activated)
    delta = np.ones_like(z)
    DERIVATIVES[name](activated, delta)
    assert_allclose(delta, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_stay_finite_and_exact(dtype):
    z = np.array([-1e4, -1e3, -50.0, 0.0, 50.0, 1e3, 1e4], dtype=dtype)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        p = sigmoid(z)
        log_p = log_sigmoid(z)
        log_q = log_sigmoid(-z)
        sp = softplus(z)
    assert np.all((p >= 0) & (p <= 1))
    assert np.all(np.isfinite(log_p)) and np.all(np.isfinite(log_q))
    # log(sigmoid(z)) ~ z for very negative z: no clipping to log(eps).
    assert log_p[0] == pytest.approx(-1e4, rel=1e-6)
    assert softplus(np.array([1e4]))[0] == pytest.approx(1e4)
    assert sp[3] == pytest.approx(np.log(2))


def test_cross_entropy_matches_sklearn_log_loss_where_both_are_exact():
    rng = np.random.RandomState(0)
    z = rng.normal(scale=3, size=100)
    y = (rng.uniform(size=100) > 0.5).astype(float)
    w = rng.uniform(0.1, 2, size=100)
    p = 1 / (1 + np.exp(-z))
    assert binary_log_loss_from_logits(y, z) == pytest.approx(log_loss(y, p))
    assert binary_log_loss_from_logits(y, z, w) == pytest.approx(
        log_loss(y, p, sample_weight=w)
    )


def test_confidently_wrong_sample_has_large_finite_loss():
    loss = binary_log_loss_from_logits(np.array([1.0]), np.array([-800.0]))
    assert loss == pytest.approx(800.0)
