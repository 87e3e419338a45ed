"""ONNX export: onnxruntime reproduces predict and predict_proba.

onnxruntime's matrix products and sigmoid are another code path than NumPy's or
torch's, so probabilities are compared with an absolute tolerance of 1e-6 (a
probability lies in [0, 1]; float32 rounding of a sigmoid is about 6e-8), and
labels exactly wherever the logit is farther from 0 than rounding can move it.
"""

import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("skl2onnx", reason="the [onnx] extra is not installed")
ort = pytest.importorskip("onnxruntime", reason="the [onnx] extra is not installed")

from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

from sklearn_binnet import NumpyBinaryMLP, TorchBinaryMLP, to_onnx  # noqa: E402
from sklearn_binnet.datasets import make_xor  # noqa: E402

PROBA_ATOL = 1e-6
# A logit this close to 0 could round to either side in another code path.
LOGIT_MARGIN = 1e-4


def _fit_quietly(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y)


def _run(onnx_model, inputs):
    session = ort.InferenceSession(onnx_model.SerializeToString())
    return session.run(None, inputs)


def _assert_same_outputs(estimator, X, label, proba):
    clear = np.abs(estimator.decision_function(X)) > LOGIT_MARGIN
    assert clear.mean() > 0.9
    np.testing.assert_array_equal(label[clear], estimator.predict(X)[clear])
    np.testing.assert_allclose(
        proba, estimator.predict_proba(X), rtol=0, atol=PROBA_ATOL
    )


@pytest.mark.parametrize("backend", [NumpyBinaryMLP, TorchBinaryMLP])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hidden", [(), (6,), (6, 5), (6, 5, 4)])
@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
def test_onnx_matches_estimator(backend, dtype, hidden, activation):
    X, y = make_xor(300, random_state=0)
    X = X.astype(dtype)
    params = dict(activation=activation, max_iter=30, random_state=0)
    if backend is TorchBinaryMLP:
        params["dtype"] = np.dtype(dtype).name
    estimator = _fit_quietly(backend(hidden, **params), X, y)
    onnx_model = to_onnx(estimator, X[:1], options={"zipmap": False})
    label, proba = _run(onnx_model, {"X": X})
    assert proba.dtype == dtype
    _assert_same_outputs(estimator, X, label, proba)


@pytest.mark.parametrize("labels", ["strings", "signs", "bools"])
def test_onnx_labels_and_zipmap(labels):
    X, y = make_xor(200, random_state=1)
    X = X.astype(np.float32)
    y = {
        "strings": np.where(y == 1, "yes", "no"),
        "signs": 2 * y - 1,
        "bools": y.astype(bool),
    }[labels]
    estimator = _fit_quietly(NumpyBinaryMLP((8,), random_state=0), X, y)
    label, proba_maps = _run(to_onnx(estimator, X[:1]), {"X": X})
    proba = np.array([[row[c] for c in estimator.classes_] for row in proba_maps])
    _assert_same_outputs(estimator, X, label, proba)


def test_onnx_probabilities_stay_finite_and_exact_for_extreme_logits():
    # The graph derives both probabilities from the logit: far from 0 they are
    # exactly 0 or 1, never NaN, and a tiny probability is not rounded away
    # by 1 - p.
    X, y = make_xor(100, random_state=2)
    X = X.astype(np.float32)
    estimator = _fit_quietly(NumpyBinaryMLP((4,), random_state=0), X, y)
    # Inputs scaled from 1 to 1e6: logits from moderate to far beyond the
    # float32 range of the sigmoid, through the range where p(classes_[0])
    # is tiny but positive.
    X_far = np.vstack([scale * X for scale in np.logspace(0, 6, 25)])
    X_far = X_far.astype(np.float32)
    _, proba = _run(to_onnx(estimator, X[:1], options={"zipmap": False}), {"X": X_far})
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(
        proba, estimator.predict_proba(X_far), rtol=0, atol=PROBA_ATOL
    )
    small = estimator.predict_proba(X_far)[:, 0]
    tiny = (small > 0) & (small < 1e-10)
    assert tiny.any()
    # sigmoid(-z) keeps these probabilities positive; 1 - sigmoid(z) gives 0.
    assert (proba[tiny, 0] > 0).all()


