"""Labels, dtypes, sparse input, reproducibility, weights and training history.

What DESIGN.md promises a user who swaps ``MLPClassifier`` for
``NumpyBinaryMLP``: any two labels round-trip, outputs come in X's floating
dtype, the same seed gives the same bits, class and sample weights multiply,
``partial_fit`` and ``warm_start`` continue training, and the fitted
attributes and printed progress follow ``MLPClassifier``.
"""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sklearn_binnet import NumpyBinaryMLP
from sklearn_binnet.datasets import make_xor

PROBA_METHODS = ["predict_proba", "predict_log_proba", "decision_function"]


def _estimator(**params):
    defaults = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    return NumpyBinaryMLP(**{**defaults, **params})


def _separable(n_samples=80):
    """A linearly separable problem with a wide margin; y in {0, 1}."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=4,
        n_informative=2,
        n_redundant=0,
        class_sep=3.0,
        flip_y=0,
        random_state=0,
    )
    return X, y


def _good_fit(**params):
    """Settings that fit the separable problem well in a few dozen epochs."""
    defaults = dict(
        hidden_layer_sizes=(8,), learning_rate_init=0.05, max_iter=60, random_state=0
    )
    return NumpyBinaryMLP(**{**defaults, **params})


def _assert_weights_equal(a, b):
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(wa, wb)


# ------------------------------------------------------------------ labels

# Each pair is given in sorted order: LABELS[k][1] is the positive class.
LABELS = {
    "ints_0_1": np.array([0, 1]),
    "ints_minus1_1": np.array([-1, 1]),
    "ints_3_7": np.array([3, 7]),
    "strings": np.array(["neg", "pos"]),
    "bools": np.array([False, True]),
    "objects": np.array(["cat", "dog"], dtype=object),
}


@pytest.mark.parametrize("kind", LABELS)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_any_two_labels_round_trip(kind):
    """Relabelling y changes nothing but the names of what predict returns."""
    labels = LABELS[kind]
    X, y01 = _separable()
    reference = _good_fit().fit(X, y01)
    est = _good_fit().fit(X, labels[y01])

    np.testing.assert_array_equal(est.classes_, labels)
    if labels.dtype != object:  # object strings become str, as in MLPClassifier
        assert est.classes_.dtype == labels.dtype
    y_pred = est.predict(X)
    assert y_pred.dtype == est.classes_.dtype
    assert set(y_pred.tolist()) <= set(labels.tolist())
    # Same network as with 0/1 labels, so the same predictions, relabelled.
    np.testing.assert_array_equal(y_pred, labels[reference.predict(X)])
    np.testing.assert_array_equal(est.predict_proba(X), reference.predict_proba(X))
    assert est.score(X, labels[y01]) >= 0.95


@pytest.mark.parametrize("kind", LABELS)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_labels_given_as_a_list_round_trip(kind):
    labels = LABELS[kind]
    X, y01 = _separable()
    y = labels[y01].tolist()
    est = _good_fit().fit(X, y)
    np.testing.assert_array_equal(est.classes_, labels)
    assert np.mean(est.predict(X) == np.asarray(y, dtype=labels.dtype)) >= 0.95


@pytest.mark.parametrize(
    "first_seen, second_seen",
    [("yes", "no"), (7, 3), (True, False), (1, -1), ("b", "a")],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_classes_sorted_and_proba_column_1_is_classes_1(first_seen, second_seen):
    """classes_ is sorted whatever the order in y; column 1 is classes_[1]."""
    X, y01 = _separable()
    # The label of class "1" of the problem sorts *first* here.
    y = np.where(y01 == 1, first_seen, second_seen)
    est = _good_fit().fit(X, y)
    np.testing.assert_array_equal(est.classes_, sorted([first_seen, second_seen]))

    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    is_positive = y == est.classes_[1]
    # On a separable problem the true class gets most of the probability.
    assert np.mean(proba[is_positive, 1] > 0.5) >= 0.95
    assert np.mean(proba[~is_positive, 1] < 0.5) >= 0.95
    # decision_function is the logit of classes_[1]; predict follows it.
    logits = est.decision_function(X)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-logits)), rtol=1e-12)
    np.testing.assert_array_equal(est.predict(X), est.classes_[(logits > 0) * 1])
    np.testing.assert_allclose(est.predict_log_proba(X), np.log(proba), atol=1e-12)


# ------------------------------------------------------------------ dtypes

FIT_DTYPES = {  # dtype of X at fit -> dtype of the weights
    "float32": (np.float32, np.float32),
    "float64": (np.float64, np.float64),
    "int64": (np.int64, np.float64),
    "int32": (np.int32, np.float64),
}

PREDICT_DTYPES = {  # dtype of X at predict -> dtype of the outputs
    "float32": (np.float32, np.float32),
    "float64": (np.float64, np.float64),
    "int64": (np.int64, np.float64),
    "int32": (np.int32, np.float64),
}


def _integer_valued_data():
    X, y = make_xor(60, random_state=0)
    return np.round(3 * X), y


@pytest.mark.parametrize("sparse_format", [None, "csr", "csc"])
@pytest.mark.parametrize("fit_dtype", FIT_DTYPES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fit_dtype_sets_weight_dtype(fit_dtype, sparse_format):
    """float32 X trains in float32; any other X in float64."""
    x_dtype, weight_dtype = FIT_DTYPES[fit_dtype]
    X, y = _integer_valued_data()
    X = X.astype(x_dtype)
    if sparse_format is not None:
        X = sp.csr_matrix(X) if sparse_format == "csr" else sp.csc_matrix(X)
    est = _estimator().fit(X, y)
    for w in est.coefs_ + est.intercepts_:
        assert w.dtype == weight_dtype
    for method in PROBA_METHODS:
        assert getattr(est, method)(X).dtype == (
            np.float32 if weight_dtype == np.float32 else np.float64
        )


@pytest.mark.parametrize("predict_dtype", PREDICT_DTYPES)
@pytest.mark.parametrize("fit_dtype", FIT_DTYPES)
@pytest.mark.parametrize("method", PROBA_METHODS)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_outputs_in_the_floating_dtype_of_X(method, fit_dtype, predict_dtype):
    """Whatever the model was fitted on, outputs follow the X they are given."""
    X, y = _integer_valued_data()
    est = _estimator().fit(X.astype(FIT_DTYPES[fit_dtype][0]), y)
    x_dtype, out_dtype = PREDICT_DTYPES[predict_dtype]
    out = getattr(est, method)(X.astype(x_dtype))
    assert out.dtype == out_dtype
    # The values do not depend on the dtype beyond float32 rounding.
    reference = getattr(est, method)(X.astype(np.float64))
    np.testing.assert_allclose(out, reference, rtol=1e-4, atol=1e-5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_float32_training_is_close_to_float64_training():
    """float32 is a rounding of the same computation, not a different model."""
    X, y = make_xor(60, random_state=0)
    est32 = _estimator().fit(X.astype(np.float32), y)
    est64 = _estimator().fit(X, y)
    np.testing.assert_allclose(est32.loss_curve_, est64.loss_curve_, rtol=1e-4)
    for w32, w64 in zip(est32.coefs_, est64.coefs_):
        np.testing.assert_allclose(w32, w64, rtol=1e-3, atol=1e-4)


# ------------------------------------------------------------------ sparse


def _sparse_data():
    X, y = make_classification(n_samples=80, n_features=6, random_state=0)
    X[np.abs(X) < 0.7] = 0.0  # about half the entries are zero
    return X, y


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sparse_input_gives_the_dense_fit(fmt, solver):
    """Training on a sparse matrix is the same computation as on dense X."""
    X, y = _sparse_data()
    X_sparse = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    params = dict(solver=solver, batch_size=16, learning_rate_init=0.01, max_iter=8)
    dense = _estimator(**params).fit(X, y)
    sparse = _estimator(**params).fit(X_sparse, y)
    np.testing.assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-10)
    for ws, wd in zip(sparse.coefs_, dense.coefs_):
        np.testing.assert_allclose(ws, wd, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        sparse.predict_proba(X_sparse), dense.predict_proba(X), rtol=1e-9
    )
    np.testing.assert_array_equal(sparse.predict(X_sparse), dense.predict(X))


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("method", PROBA_METHODS)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dense_model_predicts_sparse_input_like_dense(fmt, method):
    X, y = _sparse_data()
    X_sparse = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    est = _estimator().fit(X, y)
    np.testing.assert_allclose(
        getattr(est, method)(X_sparse), getattr(est, method)(X), rtol=1e-12
    )
    np.testing.assert_array_equal(est.predict(X_sparse), est.predict(X))


# --------------------------------------------------------- reproducibility

REPRO_SETTINGS = {
    "adam_auto": dict(solver="adam"),
    "sgd_minibatch": dict(solver="sgd", batch_size=16, learning_rate_init=0.05),
    "sgd_full_batch_invscaling": dict(
        solver="sgd", batch_size=None, learning_rate="invscaling"
    ),
    "early_stopping": dict(early_stopping=True, batch_size=16),
    "deep_tanh": dict(hidden_layer_sizes=(5, 4, 3), activation="tanh"),
}


@pytest.mark.parametrize("setting", REPRO_SETTINGS)
@pytest.mark.parametrize("seed", [0, 42])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_same_random_state_gives_bitwise_equal_fits(setting, seed):
    X, y = make_xor(100, random_state=1)
    params = {**REPRO_SETTINGS[setting], "random_state": seed}
    a = _estimator(**params).fit(X, y)
    b = _estimator(**params).fit(X, y)
    _assert_weights_equal(a, b)
    assert a.loss_curve_ == b.loss_curve_
    assert a.n_iter_ == b.n_iter_
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_same_random_state_instance_seed_gives_equal_fits():
    X, y = make_xor(100, random_state=1)
    a = _estimator(random_state=np.random.RandomState(3)).fit(X, y)
    b = _estimator(random_state=np.random.RandomState(3)).fit(X, y)
    _assert_weights_equal(a, b)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_refit_with_same_int_random_state_is_bitwise_equal():
    """fit twice on one estimator: the int seed is re-used, not consumed."""
    X, y = make_xor(100, random_state=1)
    est = _estimator(random_state=5).fit(X, y)
    first = [c.copy() for c in est.coefs_]
    est.fit(X, y)
    for c0, c1 in zip(first, est.coefs_):
        np.testing.assert_array_equal(c0, c1)


@pytest.mark.parametrize("setting", ["adam_auto", "sgd_minibatch"])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_different_random_state_gives_different_fits(setting):
    X, y = make_xor(100, random_state=1)
    a = _estimator(**REPRO_SETTINGS[setting], random_state=0).fit(X, y)
    b = _estimator(**REPRO_SETTINGS[setting], random_state=1).fit(X, y)
    for wa, wb in zip(a.coefs_, b.coefs_):
        assert not np.array_equal(wa, wb)
    assert a.loss_curve_ != b.loss_curve_


# ------------------------------------------------ class and sample weights

WEIGHT_PARAMS = dict(
    hidden_layer_sizes=(4,),
    solver="sgd",
    batch_size=None,
    learning_rate_init=0.1,
    max_iter=10,
    random_state=0,
)


def _imbalanced():
    X, y = make_classification(
        n_samples=90, n_features=4, weights=[0.7], flip_y=0, random_state=0
    )
    return X, y


def _fit_pair(X, y, class_weight, sample_weight, equivalent_sample_weight):
    """Fit with class_weight (and sample_weight) vs the equivalent sample_weight."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = NumpyBinaryMLP(**WEIGHT_PARAMS, class_weight=class_weight).fit(
            X, y, sample_weight=sample_weight
        )
        b = NumpyBinaryMLP(**WEIGHT_PARAMS).fit(
            X, y, sample_weight=equivalent_sample_weight
        )
    return a, b


