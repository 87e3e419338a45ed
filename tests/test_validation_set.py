"""A validation set given to ``fit``, and early stopping on any score.

``fit(X, y, sample_weight=None, *, X_val=None, y_val=None,
sample_weight_val=None)`` takes a validation set as
HistGradientBoostingClassifier does; ``scoring`` chooses what early stopping
watches on it. Each behaviour is checked on both backends (torch in
float64), against values recomputed here with scikit-learn's metrics: the
epoch where ``scoring="loss"`` stops, the best epoch's weights, the scores
recorded, and the equivalence of a given validation set with the internal
split.
"""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, UnsetMetadataPassedError
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import cross_validate, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from conftest import assert_unchanged, make_estimator, snapshot
from sklearn_binnet._base import _glorot_uniform_weights

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

EPS = np.finfo(np.float64).eps


def _data():
    """Noisy data that a wide network overfits: 160 training, 80 validation rows."""
    X, y = make_classification(
        240, 10, n_informative=4, flip_y=0.15, random_state=0, shuffle=True
    )
    return X[:160], y[:160], X[160:], y[160:]


def _make(backend, **params):
    """A float64 estimator of ``backend`` that stops on its validation set."""
    defaults = dict(
        hidden_layer_sizes=(32,),
        learning_rate_init=0.01,
        batch_size=32,
        max_iter=200,
        early_stopping=True,
        n_iter_no_change=5,
        tol=1e-3,
    )
    return make_estimator(backend, dtype="float64", **{**defaults, **params})


# ----------------------------------------------------------------- errors

_ERRORS = {
    "X_val without y_val": (dict(X_val=True), "X_val is given to fit without y_val"),
    "y_val without X_val": (dict(y_val=True), "y_val is given to fit without X_val"),
    "sample_weight_val alone": (
        dict(sample_weight_val=True),
        "sample_weight_val is given to fit without X_val",
    ),
    "other feature count": (
        dict(X_val=lambda X: X[:, :3], y_val=True),
        "X_val: X has 3 features, but .* is expecting 10 features",
    ),
    "unseen label": (
        dict(X_val=True, y_val=lambda y: np.where(y == 1, 7, y)),
        r"y_val has labels array\(\[7\]\) that are not in y",
    ),
    "NaN in X_val": (
        dict(X_val=lambda X: np.where(X > 2, np.nan, X), y_val=True),
        "X_val: Input X contains NaN",
    ),
    "continuous y_val": (
        dict(X_val=True, y_val=lambda y: y + 0.5),
        "y_val: Unknown label type",
    ),
    "lengths differ": (
        dict(X_val=True, y_val=lambda y: y[:-1]),
        "inconsistent numbers of samples",
    ),
    "negative sample_weight_val": (
        dict(X_val=True, y_val=True, sample_weight_val=lambda w: w - 2),
        "sample_weight_val: Negative values in data",
    ),
    "zero sample_weight_val": (
        dict(X_val=True, y_val=True, sample_weight_val=lambda w: 0 * w),
        "sample_weight_val.* (zero|non-zero)",
    ),
}


def _fit_params(spec, X_val, y_val):
    """Build the keyword arguments of fit from an entry of ``_ERRORS``."""
    given = {"X_val": X_val, "y_val": y_val, "sample_weight_val": np.ones(len(y_val))}
    return {
        name: given[name] if value is True else value(given[name])
        for name, value in spec.items()
    }


@pytest.mark.parametrize("case", list(_ERRORS))
def test_bad_validation_set_is_refused_and_changes_nothing(backend, case):
    X, y, X_val, y_val = _data()
    spec, message = _ERRORS[case]
    est = _make(backend, max_iter=2).fit(X, y)
    state = snapshot(est)
    with pytest.raises(ValueError, match=message):
        est.fit(X, y, **_fit_params(spec, X_val, y_val))
    assert_unchanged(est, state, X)


def test_validation_set_needs_early_stopping(backend):
    """As in HistGradientBoostingClassifier: X_val only serves early stopping."""
    X, y, X_val, y_val = _data()
    est = _make(backend, early_stopping=False)
    with pytest.raises(ValueError, match="early_stopping=False"):
        est.fit(X, y, X_val=X_val, y_val=y_val)
    assert not hasattr(est, "coefs_")


def test_validation_set_with_other_feature_names_is_refused(backend):
    pd = pytest.importorskip("pandas")
    X, y, X_val, y_val = _data()
    columns = [f"f{i}" for i in range(X.shape[1])]
    est = _make(backend, max_iter=2)
    with pytest.raises(ValueError, match="X_val: The feature names should match"):
        est.fit(
            pd.DataFrame(X, columns=columns),
            y,
            X_val=pd.DataFrame(X_val, columns=columns[::-1]),
            y_val=y_val,
        )


