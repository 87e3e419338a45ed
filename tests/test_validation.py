"""Bad input gets a clear error and changes nothing (DESIGN.md).

Every case of DESIGN.md's "Bad input" list is checked for the exception type
and for a message that names the problem. Every error raised by an estimator
that was already fitted is also checked to leave that fitted model exactly as
it was: same attributes (private optimizer state included), same predictions,
and the same result when training continues.
"""

import copy
import math
import numbers
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_binnet import NumpyBinaryMLP
from sklearn_binnet._optimizers import AdamOptimizer, SGDOptimizer
from sklearn_binnet.datasets import make_xor

# Short fits on purpose: the convergence warning is not what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

PREDICT_METHODS = ["predict", "predict_proba", "predict_log_proba", "decision_function"]


def _data(n_samples=60):
    return make_xor(n_samples, random_state=0)


def _estimator(**params):
    defaults = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    return NumpyBinaryMLP(**{**defaults, **params})


def _fitted(**params):
    X, y = _data()
    return _estimator(**params).fit(X, y)


# ----------------------------------------------------------------- helpers


def _assert_equal_recursive(a, b, path="est"):
    """Assert that two values (arrays, lists, dicts, objects) are identical."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), path
        assert a.dtype == b.dtype, path
        np.testing.assert_array_equal(a, b, err_msg=path)
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
    else:
        assert a == b, path


def _assert_unchanged(est, snapshot, X):
    """``est`` is exactly ``snapshot`` (a deepcopy taken before the failed call).

    Compares every attribute, the predictions, and that training continues from
    the same state: one more ``partial_fit`` gives bitwise equal weights.
    """
    _assert_equal_recursive(vars(est), vars(snapshot))
    np.testing.assert_array_equal(est.predict_proba(X), snapshot.predict_proba(X))
    for c_est, c_snap in zip(est.coefs_, snapshot.coefs_):
        assert np.isfinite(c_est).all()
        np.testing.assert_array_equal(c_est, c_snap)
    assert est.loss_curve_ == snapshot.loss_curve_
    assert est.n_iter_ == snapshot.n_iter_

    y = _data()[1]
    for model in (est, snapshot):  # partial_fit refuses early stopping
        model.set_params(early_stopping=False).partial_fit(X, y)
    for c_est, c_snap in zip(est.coefs_, snapshot.coefs_):
        np.testing.assert_array_equal(c_est, c_snap)
    assert est.loss_curve_ == snapshot.loss_curve_


def _assert_unfitted(est, X):
    with pytest.raises(NotFittedError):
        est.predict(X)


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
def test_fit_rejects_bad_data_and_stays_unfitted(case):
    """fit raises ValueError naming the problem; the estimator stays unfitted."""
    make_bad, match = BAD_FIT_DATA[case]
    X, y = make_bad(*_data())
    est = _estimator()
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)
    _assert_unfitted(est, _data()[0])


@pytest.mark.parametrize("case", BAD_FIT_DATA)
@pytest.mark.parametrize("method", ["fit", "warm_start_fit"])
def test_failed_refit_on_bad_data_leaves_fitted_model_unchanged(case, method):
    """A failed (warm-start) refit leaves the fitted model exactly as it was."""
    make_bad, match = BAD_FIT_DATA[case]
    if method == "warm_start_fit" and case == "three_classes":
        # Like MLPClassifier, a warm start refuses labels unseen by the first fit.
        match = r"y has classes .*2.* not in classes_"
    X_good, _ = _data()
    est = _fitted(warm_start=method == "warm_start_fit")
    snapshot = copy.deepcopy(est)
    X, y = make_bad(*_data())
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)
    _assert_unchanged(est, snapshot, X_good)


@pytest.mark.parametrize(
    "case", ["nan_in_X", "inf_in_X", "strings_in_X", "continuous_y", "three_classes"]
)
def test_failed_partial_fit_on_bad_data_leaves_model_unchanged(case):
    """partial_fit validates like fit and leaves the model (and optimizer) as is."""
    make_bad, match = BAD_FIT_DATA[case]
    if case == "three_classes":
        match = r"y has classes .*2.* not in classes_"
    X_good, y_good = _data()
    est = _estimator().partial_fit(X_good, y_good, classes=[0, 1])
    snapshot = copy.deepcopy(est)
    X, y = make_bad(X_good, y_good)
    with pytest.raises(ValueError, match=match):
        est.partial_fit(X, y)
    _assert_unchanged(est, snapshot, X_good)


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
def test_fit_rejects_bad_sample_weight(case):
    """Bad sample weights raise ValueError naming the problem; nothing is fitted."""
    make_weights, match = BAD_SAMPLE_WEIGHTS[case]
    X, y = _data()
    est = _estimator()
    with pytest.raises(ValueError, match=match):
        est.fit(X, y, sample_weight=make_weights(y))
    _assert_unfitted(est, X)


@pytest.mark.parametrize("case", BAD_SAMPLE_WEIGHTS)
def test_failed_refit_on_bad_sample_weight_leaves_model_unchanged(case):
    make_weights, match = BAD_SAMPLE_WEIGHTS[case]
    X, y = _data()
    est = _fitted()
    snapshot = copy.deepcopy(est)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y, sample_weight=make_weights(y))
    _assert_unchanged(est, snapshot, X)


@pytest.mark.parametrize("case", ["negative", "all_zero", "wrong_length"])
def test_failed_partial_fit_on_bad_sample_weight_leaves_model_unchanged(case):
    make_weights, match = BAD_SAMPLE_WEIGHTS[case]
    X, y = _data()
    est = _estimator().partial_fit(X, y, classes=[0, 1])
    snapshot = copy.deepcopy(est)
    with pytest.raises(ValueError, match=match):
        est.partial_fit(X, y, sample_weight=make_weights(y))
    _assert_unchanged(est, snapshot, X)


def test_class_weight_missing_a_class_is_rejected():
    """A class_weight dict that misses a label is an error, not a silent weight."""
    X, y = _data()
    est = _estimator(class_weight={0: 1.0, 5: 2.0})
    with pytest.raises(ValueError, match="not in class_weight"):
        est.fit(X, y)
    _assert_unfitted(est, X)


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
        "X has 1 features, but NumpyBinaryMLP is expecting 2 features",
    ),
    "too_many_features": (
        lambda X: np.hstack([X, X]),
        "X has 4 features, but NumpyBinaryMLP is expecting 2 features",
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


@pytest.mark.parametrize("case", BAD_PREDICT_DATA)
@pytest.mark.parametrize("method", PREDICT_METHODS)
def test_predict_rejects_bad_data_and_changes_nothing(case, method):
    make_bad, match = BAD_PREDICT_DATA[case]
    X, _ = _data()
    est = _fitted()
    snapshot = copy.deepcopy(est)
    with pytest.raises(ValueError, match=match):
        getattr(est, method)(make_bad(X))
    _assert_unchanged(est, snapshot, X)


@pytest.mark.parametrize("method", PREDICT_METHODS)
def test_predict_before_fit_raises_not_fitted(method):
    X, _ = _data()
    with pytest.raises(NotFittedError, match="not fitted yet"):
        getattr(_estimator(), method)(X)


# ------------------------------------------------------------ feature names


def _frame(X, columns=("a", "b")):
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(X, columns=list(columns))


@pytest.mark.parametrize(
    "columns, match",
    [
        (("a", "c"), "Feature names unseen at fit time:\n- c"),
        (("b", "a"), "Feature names must be in the same order"),
        (("x", "y"), "feature names should match those that were passed during fit"),
    ],
    ids=["renamed", "reordered", "all_different"],
)
@pytest.mark.parametrize("method", PREDICT_METHODS)
def test_predict_rejects_other_feature_names(columns, match, method):
    """Like scikit-learn: predicting on differently named columns is an error."""
    X, y = _data()
    est = _estimator().fit(_frame(X), y)
    np.testing.assert_array_equal(est.feature_names_in_, ["a", "b"])
    snapshot = copy.deepcopy(est)
    with pytest.raises(ValueError, match=match):
        getattr(est, method)(_frame(X, columns))
    _assert_unchanged(est, snapshot, _frame(X))


def test_partial_fit_rejects_other_feature_names():
    X, y = _data()
    est = _estimator().partial_fit(_frame(X), y, classes=[0, 1])
    snapshot = copy.deepcopy(est)
    with pytest.raises(ValueError, match="Feature names unseen at fit time"):
        est.partial_fit(_frame(X, ("a", "z")), y)
    _assert_unchanged(est, snapshot, _frame(X))


def test_failed_refit_keeps_feature_names_of_the_fitted_model():
    """A refit that fails after validating a bare array keeps feature_names_in_."""
    X, y = _data()
    est = _estimator().fit(_frame(X), y)
    snapshot = copy.deepcopy(est)
    with pytest.raises(ValueError, match="only one class"):
        est.fit(X, np.zeros_like(y))
    np.testing.assert_array_equal(est.feature_names_in_, ["a", "b"])
    _assert_unchanged(est, snapshot, _frame(X))


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


@pytest.mark.parametrize(
    "name, value", BAD_PARAMS, ids=[f"{n}={v!r}" for n, v in BAD_PARAMS]
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_invalid_hyper_parameter_error_names_it(name, value, method):
    """Invalid hyper-parameters raise a ValueError whose message names them."""
    X, y = _data()
    est = _estimator(**{name: value})
    kwargs = {"classes": [0, 1]} if method == "partial_fit" else {}
    with pytest.raises(ValueError, match=name):
        getattr(est, method)(X, y, **kwargs)
    _assert_unfitted(est, X)


@pytest.mark.parametrize(
    "name, value", BAD_PARAMS, ids=[f"{n}={v!r}" for n, v in BAD_PARAMS]
)
def test_invalid_hyper_parameter_on_refit_leaves_model_unchanged(name, value):
    X, y = _data()
    est = _fitted()
    snapshot = copy.deepcopy(est)
    est.set_params(**{name: value})
    with pytest.raises(ValueError, match=name):
        est.fit(X, y)
    est.set_params(**{name: snapshot.get_params()[name]})
    _assert_unchanged(est, snapshot, X)


@pytest.mark.parametrize(
    "name, value",
    [("activation", "softmax"), ("alpha", -1), ("max_iter", 0), ("solver", "lbfgs")],
)
def test_invalid_hyper_parameter_is_an_invalid_parameter_error(name, value):
    """Declared constraints give scikit-learn's InvalidParameterError."""
    X, y = _data()
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        _estimator(**{name: value}).fit(X, y)


