"""Both backends in the scikit-learn ecosystem (issue 4).

Pipelines and column transformers, searches in worker processes,
cross-validation, meta-estimators, metadata routing, clone / set_params / HTML
repr, DataFrame input, class imbalance, streaming ``partial_fit`` and accuracy
on real data against ``MLPClassifier``. Every test runs once per backend, from
the factories in ``MAKERS``.
"""

import importlib.util
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import loguniform
from sklearn import config_context
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.ensemble import BaggingClassifier, StackingClassifier, VotingClassifier
from sklearn.exceptions import NotFittedError, UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer, recall_score
from sklearn.model_selection import (
    FixedThresholdClassifier,
    GridSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    TunedThresholdClassifierCV,
    cross_val_predict,
    cross_val_score,
    cross_validate,
    train_test_split,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils import estimator_html_repr
from sklearn.utils.validation import check_is_fitted

from conftest import (
    assert_close_fits,
    assert_within_bound,
    fit_atol,
    mlp_logit_error_bound,
)
from sklearn_binnet import NumpyBinaryMLP, TorchBinaryMLP

REPO_ROOT = Path(__file__).resolve().parents[1]

# Small and fast: a few hundred samples train in tens of milliseconds.
FAST = dict(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=150)


def numpy_mlp(**params):
    return NumpyBinaryMLP(**{**FAST, "random_state": 0, **params})


def torch_mlp(**params):
    # float64, so that comparisons with a refit or a manual fit can be exact.
    return TorchBinaryMLP(**{**FAST, "random_state": 0, "dtype": "float64", **params})


MAKERS = [pytest.param(numpy_mlp, id="numpy"), pytest.param(torch_mlp, id="torch")]

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Run torch on one thread here: these networks are tiny, and two threads on
    a busy two-core machine make a fit up to 50 times slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=4, random_state=0
    )
    return X, y


def _coefs(est):
    return np.concatenate([c.ravel() for c in est.coefs_ + est.intercepts_])


def _assert_valid_proba(proba, n_samples):
    assert proba.shape == (n_samples, 2)
    assert np.all((proba >= 0) & (proba <= 1))
    assert_allclose(proba.sum(axis=1), 1.0)


# ------------------------------------------------------------- pipelines


@pytest.mark.parametrize("make", MAKERS)
def test_pipeline_with_scaler_is_the_estimator_on_scaled_data(make, data):
    X, y = data
    X = 100 * X + 5  # badly scaled: the scaler matters
    pipe = Pipeline([("scale", StandardScaler()), ("clf", make())]).fit(X, y)

    scaler = StandardScaler().fit(X)
    alone = make().fit(scaler.transform(X), y)
    assert_array_equal(pipe.predict_proba(X), alone.predict_proba(scaler.transform(X)))
    assert_array_equal(pipe.predict(X), alone.predict(scaler.transform(X)))
    _assert_valid_proba(pipe.predict_proba(X), len(X))
    assert pipe.score(X, y) > 0.9


def _mixed_frame(n_samples, random_state):
    """A frame with numeric and categorical columns; the label needs both."""
    rng = np.random.RandomState(random_state)
    color = rng.choice(["red", "green", "blue"], n_samples)
    frame = pd.DataFrame(
        {
            "x0": rng.randn(n_samples) * 10 + 50,
            "x1": rng.randn(n_samples),
            "color": color,
        }
    )
    shift = np.select([color == "red", color == "blue"], [2.0, -2.0], 0.0)
    score = (frame["x0"] - 50) / 10 + shift
    y = np.where(score > 0, "yes", "no")
    return frame, y