def test_bad_scoring_is_refused(backend):
    X, y, _, _ = _data()
    with pytest.raises(InvalidParameterError, match="'scoring' parameter"):
        _make(backend, scoring=3).fit(X, y)
    # A misspelt scorer name fails at once, with or without a validation set.
    for early_stopping in (True, False):
        est = _make(backend, scoring="roc_auk", early_stopping=early_stopping)
        with pytest.raises(ValueError, match="roc_auk"):
            est.fit(X, y)


# ------------------------------------------------------- same as the split


def test_given_validation_set_equals_the_internal_split(backend):
    """The split's own rows, given as X_val, give the very same fit.

    Without shuffling the generator serves only the initial weights and then
    the split, so the split is recomputed here from the same draws; the fit
    on the training rows with the held-out rows as X_val takes the same path.
    """
    X, y, _, _ = _data()
    params = dict(shuffle=False, random_state=0, max_iter=40)
    internal = _make(backend, **params).fit(X, y)

    rng = np.random.RandomState(0)
    _glorot_uniform_weights([X.shape[1], 32, 1], "relu", np.float64, rng)
    train, val = train_test_split(
        np.arange(len(y)), random_state=rng, test_size=0.1, stratify=y
    )
    given = _make(backend, **params).fit(X[train], y[train], X_val=X[val], y_val=y[val])

    assert given.n_iter_ == internal.n_iter_
    assert given.loss_curve_ == internal.loss_curve_
    assert given.validation_scores_ == internal.validation_scores_
    assert given.validation_loss_curve_ == internal.validation_loss_curve_
    for a, b in zip(
        given.coefs_ + given.intercepts_, internal.coefs_ + internal.intercepts_
    ):
        assert_array_equal(a, b)


def test_validation_fraction_is_ignored_given_a_validation_set(backend):
    X, y, X_val, y_val = _data()
    fits = [
        _make(backend, validation_fraction=fraction, max_iter=10, random_state=0).fit(
            X, y, X_val=X_val, y_val=y_val
        )
        for fraction in (0.0, 0.3)
    ]
    assert fits[0].loss_curve_ == fits[1].loss_curve_
    assert fits[0].validation_scores_ == fits[1].validation_scores_
    # Without X_val there is a split to draw, and no fraction to draw it with.
    with pytest.raises(InvalidParameterError, match="validation_fraction"):
        _make(backend, validation_fraction=0.0).fit(X, y)


def test_class_weight_weighs_the_validation_set_too(backend):
    """class_weight multiplies sample_weight_val as it multiplies sample_weight."""
    X, y, X_val, y_val = _data()
    weights = {0: 1.0, 1: 3.0}
    by_class = _make(backend, class_weight=weights, max_iter=10, random_state=0)
    by_class.fit(X, y, X_val=X_val, y_val=y_val)
    by_row = _make(backend, max_iter=10, random_state=0).fit(
        X,
        y,
        sample_weight=np.where(y == 1, 3.0, 1.0),
        X_val=X_val,
        y_val=y_val,
        sample_weight_val=np.where(y_val == 1, 3.0, 1.0),
    )
    assert by_class.validation_loss_curve_ == by_row.validation_loss_curve_
    assert by_class.validation_scores_ == by_row.validation_scores_


# ------------------------------------------------------------ the stopping


def _replay(est, X, y, n_epochs):
    """Train ``est``'s settings one epoch per partial_fit call, ``n_epochs`` times.

    Without shuffling and with a constant rate, partial_fit calls take the
    steps of fit's epochs (the optimizer state is kept), so the model after
    the k-th call is fit's model after epoch k. Returns the models.
    """
    replay = clone(est).set_params(early_stopping=False)
    models = []
    for _ in range(n_epochs):
        replay.partial_fit(X, y, classes=[0, 1])
        models.append(pickle.loads(pickle.dumps(replay)))
    return models


