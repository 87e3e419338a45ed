"""The NumPy optimizers take scikit-learn's steps, on one flat vector."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.neural_network._stochastic_optimizers import (
    AdamOptimizer as SkAdam,
)
from sklearn.neural_network._stochastic_optimizers import (
    SGDOptimizer as SkSGD,
)

from sklearn_binnet._optimizers import AdamOptimizer, SGDOptimizer


def _run(ours, theirs, steps=7):
    rng = np.random.RandomState(0)
    flat = rng.normal(size=10)
    parts = [flat[:6].copy(), flat[6:].copy()]
    for _ in range(steps):
        grad = rng.normal(size=10)
        ours.update_params(flat, grad)
        theirs.update_params(parts, [grad[:6], grad[6:]])
    return flat, np.concatenate(parts)


def _assert_same_steps(flat, reference):
    # The same formulas, written in another order: a few roundings of the
    # largest parameter per step (not a relative tolerance, as a parameter
    # can end near zero).
    atol = 7 * 8 * np.finfo(np.float64).eps * np.abs(reference).max()
    assert_allclose(flat, reference, rtol=0, atol=atol)


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
@pytest.mark.parametrize("nesterov", [True, False])
def test_sgd_matches_sklearn(momentum, nesterov):
    params = np.zeros(10)
    ours = SGDOptimizer(params, 0.1, "constant", momentum, nesterov, 0.5)
    theirs = SkSGD([params[:6], params[6:]], 0.1, "constant", momentum, nesterov, 0.5)
    flat, reference = _run(ours, theirs)
    _assert_same_steps(flat, reference)


def test_adam_matches_sklearn():
    params = np.zeros(10)
    ours = AdamOptimizer(params, 0.01, 0.9, 0.999, 1e-8)
    theirs = SkAdam([params[:6], params[6:]], 0.01, 0.9, 0.999, 1e-8)
    flat, reference = _run(ours, theirs)
    _assert_same_steps(flat, reference)


def test_invscaling_schedule():
    optimizer = SGDOptimizer(np.zeros(3), 0.2, "invscaling", 0.9, True, 0.5)
    optimizer.iteration_ends(time_step=99)
    assert optimizer.learning_rate == pytest.approx(0.2 / 10)


def test_adaptive_schedule_divides_by_five_then_stops():
    optimizer = SGDOptimizer(np.zeros(3), 1e-5, "adaptive", 0.9, True, 0.5)
    assert optimizer.trigger_stopping("no progress.", verbose=False) is False
    assert optimizer.learning_rate == pytest.approx(2e-6)
    assert optimizer.trigger_stopping("no progress.", verbose=False) is False
    assert optimizer.trigger_stopping("no progress.", verbose=False) is True


@pytest.mark.parametrize("schedule", ["constant", "invscaling"])
def test_non_adaptive_schedules_stop_at_once(schedule):
    optimizer = SGDOptimizer(np.zeros(3), 0.1, schedule, 0.9, True, 0.5)
    assert optimizer.trigger_stopping("no progress.", verbose=False) is True
    adam = AdamOptimizer(np.zeros(3), 0.1, 0.9, 0.999, 1e-8)
    assert adam.trigger_stopping("no progress.", verbose=False) is True


def test_float32_state_stays_float32():
    params = np.zeros(4, dtype=np.float32)
    adam = AdamOptimizer(params, 0.01, 0.9, 0.999, 1e-8)
    adam.update_params(params, np.ones(4, dtype=np.float32))
    assert params.dtype == adam.m.dtype == adam.v.dtype == np.float32
    assert np.all(params < 0)
