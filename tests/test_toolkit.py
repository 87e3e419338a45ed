"""The shared toolkit of conftest.py can fail: each check catches what it is for."""

import numpy as np
import pytest

from conftest import (
    assert_unchanged,
    assert_within_bound,
    make_estimator,
    mlp_logit_error_bound,
    raise_on_call,
    run_python,
    snapshot,
)
from sklearn_binnet.datasets import make_xor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture
def fitted():
    X, y = make_xor(60, random_state=0)
    return make_estimator("numpy").fit(X, y), X, y


def test_assert_unchanged_passes_on_an_untouched_model(fitted):
    est, X, y = fitted
    assert_unchanged(est, snapshot(est), X, y)


def test_assert_unchanged_sees_a_one_ulp_change(fitted):
    est, X, _ = fitted
    state = snapshot(est)
    est.coefs_[0][0, 0] = np.nextafter(est.coefs_[0][0, 0], np.inf)
    with pytest.raises(AssertionError, match=r"coefs_'\]\[0\]"):
        assert_unchanged(est, state, X)


def test_assert_unchanged_sees_a_changed_optimizer(fitted):
    est, X, _ = fitted
    state = snapshot(est)
    est._optimizer.t += 1
    with pytest.raises(AssertionError, match="_optimizer"):
        assert_unchanged(est, state, X)


def test_logit_bound_is_far_below_a_real_difference(fitted):
    """The bound is of the order of eps, so a change of 1e-9 in one weight
    (a bug's size or much less) is outside it."""
    est, X, _ = fitted
    logits = est.decision_function(X)
    bound = mlp_logit_error_bound(X, est.coefs_, est.intercepts_, est.activation)
    assert np.all(bound < 1e-12)
    assert_within_bound(logits, logits, bound)
    with pytest.raises(AssertionError):
        assert_within_bound(logits + 1e-9, logits, bound)


def test_raise_on_call_raises_at_the_nth_call():
    class Counter:
        def step(self):
            return "ran"

    with pytest.MonkeyPatch.context() as patch:
        calls = raise_on_call(patch, Counter, "step", 2, RuntimeError("second"))
        assert Counter().step() == "ran"
        with pytest.raises(RuntimeError, match="second"):
            Counter().step()
        assert len(calls) == 2
    assert Counter().step() == "ran"  # restored


def test_run_python_blocks_imports_and_reports_failures():
    result = run_python("import torch", block=["torch"], check=False)
    assert result.returncode != 0
    assert "No module named 'torch'" in result.stderr
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        run_python("1 / 0")