@pytest.mark.parametrize("make", MAKERS)
def test_column_transformer_over_a_mixed_dataframe(make):
    X, y = _mixed_frame(400, random_state=0)
    X_test, y_test = _mixed_frame(200, random_state=1)

    def pipeline(sparse_threshold):
        columns = ColumnTransformer(
            [
                ("num", StandardScaler(), ["x0", "x1"]),
                ("cat", OneHotEncoder(), ["color"]),
            ],
            sparse_threshold=sparse_threshold,
        )
        return make_pipeline(columns, make())

    dense = pipeline(0.0).fit(X, y)
    clf = dense[-1]
    assert_array_equal(clf.classes_, ["no", "yes"])
    assert clf.n_features_in_ == 5  # two numeric + three one-hot columns
    assert set(dense.predict(X_test)) <= {"no", "yes"}
    proba = dense.predict_proba(X_test)
    _assert_valid_proba(proba, len(X_test))
    assert_array_equal(dense.predict(X_test), clf.classes_[proba.argmax(axis=1)])
    # The colour moves the boundary by two standard deviations of x0: without
    # the one-hot columns the accuracy would be about 0.75.
    assert dense.score(X_test, y_test) > 0.9

    # The same pipeline with sparse one-hot output feeds the network a CSR
    # matrix; it learns the same model.
    sparse = pipeline(1.0).fit(X, y)
    assert sparse[:-1].transform(X_test).format == "csr"
    # Sparse products sum only the non-zero terms: equal up to the rounding
    # of 150 epochs (an absolute tolerance: probabilities can be near zero).
    assert_allclose(
        sparse.predict_proba(X_test),
        proba,
        rtol=0,
        atol=fit_atol([proba], np.float64, n_ops=200 * 150 * 2),
    )


@pytest.mark.parametrize("make", MAKERS)
def test_memory_layout_does_not_change_the_model(make, data):
    # A pandas DataFrame converts to a Fortran-ordered array: the same data in
    # either order gives the same model (no shuffling: the batches are slices
    # of the data as given) and the same logits, up to rounding. Not to the
    # bit: BLAS reads the two layouts with different kernels, whose order of
    # summation may differ (it does not with OpenBLAS's SkylakeX kernel).
    X, y = data
    X_fortran = np.asfortranarray(X)
    est = make(shuffle=False, max_iter=30).fit(X, y)
    est_fortran = make(shuffle=False, max_iter=30).fit(X_fortran, y)
    # 30 epochs of 2 batches (200 and 100 rows).
    assert_close_fits(est_fortran, est, np.float64, n_ops=200 * 30 * 2)
    bound = mlp_logit_error_bound(
        X, est.coefs_, est.intercepts_, est.activation, np.float64
    )
    assert_within_bound(
        est.decision_function(X_fortran), est.decision_function(X), bound
    )


# ----------------------------------------------- search and cross-validation


def _grid_search(est):
    grid = {
        "hidden_layer_sizes": [(4,), (16,)],
        "alpha": [1e-4, 1.0],
        "learning_rate_init": [0.01],
    }
    return GridSearchCV(est, grid, scoring="roc_auc", cv=2, n_jobs=2, refit=True)


def _randomized_search(est):
    distributions = {
        "hidden_layer_sizes": [(4,), (16,)],
        "alpha": loguniform(1e-5, 1.0),
        "learning_rate_init": loguniform(1e-3, 1e-1),
    }
    return RandomizedSearchCV(
        est,
        distributions,
        n_iter=3,
        scoring="neg_log_loss",
        cv=2,
        n_jobs=2,
        refit=True,
        random_state=0,
    )


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize(
    "make_search, n_candidates, worst_best_score",
    [(_grid_search, 4, 0.9), (_randomized_search, 3, -0.4)],
    ids=["grid", "randomized"],
)
def test_search_in_worker_processes(
    make, make_search, n_candidates, worst_best_score, data
):
    X, y = data
    search = make_search(make()).fit(X, y)

    results = search.cv_results_
    assert len(results["params"]) == n_candidates
    scores = results["mean_test_score"]
    assert np.all(np.isfinite(scores))
    assert search.best_index_ == np.argmax(scores)
    assert search.best_score_ > worst_best_score
    # The candidates really differ, and the search saw it.
    assert np.ptp(scores) > 0

    # refit=True: the best parameters, refitted on all the data here, give the
    # same model as the one refitted by the search.
    best = search.best_estimator_
    assert {k: best.get_params()[k] for k in search.best_params_} == (
        search.best_params_
    )
    expected = clone(make()).set_params(**search.best_params_).fit(X, y)
    assert_allclose(_coefs(best), _coefs(expected), rtol=1e-12, atol=1e-12)
    assert_array_equal(search.predict(X), expected.predict(X))

    # The fold scores computed in the worker processes are the ones computed in
    # this process.
    split_scores = [
        results[f"split{i}_test_score"][search.best_index_] for i in range(2)
    ]
    local = cross_val_score(
        clone(make()).set_params(**search.best_params_),
        X,
        y,
        cv=2,
        scoring=search.scoring,
    )
    assert_allclose(split_scores, local, rtol=1e-9)


