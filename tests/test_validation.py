"""Bad input gets a clear error and changes nothing, on both backends.

Every case of the user guide's list of refused input is checked for the
exception type and for a message that names the problem.  Every error raised
by an estimator that was already fitted is also checked to leave that fitted
model exactly as it was (``assert_unchanged`` of ``conftest.py``: same
pickled state, optimizer included, same predictions, and the same result
when training continues).

All input is validated in the base class before any backend code runs, so
each kind of check (array, labels, sample weights, hyper-parameters, feature
names) is exercised on both backends once, through every public entry point,
rather than every bad value through every entry point.  Interrupted and
diverging fits are tested in ``test_reliability.py``.
"""

import pickle

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from conftest import (
    assert_unchanged,
    assert_unfitted,
    make_estimator,
    snapshot,
)
from sklearn_binnet.datasets import make_xor

# Short fits on purpose: the convergence warning is not what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

PREDICT_METHODS = ["predict", "predict_proba", "predict_log_proba", "decision_function"]


def _data(n_samples=60):
    return make_xor(n_samples, random_state=0)


_FITTED = {}


def _fitted(backend, *, frame=False, partial=False, **params):
    """A fresh copy of a model fitted once per set-up (torch fits are slow)."""
    key = (backend, frame, partial, tuple(sorted(params.items())))
    if key not in _FITTED:
        X, y = _data()
        est = make_estimator(backend, **params)
        X = _frame(X) if frame else X
        if partial:
            est.partial_fit(X, y, classes=[0, 1])
        else:
            est.fit(X, y)
        _FITTED[key] = snapshot(est)
    return pickle.loads(_FITTED[key])


def _frame(X, columns=("a", "b")):
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(X, columns=list(columns))


# -------------------------------------------------------- bad input to fit


def _nan_in_X(X, y):
    X = X.copy()
    X[3, 1] = np.nan
    return X, y


def _inf_in_X(X, y):
    X = X.copy()
    X[3, 1] = np.inf
    return X, y


def _strings_in_X(X, y):
    X = X.astype(object)
    X[3, 1] = "a"
    return X, y


def _three_classes(X, y):
    y = y.copy()
    y[:5] = 2
    return X, y


BAD_FIT_DATA = {
    # name: (make X, y from good data, match)
    "nan_in_X": (_nan_in_X, "Input X contains NaN"),
    "inf_in_X": (_inf_in_X, "Input X contains infinity"),
    "empty_X": (lambda X, y: (X[:0], y[:0]), "0 sample"),
    "1d_X": (lambda X, y: (X[:, 0], y), "Expected 2D array, got 1D array"),
    "3d_X": (lambda X, y: (X[:, :, None], y), "dim 3"),
    "complex_X": (lambda X, y: (X.astype(complex), y), "Complex data not supported"),
    "strings_in_X": (_strings_in_X, "could not convert string to float"),
    "one_class": (lambda X, y: (X, np.zeros_like(y)), "only one class"),
    "three_classes": (
        _three_classes,
        r"Only binary classification is supported\.(.|\n)*3 classes",
    ),
    "continuous_y": (
        lambda X, y: (X, y + np.linspace(0, 0.5, y.size)),
        "Unknown label type",
    ),
    "inconsistent_lengths": (
        lambda X, y: (X, y[:-1]),
        "inconsistent numbers of samples",
    ),
}


@pytest.mark.parametrize("case", BAD_FIT_DATA)
def test_fit_rejects_bad_data_and_stays_unfitted(backend, case):
    """fit raises ValueError naming the problem; the estimator stays unfitted."""
    make_bad, match = BAD_FIT_DATA[case]
    X, y = make_bad(*_data())
    est = make_estimator(backend)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)
    assert_unfitted(est, _data()[0])


# One case per check: the array (check_array), the length check, the label
# checks (type, one class, too many classes).
REFIT_CASES = ["nan_in_X", "inconsistent_lengths", "continuous_y", "one_class"]


