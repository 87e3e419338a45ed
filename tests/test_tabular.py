"""make_tabular_classifier: the preset on DataFrames, in searches, per backend."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.model_selection import GridSearchCV, cross_validate

from sklearn_binnet import NumpyBinaryMLP, make_tabular_classifier
from sklearn_binnet._tabular import TABULAR_PRESET
from sklearn_binnet.preprocessing import TabularPreprocessor

pd = pytest.importorskip("pandas")


def _table(n=300, seed=0):
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10, 0.5, n)
    city = rng.choice(["Paris", "Lyon", "Nice"], n)
    frame = pd.DataFrame(
        {
            "income": income,
            "age": rng.integers(18, 90, n).astype(float),
            "city": pd.Series(city, dtype=object),
            "grade": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "member": rng.random(n) > 0.5,
        }
    )
    frame.loc[rng.choice(n, 20, replace=False), "age"] = np.nan
    frame.loc[rng.choice(n, 10, replace=False), "city"] = None
    score = np.log(income) - 10 + (city == "Paris") + 0.3 * rng.standard_normal(n)
    return frame, (score > np.median(score)).astype(int)


def test_preset_pipeline_fits_a_dataframe_with_missing_values_and_categories():
    X, y = _table()
    clf = make_tabular_classifier(random_state=0, max_iter=30)
    assert [name for name, _ in clf.steps] == ["preprocess", "mlp"]
    assert isinstance(clf.named_steps["preprocess"], TabularPreprocessor)
    with warnings.catch_warnings():
        # A fixed budget of epochs is not a convergence failure.
        warnings.simplefilter("error")
        clf.fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (300, 2) and np.isfinite(proba).all()
    assert clf.score(X, y) > 0.8
    mlp = clf.named_steps["mlp"]
    assert mlp.n_iter_ == 30
    # The kept weights are those of the best validation log-loss.
    assert mlp.best_validation_score_ == max(mlp.validation_scores_)


def test_preset_parameters_and_overrides():
    clf = make_tabular_classifier(random_state=3, max_iter=7, dropout=0.0)
    params = clf.named_steps["mlp"].get_params()
    for name, value in TABULAR_PRESET.items():
        if name not in ("max_iter", "dropout"):
            assert params[name] == value
    assert (params["max_iter"], params["dropout"], params["random_state"]) == (
        7,
        0.0,
        3,
    )
    with pytest.raises(ValueError, match="no_such_parameter"):
        make_tabular_classifier(no_such_parameter=1)
    with pytest.raises(ValueError, match="backend"):
        make_tabular_classifier("jax")


def test_preset_in_grid_search_and_cross_validate():
    X, y = _table(200, seed=1)
    search = GridSearchCV(
        make_tabular_classifier(random_state=0, max_iter=10),
        {"mlp__hidden_layer_sizes": [(16,), (32, 32)]},
        cv=3,
        scoring="neg_log_loss",
    )
    search.fit(X, y)
    assert search.best_params_["mlp__hidden_layer_sizes"] in [(16,), (32, 32)]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    scores = cross_validate(
        make_tabular_classifier(random_state=0, max_iter=10), X, y, cv=3
    )
    assert scores["test_score"].mean() > 0.6


def test_preset_backends_agree_in_float64():
    pytest.importorskip("torch")
    X, y = _table(240, seed=2)
    params = dict(random_state=0, max_iter=15)
    numpy_clf = make_tabular_classifier("numpy", **params).fit(X, y)
    torch_clf = make_tabular_classifier("torch", dtype="float64", **params).fit(X, y)
    # Same draws (weights, split, shuffles, dropout masks) and the same
    # arithmetic in another library: AdamW runs agree to well within 1e-6.
    assert_allclose(
        torch_clf.named_steps["mlp"].loss_curve_,
        numpy_clf.named_steps["mlp"].loss_curve_,
        rtol=0,
        atol=1e-6,
    )
    assert_allclose(
        torch_clf.predict_proba(X), numpy_clf.predict_proba(X), rtol=0, atol=1e-6
    )
    assert type(numpy_clf.named_steps["mlp"]) is NumpyBinaryMLP
