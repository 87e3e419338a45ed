"""Labels, dtypes, sparse input, reproducibility, weights and training history.

What the user guide promises a user who swaps ``MLPClassifier`` for either
estimator, checked on both backends (the ``backend`` and ``backend_dtype``
fixtures of ``conftest.py``): any two labels round-trip, outputs come in X's
floating dtype, the same seed gives the same bits, class and sample weights
multiply, ``partial_fit`` and ``warm_start`` continue training, and the fitted
attributes follow ``MLPClassifier``.

Bitwise equality is asserted only between two runs of the same code path on
the same input in one process; two different paths (float32 vs float64,
sparse vs dense) are compared within floating-point error bounds.
"""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from conftest import (
    assert_close_fits,
    assert_within_bound,
    estimator_class,
    fit_atol,
    make_estimator,
    mlp_logit_error_bound,
)
from sklearn_binnet._splitting import RowSubset
from sklearn_binnet.datasets import make_xor

PROBA_METHODS = ["predict_proba", "predict_log_proba", "decision_function"]
EPS32 = np.finfo(np.float32).eps


def _estimator(backend, **params):
    return make_estimator(backend, **params)


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


def _good_fit(backend, **params):
    """Settings that fit the separable problem well in a few dozen epochs."""
    defaults = dict(hidden_layer_sizes=(8,), learning_rate_init=0.05, max_iter=60)
    return make_estimator(backend, **{**defaults, **params})


def _assert_weights_equal(a, b):
    """Bitwise: only for the same code path on the same input, in one process."""
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True):
        np.testing.assert_array_equal(wa, wb)


# ------------------------------------------------------------------ labels

# Each pair is given in sorted order: LABELS[k][1] is the positive class.
# One of each kind of label the encoder handles differently.
LABELS = {
    "ints_0_1": np.array([0, 1]),
    "ints_3_7": np.array([3, 7]),
    "strings": np.array(["neg", "pos"]),
    "bools": np.array([False, True]),
    "objects": np.array(["cat", "dog"], dtype=object),
}


@pytest.mark.parametrize("kind", LABELS)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_any_two_labels_round_trip(backend, kind):
    """Relabelling y changes nothing but the names of what predict returns."""
    labels = LABELS[kind]
    X, y01 = _separable()
    reference = _good_fit(backend).fit(X, y01)
    est = _good_fit(backend).fit(X, labels[y01])

    np.testing.assert_array_equal(est.classes_, labels)
    if labels.dtype != object:  # object strings become str, as in MLPClassifier
        assert est.classes_.dtype == labels.dtype
    y_pred = est.predict(X)
    assert y_pred.dtype == est.classes_.dtype
    assert set(y_pred.tolist()) <= set(labels.tolist())
    # Same network as with 0/1 labels (y is encoded to the same 0/1 before
    # training: same path, same input), so the same bits, relabelled.
    np.testing.assert_array_equal(y_pred, labels[reference.predict(X)])
    np.testing.assert_array_equal(est.predict_proba(X), reference.predict_proba(X))
    assert est.score(X, labels[y01]) >= 0.95


@pytest.mark.parametrize("kind", ["ints_3_7", "strings", "bools"])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_labels_given_as_a_list_round_trip(kind):
    """Label encoding lives in the base class: one backend suffices."""
    labels = LABELS[kind]
    X, y01 = _separable()
    y = labels[y01].tolist()
    est = _good_fit("numpy").fit(X, y)
    np.testing.assert_array_equal(est.classes_, labels)
    assert np.mean(est.predict(X) == np.asarray(y, dtype=labels.dtype)) >= 0.95