@pytest.mark.parametrize("backend", [NumpyBinaryMLP, TorchBinaryMLP])
def test_onnx_whole_pipeline_on_a_dataframe(backend):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X_num, y = make_xor(300, random_state=3)
    frame = pd.DataFrame(
        {
            "a": X_num[:, 0].astype(np.float32),
            "b": X_num[:, 1].astype(np.float32),
            "colour": rng.choice(["red", "green", "blue"], size=300),
        }
    )
    preprocess = ColumnTransformer(
        [
            ("numeric", StandardScaler(), ["a", "b"]),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), ["colour"]),
        ]
    )
    pipeline = make_pipeline(preprocess, backend((8,), max_iter=50, random_state=0))
    _fit_quietly(pipeline, frame, y)
    onnx_model = to_onnx(pipeline, frame[:1], options={"zipmap": False})
    inputs = {
        column: frame[[column]]
        .to_numpy()
        .astype(np.float32 if column != "colour" else object)
        for column in frame.columns
    }
    label, proba = _run(onnx_model, inputs)
    np.testing.assert_array_equal(label, pipeline.predict(frame))
    np.testing.assert_allclose(
        proba, pipeline.predict_proba(frame), rtol=0, atol=PROBA_ATOL
    )


def test_to_onnx_without_skl2onnx_names_the_extra(monkeypatch):
    # A None entry makes ``import skl2onnx`` fail as if it were not installed.
    monkeypatch.setitem(sys.modules, "skl2onnx", None)
    X, y = make_xor(50, random_state=0)
    estimator = _fit_quietly(NumpyBinaryMLP((2,), max_iter=5, random_state=0), X, y)
    with pytest.raises(ImportError, match=r"sklearn-binnet\[onnx\]"):
        to_onnx(estimator, X[:1])


def _feeds(session, frame):
    """One (n, 1) column per graph input, in the type skl2onnx declared."""
    kinds = {"tensor(float)": np.float32, "tensor(double)": np.float64}
    return {
        node.name: frame[[node.name]].to_numpy().astype(kinds.get(node.type, object))
        for node in session.get_inputs()
    }


def test_onnx_tabular_preprocessor_pipeline_with_missing_values_and_categories():
    pd = pytest.importorskip("pandas")
    from sklearn_binnet.preprocessing import TabularPreprocessor

    rng = np.random.default_rng(4)
    n = 400
    frame = pd.DataFrame(
        {
            # onnxruntime's Imputer takes float32 only: numeric columns are
            # float32 for an ONNX export, as skl2onnx documents.
            "income": rng.lognormal(10, 1, n).astype(np.float32),
            "age": rng.integers(18, 90, n).astype(np.float32),
            "city": rng.choice(["Paris", "Lyon", "Nice"], n).astype(object),
            "grade": pd.Categorical(rng.choice(["a", "b"], n)),
            "zip": [f"z{i}" for i in rng.integers(0, 40, n)],
        }
    )
    frame.loc[[1, 5, 9], "age"] = np.nan
    y = (frame["income"] > frame["income"].median()).to_numpy().astype(int)
    pipeline = make_pipeline(
        TabularPreprocessor(max_onehot_categories=5),
        NumpyBinaryMLP((8,), max_iter=50, random_state=0),
    )
    _fit_quietly(pipeline, frame, y)
    session = ort.InferenceSession(
        to_onnx(pipeline, frame[:1], options={"zipmap": False}).SerializeToString()
    )
    # New rows: a missing age, an unseen city, an extreme income.
    new = frame.head(20).copy()
    new.loc[new.index[0], "age"] = np.nan
    new.loc[new.index[1], "city"] = "Marseille"
    new.loc[new.index[2], "income"] = np.float32(1e30)
    label, proba = session.run(None, _feeds(session, new))
    np.testing.assert_allclose(
        proba, pipeline.predict_proba(new), rtol=0, atol=PROBA_ATOL
    )
    np.testing.assert_array_equal(label, pipeline.predict(new))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("clip", [3.0, np.inf])
def test_onnx_smooth_clip_scaler(dtype, clip):
    from sklearn_binnet.preprocessing import SmoothClipScaler

    rng = np.random.default_rng(5)
    X = (rng.standard_normal((100, 3)) * [1, 50, 1e-3]).astype(dtype)
    scaler = SmoothClipScaler(clip=clip).fit(X)
    X_new = np.vstack([X, [[1e30, -1e30, 0.0]], [[np.nan, 1.0, 2.0]]]).astype(dtype)
    (out,) = _run(to_onnx(scaler, X[:1]), {"X": X_new})
    expected = scaler.transform(X_new)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(expected))
    # Relative to the value: (x - median) / scale rounds alike, within a few
    # ulps of the output's dtype.
    np.testing.assert_allclose(
        out, expected, rtol=8 * np.finfo(dtype).eps, atol=8 * np.finfo(dtype).tiny
    )