@pytest.mark.parametrize("case", [*REFIT_CASES, "three_classes"])
@pytest.mark.parametrize("method", ["fit", "warm_start_fit"])
def test_failed_refit_on_bad_data_leaves_fitted_model_unchanged(backend, case, method):
    """A failed (warm-start) refit leaves the fitted model exactly as it was."""
    make_bad, match = BAD_FIT_DATA[case]
    if method == "warm_start_fit" and case == "three_classes":
        # Like MLPClassifier, a warm start refuses labels unseen by the first fit.
        match = r"y has classes .*2.* not in classes_"
    X_good, y_good = _data()
    est = _fitted(backend, warm_start=method == "warm_start_fit")
    state = snapshot(est)
    X, y = make_bad(*_data())
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)
    assert_unchanged(est, state, X_good, y_good)


@pytest.mark.parametrize("case", ["nan_in_X", "continuous_y", "three_classes"])
def test_failed_partial_fit_on_bad_data_leaves_model_unchanged(backend, case):
    """partial_fit validates like fit and leaves the model (and optimizer) as is."""
    make_bad, match = BAD_FIT_DATA[case]
    if case == "three_classes":
        match = r"y has classes .*2.* not in classes_"
    X_good, y_good = _data()
    est = _fitted(backend, partial=True)
    state = snapshot(est)
    X, y = make_bad(X_good, y_good)
    with pytest.raises(ValueError, match=match):
        est.partial_fit(X, y)
    assert_unchanged(est, state, X_good, y_good)


# ---------------------------------------------------------- sample weights

BAD_SAMPLE_WEIGHTS = {
    "negative": (
        lambda y: np.where(y == 1, 1.0, -1.0),
        "Negative values in data passed to `sample_weight`",
    ),
    "all_zero": (lambda y: np.zeros(y.shape), "at least one non-zero"),
    "zero_out_class_0": (
        lambda y: (y == 1).astype(float),
        "only one class is present with a non-zero sample_weight",
    ),
    "zero_out_class_1": (
        lambda y: (y == 0).astype(float),
        "only one class is present with a non-zero sample_weight",
    ),
    "wrong_length": (lambda y: np.ones(y.size - 1), r"sample_weight\.shape"),
}


@pytest.mark.parametrize("case", BAD_SAMPLE_WEIGHTS)
def test_fit_rejects_bad_sample_weight(backend, case):
    """Bad sample weights raise ValueError naming the problem; nothing is fitted."""
    make_weights, match = BAD_SAMPLE_WEIGHTS[case]
    X, y = _data()
    est = make_estimator(backend)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y, sample_weight=make_weights(y))
    assert_unfitted(est, X)


# scikit-learn's check of the weights, and the class check of the weights
# (partial_fit accepts a batch whose weights leave one class: not an error).
@pytest.mark.parametrize(
    "method, case",
    [("fit", "negative"), ("fit", "zero_out_class_1"), ("partial_fit", "all_zero")],
)
def test_failed_call_on_bad_sample_weight_leaves_model_unchanged(backend, case, method):
    make_weights, match = BAD_SAMPLE_WEIGHTS[case]
    X, y = _data()
    est = _fitted(backend, partial=method == "partial_fit")
    state = snapshot(est)
    with pytest.raises(ValueError, match=match):
        getattr(est, method)(X, y, sample_weight=make_weights(y))
    assert_unchanged(est, state, X, y)


def test_class_weight_missing_a_class_is_rejected(backend):
    """A class_weight dict that misses a label is an error, not a silent weight."""
    X, y = _data()
    est = make_estimator(backend, class_weight={0: 1.0, 5: 2.0})
    with pytest.raises(ValueError, match="not in class_weight"):
        est.fit(X, y)
    assert_unfitted(est, X)


# ------------------------------------------------------ bad input at predict


def _predict_nan(X):
    X = X.copy()
    X[0, 0] = np.nan
    return X


def _predict_inf(X):
    X = X.copy()
    X[0, 0] = -np.inf
    return X