def _expected_stop(scores, tol, n_iter_no_change):
    """MLPClassifier's patience rule on ``scores`` (greater is better).

    Returns the epoch (1-based) where the rule fires, the epoch of the best
    score, and the epoch of the last improvement by more than ``tol``; also
    the smallest distance of a score to its threshold, so that a test can
    see that no decision was a rounding away from going the other way.
    """
    best, count, best_epoch, last_improved = -np.inf, 0, 0, 0
    margin = np.inf
    for epoch, score in enumerate(scores, start=1):
        if np.isfinite(best):
            margin = min(margin, abs(score - (best + tol)), abs(score - best))
        if score < best + tol:
            count += 1
        else:
            count, last_improved = 0, epoch
        if score > best:
            best, best_epoch = score, epoch
        if count > n_iter_no_change:
            return epoch, best_epoch, last_improved, margin
    return None, best_epoch, last_improved, margin


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_loss_scoring_stops_where_the_validation_log_loss_last_improved(
    backend, solver
):
    X, y, X_val, y_val = _data()
    lr = 0.05 if solver == "sgd" else 0.01
    est = _make(
        backend, solver=solver, learning_rate_init=lr, scoring="loss", shuffle=False
    ).set_params(random_state=0)
    est.fit(X, y, X_val=X_val, y_val=y_val)
    assert est.n_iter_ < est.max_iter  # the rule fired

    models = _replay(est, X, y, est.n_iter_)
    assert [m.loss_curve_[-1] for m in models] == est.loss_curve_
    # The validation log-loss of every epoch, recomputed by scikit-learn.
    losses = np.array([log_loss(y_val, m.predict_proba(X_val)[:, 1]) for m in models])
    # Two computations of a mean of log-probabilities, each term within a few
    # eps of the exact value (none of the probabilities is within 1e-10 of 0
    # or 1, where log_loss would clip).
    proba = np.concatenate([m.predict_proba(X_val) for m in models])
    assert proba.min() > 1e-10
    assert_allclose(
        est.validation_loss_curve_, losses, rtol=0, atol=16 * EPS * losses.max()
    )
    assert_allclose(
        est.validation_scores_, -losses, rtol=0, atol=16 * EPS * losses.max()
    )

    stop, best, last_improved, margin = _expected_stop(
        -losses, est.tol, est.n_iter_no_change
    )
    assert margin > 1e-9  # no decision hangs on rounding
    assert est.n_iter_ == stop == last_improved + est.n_iter_no_change + 1
    assert est.best_validation_score_ == max(est.validation_scores_)
    # The weights of the best epoch are the fitted ones.
    assert_array_equal(est.predict_proba(X_val), models[best - 1].predict_proba(X_val))


def test_infinite_patience_trains_every_epoch_and_keeps_the_best(backend):
    X, y, X_val, y_val = _data()
    est = _make(backend, scoring="loss", n_iter_no_change=np.inf, max_iter=60)
    # max_iter is then a budget, not a failure to converge: no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y, X_val=X_val, y_val=y_val)
    assert est.n_iter_ == len(est.validation_scores_) == 60
    best = int(np.argmax(est.validation_scores_))
    assert best < 59  # it overfits: the best epoch is not the last
    restored = log_loss(y_val, est.predict_proba(X_val)[:, 1])
    assert restored == pytest.approx(est.validation_loss_curve_[best], rel=1e-12)
    assert est.best_validation_score_ == est.validation_scores_[best]


def test_roc_auc_scores_are_those_of_the_restored_model(backend):
    X, y, X_val, y_val = _data()
    labels = np.array(["no", "yes"])  # the positive class is classes_[1]
    weights = np.linspace(0.5, 2.0, len(y_val))
    est = _make(backend, scoring="roc_auc", random_state=0)
    est.fit(X, labels[y], X_val=X_val, y_val=labels[y_val], sample_weight_val=weights)
    assert est.best_validation_score_ == max(est.validation_scores_)
    expected = roc_auc_score(
        labels[y_val], est.predict_proba(X_val)[:, 1], sample_weight=weights
    )
    assert est.best_validation_score_ == pytest.approx(expected, rel=1e-12)
    # The validation log-loss is recorded whatever the score.
    best = int(np.argmax(est.validation_scores_))
    restored = log_loss(labels[y_val], est.predict_proba(X_val), sample_weight=weights)
    assert restored == pytest.approx(est.validation_loss_curve_[best], rel=1e-12)


def test_a_scorer_predicts_any_data_during_fit(backend):
    """A callable sees an estimator that predicts with the epoch's weights.

    Given X_val itself, the estimator answers from the logits already
    computed; given a copy, it runs its forward pass: both give one score.
    """
    X, y, X_val, y_val = _data()

    def neg_log_loss(est, X_scored, y_scored):
        return -log_loss(y_scored, est.predict_proba(X_scored)[:, 1])

    def on_a_copy(est, X_scored, y_scored):
        return neg_log_loss(est, np.array(X_scored), y_scored)

    runs = []
    for scoring in (neg_log_loss, on_a_copy, "neg_log_loss", "loss"):
        est = _make(backend, scoring=scoring, max_iter=15, random_state=0)
        runs.append(est.fit(X, y, X_val=X_val, y_val=y_val).validation_scores_)
    for other in runs[1:]:
        assert_allclose(other, runs[0], rtol=1e-12)