@pytest.mark.parametrize("make", MAKERS)
def test_cross_validate_and_cross_val_predict(make, data):
    X, y = data
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    result = cross_validate(
        make(),
        X,
        y,
        cv=cv,
        scoring=["accuracy", "roc_auc", "neg_log_loss"],
        return_estimator=True,
        return_train_score=True,
    )
    assert np.all(result["test_accuracy"] > 0.85)
    assert np.all(result["test_roc_auc"] > 0.9)
    assert np.all(result["test_neg_log_loss"] < 0)
    assert np.all(result["train_accuracy"] >= result["test_accuracy"] - 0.05)
    fitted = result["estimator"]
    assert len(fitted) == 3
    assert not np.allclose(_coefs(fitted[0]), _coefs(fitted[1]))

    proba = cross_val_predict(make(), X, y, cv=cv, method="predict_proba")
    _assert_valid_proba(proba, len(X))
    for (_, test), est in zip(cv.split(X, y), fitted):
        assert_array_equal(proba[test], est.predict_proba(X[test]))


# ------------------------------------------------------- meta-estimators


@pytest.mark.parametrize("make", MAKERS)
def test_calibrated_classifier_cv(make, data):
    X, y = data
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    calibrated = CalibratedClassifierCV(make(), cv=3, method="sigmoid")
    calibrated.fit(X_train, y_train)

    assert len(calibrated.calibrated_classifiers_) == 3
    for member in calibrated.calibrated_classifiers_:
        assert type(member.estimator) is type(make())
        check_is_fitted(member.estimator)
    proba = calibrated.predict_proba(X_test)
    _assert_valid_proba(proba, len(X_test))
    mean_member = np.mean(
        [m.predict_proba(X_test) for m in calibrated.calibrated_classifiers_], axis=0
    )
    assert_allclose(proba, mean_member)
    assert calibrated.score(X_test, y_test) > 0.85


@pytest.mark.parametrize("make", MAKERS)
def test_tuned_threshold_classifier_cv(make):
    X, y = make_classification(400, 8, n_informative=4, weights=[0.8], random_state=0)
    tuned = TunedThresholdClassifierCV(make(), scoring="balanced_accuracy", cv=3).fit(
        X, y
    )

    threshold = tuned.best_threshold_
    assert 0 < threshold < 1
    # Balanced accuracy on a 80/20 problem lowers the threshold.
    assert threshold < 0.5
    scores = tuned.estimator_.predict_proba(X)[:, 1]
    assert_array_equal(tuned.predict(X), tuned.classes_[(scores >= threshold) * 1])
    assert tuned.predict(X).sum() > tuned.estimator_.predict(X).sum()


@pytest.mark.parametrize("make", MAKERS)
def test_fixed_threshold_classifier(make, data):
    X, y = data
    strict = FixedThresholdClassifier(make(), threshold=0.9).fit(X, y)
    proba = strict.estimator_.predict_proba(X)[:, 1]
    assert_array_equal(strict.predict(X), (proba >= 0.9).astype(int))
    assert strict.predict(X).sum() < strict.estimator_.predict(X).sum()

    # A zero threshold on the logits is the estimator's own rule.
    logit = FixedThresholdClassifier(
        make(), threshold=0.0, response_method="decision_function"
    ).fit(X, y)
    assert_array_equal(logit.predict(X), logit.estimator_.predict(X))