# --------------------------------------------------------------- partial_fit


def test_partial_fit_needs_classes_on_first_call():
    X, y = _data()
    est = _estimator()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        est.partial_fit(X, y)
    _assert_unfitted(est, X)


def test_partial_fit_rejects_early_stopping():
    X, y = _data()
    est = _estimator(early_stopping=True)
    with pytest.raises(ValueError, match="early_stopping"):
        est.partial_fit(X, y, classes=[0, 1])
    _assert_unfitted(est, X)


def test_partial_fit_rejects_balanced_class_weight():
    X, y = _data()
    est = _estimator(class_weight="balanced")
    with pytest.raises(ValueError, match="class_weight='balanced'"):
        est.partial_fit(X, y, classes=[0, 1])
    _assert_unfitted(est, X)


def test_partial_fit_rejects_label_not_in_classes_on_first_call():
    X, y = _data()
    est = _estimator()
    with pytest.raises(ValueError, match=r"y has classes .*1.* not in classes"):
        est.partial_fit(X, y, classes=[0, 2])
    _assert_unfitted(est, X)


def test_partial_fit_rejects_more_than_two_classes_argument():
    X, y = _data()
    est = _estimator()
    with pytest.raises(
        ValueError, match=r"Only binary classification is supported\.(.|\n)*3 classes"
    ):
        est.partial_fit(X, y, classes=[0, 1, 2])
    _assert_unfitted(est, X)