BAD_PREDICT_DATA = {
    "nan_in_X": (_predict_nan, "Input X contains NaN"),
    "inf_in_X": (_predict_inf, "Input X contains infinity"),
    "wrong_feature_count": (
        lambda X: X[:, :1],
        "X has 1 features, but {name} is expecting 2 features",
    ),
    "too_many_features": (
        lambda X: np.hstack([X, X]),
        "X has 4 features, but {name} is expecting 2 features",
    ),
    "1d_X": (lambda X: X[0], "Expected 2D array, got 1D array"),
    "3d_X": (lambda X: X[:, :, None], "dim 3"),
    "empty_X": (lambda X: X[:0], "0 sample"),
    "complex_X": (lambda X: X.astype(complex), "Complex data not supported"),
    "strings_in_X": (
        lambda X: _strings_in_X(X, None)[0],
        "could not convert string to float",
    ),
}


def _assert_predict_refuses(est, method, X_bad, match, X_good):
    state = snapshot(est)
    with pytest.raises(ValueError, match=match.format(name=type(est).__name__)):
        getattr(est, method)(X_bad)
    assert_unchanged(est, state, X_good)


@pytest.mark.parametrize("case", BAD_PREDICT_DATA)
def test_predict_rejects_bad_data_and_changes_nothing(backend, case):
    make_bad, match = BAD_PREDICT_DATA[case]
    X, _ = _data()
    _assert_predict_refuses(_fitted(backend), "predict_proba", make_bad(X), match, X)


@pytest.mark.parametrize("case", ["nan_in_X", "wrong_feature_count"])
@pytest.mark.parametrize(
    "method", ["predict", "predict_log_proba", "decision_function"]
)
def test_every_predict_method_validates(backend, case, method):
    make_bad, match = BAD_PREDICT_DATA[case]
    X, _ = _data()
    _assert_predict_refuses(_fitted(backend), method, make_bad(X), match, X)


@pytest.mark.parametrize("method", PREDICT_METHODS)
def test_predict_before_fit_raises_not_fitted(backend, method):
    X, _ = _data()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(make_estimator(backend), method)(X)


# ------------------------------------------------------------ feature names

OTHER_NAMES = {
    "renamed": (("a", "c"), "Feature names unseen at fit time:\n- c"),
    "reordered": (("b", "a"), "Feature names must be in the same order"),
    "all_different": (
        ("x", "y"),
        "feature names should match those that were passed during fit",
    ),
}


@pytest.mark.parametrize("case", OTHER_NAMES)
def test_predict_rejects_other_feature_names(backend, case):
    """Like scikit-learn: predicting on differently named columns is an error."""
    columns, match = OTHER_NAMES[case]
    X, _ = _data()
    est = _fitted(backend, frame=True)
    np.testing.assert_array_equal(est.feature_names_in_, ["a", "b"])
    _assert_predict_refuses(est, "predict_proba", _frame(X, columns), match, _frame(X))


@pytest.mark.parametrize(
    "method", ["predict", "predict_log_proba", "decision_function"]
)
def test_every_predict_method_checks_feature_names(backend, method):
    columns, match = OTHER_NAMES["renamed"]
    X, _ = _data()
    est = _fitted(backend, frame=True)
    _assert_predict_refuses(est, method, _frame(X, columns), match, _frame(X))


def test_partial_fit_rejects_other_feature_names(backend):
    X, y = _data()
    est = _fitted(backend, frame=True, partial=True)
    state = snapshot(est)
    with pytest.raises(ValueError, match="Feature names unseen at fit time"):
        est.partial_fit(_frame(X, ("a", "z")), y)
    assert_unchanged(est, state, _frame(X), y)


def test_failed_refit_keeps_feature_names_of_the_fitted_model(backend):
    """A refit that fails after validating a bare array keeps feature_names_in_."""
    X, y = _data()
    est = _fitted(backend, frame=True)
    state = snapshot(est)
    with pytest.raises(ValueError, match="only one class"):
        est.fit(X, np.zeros_like(y))
    np.testing.assert_array_equal(est.feature_names_in_, ["a", "b"])
    assert_unchanged(est, state, _frame(X), y)


# ----------------------------------------------------- hyper-parameters