@pytest.mark.parametrize("make", MAKERS)
def test_bagging_classifier(make, data):
    X, y = data
    # Bagging trains each member on all rows with bootstrap counts as
    # sample_weight (zeros included), on half of the features.
    bagging = BaggingClassifier(
        make(), n_estimators=3, max_features=0.5, random_state=0
    ).fit(X, y)

    assert len(bagging.estimators_) == 3
    for member, features in zip(bagging.estimators_, bagging.estimators_features_):
        assert member.n_features_in_ == len(features) == 4
    coefs = [_coefs(m) for m in bagging.estimators_]
    assert not np.allclose(coefs[0], coefs[1])
    expected = np.mean(
        [
            m.predict_proba(X[:, f])
            for m, f in zip(bagging.estimators_, bagging.estimators_features_)
        ],
        axis=0,
    )
    assert_allclose(bagging.predict_proba(X), expected)
    assert bagging.score(X, y) > 0.85


@pytest.mark.parametrize("make", MAKERS)
def test_soft_voting_classifier(make, data):
    X, y = data
    labels = np.array(["neg", "pos"])[y]
    voting = VotingClassifier(
        [("mlp", make()), ("lr", LogisticRegression())], voting="soft"
    ).fit(X, labels)

    mlp, lr = voting.estimators_
    assert isinstance(mlp, type(make()))
    expected = (mlp.predict_proba(X) + lr.predict_proba(X)) / 2
    assert_allclose(voting.predict_proba(X), expected)
    assert_array_equal(voting.predict(X), voting.classes_[expected.argmax(axis=1)])
    assert voting.score(X, labels) > 0.85


@pytest.mark.parametrize("make", MAKERS)
def test_stacking_classifier(make, data):
    X, y = data
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    stacking = StackingClassifier(
        [("mlp", make()), ("lr", LogisticRegression())], cv=3
    ).fit(X_train, y_train)

    assert stacking.stack_method_ == ["predict_proba", "predict_proba"]
    # Binary: one probability column per base estimator.
    assert stacking.final_estimator_.n_features_in_ == 2
    mlp = stacking.estimators_[0]
    assert_array_equal(
        stacking.transform(X_test)[:, 0], mlp.predict_proba(X_test)[:, 1]
    )
    _assert_valid_proba(stacking.predict_proba(X_test), len(X_test))
    assert stacking.score(X_test, y_test) > 0.85


# ------------------------------------------------------- metadata routing