@pytest.mark.parametrize(
    "first_seen, second_seen",
    [("yes", "no"), (7, 3), (True, False), (1, -1), ("b", "a")],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_classes_sorted_and_proba_column_1_is_classes_1(
    backend, first_seen, second_seen
):
    """classes_ is sorted whatever the order in y; column 1 is classes_[1]."""
    X, y01 = _separable()
    # The label of class "1" of the problem sorts *first* here.
    y = np.where(y01 == 1, first_seen, second_seen)
    est = _good_fit(backend).fit(X, y)
    np.testing.assert_array_equal(est.classes_, sorted([first_seen, second_seen]))

    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=4 * EPS32)
    is_positive = y == est.classes_[1]
    # On a separable problem the true class gets most of the probability.
    assert np.mean(proba[is_positive, 1] > 0.5) >= 0.95
    assert np.mean(proba[~is_positive, 1] < 0.5) >= 0.95
    # decision_function is the logit of classes_[1]; predict follows it.
    # The sigmoid and the log are each relatively accurate to a few ulps of
    # the output dtype, so a relative tolerance holds even near zero here.
    logits = est.decision_function(X)
    eps = np.finfo(logits.dtype).eps
    np.testing.assert_allclose(
        proba[:, 1], 1 / (1 + np.exp(-logits)), rtol=8 * eps, atol=0
    )
    np.testing.assert_array_equal(est.predict(X), est.classes_[(logits > 0) * 1])
    np.testing.assert_allclose(
        est.predict_log_proba(X), np.log(proba), rtol=8 * eps, atol=8 * eps
    )


# ------------------------------------------------------------------ dtypes

FIT_DTYPES = {  # dtype of X at fit -> dtype of NumpyBinaryMLP's weights
    "float32": (np.float32, np.float32),
    "float64": (np.float64, np.float64),
    "int64": (np.int64, np.float64),  # any integer: the float64 path
}


def _integer_valued_data():
    X, y = make_xor(60, random_state=0)
    return np.round(3 * X), y