def _assert_same_training(a, b):
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-12)
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_allclose(wa, wb, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("kind", ["ints_0_1", "ints_3_7", "strings"])
def test_class_weight_dict_equals_sample_weight(kind):
    labels = LABELS[kind]
    X, y01 = _imbalanced()
    y = labels[y01]
    class_weight = {labels[0]: 2.0, labels[1]: 1.0}
    a, b = _fit_pair(X, y, class_weight, None, np.where(y01 == 0, 2.0, 1.0))
    _assert_same_training(a, b)
    # And the weights do matter: an unweighted fit trains differently.
    plain = NumpyBinaryMLP(**WEIGHT_PARAMS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain.fit(X, y)
    assert not np.allclose(plain.loss_curve_, a.loss_curve_, rtol=1e-6)


def test_class_weight_and_sample_weight_multiply():
    X, y = _imbalanced()
    sample_weight = np.random.RandomState(0).uniform(0.5, 2.0, y.size)
    class_weight = {0: 3.0, 1: 0.5}
    product = sample_weight * np.where(y == 0, 3.0, 0.5)
    a, b = _fit_pair(X, y, class_weight, sample_weight, product)
    _assert_same_training(a, b)


def test_balanced_class_weight_equals_n_over_2_count():
    X, y = _imbalanced()
    counts = np.bincount(y)
    assert counts[0] != counts[1]
    balanced = (y.size / (2 * counts))[y]
    a, b = _fit_pair(X, y, "balanced", None, balanced)
    _assert_same_training(a, b)


def test_balanced_class_weight_times_sample_weight():
    X, y = _imbalanced()
    sample_weight = np.random.RandomState(1).uniform(0.5, 2.0, y.size)
    balanced = (y.size / (2 * np.bincount(y)))[y]
    a, b = _fit_pair(X, y, "balanced", sample_weight, balanced * sample_weight)
    _assert_same_training(a, b)


def test_integer_sample_weight_equals_repeating_samples():
    """sample_weight=k weighs a sample like k copies of it (full batch)."""
    X, y = _imbalanced()
    repeats = np.random.RandomState(2).randint(1, 4, y.size)
    params = {**WEIGHT_PARAMS, "shuffle": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = NumpyBinaryMLP(**params).fit(X, y, sample_weight=repeats.astype(float))
        b = NumpyBinaryMLP(**params).fit(
            np.repeat(X, repeats, 0), np.repeat(y, repeats)
        )
    _assert_same_training(a, b)


# ------------------------------------------------------------- partial_fit


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_runs_one_epoch_per_call(solver):
    X, y = make_xor(60, random_state=0)
    est = _estimator(solver=solver)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # partial_fit never warns about max_iter
        for call in range(1, 4):
            est.partial_fit(X, y, classes=[0, 1])
            assert est.n_iter_ == 1
            assert len(est.loss_curve_) == call
            assert est.t_ == call * X.shape[0]
            assert est.loss_ == est.loss_curve_[-1]


@pytest.mark.parametrize(
    "solver, momentum, nesterov",
    [("sgd", 0.9, True), ("sgd", 0.9, False), ("adam", 0.9, True)],
)
@pytest.mark.parametrize("batch_size", [None, 16])
def test_partial_fit_keeps_optimizer_state(solver, momentum, nesterov, batch_size):
    """Two partial_fit calls train exactly like one fit of two epochs."""
    X, y = make_xor(60, random_state=0)
    params = dict(
        solver=solver,
        momentum=momentum,
        nesterovs_momentum=nesterov,
        batch_size=batch_size,
        shuffle=False,
        learning_rate_init=0.05,
    )
    inc = _estimator(**params)
    inc.partial_fit(X, y, classes=[0, 1])
    inc.partial_fit(X, y)
    with pytest.warns(ConvergenceWarning):
        full = _estimator(**params, max_iter=2).fit(X, y)
    np.testing.assert_allclose(inc.loss_curve_, full.loss_curve_, rtol=1e-12)
    for wi, wf in zip(inc.coefs_ + inc.intercepts_, full.coefs_ + full.intercepts_):
        np.testing.assert_allclose(wi, wf, rtol=1e-12, atol=1e-15)
    assert inc.t_ == full.t_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_partial_fit_after_fit_appends_to_loss_curve():
    X, y = make_xor(60, random_state=0)
    est = _estimator(max_iter=3).fit(X, y)
    curve = list(est.loss_curve_)
    est.partial_fit(X, y)
    assert len(est.loss_curve_) == 4
    assert est.loss_curve_[:3] == curve
    assert est.n_iter_ == 1


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_refit_appends_to_loss_curve_and_continues():
    """3 + 4 warm-started epochs equal 7 epochs when no optimizer state matters."""
    X, y = make_xor(60, random_state=0)
    # Plain full-batch gradient descent: the optimizer has no state to lose.
    params = dict(
        solver="sgd",
        momentum=0.0,
        batch_size=None,
        shuffle=False,
        learning_rate_init=0.1,
    )
    warm = _estimator(**params, warm_start=True, max_iter=3).fit(X, y)
    first = list(warm.loss_curve_)
    warm.set_params(max_iter=4).fit(X, y)
    assert len(warm.loss_curve_) == 7
    assert warm.loss_curve_[:3] == first
    assert warm.n_iter_ == 4
    assert warm.t_ == 7 * X.shape[0]

    cold = _estimator(**params, max_iter=7).fit(X, y)
    np.testing.assert_allclose(warm.loss_curve_, cold.loss_curve_, rtol=1e-12)
    for ww, wc in zip(warm.coefs_, cold.coefs_):
        np.testing.assert_allclose(ww, wc, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_cold_refit_restarts_loss_curve():
    X, y = make_xor(60, random_state=0)
    est = _estimator(max_iter=3).fit(X, y)
    est.set_params(max_iter=4).fit(X, y)
    assert len(est.loss_curve_) == 4
    assert est.t_ == 4 * X.shape[0]


# ----------------------------------------------------------------- verbose

EPOCH_LINE = re.compile(r"^Epoch (\d+), Loss: (\S+)$")
EPOCH_LINE_WITH_VALIDATION = re.compile(
    r"^Epoch (\d+), Loss: (\S+), Validation score: (\S+)$"
)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_verbose_prints_one_line_per_epoch(capfd):
    X, y = make_xor(60, random_state=0)
    est = _estimator(verbose=True, max_iter=4).fit(X, y)
    out, err = capfd.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == est.n_iter_ == 4
    for epoch, line in enumerate(lines, start=1):
        match = EPOCH_LINE.match(line)
        assert match, line
        assert int(match[1]) == epoch
        assert float(match[2]) == pytest.approx(est.loss_curve_[epoch - 1], rel=1e-6)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_verbose_prints_validation_score_with_early_stopping(capfd):
    X, y = make_xor(100, random_state=0)
    est = _estimator(verbose=True, max_iter=4, early_stopping=True).fit(X, y)
    out, err = capfd.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert len(lines) == est.n_iter_ == 4
    for epoch, line in enumerate(lines, start=1):
        match = EPOCH_LINE_WITH_VALIDATION.match(line)
        assert match, line
        assert int(match[1]) == epoch
        assert float(match[2]) == pytest.approx(est.loss_curve_[epoch - 1], rel=1e-6)
        assert float(match[3]) == pytest.approx(
            est.validation_scores_[epoch - 1], abs=1e-6
        )


def test_verbose_partial_fit_prints_one_line_per_call(capfd):
    X, y = make_xor(60, random_state=0)
    est = _estimator(verbose=True)
    est.partial_fit(X, y, classes=[0, 1])
    est.partial_fit(X, y)
    lines = capfd.readouterr().out.splitlines()
    assert len(lines) == 2
    assert all(EPOCH_LINE.match(line) for line in lines)


@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(early_stopping=True),
        dict(solver="sgd", learning_rate="adaptive", tol=10.0, n_iter_no_change=1),
        dict(tol=10.0, n_iter_no_change=1),
    ],
    ids=["plain", "early_stopping", "adaptive_stops", "stopping_rule"],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_not_verbose_prints_nothing(capfd, params):
    X, y = make_xor(100, random_state=0)
    est = _estimator(**params, max_iter=20).fit(X, y)
    est.predict_proba(X)
    est.set_params(early_stopping=False).partial_fit(X, y)
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""


# ----------------------------------------------------------- early stopping


def _record_epochs(monkeypatch):
    """Record the weights after each epoch and the held-out set of the fit."""
    original = NumpyBinaryMLP._end_epoch
    record = {"weights": [], "validation": None}

    def end_epoch(self, *args, **kwargs):
        stop = original(self, *args, **kwargs)
        record["weights"].append(self._get_weights())
        record["validation"] = self._validation
        return stop

    monkeypatch.setattr(NumpyBinaryMLP, "_end_epoch", end_epoch)
    return record


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_early_stopping_attributes_and_best_weights_restored(monkeypatch, seed):
    X, y = make_xor(300, random_state=seed)
    record = _record_epochs(monkeypatch)
    est = NumpyBinaryMLP(
        hidden_layer_sizes=(8,),
        solver="sgd",
        learning_rate_init=0.3,
        batch_size=16,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=3,
        max_iter=200,
        random_state=seed,
    ).fit(X, y)

    scores = est.validation_scores_
    assert len(scores) == len(est.validation_loss_curve_) == est.n_iter_
    assert len(est.loss_curve_) == est.n_iter_ == len(record["weights"])
    assert est.n_iter_ < 200  # stopped by the rule, not by max_iter
    assert est.best_loss_ is None
    assert est.best_validation_score_ == max(scores)
    assert all(0 <= s <= 1 for s in scores)
    assert all(np.isfinite(v) and v > 0 for v in est.validation_loss_curve_)

    best = int(np.argmax(scores))
    assert best + 1 < est.n_iter_  # the best epoch is not the last one
    best_coefs, best_intercepts = record["weights"][best]
    last_coefs, _ = record["weights"][-1]
    for w, w_best in zip(est.coefs_ + est.intercepts_, best_coefs + best_intercepts):
        np.testing.assert_array_equal(w, w_best)
    assert not all(np.array_equal(w, wl) for w, wl in zip(est.coefs_, last_coefs))

    # The restored model scores best_validation_score_ on the held-out set.
    X_val, y_val, _ = record["validation"]
    accuracy = np.mean((est.decision_function(X_val) > 0) == y_val)
    assert accuracy == pytest.approx(est.best_validation_score_, abs=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_without_early_stopping_validation_attributes_are_none():
    X, y = make_xor(60, random_state=0)
    est = _estimator().fit(X, y)
    assert est.validation_scores_ is None
    assert est.best_validation_score_ is None
    assert est.validation_loss_curve_ is None
    assert est.best_loss_ == min(est.loss_curve_)
    assert est.loss_ == est.loss_curve_[-1]
    assert est.n_layers_ == 3 and est.n_outputs_ == 1
    assert est.out_activation_ == "logistic"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_early_stopping_then_plain_refit_clears_validation_attributes():
    X, y = make_xor(100, random_state=0)
    est = _estimator(early_stopping=True).fit(X, y)
    assert len(est.validation_scores_) == est.n_iter_
    est.set_params(early_stopping=False).fit(X, y)
    assert est.validation_scores_ is None
    assert est.best_validation_score_ is None
    assert est.validation_loss_curve_ is None
    assert est.best_loss_ == min(est.loss_curve_)


# ------------------------------------------------------- stopping warnings


def test_max_iter_reached_warns_convergence():
    X, y = make_xor(60, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"maximum iterations \(3\)"):
        est = _estimator(max_iter=3).fit(X, y)
    assert est.n_iter_ == 3


@pytest.mark.parametrize("early_stopping", [False, True])
def test_stopping_rule_does_not_warn_and_stops_like_mlp_classifier(early_stopping):
    """Stopped by tol / n_iter_no_change: no warning, same epoch as MLPClassifier."""
    X, y = make_xor(100, random_state=0)
    params = dict(
        hidden_layer_sizes=(4,),
        max_iter=50,
        tol=10.0,
        n_iter_no_change=2,
        early_stopping=early_stopping,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = NumpyBinaryMLP(**params).fit(X, y)
        reference = MLPClassifier(**params).fit(X, y)
    # No epoch improves by tol=10, so both stop after the same count.
    assert est.n_iter_ == reference.n_iter_ < 50


def test_batch_size_larger_than_n_samples_warns_and_is_clipped():
    X, y = make_xor(60, random_state=0)
    with pytest.warns(UserWarning, match=r"batch_size=500.*clipped to 60"):
        big = _estimator(batch_size=500, max_iter=50, tol=10.0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        full = _estimator(batch_size=None, max_iter=50, tol=10.0).fit(X, y)
    assert big.loss_curve_ == full.loss_curve_
    _assert_weights_equal(big, full)


@pytest.mark.parametrize("batch_size", [None, "auto", 60, 7])
def test_fitting_batch_size_within_bounds_warns_nothing(batch_size):
    X, y = make_xor(60, random_state=0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        _estimator(batch_size=batch_size, max_iter=50, tol=10.0).fit(X, y)
    assert [str(w.message) for w in record] == []


@pytest.mark.parametrize("n_samples, equivalent", [(60, None), (250, 200)])
def test_batch_size_auto_is_min_200_n_samples(n_samples, equivalent):
    X, y = make_xor(n_samples, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        auto = _estimator(batch_size="auto", max_iter=2).fit(X, y)
        explicit = _estimator(batch_size=equivalent, max_iter=2).fit(X, y)
    assert auto.loss_curve_ == explicit.loss_curve_
    _assert_weights_equal(auto, explicit)