@pytest.mark.parametrize("make", MAKERS)
def test_metadata_routing_of_sample_weight(make, data):
    X, y = data
    sample_weight = np.random.RandomState(0).uniform(0.1, 5.0, len(X))

    def pipeline():
        return Pipeline(
            [
                ("scale", StandardScaler().set_fit_request(sample_weight=False)),
                ("clf", make().set_fit_request(sample_weight=True)),
            ]
        )

    with config_context(enable_metadata_routing=True):
        weighted = pipeline().fit(X, y, sample_weight=sample_weight)
        unweighted = pipeline().fit(X, y)
        X_scaled = StandardScaler().fit_transform(X)
        direct = make().fit(X_scaled, y, sample_weight=sample_weight)

        # Routed to the network, which fits what a direct weighted fit does.
        assert_array_equal(_coefs(weighted[-1]), _coefs(direct))
        assert not np.allclose(_coefs(weighted[-1]), _coefs(unweighted[-1]))
        assert not np.allclose(weighted.predict_proba(X), unweighted.predict_proba(X))
        # Routed step by step: to the scaler only, when only it asks.
        scaler_only = Pipeline(
            [
                ("scale", StandardScaler().set_fit_request(sample_weight=True)),
                ("clf", make().set_fit_request(sample_weight=False)),
            ]
        ).fit(X, y, sample_weight=sample_weight)
        weighted_scaler = StandardScaler().fit(X, sample_weight=sample_weight)
        unweighted_fit = make().fit(weighted_scaler.transform(X), y)
        assert_array_equal(_coefs(scaler_only[-1]), _coefs(unweighted_fit))
        # Not requested: routing refuses to drop it silently.
        with pytest.raises(UnsetMetadataPassedError, match="sample_weight"):
            Pipeline([("clf", make())]).fit(X, y, sample_weight=sample_weight)

        # Through a search (fits in worker processes) and the pipeline.
        # The scorer asks for the weights too, to score the folds with them.
        grid = {"clf__alpha": [1e-4, 1.0]}
        scoring = get_scorer("neg_log_loss").set_score_request(sample_weight=True)
        search = GridSearchCV(pipeline(), grid, scoring=scoring, cv=2, n_jobs=2)
        search.fit(X, y, sample_weight=sample_weight)
        plain = GridSearchCV(pipeline(), grid, scoring=scoring, cv=2, n_jobs=2)
        plain.fit(X, y)
        assert not np.allclose(
            search.cv_results_["mean_test_score"], plain.cv_results_["mean_test_score"]
        )
        expected = (
            pipeline()
            .set_params(**search.best_params_)
            .fit(X, y, sample_weight=sample_weight)
        )
        assert_allclose(
            _coefs(search.best_estimator_[-1]), _coefs(expected[-1]), rtol=1e-12
        )
        unweighted_best = pipeline().set_params(**search.best_params_).fit(X, y)
        assert not np.allclose(
            _coefs(search.best_estimator_[-1]), _coefs(unweighted_best[-1])
        )


# ------------------------------------------- clone, set_params, HTML repr


@pytest.mark.parametrize("make", MAKERS)
def test_clone_of_fitted_estimator_is_unfitted_with_equal_params(make, data):
    X, y = data
    fitted = make(alpha=0.01, class_weight={0: 1.0, 1: 2.0}).fit(X, y)
    cloned = clone(fitted)

    assert cloned is not fitted
    assert cloned.get_params() == fitted.get_params()
    assert not [name for name in vars(cloned) if name.endswith("_")]
    with pytest.raises(NotFittedError):
        cloned.predict(X)
    # Equal parameters, same seed: the clone refits to the same model.
    assert_array_equal(_coefs(cloned.fit(X, y)), _coefs(fitted))


@pytest.mark.parametrize("make", MAKERS)
def test_set_params_on_nested_pipeline(make, data):
    X, y = data
    pipe = Pipeline([("scale", StandardScaler()), ("clf", make())])
    pipe.set_params(clf__hidden_layer_sizes=(5, 3), clf__alpha=0.5)

    assert pipe.get_params()["clf__alpha"] == 0.5
    assert pipe["clf"].hidden_layer_sizes == (5, 3)
    pipe.fit(X, y)
    assert [c.shape for c in pipe["clf"].coefs_] == [(8, 5), (5, 3), (3, 1)]

    with pytest.raises(ValueError, match="Invalid parameter"):
        pipe.set_params(clf__not_a_parameter=1)
    pipe.set_params(clf__alpha=-1.0)
    with pytest.raises(ValueError, match="'alpha' parameter"):
        pipe.fit(X, y)


