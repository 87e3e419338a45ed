"""The tabular preprocessing: scikit-learn's checks and the documented treatment."""

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_binnet.preprocessing import SmoothClipScaler, TabularPreprocessor

pd = pytest.importorskip("pandas")


@parametrize_with_checks([SmoothClipScaler(), TabularPreprocessor()])
def test_sklearn_compatible_transformer(estimator, check):
    check(estimator)


def _smooth_clip(x, c):
    return x / np.sqrt(1 + (x / c) ** 2)


def test_smooth_clip_scaler_centres_scales_and_clips():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3)) * [1.0, 10.0, 0.1] + [0.0, 5.0, -2.0]
    X[0] = [1e6, -1e6, 1e6]
    scaler = SmoothClipScaler(clip=2.5).fit(X)
    q25, median, q75 = np.percentile(X, [25, 50, 75], axis=0)
    np.testing.assert_allclose(scaler.center_, median)
    np.testing.assert_allclose(scaler.scale_, q75 - q25)
    expected = _smooth_clip((X - median) / (q75 - q25), 2.5)
    out = scaler.transform(X)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=0)
    assert np.abs(out).max() < 2.5


def test_smooth_clip_scaler_falls_back_to_the_range_when_quartiles_coincide():
    # A mostly-zero column has a zero inter-quartile range; a constant one has
    # no spread at all.
    X = np.zeros((10, 2))
    X[[3, 7], 0] = [4.0, 10.0]
    scaler = SmoothClipScaler().fit(X)
    np.testing.assert_array_equal(scaler.scale_, [5.0, 1.0])
    np.testing.assert_array_equal(scaler.transform(X)[:, 1], 0.0)


def test_smooth_clip_scaler_keeps_nan_and_stays_finite_at_the_float_limits():
    X = np.array([[0.0], [1.0], [2.0], [np.nan], [3.0]])
    scaler = SmoothClipScaler().fit(X)
    assert scaler.center_[0] == 1.5
    # (x / c)**2 overflows near the float maximum; the result must not.
    extreme = np.array([[np.nan], [1.7e308], [-1.7e308], [1e200]])
    out = scaler.transform(extreme)
    assert np.isnan(out[0, 0])
    np.testing.assert_allclose(out[1:, 0], [3.0, -3.0, 3.0])


def test_smooth_clip_scaler_without_clip_is_robust_scaling():
    from sklearn.preprocessing import RobustScaler

    X = np.random.default_rng(1).standard_normal((50, 4))
    np.testing.assert_allclose(
        SmoothClipScaler(clip=np.inf).fit_transform(X),
        RobustScaler().fit_transform(X),
        rtol=1e-12,
        atol=1e-15,
    )


@pytest.mark.parametrize("quantile_range", [(75.0, 25.0), (-1.0, 50.0)])
def test_smooth_clip_scaler_refuses_bad_quantile_range(quantile_range):
    with pytest.raises(ValueError, match="quantile_range"):
        SmoothClipScaler(quantile_range=quantile_range).fit(np.ones((3, 1)))


def _table(n=60, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "income": rng.lognormal(10, 1, n),
            "age": rng.integers(18, 90, n).astype(float),
            "city": rng.choice(["Paris", "Lyon", "Nice"], n),
            "grade": pd.Categorical(rng.choice(["a", "b"], n)),
            "member": rng.random(n) > 0.5,
            "zip": [f"z{i}" for i in rng.integers(0, 40, n)],
        }
    )
    frame.loc[[1, 5], "age"] = np.nan
    frame.loc[[2], "city"] = None
    y = (frame["income"] > frame["income"].median()).to_numpy().astype(int)
    return frame, y


def test_tabular_preprocessor_sorts_columns_by_kind():
    frame, y = _table()
    preprocessor = TabularPreprocessor(max_onehot_categories=5).fit(frame, y)
    names = preprocessor.get_feature_names_out().tolist()
    assert names[:2] == ["numeric__income", "numeric__age"]
    # Only "age" had missing values: one indicator column, for it.
    assert [n for n in names if n.startswith("missing__")] == [
        "missing__missingindicator_age"
    ]
    onehot = [n for n in names if n.startswith("onehot__")]
    assert {n.split("__")[1].rsplit("_", 1)[0] for n in onehot} == {
        "city",
        "grade",
        "member",
    }
    # "zip" has ~40 values, more than max_onehot_categories: target-encoded.
    assert [n for n in names if n.startswith("target__")] == ["target__zip"]
    out = preprocessor.transform(frame)
    assert out.shape == (60, len(names))
    assert out.dtype == np.float64
    assert np.isfinite(out).all()


def test_tabular_preprocessor_handles_unseen_and_missing_values_at_transform():
    frame, y = _table()
    preprocessor = TabularPreprocessor().fit(frame, y)
    new = frame.head(3).copy()
    new["city"] = ["Marseille", None, "Paris"]
    new["income"] = [np.nan, 1e300, -5.0]
    out = preprocessor.transform(new)
    assert np.isfinite(out).all()
    city = [
        i
        for i, n in enumerate(preprocessor.get_feature_names_out())
        if n.startswith("onehot__city_")
    ]
    # An unseen city is all zeros; a missing one is the "None" category seen
    # in fit.
    assert out[0, city].sum() == 0
    assert out[1, city].sum() == 1


def test_tabular_preprocessor_on_an_array_is_all_numeric():
    X = np.random.default_rng(2).standard_normal((30, 3))
    X[4, 1] = np.nan
    preprocessor = TabularPreprocessor().fit(X)
    assert preprocessor.get_feature_names_out().tolist() == [
        "numeric__x0",
        "numeric__x1",
        "numeric__x2",
        "missing__missingindicator_x1",
    ]
