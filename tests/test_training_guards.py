"""Training never returns a broken model, and prediction never returns NaN.

Every check runs on both backends (the ``backend`` fixture of conftest):

* parameters are validated on every ``partial_fit`` call, not only the first;
* ``class_weight`` must give a finite, non-negative weight to each class;
* booleans are refused where a number is expected;
* divergence is seen on every training row and includes finite blow-ups: a
  loss more than ``1e6`` times the initial network's is an error naming
  ``learning_rate_init``;
* all-zero weights in either side of the early-stopping split are refused;
* finite extreme input gives 0/1 probabilities and finite log-probabilities.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from conftest import assert_unchanged, assert_unfitted, make_estimator, snapshot
from sklearn_binnet import _training


def _data(n_samples=120, n_features=4, random_state=0):
    X, y = make_classification(
        n_samples, n_features, n_informative=2, random_state=random_state
    )
    return X, y


def _quiet_fit(est, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kwargs)


# ----------------------------------------------------------- parameters


@pytest.mark.parametrize(
    "name, value",
    [("learning_rate_init", -0.5), ("solver", "lbfgs"), ("activation", "bogus")],
)
def test_partial_fit_validates_parameters_on_every_call(backend, name, value):
    X, y = _data()
    est = make_estimator(backend).partial_fit(X, y, classes=[0, 1])
    state = snapshot(est)
    est.set_params(**{name: value})
    with pytest.raises(ValueError, match=name):
        est.partial_fit(X, y)
    est.set_params(**{name: make_estimator(backend).get_params()[name]})
    assert_unchanged(est, state, X, y)


BAD_CLASS_WEIGHTS = [
    {0: -0.5, 1: 1.0},
    {0: np.nan, 1: 1.0},
    {0: np.inf, 1: 1.0},
    {1: 2.0},
    {0: 1.0, 1: 1.0, 2: 1.0},
    {0: "heavy", 1: 1.0},
]


@pytest.mark.parametrize("class_weight", BAD_CLASS_WEIGHTS, ids=repr)
@pytest.mark.parametrize("method", ["fit", "partial_fit", "partial_fit_again"])
def test_bad_class_weight_is_refused_naming_it(backend, class_weight, method):
    X, y = _data()
    if method == "partial_fit_again":
        est = make_estimator(backend).partial_fit(X, y, classes=[0, 1])
        state = snapshot(est)
        est.set_params(class_weight=class_weight)
        with pytest.raises(ValueError, match="class_weight"):
            est.partial_fit(X, y)
        est.set_params(class_weight=None)
        assert_unchanged(est, state, X, y)
        return
    est = make_estimator(backend, class_weight=class_weight)
    kwargs = {"classes": [0, 1]} if method == "partial_fit" else {}
    with pytest.raises(ValueError, match="class_weight"):
        getattr(est, method)(X, y, **kwargs)
    assert_unfitted(est, X)


def test_class_weight_dict_keyed_by_string_labels_still_works(backend):
    X, y = _data()
    labels = np.array(["no", "yes"])[y]
    weighted = _quiet_fit(
        make_estimator(backend, class_weight={"no": 1.0, "yes": 3.0}), X, labels
    )
    reference = _quiet_fit(
        make_estimator(backend), X, labels, sample_weight=np.where(y == 1, 3.0, 1.0)
    )
    assert weighted.loss_curve_ == reference.loss_curve_


BOOLEAN_PARAMS = [
    ("hidden_layer_sizes", True),
    ("hidden_layer_sizes", (True, 2)),
    ("hidden_layer_sizes", {3: 1}),
    ("batch_size", True),
    ("learning_rate_init", True),
    ("alpha", True),
    ("max_iter", True),
    ("momentum", False),
    ("n_iter_no_change", True),
    ("validation_fraction", False),
]


@pytest.mark.parametrize(
    "name, value", BOOLEAN_PARAMS, ids=[f"{n}={v!r}" for n, v in BOOLEAN_PARAMS]
)
def test_booleans_and_unordered_sizes_are_refused(backend, name, value):
    X, y = _data()
    est = make_estimator(backend, **{name: value})
    with pytest.raises(ValueError, match=name):
        est.fit(X, y)
    assert_unfitted(est, X)


# ------------------------------------------------------------ divergence


def _outlier_rows_data():
    """1024 ordinary rows, then 500 rows scaled by 1e200.

    One plain gradient step on a network without hidden layer gives weights
    of order 1e196: finite, with finite logits on the ordinary rows and
    infinite ones on the scaled rows.
    """
    rng = np.random.RandomState(0)
    X = rng.randn(1524, 3)
    y = (X[:, 0] > 0).astype(int)
    X[1024:] *= 1e200
    return X, y


@pytest.mark.parametrize("reverse", [False, True], ids=["outliers-last", "first"])
def test_divergence_check_sees_every_training_row(backend, reverse):
    X, y = _outlier_rows_data()
    if reverse:
        X, y = X[::-1], y[::-1]
    est = make_estimator(
        backend,
        dtype="float64",
        hidden_layer_sizes=(),
        solver="sgd",
        momentum=0.0,
        batch_size=None,
        shuffle=False,
        max_iter=1,
    )
    with pytest.raises(ValueError, match="learning_rate_init"):
        _quiet_fit(est, X, y)
    assert_unfitted(est, X)


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="sgd", learning_rate_init=100.0),
        dict(solver="adam", learning_rate_init=1e12),
    ],
    ids=["sgd-lr100", "adam-lr1e12"],
)
def test_finite_blow_up_is_divergence_naming_learning_rate_init(backend, params):
    X, y = make_classification(500, 10, random_state=0)
    est = make_estimator(backend, hidden_layer_sizes=(16,), max_iter=50, **params)
    with pytest.raises(ValueError, match="learning_rate_init"):
        _quiet_fit(est, X, y)
    assert_unfitted(est, X)


def test_a_large_loss_that_recovers_is_not_divergence(backend):
    # Adam at learning_rate_init=10 starts hundreds of times above the
    # initial loss, then converges: far below the 1e6 ratio of the rule.
    X, y = make_classification(500, 10, random_state=0)
    est = _quiet_fit(
        make_estimator(
            backend, hidden_layer_sizes=(16,), max_iter=50, learning_rate_init=10.0
        ),
        X,
        y,
    )
    assert max(est.loss_curve_) > 100 * est._initial_loss
    assert est.loss_curve_[-1] < max(est.loss_curve_) / 100


def test_divergence_ratio_is_documented():
    # The factor in the user-facing docstring is the one the code applies.
    from sklearn_binnet import NumpyBinaryMLP

    assert _training._DIVERGENCE_RATIO == 1e6
    assert "1e6" in NumpyBinaryMLP.__doc__


# -------------------------------------------------- early-stopping weights


def _validation_rows(backend, X, y, params, monkeypatch):
    """Indices of the rows that early stopping holds out for ``params``."""
    held_out = []
    split = _training._TrainingMixin._split_validation

    def recording_split(self, X_, y01, sample_weight, rng):
        result = split(self, X_, y01, sample_weight, rng)
        held_out.append(self._validation[0].copy()[:, 0])
        return result

    with monkeypatch.context() as patch:
        patch.setattr(_training._TrainingMixin, "_split_validation", recording_split)
        _quiet_fit(make_estimator(backend, "float64", **params), X, y)
    return np.flatnonzero(np.isin(X[:, 0], held_out[0]))


@pytest.mark.parametrize("zero_side", ["validation", "training"])
def test_all_zero_weights_in_either_split_are_refused(backend, zero_side, monkeypatch):
    X, y = _data(200)
    X[:, 0] = np.arange(200)  # tells the held-out rows apart
    params = dict(early_stopping=True, validation_fraction=0.2)
    held_out = _validation_rows(backend, X, y, params, monkeypatch)
    assert 0 < len(held_out) < 200
    sample_weight = np.ones(200)
    if zero_side == "validation":
        sample_weight[held_out] = 0.0
    else:
        sample_weight[np.setdiff1d(np.arange(200), held_out)] = 0.0
    est = make_estimator(backend, "float64", **params)
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(X, y, sample_weight=sample_weight)
    assert_unfitted(est, X)


# ------------------------------------------------------- extreme inputs


def _extreme_rows(n_rows=50, n_features=5):
    rng = np.random.RandomState(1)
    signs = rng.choice([-1.0, 1.0], (n_rows, n_features))
    return (signs * rng.uniform(0.5, 1.0, (n_rows, n_features)) * 3e38).astype(
        np.float32
    )


@pytest.mark.parametrize("model_dtype", ["float32", "float64"])
def test_finite_extreme_input_gives_no_nan(backend, model_dtype):
    X, y = make_classification(300, 5, random_state=0)
    est = _quiet_fit(
        make_estimator(
            backend, dtype=model_dtype, hidden_layer_sizes=(16, 16), max_iter=30
        ),
        X.astype(model_dtype),
        y,
    )
    X_extreme = _extreme_rows()
    logits = est.decision_function(X_extreme)
    proba = est.predict_proba(X_extreme)
    log_proba = est.predict_log_proba(X_extreme)
    assert not np.isnan(logits).any()
    assert not np.isnan(proba).any()
    assert ((proba >= 0) & (proba <= 1)).all()
    assert np.isfinite(log_proba).all()
    assert (log_proba <= 0).all()
    assert_array_equal(est.predict(X_extreme), est.classes_[(logits > 0).astype(int)])


def test_logits_without_a_sign_are_an_error_not_a_class(backend, monkeypatch):
    X, y = _data()
    est = _quiet_fit(make_estimator(backend), X, y)
    forward = type(est)._forward_logits

    def nan_on_first_row(self, X_):
        logits = forward(self, X_)
        logits[0] = np.nan
        return logits

    monkeypatch.setattr(type(est), "_forward_logits", nan_on_first_row)
    for method in ("decision_function", "predict", "predict_proba"):
        with pytest.raises(ValueError, match="overflow"):
            getattr(est, method)(X)


def test_huge_finite_input_overflows_no_warning_before_the_divergence_error(backend):
    # The initial loss (the divergence reference) of rows near the float
    # maximum overflows too; that must not surface as a RuntimeWarning.
    X = np.full((9, 1), 2.9e307)
    y = np.array([0, 1, 0, 0, 0, 0, 0, 0, 0])
    est = make_estimator(
        backend,
        np.float64,
        hidden_layer_sizes=(3,),
        solver="sgd",
        activation="identity",
        max_iter=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            est.fit(X, y)
        except ValueError as exc:
            assert "learning_rate_init" in str(exc)


# ------------------------------------------------ the early-stopping split


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    ("n_samples", "positive_share", "test_size"),
    [(12, 0.5, 0.2), (37, 0.2, 0.3), (200, 0.5, 0.1), (1001, 0.03, 0.25)],
)
def test_stratified_rows_draw_the_rows_of_train_test_split(
    seed, n_samples, positive_share, test_size
):
    # The index-based split must hold out exactly MLPClassifier's rows (it
    # splits with train_test_split), and leave the generator in the same state.
    from sklearn.model_selection import train_test_split

    from sklearn_binnet._splitting import stratified_rows

    y = (np.random.RandomState(seed).rand(n_samples) < positive_share).astype(float)
    y[:2], y[2:4] = 0.0, 1.0  # two rows of each class at least
    ours_rng, theirs_rng = np.random.RandomState(seed), np.random.RandomState(seed)
    train, test = stratified_rows(y, test_size, ours_rng)
    expected_train, expected_test = train_test_split(
        np.arange(n_samples), test_size=test_size, stratify=y, random_state=theirs_rng
    )
    np.testing.assert_array_equal(train, expected_train)
    np.testing.assert_array_equal(test, expected_test)
    assert ours_rng.randint(1 << 30) == theirs_rng.randint(1 << 30)


def test_stratified_rows_refuses_a_class_of_one_row_as_scikit_learn_does():
    from sklearn_binnet._splitting import stratified_rows

    y = np.array([0.0] * 9 + [1.0])
    with pytest.raises(ValueError, match="least populated class"):
        stratified_rows(y, 0.2, np.random.RandomState(0))


def test_early_stopping_splits_without_copying_x(monkeypatch):
    # The training rows are gathered from X batch by batch, and the held-out
    # rows are predicted through their indices: the split copies no row.
    from sklearn_binnet import NumpyBinaryMLP
    from sklearn_binnet._splitting import RowSubset

    X, y = _data(400)
    copies = []
    split = _training._TrainingMixin._split_validation

    def recording_split(self, X_, y01, sample_weight, rng):
        train_rows = split(self, X_, y01, sample_weight, rng)
        copies.append((X_, train_rows, self._validation[0]))
        return train_rows

    monkeypatch.setattr(_training._TrainingMixin, "_split_validation", recording_split)
    _quiet_fit(NumpyBinaryMLP(early_stopping=True, max_iter=3, random_state=0), X, y)
    X_fit, train_rows, X_val = copies[0]
    assert np.shares_memory(X_fit, X)
    assert train_rows.dtype.kind == "i"
    assert isinstance(X_val, RowSubset) and X_val.data is X_fit
    every_row = np.sort(np.concatenate([train_rows, X_val.rows]))
    assert_array_equal(every_row, np.arange(X.shape[0]))


def test_int32_row_indices_of_large_data_give_the_same_batches():
    # Large data keeps its row order in int32 (half the memory); the shuffle
    # must draw the same order as with intp indices, and the batches the same rows.
    from sklearn_binnet._batching import _LARGE_DATA_ROWS, MiniBatches

    n_samples = _LARGE_DATA_ROWS
    batches = MiniBatches(n_samples, 4096, np.random.RandomState(0))
    assert batches.order.dtype == np.int32
    expected = np.arange(n_samples)
    np.random.RandomState(0).shuffle(expected)
    first = next(iter(batches))
    assert_array_equal(first, expected[:4096])
    assert MiniBatches(1000, 10, None).order.dtype == np.intp