@pytest.mark.parametrize("make", MAKERS)
def test_html_repr(make, data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), make(hidden_layer_sizes=(7,)))
    name = type(pipe[-1]).__name__

    html = estimator_html_repr(pipe)
    assert name in html
    assert "<span>Not fitted</span>" in html
    # Parameters set by the user are told apart from the defaults, which
    # needs the signature defaults and get_params to agree.
    user_set = re.compile(
        r'<tr class="user-set">\s*<td>.*?</td>\s*'
        # scikit-learn 1.7 writes a no-break space after the name.
        r'<td class="param">hidden_layer_sizes(&nbsp;)?</td>\s*'
        r'<td class="value">\(7,\)</td>',
        re.DOTALL,
    )
    assert user_set.search(html)
    assert re.search(
        r'<tr class="default">\s*<td>.*?</td>\s*<td class="param">solver(&nbsp;)?</td>',
        html,
        re.DOTALL,
    )

    pipe.fit(X, y)
    html = estimator_html_repr(pipe)
    assert "<span>Fitted</span>" in html
    assert "<span>Not fitted</span>" not in html
    # What a notebook calls.
    bundle = pipe[-1]._repr_mimebundle_()
    assert name in bundle["text/html"]
    assert bundle["text/plain"].startswith(f"{name}(")


# -------------------------------------------------------- DataFrame input


def _frame(library, X, columns):
    if library == "pandas":
        return pd.DataFrame(X, columns=columns)
    pl = pytest.importorskip("polars")
    return pl.DataFrame(X, schema=columns, orient="row")


def _rename(library, frame, old, new):
    if library == "pandas":
        return frame.rename(columns={old: new})
    return frame.rename({old: new})


def _select(library, frame, columns):
    return frame[columns] if library == "pandas" else frame.select(columns)


def _outcome(est, X):
    """What ``est.predict(X)`` does: the error, and the warnings, with the
    estimator's name replaced so that two estimators can be compared."""
    name = type(est).__name__
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est.predict(X)
            error = None
        except Exception as exc:
            error = (type(exc), str(exc).replace(name, "<est>"))
    messages = [
        (w.category, str(w.message).replace(name, "<est>"))
        for w in caught
        if not issubclass(w.category, DeprecationWarning)
    ]
    return error, messages


@pytest.mark.parametrize("library", ["pandas", "polars"])
@pytest.mark.parametrize("make", MAKERS)
def test_dataframe_feature_names_like_sklearn(make, library, data):
    X, y = data
    columns = [f"f{i}" for i in range(X.shape[1])]
    frame = _frame(library, X, columns)
    est = make().fit(frame, y)
    reference = LogisticRegression().fit(frame, y)

    assert_array_equal(est.feature_names_in_, columns)
    assert est.feature_names_in_.dtype == object
    # The frame is a Fortran-ordered array to BLAS: the same model up to
    # rounding (see test_memory_layout_does_not_change_the_model).
    proba = make().fit(X, y).predict_proba(X)
    assert_allclose(
        est.predict_proba(frame),
        proba,
        rtol=0,
        atol=fit_atol([proba], np.float64, n_ops=200 * 150 * 2),
    )

    renamed = _rename(library, frame, "f0", "renamed")
    reordered = _select(library, frame, columns[::-1])
    cases = {
        "renamed": renamed,
        "reordered": reordered,
        "array": X,
    }
    outcomes = {case: _outcome(est, Xp) for case, Xp in cases.items()}
    for case, Xp in cases.items():
        assert outcomes[case] == _outcome(reference, Xp), case
    # ... and what scikit-learn does is: an error for other names or order,
    # a warning for an array without names.
    error, _ = outcomes["renamed"]
    assert error[0] is ValueError and "renamed" in error[1]
    error, _ = outcomes["reordered"]
    assert error[0] is ValueError and "same order" in error[1]
    error, messages = outcomes["array"]
    assert error is None
    assert [category for category, _ in messages] == [UserWarning]
    assert "does not have valid feature names" in messages[0][1]

    # Fitted on an array, predicting on a frame warns the other way round.
    est_array = make().fit(X, y)
    reference_array = LogisticRegression().fit(X, y)
    assert not hasattr(est_array, "feature_names_in_")
    outcome = _outcome(est_array, frame)
    assert outcome == _outcome(reference_array, frame)
    assert "X has feature names" in outcome[1][0][1]


# -------------------------------------------------------------- imbalance