BAD_PARAMS = [
    ("hidden_layer_sizes", 0),
    ("hidden_layer_sizes", (0,)),
    ("hidden_layer_sizes", (-1,)),
    ("hidden_layer_sizes", (4, 0)),
    ("hidden_layer_sizes", (2.5,)),
    ("hidden_layer_sizes", "a"),
    ("activation", "softmax"),
    ("solver", "lbfgs"),
    ("alpha", -1),
    ("batch_size", 0),
    ("batch_size", "big"),
    ("learning_rate", "optimal"),
    ("learning_rate_init", 0),
    ("learning_rate_init", -0.1),
    ("power_t", -1),
    ("max_iter", 0),
    ("tol", -1),
    ("momentum", 2),
    ("momentum", -0.1),
    ("validation_fraction", 1),
    ("validation_fraction", -0.1),  # 0 is allowed without early stopping
    ("beta_1", 1),
    ("beta_2", -0.5),
    ("epsilon", 0),
    ("n_iter_no_change", 0),
    ("class_weight", "bogus"),
    ("shuffle", "yes"),
    ("early_stopping", "no"),
]


TORCH_BAD_PARAMS = [("dtype", "float16"), ("device", 3)]


BAD_PARAM_CASES = [("numpy", *case) for case in BAD_PARAMS] + [
    ("torch", *case) for case in BAD_PARAMS + TORCH_BAD_PARAMS
]


@pytest.mark.parametrize(
    "backend, name, value",
    BAD_PARAM_CASES,
    ids=[f"{b}-{n}={v!r}" for b, n, v in BAD_PARAM_CASES],
)
def test_invalid_hyper_parameter_error_names_it(backend, name, value):
    """Invalid hyper-parameters raise a ValueError whose message names them."""
    X, y = _data()
    est = make_estimator(backend, **{name: value})
    with pytest.raises(ValueError, match=name):
        est.fit(X, y)
    assert_unfitted(est, X)


# fit and partial_fit share one validation: one declared constraint and one
# rule checked by hand (an empty layer) through partial_fit suffice.
@pytest.mark.parametrize("name, value", [("alpha", -1), ("hidden_layer_sizes", (0,))])
def test_partial_fit_validates_hyper_parameters(backend, name, value):
    X, y = _data()
    est = make_estimator(backend, **{name: value})
    with pytest.raises(ValueError, match=name):
        est.partial_fit(X, y, classes=[0, 1])
    assert_unfitted(est, X)


@pytest.mark.parametrize(
    "name, value", [("solver", "lbfgs"), ("hidden_layer_sizes", (4, 0))]
)
def test_invalid_hyper_parameter_on_refit_leaves_model_unchanged(backend, name, value):
    X, y = _data()
    est = _fitted(backend)
    state = snapshot(est)
    before = est.get_params()[name]
    est.set_params(**{name: value})
    with pytest.raises(ValueError, match=name):
        est.fit(X, y)
    est.set_params(**{name: before})
    assert_unchanged(est, state, X, y)


@pytest.mark.parametrize("name, value", [("activation", "softmax"), ("max_iter", 0)])
def test_invalid_hyper_parameter_is_an_invalid_parameter_error(backend, name, value):
    """Declared constraints give scikit-learn's InvalidParameterError."""
    X, y = _data()
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        make_estimator(backend, **{name: value}).fit(X, y)


# --------------------------------------------------------------- partial_fit

FIRST_PARTIAL_FIT_ERRORS = {
    "no_classes": ({}, {}, "classes must be passed on the first call"),
    "early_stopping": ({"early_stopping": True}, None, "early_stopping"),
    "balanced": ({"class_weight": "balanced"}, None, "class_weight='balanced'"),
    "label_not_in_classes": ({}, [0, 2], r"y has classes .*1.* not in classes"),
    "three_classes": (
        {},
        [0, 1, 2],
        r"Only binary classification is supported\.(.|\n)*3 classes",
    ),
}


