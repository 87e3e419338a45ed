"""scikit-learn's estimator checks on every public estimator.

All 65 checks pass, with no expected failure, on ``NumpyBinaryMLP`` and on
``TorchBinaryMLP`` in float64.  ``TorchBinaryMLP`` in its default dtype,
float32, passes all of them but two: ``check_sample_weight_equivalence_on_
{dense,sparse}_data`` compare a fit with integer sample weights to a fit on
repeated rows to ``rtol=1e-7``, finer than float32 training rounds (the two
fits' probabilities differ by about 2e-7, relatively).  Those two run here at
float32's tolerance instead (``test_float32_sample_weight_equivalence``).
"""

import functools

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import (
    estimator_checks_generator,
    parametrize_with_checks,
)

from conftest import fit_atol
from sklearn_binnet import NumpyBinaryMLP, TorchBinaryMLP

# Small enough for the checks' many fits to take seconds, large enough to
# pass check_classifiers_train's accuracy bar.
SMALL_TORCH = dict(
    hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=100, random_state=0
)
FLOAT32_ROUNDING = {
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
}


# Every training option beyond MLPClassifier, turned on in one configuration.
# early_stopping stays off (partial_fit refuses it, and the checks' weighted
# fits cannot equal fits on repeated rows once a validation split is drawn),
# so ``scoring`` is checked as a parameter here; tests/test_validation_set.py
# trains with it.
NEW_OPTIONS = dict(
    scoring="loss",
    solver="adamw",
    weight_decay=0.01,
    learning_rate="cosine",
    warmup_fraction=0.1,
    label_smoothing=0.1,
    dropout=0.1,
)


def _estimators():
    return [
        NumpyBinaryMLP(max_iter=100, random_state=0),
        TorchBinaryMLP(**SMALL_TORCH, dtype="float64"),
    ]


@parametrize_with_checks(_estimators())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def _name(check):
    return (check.func if isinstance(check, functools.partial) else check).__name__


def _float32_checks():
    estimator = TorchBinaryMLP(**SMALL_TORCH)  # the default dtype, float32
    assert estimator.dtype == "float32"
    return [
        pytest.param(est, check, id=f"TorchBinaryMLP(float32)-{_name(check)}")
        for est, check in estimator_checks_generator(estimator, legacy=True)
        if _name(check) not in FLOAT32_ROUNDING
    ]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator, check", _float32_checks())
def test_sklearn_compatible_float32_torch(estimator, check):
    check(estimator)


def _new_options_checks():
    """Every check with every new option on; the two sample-weight
    equivalence checks without dropout, which cannot hold with it: a row of
    weight 2 gets one dropout mask, its two copies two independent ones."""
    params = []
    for options in (NEW_OPTIONS, {**NEW_OPTIONS, "dropout": 0.0}):
        for estimator in (
            NumpyBinaryMLP(max_iter=100, random_state=0, **options),
            TorchBinaryMLP(**SMALL_TORCH, dtype="float64", **options),
        ):
            for est, check in estimator_checks_generator(estimator, legacy=True):
                weight_check = _name(check) in FLOAT32_ROUNDING
                if weight_check == (options is not NEW_OPTIONS):
                    params.append(pytest.param(est, check, id=f"{est}-{_name(check)}"))
    return params


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("estimator, check", _new_options_checks())
def test_sklearn_compatible_new_options(estimator, check):
    check(estimator)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_float32_sample_weight_equivalence(sparse):
    """scikit-learn's check, at float32's tolerance: integer weights (zeros
    included) train like removed or repeated rows, up to float32 rounding."""
    import scipy.sparse as sp

    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    y = rng.randint(0, 2, size=15)
    sample_weight = rng.randint(0, 5, size=15)
    X_repeated, y_repeated = X.repeat(sample_weight, axis=0), y.repeat(sample_weight)
    order = rng.permutation(15)
    X_weighted, y_weighted = X[order], y[order]
    if sparse:
        X_weighted, X_repeated = sp.csr_matrix(X_weighted), sp.csr_matrix(X_repeated)
    estimator = TorchBinaryMLP(**SMALL_TORCH)
    weighted = clone(estimator).fit(
        X_weighted, y_weighted, sample_weight=sample_weight[order]
    )
    repeated = clone(estimator).fit(X_repeated, y_repeated)
    # Full batches: 100 steps of sums over up to len(y_repeated) rows.
    proba = repeated.predict_proba(X)
    atol = fit_atol([proba], np.float32, n_ops=len(y_repeated) * 100)
    np.testing.assert_allclose(weighted.predict_proba(X), proba, rtol=0, atol=atol)
    # And the weights matter: an unweighted fit is further away than that.
    unweighted = clone(estimator).fit(X_weighted, y_weighted)
    assert np.abs(unweighted.predict_proba(X) - proba).max() > 10 * atol