@pytest.mark.parametrize("first", ["fit", "partial_fit"])
@pytest.mark.parametrize(
    "case, match",
    [
        ("unknown_label", r"y has classes .*2.* not in classes_"),
        ("changed_classes", "not the same as on the first call"),
        (
            "changed_feature_count",
            "X has 3 features, but NumpyBinaryMLP is expecting 2",
        ),
        ("early_stopping", "early_stopping"),
        ("balanced", "class_weight='balanced'"),
    ],
)
def test_failed_partial_fit_leaves_model_unchanged(first, case, match):
    """Errors of a later partial_fit leave weights and optimizer state as they were."""
    X, y = _data()
    est = _estimator()
    if first == "fit":
        est.fit(X, y)
    else:
        est.partial_fit(X, y, classes=[0, 1])
    snapshot = copy.deepcopy(est)
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
    with pytest.raises(ValueError, match=match):
        est.partial_fit(X_bad, y_bad, **kwargs)
    est.set_params(early_stopping=False, class_weight=None)
    _assert_unchanged(est, snapshot, X)


# ---------------------------------------------------------------- warm start


def test_warm_start_rejects_hand_set_weights_of_wrong_shape():
    """Hand-set coefs_ that do not fit the architecture: clear error, no fit."""
    X, y = _data()
    est = _estimator(warm_start=True)
    coefs = [np.zeros((3, 4)), np.zeros((4, 1))]  # 3 inputs, but X has 2
    intercepts = [np.zeros(4), np.zeros(1)]
    est.coefs_, est.intercepts_ = coefs, intercepts
    with pytest.raises(ValueError, match=r"warm_start needs coefs_(.|\n)*\(3, 4\)"):
        est.fit(X, y)
    assert est.coefs_ is coefs and est.intercepts_ is intercepts
    np.testing.assert_array_equal(est.coefs_[0], np.zeros((3, 4)))
    _assert_unfitted(est, X)