@pytest.mark.parametrize("case", FIRST_PARTIAL_FIT_ERRORS)
def test_first_partial_fit_errors(backend, case):
    params, classes, match = FIRST_PARTIAL_FIT_ERRORS[case]
    X, y = _data()
    est = make_estimator(backend, **params)
    kwargs = (
        {} if classes == {} else {"classes": [0, 1] if classes is None else classes}
    )
    with pytest.raises(ValueError, match=match):
        est.partial_fit(X, y, **kwargs)
    assert_unfitted(est, X)


LATER_PARTIAL_FIT_ERRORS = {
    "unknown_label": r"y has classes .*2.* not in classes_",
    "changed_classes": "not the same as on the first call",
    "changed_feature_count": "X has 3 features, but {name} is expecting 2",
    "early_stopping": "early_stopping",
    "balanced": "class_weight='balanced'",
}


@pytest.mark.parametrize(
    "first, case",
    [("fit", case) for case in LATER_PARTIAL_FIT_ERRORS]
    + [("partial_fit", "changed_classes")],
)
def test_failed_partial_fit_leaves_model_unchanged(backend, first, case):
    """Errors of a later partial_fit leave weights and optimizer state as they were."""
    X, y = _data()
    est = _fitted(backend, partial=first == "partial_fit")
    state = snapshot(est)
    X_bad, y_bad, kwargs = X, y, {}
    if case == "unknown_label":
        y_bad = np.where(np.arange(y.size) < 3, 2, y)
    elif case == "changed_classes":
        kwargs = {"classes": [0, 5]}
    elif case == "changed_feature_count":
        X_bad = np.hstack([X, X[:, :1]])
    elif case == "early_stopping":
        est.set_params(early_stopping=True)
    else:
        est.set_params(class_weight="balanced")
    match = LATER_PARTIAL_FIT_ERRORS[case].format(name=type(est).__name__)
    with pytest.raises(ValueError, match=match):
        est.partial_fit(X_bad, y_bad, **kwargs)
    est.set_params(early_stopping=False, class_weight=None)
    assert_unchanged(est, state, X, y)


# ---------------------------------------------------------------- warm start


def test_warm_start_rejects_hand_set_weights_of_wrong_shape(backend):
    """Hand-set coefs_ that do not fit the architecture: clear error, no fit."""
    X, y = _data()
    est = make_estimator(backend, warm_start=True)
    coefs = [np.zeros((3, 4)), np.zeros((4, 1))]  # 3 inputs, but X has 2
    intercepts = [np.zeros(4), np.zeros(1)]
    est.coefs_, est.intercepts_ = coefs, intercepts
    with pytest.raises(ValueError, match=r"warm_start needs coefs_(.|\n)*\(3, 4\)"):
        est.fit(X, y)
    assert est.coefs_ is coefs and est.intercepts_ is intercepts
    np.testing.assert_array_equal(est.coefs_[0], np.zeros((3, 4)))
    with pytest.raises(NotFittedError):
        est.predict(X)


def test_warm_start_rejects_hand_set_intercepts_of_wrong_shape(backend):
    X, y = _data()
    est = make_estimator(backend, warm_start=True)
    est.coefs_ = [np.zeros((2, 4)), np.zeros((4, 1))]
    est.intercepts_ = [np.zeros(5), np.zeros(1)]
    with pytest.raises(ValueError, match="warm_start needs coefs_ and intercepts_"):
        est.fit(X, y)
    with pytest.raises(NotFittedError):
        est.predict(X)


def test_warm_start_with_changed_architecture_leaves_model_unchanged(backend):
    X, y = _data()
    est = _fitted(backend, warm_start=True)
    state = snapshot(est)
    est.set_params(hidden_layer_sizes=(5,))
    with pytest.raises(ValueError, match="warm_start needs coefs_"):
        est.fit(X, y)
    est.set_params(hidden_layer_sizes=(4,))
    assert_unchanged(est, state, X, y)


def test_warm_start_with_changed_feature_count_leaves_model_unchanged(backend):
    X, y = _data()
    est = _fitted(backend, warm_start=True)
    state = snapshot(est)
    with pytest.raises(ValueError, match="X has 3 features"):
        est.fit(np.hstack([X, X[:, :1]]), y)
    assert_unchanged(est, state, X, y)