@pytest.mark.parametrize("sparse_format", [None, "csr", "csc"])
@pytest.mark.parametrize("fit_dtype", FIT_DTYPES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fit_dtype_sets_weight_dtype(backend, fit_dtype, sparse_format):
    """NumPy trains float32 X in float32 and any other X in float64; torch
    trains in its ``dtype`` (float32 by default) whatever X.  Outputs follow
    the floating dtype of the X they are given."""
    x_dtype, weight_dtype = FIT_DTYPES[fit_dtype]
    if backend == "torch":
        weight_dtype = np.float32
    X, y = _integer_valued_data()
    X = X.astype(x_dtype)
    if sparse_format is not None:
        X = sp.csr_matrix(X) if sparse_format == "csr" else sp.csc_matrix(X)
    est = _estimator(backend).fit(X, y)
    for w in est.coefs_ + est.intercepts_:
        assert w.dtype == weight_dtype
    for method in PROBA_METHODS:
        assert getattr(est, method)(X).dtype == (
            np.float32 if x_dtype == np.float32 else np.float64
        )


@pytest.mark.parametrize("predict_dtype", [np.float32, np.float64, np.int64])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_outputs_in_the_floating_dtype_of_X(backend_dtype, predict_dtype):
    """Whatever the model was fitted in, outputs follow the X they are given,
    and differ from the float64 outputs by float32 rounding only."""
    X, y = _integer_valued_data()  # exact in float32: only the arithmetic rounds
    est = backend_dtype.make().fit(backend_dtype.cast(X), y)
    out_dtype = np.float32 if predict_dtype == np.float32 else np.float64
    # The float32 path rounds every dot product in float32 (or the weights to
    # float32, or the outputs to float32): within the bound for a float32
    # forward pass, plus the rounding of the output itself.
    logit_bound = mlp_logit_error_bound(
        X, est.coefs_, est.intercepts_, est.activation, np.float32
    )
    for method in PROBA_METHODS:
        out = getattr(est, method)(X.astype(predict_dtype))
        assert out.dtype == out_dtype
        reference = getattr(est, method)(X.astype(np.float64))
        # |d sigmoid / dz| <= 1/4 and |d log sigmoid / dz| <= 1: the logit's
        # bound covers all three methods.
        bound = (logit_bound if out.ndim == 1 else logit_bound[:, None]) + EPS32 * (
            np.abs(reference)
        )
        assert_within_bound(out, reference, bound, err_msg=method)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_float32_training_is_close_to_float64_training(backend):
    """float32 is a rounding of the same computation, not a different model."""
    X, y = make_xor(60, random_state=0)
    if backend == "numpy":
        est32 = _estimator(backend).fit(X.astype(np.float32), y)
        est64 = _estimator(backend).fit(X, y)
    else:
        est32 = _estimator(backend, dtype="float32").fit(X, y)
        est64 = _estimator(backend, dtype="float64").fit(X, y)
    assert est32.coefs_[0].dtype == np.float32 and est64.coefs_[0].dtype == np.float64
    # 5 full-batch Adam steps over 60 samples.
    assert_close_fits(est32, est64, np.float32, n_ops=60 * 5)


# ------------------------------------------------------------------ sparse


def _sparse_data():
    X, y = make_classification(n_samples=80, n_features=6, random_state=0)
    X[np.abs(X) < 0.7] = 0.0  # about half the entries are zero
    return X, y


def _dtype(est):
    return est.coefs_[0].dtype


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sparse_input_gives_the_dense_fit(backend):
    """Training on a sparse matrix is the same computation as on dense X, up to
    the order of the sums (sparse products add the non-zero terms only).

    CSC, converted to CSR once, covers the CSR path too.
    """
    X, y = _sparse_data()
    X_sparse = sp.csc_matrix(X)
    params = dict(solver="sgd", batch_size=16, learning_rate_init=0.01, max_iter=8)
    dense = _estimator(backend, **params).fit(X, y)
    sparse = _estimator(backend, **params).fit(X_sparse, y)
    # 8 epochs of 5 steps, dot products of at most 16 terms.
    n_ops = 16 * 8 * 5
    assert_close_fits(sparse, dense, _dtype(dense), n_ops)
    proba = dense.predict_proba(X)
    np.testing.assert_allclose(
        sparse.predict_proba(X_sparse),
        proba,
        rtol=0,
        atol=fit_atol([proba], _dtype(dense), n_ops),
    )
    # Predictions agree wherever the logit is clear of that rounding.
    logits = dense.decision_function(X)
    clear = np.abs(logits) > fit_atol([logits], _dtype(dense), 100 * n_ops)
    np.testing.assert_array_equal(
        sparse.predict(X_sparse)[clear], dense.predict(X)[clear]
    )


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_dense_model_predicts_sparse_input_like_dense(backend, fmt):
    X, y = _sparse_data()
    X_sparse = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    est = _estimator(backend).fit(X, y)
    # Sparse and dense products sum in different orders: within the bound of
    # two forward passes (a logit's bound covers proba and log-proba too).
    bound = mlp_logit_error_bound(
        X, est.coefs_, est.intercepts_, est.activation, np.float64
    )
    for method in PROBA_METHODS:
        out = getattr(est, method)(X)
        assert_within_bound(
            getattr(est, method)(X_sparse),
            out,
            bound if out.ndim == 1 else bound[:, None],
            err_msg=method,
        )
    clear = np.abs(est.decision_function(X)) > bound
    np.testing.assert_array_equal(est.predict(X_sparse)[clear], est.predict(X)[clear])


# --------------------------------------------------------- reproducibility
# (Same seed, same bits, for each solver and set-up: test_reliability.py.)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_same_random_state_instance_seed_gives_equal_fits(backend):
    X, y = make_xor(100, random_state=1)
    a = _estimator(backend, random_state=np.random.RandomState(3)).fit(X, y)
    b = _estimator(backend, random_state=np.random.RandomState(3)).fit(X, y)
    _assert_weights_equal(a, b)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_refit_with_same_int_random_state_is_bitwise_equal(backend):
    """fit twice on one estimator: the int seed is re-used, not consumed."""
    X, y = make_xor(100, random_state=1)
    est = _estimator(backend, random_state=5).fit(X, y)
    first = [c.copy() for c in est.coefs_]
    est.fit(X, y)
    for c0, c1 in zip(first, est.coefs_):
        np.testing.assert_array_equal(c0, c1)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_different_random_state_gives_different_fits(backend):
    X, y = make_xor(100, random_state=1)
    params = dict(solver="sgd", batch_size=16, learning_rate_init=0.05)
    a = _estimator(backend, **params, random_state=0).fit(X, y)
    b = _estimator(backend, **params, random_state=1).fit(X, y)
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


def _fit_pair(backend, X, y, class_weight, sample_weight, equivalent_sample_weight):
    """Fit with class_weight (and sample_weight) vs the equivalent sample_weight."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = make_estimator(backend, **WEIGHT_PARAMS, class_weight=class_weight).fit(
            X, y, sample_weight=sample_weight
        )
        b = make_estimator(backend, **WEIGHT_PARAMS).fit(
            X, y, sample_weight=equivalent_sample_weight
        )
    return a, b


def _assert_same_training(a, b, n_samples=90):
    """The per-sample weights may differ in the last bit (computed in another
    order): 10 full-batch steps of sums over ``n_samples`` terms."""
    assert_close_fits(a, b, _dtype(a), n_ops=n_samples * 10)


@pytest.mark.parametrize("kind", ["ints_3_7", "strings"])
def test_class_weight_dict_equals_sample_weight(backend, kind):
    labels = LABELS[kind]
    X, y01 = _imbalanced()
    y = labels[y01]
    class_weight = {labels[0]: 2.0, labels[1]: 1.0}
    a, b = _fit_pair(backend, X, y, class_weight, None, np.where(y01 == 0, 2.0, 1.0))
    _assert_same_training(a, b)
    # And the weights do matter: an unweighted fit trains differently.
    plain = make_estimator(backend, **WEIGHT_PARAMS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain.fit(X, y)
    assert not np.allclose(plain.loss_curve_, a.loss_curve_, rtol=1e-6)


def test_class_weight_and_sample_weight_multiply(backend):
    X, y = _imbalanced()
    sample_weight = np.random.RandomState(0).uniform(0.5, 2.0, y.size)
    class_weight = {0: 3.0, 1: 0.5}
    product = sample_weight * np.where(y == 0, 3.0, 0.5)
    a, b = _fit_pair(backend, X, y, class_weight, sample_weight, product)
    _assert_same_training(a, b)


def test_balanced_class_weight_times_sample_weight(backend):
    """ "balanced" is n / (2 * count) per class, times any sample_weight."""
    X, y = _imbalanced()
    counts = np.bincount(y)
    assert counts[0] != counts[1]
    sample_weight = np.random.RandomState(1).uniform(0.5, 2.0, y.size)
    balanced = (y.size / (2 * counts))[y]
    a, b = _fit_pair(backend, X, y, "balanced", sample_weight, balanced * sample_weight)
    _assert_same_training(a, b)


def test_integer_sample_weight_equals_repeating_samples(backend):
    """sample_weight=k weighs a sample like k copies of it (full batch)."""
    X, y = _imbalanced()
    repeats = np.random.RandomState(2).randint(1, 4, y.size)
    params = {**WEIGHT_PARAMS, "shuffle": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = make_estimator(backend, **params).fit(
            X, y, sample_weight=repeats.astype(float)
        )
        b = make_estimator(backend, **params).fit(
            np.repeat(X, repeats, 0), np.repeat(y, repeats)
        )
    # Sums over up to 3 * 90 terms instead of 90 weighted ones.
    _assert_same_training(a, b, n_samples=int(repeats.sum()))


# ------------------------------------------------------------- partial_fit


def test_partial_fit_runs_one_epoch_per_call(backend):
    X, y = make_xor(60, random_state=0)
    est = _estimator(backend)
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
def test_partial_fit_keeps_optimizer_state(backend, solver, momentum, nesterov):
    """Two partial_fit calls train like one fit of two epochs (4 steps each)."""
    X, y = make_xor(60, random_state=0)
    params = dict(
        solver=solver,
        momentum=momentum,
        nesterovs_momentum=nesterov,
        batch_size=16,
        shuffle=False,
        learning_rate_init=0.05,
    )
    inc = _estimator(backend, **params)
    inc.partial_fit(X, y, classes=[0, 1])
    inc.partial_fit(X, y)
    with pytest.warns(ConvergenceWarning):
        full = _estimator(backend, **params, max_iter=2).fit(X, y)
    # The same steps on the same batches: equal to the last few bits.
    assert_close_fits(inc, full, _dtype(full), n_ops=2)
    assert inc.t_ == full.t_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_partial_fit_after_fit_appends_to_loss_curve(backend):
    X, y = make_xor(60, random_state=0)
    est = _estimator(backend, max_iter=3).fit(X, y)
    curve = list(est.loss_curve_)
    est.partial_fit(X, y)
    assert len(est.loss_curve_) == 4
    assert est.loss_curve_[:3] == curve
    assert est.n_iter_ == 1


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_refit_appends_to_loss_curve_and_continues(backend):
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
    warm = _estimator(backend, **params, warm_start=True, max_iter=3).fit(X, y)
    first = list(warm.loss_curve_)
    warm.set_params(max_iter=4).fit(X, y)
    assert len(warm.loss_curve_) == 7
    assert warm.loss_curve_[:3] == first
    assert warm.n_iter_ == 4
    assert warm.t_ == 7 * X.shape[0]

    cold = _estimator(backend, **params, max_iter=7).fit(X, y)
    assert_close_fits(warm, cold, _dtype(cold), n_ops=2)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_cold_refit_restarts_loss_curve(backend):
    X, y = make_xor(60, random_state=0)
    est = _estimator(backend, max_iter=3).fit(X, y)
    est.set_params(max_iter=4).fit(X, y)
    assert len(est.loss_curve_) == 4
    assert est.t_ == 4 * X.shape[0]


# ----------------------------------------------------------------- verbose

EPOCH_LINE = re.compile(r"^Epoch (\d+), Loss: (\S+)$")
EPOCH_LINE_WITH_VALIDATION = re.compile(
    r"^Epoch (\d+), Loss: (\S+), Validation score: (\S+)$"
)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_verbose_prints_one_line_per_epoch(backend, capfd):
    X, y = make_xor(60, random_state=0)
    est = _estimator(backend, verbose=True, max_iter=4).fit(X, y)
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
def test_verbose_prints_validation_score_with_early_stopping(backend, capfd):
    X, y = make_xor(100, random_state=0)
    est = _estimator(backend, verbose=True, max_iter=4, early_stopping=True).fit(X, y)
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


def test_verbose_partial_fit_prints_one_line_per_call(backend, capfd):
    X, y = make_xor(60, random_state=0)
    est = _estimator(backend, verbose=True)
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
def test_not_verbose_prints_nothing(backend, capfd, params):
    X, y = make_xor(100, random_state=0)
    est = _estimator(backend, **params, max_iter=20).fit(X, y)
    est.predict_proba(X)
    est.set_params(early_stopping=False).partial_fit(X, y)
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""


# ----------------------------------------------------------- early stopping


def _record_epochs(monkeypatch, cls):
    """Record the weights after each epoch and the held-out set of the fit."""
    original = cls._end_epoch
    record = {"weights": [], "validation": None}

    def end_epoch(self, *args, **kwargs):
        stop = original(self, *args, **kwargs)
        record["weights"].append(self._get_weights())
        record["validation"] = self._validation
        return stop

    monkeypatch.setattr(cls, "_end_epoch", end_epoch)
    return record


def test_early_stopping_attributes_and_best_weights_restored(backend, monkeypatch):
    X, y = make_xor(300, random_state=0)
    record = _record_epochs(monkeypatch, estimator_class(backend))
    est = make_estimator(
        backend,
        hidden_layer_sizes=(8,),
        solver="sgd",
        learning_rate_init=0.3,
        batch_size=16,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=3,
        max_iter=200,
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

    # The restored model scores best_validation_score_ on the held-out set
    # (predicted in the training dtype, as during training).
    X_val, y_val, _ = record["validation"]
    if isinstance(X_val, RowSubset):  # the held-out rows of X, by index
        X_val = X_val.copy()
    X_val = np.asarray(X_val, dtype=_dtype(est))
    accuracy = np.mean((est.decision_function(X_val) > 0) == y_val)
    assert accuracy == pytest.approx(est.best_validation_score_, abs=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_without_early_stopping_validation_attributes_are_none(backend):
    X, y = make_xor(60, random_state=0)
    est = _estimator(backend).fit(X, y)
    assert est.validation_scores_ is None
    assert est.best_validation_score_ is None
    assert est.validation_loss_curve_ is None
    assert est.best_loss_ == min(est.loss_curve_)
    assert est.loss_ == est.loss_curve_[-1]
    assert est.n_layers_ == 3 and est.n_outputs_ == 1
    assert est.out_activation_ == "logistic"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_early_stopping_then_plain_refit_clears_validation_attributes(backend):
    X, y = make_xor(100, random_state=0)
    est = _estimator(backend, early_stopping=True).fit(X, y)
    assert len(est.validation_scores_) == est.n_iter_
    est.set_params(early_stopping=False).fit(X, y)
    assert est.validation_scores_ is None
    assert est.best_validation_score_ is None
    assert est.validation_loss_curve_ is None
    assert est.best_loss_ == min(est.loss_curve_)


# ------------------------------------------------------- stopping warnings


def test_max_iter_reached_warns_convergence(backend):
    X, y = make_xor(60, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"maximum iterations \(3\)"):
        est = _estimator(backend, max_iter=3).fit(X, y)
    assert est.n_iter_ == 3


@pytest.mark.parametrize("early_stopping", [False, True])
def test_stopping_rule_does_not_warn_and_stops_like_mlp_classifier(
    backend, early_stopping
):
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
        est = estimator_class(backend)(**params).fit(X, y)
        reference = MLPClassifier(**params).fit(X, y)
    # No epoch improves by tol=10, so both stop after the same count.
    assert est.n_iter_ == reference.n_iter_ < 50


def test_batch_size_larger_than_n_samples_warns_and_is_clipped(backend):
    X, y = make_xor(60, random_state=0)
    params = dict(max_iter=50, tol=10.0)
    with pytest.warns(UserWarning, match=r"batch_size=500.*clipped to 60"):
        big = _estimator(backend, batch_size=500, **params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        full = _estimator(backend, batch_size=None, **params).fit(X, y)
    # One batch of all 60 samples either way: the same path on the same input.
    assert big.loss_curve_ == full.loss_curve_
    _assert_weights_equal(big, full)


@pytest.mark.parametrize("batch_size", [None, "auto", 7])
def test_fitting_batch_size_within_bounds_warns_nothing(backend, batch_size):
    X, y = make_xor(60, random_state=0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        _estimator(backend, batch_size=batch_size, max_iter=50, tol=10.0).fit(X, y)
    assert [str(w.message) for w in record] == []


@pytest.mark.parametrize("n_samples, equivalent", [(60, None), (250, 200)])
def test_batch_size_auto_is_min_200_n_samples(backend, n_samples, equivalent):
    X, y = make_xor(n_samples, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        auto = _estimator(backend, batch_size="auto", max_iter=2).fit(X, y)
        explicit = _estimator(backend, batch_size=equivalent, max_iter=2).fit(X, y)
    assert auto.loss_curve_ == explicit.loss_curve_
    _assert_weights_equal(auto, explicit)