def test_warm_start_rejects_hand_set_intercepts_of_wrong_shape():
    X, y = _data()
    est = _estimator(warm_start=True)
    est.coefs_ = [np.zeros((2, 4)), np.zeros((4, 1))]
    est.intercepts_ = [np.zeros(5), np.zeros(1)]
    with pytest.raises(ValueError, match="warm_start needs coefs_ and intercepts_"):
        est.fit(X, y)
    _assert_unfitted(est, X)


def test_warm_start_with_changed_architecture_leaves_model_unchanged():
    X, y = _data()
    est = _fitted(warm_start=True)
    snapshot = copy.deepcopy(est)
    est.set_params(hidden_layer_sizes=(5,))
    with pytest.raises(ValueError, match="warm_start needs coefs_"):
        est.fit(X, y)
    est.set_params(hidden_layer_sizes=(4,))
    _assert_unchanged(est, snapshot, X)


def test_warm_start_with_changed_feature_count_leaves_model_unchanged():
    X, y = _data()
    est = _fitted(warm_start=True)
    snapshot = copy.deepcopy(est)
    with pytest.raises(ValueError, match="X has 3 features"):
        est.fit(np.hstack([X, X[:, :1]]), y)
    _assert_unchanged(est, snapshot, X)


# ---------------------------------------------------------------- divergence

DIVERGENT = dict(
    hidden_layer_sizes=(8, 8),
    activation="identity",
    solver="sgd",
    momentum=0.9,
    max_iter=5,
    random_state=0,
)


def _divergent_data():
    X, y = _data()
    return X * 1e3, y


@pytest.mark.parametrize("learning_rate_init", [1e6, 1e10])
@pytest.mark.parametrize("activation", ["identity", "relu", "tanh"])
def test_divergent_fit_raises_or_stays_finite(learning_rate_init, activation):
    """A wild fit either ends with finite weights or raises naming the rate."""
    X, y = _divergent_data()
    est = NumpyBinaryMLP(
        **{**DIVERGENT, "activation": activation},
        learning_rate_init=learning_rate_init,
    )
    with np.errstate(all="ignore"):
        try:
            est.fit(X, y)
        except ValueError as exc:
            assert "learning_rate_init" in str(exc)
            _assert_unfitted(est, X)
            return
    # An accepted fit must be usable: finite weights, and finite logits on the
    # very data it was trained on (else predict_log_proba gives -inf).
    assert all(np.isfinite(w).all() for w in est.coefs_ + est.intercepts_)
    assert np.isfinite(est.loss_curve_).all()
    with np.errstate(all="ignore"):
        assert np.isfinite(est.decision_function(X)).all()
        assert np.isfinite(est.predict_log_proba(X)).all()


def test_divergent_refit_keeps_previous_fit():
    """This set-up does diverge: the error names the rate, the old fit survives."""
    X, y = _divergent_data()
    est = NumpyBinaryMLP(**DIVERGENT, learning_rate_init=1e-6).fit(X, y)
    snapshot = copy.deepcopy(est)
    est.set_params(learning_rate_init=1e10)
    with (
        np.errstate(all="ignore"),
        pytest.raises(ValueError, match="learning_rate_init"),
    ):
        est.fit(X, y)
    est.set_params(learning_rate_init=1e-6)
    assert all(np.isfinite(w).all() for w in est.coefs_)
    _assert_unchanged(est, snapshot, X)