def test_a_scorer_gets_the_held_out_rows_of_the_internal_split(backend):
    """Without X_val, the held-out rows stay indices into X during training;
    a scorer is still given them as an array, and scores as "loss" does."""
    X, y, _, _ = _data()
    seen = []

    def neg_log_loss(est, X_scored, y_scored):
        seen.append((type(X_scored), X_scored.shape))
        return -log_loss(y_scored, est.predict_proba(X_scored)[:, 1])

    runs = []
    for scoring in (neg_log_loss, "loss"):
        est = _make(
            backend,
            scoring=scoring,
            n_iter_no_change=np.inf,
            max_iter=15,
            random_state=0,
        )
        runs.append(est.fit(X, y).validation_scores_)
    n_held_out = int(np.ceil(0.1 * X.shape[0]))
    assert seen == [(np.ndarray, (n_held_out, X.shape[1]))] * 15
    assert_allclose(runs[0], runs[1], rtol=1e-12)


# ---------------------------------------------------------------- parity


@pytest.mark.parametrize("solver, atol", [("sgd", 1e-8), ("adam", 1e-6)])
def test_backend_parity_with_a_validation_set_and_loss_scoring(solver, atol):
    pytest.importorskip("skorch")
    X, y, X_val, y_val = _data()
    params = dict(solver=solver, scoring="loss", random_state=0, max_iter=60)
    numpy_est = _make("numpy", **params).fit(X, y, X_val=X_val, y_val=y_val)
    torch_est = _make("torch", **params).fit(X, y, X_val=X_val, y_val=y_val)
    assert torch_est.n_iter_ == numpy_est.n_iter_
    for name in ("loss_curve_", "validation_loss_curve_", "validation_scores_"):
        assert_allclose(
            getattr(torch_est, name), getattr(numpy_est, name), rtol=0, atol=atol
        )
    # skorch's history names the score by what it is.
    history = torch_est.net_.history
    assert_allclose(history[:, "valid_score"], torch_est.validation_scores_, rtol=0)


# ---------------------------------------------------- pipelines and routing


def test_pipeline_transforms_x_val(backend):
    X, y, X_val, y_val = _data()
    scale = 10.0 * np.arange(1, X.shape[1] + 1)  # scaling matters
    X, X_val = X * scale, X_val * scale
    est = _make(backend, scoring="loss", max_iter=20, random_state=0)
    with config_context(enable_metadata_routing=True):
        pipe = Pipeline(
            [
                ("scale", StandardScaler()),
                ("mlp", clone(est).set_fit_request(X_val=True, y_val=True)),
            ],
            transform_input=["X_val"],
        ).fit(X, y, X_val=X_val, y_val=y_val)
    scaler = StandardScaler().fit(X)
    direct = est.fit(scaler.transform(X), y, X_val=scaler.transform(X_val), y_val=y_val)
    assert pipe[-1].validation_scores_ == direct.validation_scores_
    assert pipe[-1].validation_loss_curve_ == direct.validation_loss_curve_


def test_metadata_routing_passes_the_validation_set(backend):
    X, y, X_val, y_val = _data()
    est = _make(backend, scoring="loss", max_iter=15, random_state=0)
    weights = np.linspace(0.5, 2.0, len(y_val))
    params = {"X_val": X_val, "y_val": y_val, "sample_weight_val": weights}
    with config_context(enable_metadata_routing=True):
        with pytest.raises(UnsetMetadataPassedError):
            cross_validate(est, X, y, cv=2, params=params)
        requested = clone(est).set_fit_request(
            X_val=True, y_val=True, sample_weight_val=True
        )
        result = cross_validate(
            requested, X, y, cv=2, params=params, return_estimator=True
        )
    for fitted in result["estimator"]:
        # Scored on the given rows, with their weights: the curve at the best
        # epoch is the log-loss of the restored model on X_val.
        best = int(np.argmax(fitted.validation_scores_))
        restored = log_loss(y_val, fitted.predict_proba(X_val), sample_weight=weights)
        assert restored == pytest.approx(fitted.validation_loss_curve_[best], rel=1e-12)


def test_weighted_scorer_under_metadata_routing(backend):
    """A scorer name takes sample_weight_val when routing is on, as when off."""
    X, y, X_val, y_val = _data()
    weights = np.linspace(0.5, 2.0, len(y_val))
    scores = []
    for routing in (False, True):
        est = _make(backend, scoring="neg_brier_score", max_iter=10, random_state=0)
        with config_context(enable_metadata_routing=routing):
            est.fit(X, y, X_val=X_val, y_val=y_val, sample_weight_val=weights)
        scores.append(est.validation_scores_)
    assert scores[0] == scores[1]