@pytest.mark.parametrize("make", MAKERS)
def test_balanced_class_weight_raises_minority_recall(make):
    X, y = make_classification(
        2000,
        10,
        n_informative=4,
        weights=[0.95, 0.05],
        class_sep=0.8,
        random_state=0,
    )
    assert 0.04 < y.mean() < 0.06
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    plain = make(max_iter=200).fit(X_train, y_train)
    balanced = make(max_iter=200, class_weight="balanced").fit(X_train, y_train)

    recall_plain = recall_score(y_test, plain.predict(X_test))
    recall_balanced = recall_score(y_test, balanced.predict(X_test))
    assert recall_balanced > recall_plain + 0.15


@pytest.mark.parametrize("make", MAKERS)
def test_dict_class_weight_and_sample_weight_multiply(make, data):
    X, y = data
    labels = np.array(["neg", "pos"])[y]
    sample_weight = np.random.RandomState(0).uniform(0.5, 2.0, len(X))
    class_weight = {"neg": 1.0, "pos": 3.0}

    both = make(class_weight=class_weight).fit(X, labels, sample_weight=sample_weight)
    product = sample_weight * np.where(labels == "pos", 3.0, 1.0)
    multiplied = make().fit(X, labels, sample_weight=product)
    assert_allclose(_coefs(both), _coefs(multiplied), rtol=1e-12, atol=1e-15)

    # Neither factor is dropped.
    only_sample = make().fit(X, labels, sample_weight=sample_weight)
    only_class = make(class_weight=class_weight).fit(X, labels)
    assert not np.allclose(_coefs(both), _coefs(only_sample))
    assert not np.allclose(_coefs(both), _coefs(only_class))


# ----------------------------------------------------- streaming partial_fit


@pytest.mark.parametrize("make", MAKERS)
def test_partial_fit_over_a_stream_reaches_full_fit_accuracy(make):
    X, y = make_classification(
        24_000, 20, n_informative=4, class_sep=2.0, random_state=0
    )
    X_stream, y_stream, X_test, y_test = X[:20_000], y[:20_000], X[20_000:], y[20_000:]
    params = dict(learning_rate_init=0.03, max_iter=200)

    full = make(**params).fit(X_stream, y_stream)

    streamed = make(**params)
    chunks = zip(np.array_split(X_stream, 20), np.array_split(y_stream, 20))
    for X_chunk, y_chunk in chunks:
        streamed.partial_fit(X_chunk, y_chunk, classes=[0, 1])
    # One epoch per call, over 20 chunks: one pass over the stream.
    assert len(streamed.loss_curve_) == 20
    assert streamed.t_ == 20_000

    full_accuracy = full.score(X_test, y_test)
    streamed_accuracy = streamed.score(X_test, y_test)
    assert full_accuracy > 0.95
    assert streamed_accuracy >= full_accuracy - 0.01

    # The stream is learned as a whole, not only its last chunk.
    last_chunk = make(**params).partial_fit(X_chunk, y_chunk, classes=[0, 1])
    assert last_chunk.score(X_test, y_test) < streamed_accuracy - 0.05


# ------------------------------------------------ real data, no tuning


def _load_bench_accuracy():
    path = REPO_ROOT / "benchmarks" / "bench_accuracy.py"
    spec = importlib.util.spec_from_file_location("bench_accuracy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench_accuracy():
    return _load_bench_accuracy()


@pytest.mark.parametrize(
    "dataset", ["breast cancer", "digits odd/even", "moons", "circles", "xor"]
)
def test_accuracy_within_one_point_of_mlpclassifier(bench_accuracy, dataset):
    # The benchmark's own cross-validation: make_pipeline(StandardScaler(),
    # est(random_state=0, max_iter=500)), 5 shuffled stratified folds.
    reference = bench_accuracy.evaluate(dataset, "MLPClassifier")["accuracy"].mean()
    for estimator in ("NumpyBinaryMLP", "TorchBinaryMLP"):
        accuracy = bench_accuracy.evaluate(dataset, estimator)["accuracy"].mean()
        assert accuracy >= reference - 0.01, (estimator, accuracy, reference)