def test_divergent_warm_start_and_partial_fit_keep_previous_fit():
    X, y = _divergent_data()
    est = NumpyBinaryMLP(**DIVERGENT, learning_rate_init=1e-6, warm_start=True)
    est.fit(X, y)
    snapshot = copy.deepcopy(est)
    est.set_params(learning_rate_init=1e10)
    with (
        np.errstate(all="ignore"),
        pytest.raises(ValueError, match="learning_rate_init"),
    ):
        est.fit(X, y)
    est.set_params(learning_rate_init=1e-6)
    _assert_unchanged(est, snapshot, X)


def test_divergent_fit_emits_no_overflow_warning():
    """DESIGN: no overflow warning for finite input; divergence is a ValueError."""
    X, y = _divergent_data()
    est = NumpyBinaryMLP(**DIVERGENT, learning_rate_init=1e10)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="learning_rate_init"):
            est.fit(X, y)
    # numpy's default error state: overflow and invalid warn, underflow does not.
    runtime = [str(w.message) for w in record if w.category is RuntimeWarning]
    assert runtime == []


# ------------------------------------------------------ interrupted fits


def _interrupt_on_call(monkeypatch, hook, solver, at):
    """Make ``hook`` raise KeyboardInterrupt on its ``at``-th call."""
    if hook == "end_epoch":
        owner, name = NumpyBinaryMLP, "_end_epoch"
    else:
        owner = SGDOptimizer if solver == "sgd" else AdamOptimizer
        name = "update_params"
    original = getattr(owner, name)
    calls = []

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == at:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, interrupted)
    return calls


FIT_CALLS = ["fit", "warm_start_fit", "early_stopping_fit", "partial_fit"]


def _params_for(how, solver):
    # fit: batch_size=None gives one optimizer step per epoch, so the 3rd call
    # of either hook is in epoch 3. partial_fit runs one epoch: 4 batches of 15
    # so that the 3rd step is in the middle of it.
    params = dict(solver=solver, batch_size=None, max_iter=6)
    if how == "partial_fit":
        params["batch_size"] = 15
    if how == "warm_start_fit":
        params["warm_start"] = True
    if how == "early_stopping_fit":
        params["early_stopping"] = True
    return params


def _interrupt_at(how, hook):
    # partial_fit calls _end_epoch once: interrupt that one call.
    return 1 if (how == "partial_fit" and hook == "end_epoch") else 3


@pytest.mark.parametrize("hook", ["end_epoch", "update_params"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("how", FIT_CALLS)
def test_interrupted_fit_keeps_previous_fit(monkeypatch, hook, solver, how):
    """KeyboardInterrupt mid-fit: the earlier fitted state is fully restored."""
    X, y = _data()
    est = _estimator(**_params_for(how, solver))
    est.fit(X, y)
    if how == "partial_fit":
        est.partial_fit(X, y)
    snapshot = copy.deepcopy(est)
    at = _interrupt_at(how, hook)
    with monkeypatch.context() as patch:
        calls = _interrupt_on_call(patch, hook, solver, at)
        with pytest.raises(KeyboardInterrupt):
            if how == "partial_fit":
                est.partial_fit(X, y)
            else:
                est.fit(X, y)
        assert len(calls) == at
    _assert_unchanged(est, snapshot, X)
    assert est.n_iter_ == snapshot.n_iter_


@pytest.mark.parametrize("hook", ["end_epoch", "update_params"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("how", ["fit", "warm_start_fit", "early_stopping_fit"])
def test_interrupted_first_fit_leaves_estimator_unfitted(
    monkeypatch, hook, solver, how
):
    X, y = _data()
    est = _estimator(**_params_for(how, solver))
    with monkeypatch.context() as patch:
        _interrupt_on_call(patch, hook, solver, 3)
        with pytest.raises(KeyboardInterrupt):
            est.fit(X, y)
    _assert_unfitted(est, X)
    assert not any(
        name.endswith("_") and not name.startswith("_") for name in vars(est)
    )
    # And a clean fit afterwards is the same as a fit of a fresh estimator.
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    fresh = _estimator(**_params_for(how, solver))
    with pytest.warns(ConvergenceWarning):
        fresh.fit(X, y)
    for c_est, c_fresh in zip(est.coefs_, fresh.coefs_):
        np.testing.assert_array_equal(c_est, c_fresh)
