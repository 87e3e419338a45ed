"""Reliability, in both backends (issue 6).

Numerically safe (no RuntimeWarning, finite outputs, losses from logits),
divergence stopped with a clear error, hostile input refused without changing
a fitted model (property-based), fits that are atomic under interrupts,
bitwise reproducible (within and across processes), persistent (pickle,
joblib, skops, with a version check), usable from threads and processes, and
trainable from read-only memory maps.

Every test is parametrised over the two backends unless it is about one of
them only. What ``test_validation.py`` (NumPy backend), ``test_torch_mlp.py``
and ``test_labels_and_dtypes.py`` already prove is not repeated here, except
where the other backend had no proof.
"""

import copy
import io
import pickle
import threading
import warnings
import weakref
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io as sio
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback
from torch.nn import functional as F

import sklearn_binnet
from conftest import (
    assert_unchanged,
    assert_unfitted,
    raise_on_call,
    run_python,
    snapshot,
)
from sklearn_binnet import (
    InconsistentVersionWarning,
    NumpyBinaryMLP,
    TorchBinaryMLP,
    to_numpy,
)
from sklearn_binnet._activations import binary_log_loss_from_logits, sigmoid
from sklearn_binnet._numpy_mlp import _Backprop, _pack
from sklearn_binnet._optimizers import AdamOptimizer, SGDOptimizer
from sklearn_binnet._torch._optimizers import _SklearnAdam, _SklearnSGD
from sklearn_binnet.datasets import make_xor

BACKENDS = {"numpy": NumpyBinaryMLP, "torch": TorchBinaryMLP}
PREDICT_METHODS = ["predict", "predict_proba", "predict_log_proba", "decision_function"]

# Short fits on purpose: convergence is not what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Property tests: a bounded, fixed set of examples (derandomized, so that CI
# runs the same examples every time), a few seconds each.
PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _make(backend, **params):
    """A small, quick estimator of ``backend``; ``params`` override the defaults."""
    defaults = dict(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    return BACKENDS[backend](**{**defaults, **params})


def _data(n_samples=60):
    return make_xor(n_samples, random_state=0)


def _assert_valid_outputs(est, X):
    """Finite outputs, probabilities in [0, 1] with rows summing to one."""
    proba = est.predict_proba(X)
    log_proba = est.predict_log_proba(X)
    logits = est.decision_function(X)
    assert np.isfinite(logits).all()
    assert np.isfinite(proba).all() and np.isfinite(log_proba).all()
    assert np.all((proba >= 0) & (proba <= 1))
    assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert np.all(log_proba <= 0)
    assert set(np.unique(est.predict(X))) <= set(est.classes_)


def _weights(est):
    return est.coefs_ + est.intercepts_


def _assert_same_weights(a, b):
    for wa, wb in zip(_weights(a), _weights(b), strict=True):
        assert wa.dtype == wb.dtype
        assert_array_equal(wa, wb)


# ------------------------------------------------------------------ numerics


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("scale", [1e4, 1e-4])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_no_runtime_warning_on_large_or_tiny_input(backend, scale, dtype, solver):
    """fit and predict on inputs scaled by 1e4 and 1e-4 warn about nothing."""
    X, y = _data()
    X = (X * scale).astype(dtype)
    params = dict(solver=solver, max_iter=10)
    if backend == "torch":
        params["dtype"] = np.dtype(dtype).name
    for activation in ["identity", "logistic", "tanh", "relu"]:
        est = _make(backend, activation=activation, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                est.fit(X, y)
            except ValueError as exc:
                # Plain SGD on features of order 1e4 blows up geometrically
                # (the loss grows 1e6-fold in a few epochs): the divergence
                # error is the right outcome there, and still no warning.
                assert solver == "sgd" and scale > 1, exc
                assert "learning_rate_init" in str(exc)
                continue
            _assert_valid_outputs(est, X)
            _assert_valid_outputs(est, X.astype(np.float64))
        assert np.isfinite(est.loss_curve_).all()


def _hand_set(backend, dtype, X, y, **params):
    """A logistic regression whose logit is ``X[:, 0]``, set by hand.

    The weights are set through the public warm start: ``coefs_`` and
    ``intercepts_`` written by hand, then one epoch with a learning rate so
    small that it moves nothing, so that ``loss_curve_[0]`` is the loss of the
    hand-set weights.
    """
    est = _make(
        backend,
        hidden_layer_sizes=(),
        warm_start=True,
        solver="sgd",
        momentum=0.0,
        learning_rate_init=1e-30,
        alpha=0.0,
        batch_size=None,
        shuffle=False,
        max_iter=1,
        **params,
    )
    if backend == "torch":
        est.set_params(dtype=np.dtype(dtype).name)
    est.coefs_ = [np.array([[1.0], [0.0]], dtype=dtype)]
    est.intercepts_ = [np.zeros(1, dtype=dtype)]
    return est.fit(X, y)


EXTREME_LOGITS = [-1e4, -1e3, -100.0, -20.0, -1.0, 0.0, 1.0, 20.0, 100.0, 1e3, 1e4]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_give_valid_probabilities(backend, dtype):
    logits = np.array(EXTREME_LOGITS, dtype=dtype)
    X = np.column_stack([logits, np.ones_like(logits)])
    y = (logits > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        est = _hand_set(backend, dtype, X, y)
        for X_pred in (X, X.astype(np.float64)):
            assert_allclose(
                est.decision_function(X_pred), logits, rtol=1e-6, atol=1e-20
            )
            proba = est.predict_proba(X_pred)
            log_proba = est.predict_log_proba(X_pred)
            _assert_valid_outputs(est, X_pred)
            assert_array_equal(proba[[0, -1]], [[1, 0], [0, 1]])
            # log(p) is the logit itself far out, not log(eps) or -inf.
            assert log_proba[0, 1] == pytest.approx(-1e4, rel=1e-6)
            assert log_proba[-1, 0] == pytest.approx(-1e4, rel=1e-6)
            assert log_proba[1, 1] == pytest.approx(-1e3, rel=1e-6)
            far = np.abs(logits) >= 1
            assert_array_equal(est.predict(X_pred)[far], y[far])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_confidently_wrong_sample_has_large_finite_loss(backend, dtype):
    """Logits of -1e4 and 1e4 for labels 1 and 0: a loss of 1e4, not clipped."""
    X = np.array([[-1e4, 0.0], [1e4, 0.0]], dtype=dtype)
    y = np.array([1, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        est = _hand_set(backend, dtype, X, y)
    # The training loss (computed before the one step)...
    assert np.isfinite(est.loss_curve_[0])
    assert est.loss_curve_[0] == pytest.approx(1e4, rel=1e-6)
    # ... and the per-sample log-loss from the probabilities of the model.
    per_sample = -est.predict_log_proba(X)[np.arange(2), y]
    assert_allclose(per_sample, [1e4, 1e4], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpy_loss_and_gradient_match_torch_at_extreme_logits(dtype):
    """Loss and d loss / d logit: NumPy helpers and backprop against torch."""
    z = np.array([-1e3, -100, -20, -1, 0, 1, 20, 100, 1e3], dtype=dtype)
    z = np.concatenate([z, z])
    y = np.repeat(np.array([0.0, 1.0], dtype=dtype), z.size // 2)

    z_torch = torch.tensor(z, requires_grad=True)
    torch_loss = F.binary_cross_entropy_with_logits(
        z_torch, torch.tensor(y), reduction="none"
    )
    torch_loss.sum().backward()
    torch_loss = torch_loss.detach().numpy()
    torch_grad = z_torch.grad.numpy()
    assert torch_loss.dtype == dtype and np.isfinite(torch_loss).all()
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    tiny = np.finfo(dtype).tiny

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        # The helpers, sample by sample.
        helper_loss = np.array(
            [
                binary_log_loss_from_logits(y[i : i + 1], z[i : i + 1])
                for i in range(z.size)
            ]
        )
        helper_grad = sigmoid(z) - y
        # The training code itself: a network whose logit is its one input,
        # one sample per batch, so that the intercept's gradient is dJ/dz.
        est = NumpyBinaryMLP(hidden_layer_sizes=(), activation="identity", alpha=0.0)
        params, est.coefs_, est.intercepts_ = _pack(
            [np.ones((1, 1))], [np.zeros(1)], dtype
        )
        backprop = _Backprop(est, params, 1, z[:, None])
        backprop_loss, backprop_grad = [], []
        for i in range(z.size):
            backprop_loss.append(backprop(z[i : i + 1, None], y[i : i + 1]))
            backprop_grad.append(backprop.intercept_grads[0][0])

    assert helper_grad.dtype == dtype
    assert backprop.grads.dtype == dtype
    # torch computes log(1 + exp(-|z|)) without log1p: where that is below
    # eps it returns 0 (z = -100, y = 0) and near it a few ulps off; the
    # NumPy loss is the exact one there, and the two agree to a few ulps.
    ulps = 10 * np.finfo(dtype).eps
    for loss in (helper_loss, np.array(backprop_loss)):
        assert np.isfinite(loss).all()
        assert_allclose(loss, torch_loss, rtol=rtol, atol=ulps)
    exact = np.log1p(np.exp(z[:3].astype(np.float64)))
    assert_allclose(helper_loss[:3], exact, rtol=rtol, atol=tiny)
    for grad in (helper_grad, np.array(backprop_grad)):
        assert_allclose(grad, torch_grad, rtol=rtol, atol=tiny)
    # Confidently wrong: a loss of 1000 and a gradient of +-1, exactly.
    assert helper_loss[8] == pytest.approx(1e3) and helper_grad[8] == 1
    assert helper_loss[9] == pytest.approx(1e3) and helper_grad[9] == -1


# ---------------------------------------------------------------- divergence

# A set-up that does diverge at learning_rate_init=1e6 in both backends.
DIVERGENT = dict(
    hidden_layer_sizes=(8, 8),
    activation="identity",
    solver="sgd",
    momentum=0.9,
    max_iter=5,
)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
def test_learning_rate_1e6_converges_or_raises_clearly(backend, solver, activation):
    X, y = _data()
    est = _make(
        backend,
        hidden_layer_sizes=(8, 8),
        solver=solver,
        activation=activation,
        learning_rate_init=1e6,
        max_iter=10,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            est.fit(X, y)
        except ValueError as exc:
            assert "learning_rate_init" in str(exc)
            assert_unfitted(est, X)
            return
        _assert_valid_outputs(est, X)
    assert np.isfinite(est.loss_curve_).all()


@pytest.mark.parametrize("backend", BACKENDS)
def test_learning_rate_1e6_does_diverge_here(backend):
    """The set-up used below diverges: the error path is the one tested."""
    X, y = _data()
    est = _make(backend, **DIVERGENT, learning_rate_init=1e6)
    with pytest.raises(ValueError, match=r"diverged(.|\n)*learning_rate_init"):
        est.fit(X, y)
    assert_unfitted(est, X)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("warm_start", [False, True])
def test_divergent_refit_keeps_the_previous_fit(backend, warm_start):
    X, y = _data()
    est = _make(backend, **DIVERGENT, learning_rate_init=1e-3, warm_start=warm_start)
    est.fit(X, y)
    state = snapshot(est.set_params(learning_rate_init=1e6))
    with pytest.raises(ValueError, match="learning_rate_init"):
        est.fit(X, y)
    assert_unchanged(est, state, X)
    _assert_valid_outputs(est, X)


# ------------------------------------------------- hostile input, properties


@st.composite
def _two_class_data(draw, *, wide=False):
    """A small (X, y): finite floats of either dtype, both classes in y."""
    n_samples = draw(st.integers(2, 12))
    n_features = draw(st.integers(1, 3))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    if wide:  # every finite value of the dtype, subnormals included
        width = 32 if dtype == np.float32 else 64
        elements = st.floats(allow_nan=False, allow_infinity=False, width=width)
    else:
        elements = st.floats(-1e6, 1e6, allow_nan=False, width=32)
    X = draw(hnp.arrays(dtype, (n_samples, n_features), elements=elements))
    y = draw(hnp.arrays(np.int64, n_samples, elements=st.integers(0, 1)))
    first = draw(st.integers(0, n_samples - 1))
    y[first], y[(first + 1) % n_samples] = 0, 1
    return X, y


def _architectures(solvers=("sgd", "adam")):
    return st.fixed_dictionaries(
        {
            "solver": st.sampled_from(solvers),
            "activation": st.sampled_from(["identity", "logistic", "tanh", "relu"]),
            "batch_size": st.sampled_from(["auto", None, 3]),
        }
    )


@pytest.mark.parametrize("backend", BACKENDS)
@PROPERTY
@given(data=_two_class_data(), params=_architectures(solvers=["adam"]))
def test_property_finite_data_fits_and_predicts(backend, data, params):
    """Any finite data of moderate range (|x| <= 1e6) fits, with valid outputs.

    With Adam, whose steps are bounded by the learning rate. SGD's steps grow
    with the features: at this range it may diverge, which the next property
    allows (as a clear error).
    """
    X, y = data
    est = _make(backend, hidden_layer_sizes=(3,), max_iter=3, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", "Got batch_size=3 larger", UserWarning)
        est.fit(X, y)
        _assert_valid_outputs(est, X)
    assert np.isfinite(est.loss_curve_).all()


@pytest.mark.parametrize("backend", BACKENDS)
@PROPERTY
@given(data=_two_class_data(wide=True), params=_architectures())
def test_property_any_finite_data_fits_or_is_refused_clearly(backend, data, params):
    """Up to the largest floats: a valid fit, or a ValueError that says why.

    Values near the float range overflow any network; that is the divergence
    error (naming learning_rate_init and the scaling of the features), or,
    for float64 data too large for float32 training, scikit-learn's "too
    large" error. Never a warning, a NaN or another exception.
    """
    X, y = data
    est = _make(backend, hidden_layer_sizes=(3,), max_iter=3, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", "Got batch_size=3 larger", UserWarning)
        try:
            est.fit(X, y)
        except ValueError as exc:
            assert "learning_rate_init" in str(exc) or "too large" in str(exc)
            assert_unfitted(est, X)
            return
        _assert_valid_outputs(est, X)


@pytest.fixture(scope="module", params=list(BACKENDS))
def fitted(request):
    """A model fitted on 3 features by partial_fit, its state and data."""
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    y = (X[:, 0] > 0).astype(int)
    est = _make(request.param, max_iter=3).fit(X, y)
    est.partial_fit(X, y)
    return est, snapshot(est), X, y


@st.composite
def _non_finite_input(draw, n_features=3):
    """(X, y, sample_weight) with one NaN or inf in one of them."""
    n_samples = draw(st.integers(2, 10))
    X = draw(
        hnp.arrays(
            np.float64,
            (n_samples, n_features),
            elements=st.floats(-10, 10, allow_nan=False),
        )
    )
    y = np.arange(n_samples) % 2
    sample_weight = np.ones(n_samples)
    bad = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    where = draw(st.sampled_from(["X", "sample_weight", "y"]))
    row = draw(st.integers(0, n_samples - 1))
    if where == "X":
        X[row, draw(st.integers(0, n_features - 1))] = bad
        if draw(st.booleans()):  # both infinities at once
            X[(row + 1) % n_samples, 0] = -bad
    elif where == "sample_weight":
        sample_weight[row] = bad
    else:
        y = y.astype(np.float64)
        y[row] = bad
    return where, X, y, sample_weight


@PROPERTY
@given(case=_non_finite_input())
def test_property_nan_or_inf_anywhere_is_refused(fitted, case):
    """fit, partial_fit and predict refuse NaN/inf; the fitted model is intact."""
    est, state, X_good, _ = fitted
    where, X, y, sample_weight = case
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError):
            est.fit(X, y, sample_weight=sample_weight)
        with pytest.raises(ValueError):
            est.partial_fit(X, y, sample_weight=sample_weight)
        warm = copy.deepcopy(est).set_params(warm_start=True)
        with pytest.raises(ValueError):
            warm.fit(X, y, sample_weight=sample_weight)
        if where == "X":
            for method in PREDICT_METHODS:
                with pytest.raises(ValueError, match=r"NaN|infinity"):
                    getattr(est, method)(X)
    assert_unchanged(est, state, X_good)


_TEXT = st.text(st.characters(blacklist_characters="\x00"), max_size=6)
_LABEL_PAIRS = st.one_of(
    hnp.arrays(np.int64, 2, elements=st.integers(-(2**63), 2**63 - 1), unique=True),
    # Integral floats: y of other floats is "continuous", not labels.
    hnp.arrays(
        np.float64, 2, elements=st.integers(-(2**52), 2**52).map(float), unique=True
    ),
    st.lists(_TEXT, min_size=2, max_size=2, unique=True).flatmap(
        # As a string array, or as the object array of a pandas column.
        lambda pair: st.sampled_from([np.array(pair), np.array(pair, dtype=object)])
    ),
    st.just(np.array([False, True])),
)


@pytest.mark.parametrize("backend", BACKENDS)
@PROPERTY
@given(pair=_LABEL_PAIRS)
def test_property_any_two_labels_round_trip(backend, pair):
    """Relabelling y only renames what predict returns; the model is the same."""
    rng = np.random.RandomState(0)
    X = rng.randn(30, 2)
    y01 = (X[:, 0] > 0).astype(int)
    labels = np.sort(pair)
    reference = _make(backend).fit(X, y01)
    est = _make(backend).fit(X, labels[y01])
    assert_array_equal(est.classes_, labels)
    _assert_same_weights(est, reference)
    assert_array_equal(est.predict_proba(X), reference.predict_proba(X))
    predicted = est.predict(X)
    if labels.dtype != object:  # scikit-learn makes strings of object labels
        assert predicted.dtype == labels.dtype
    assert predicted.tolist() == labels[reference.predict(X)].tolist()
    assert est.score(X, labels[y01]) == reference.score(X, y01)


@PROPERTY
@given(
    n_features=st.integers(1, 6).filter(lambda n: n != 3),
    n_samples=st.integers(2, 10),
)
def test_property_changed_feature_count_is_refused(fitted, n_features, n_samples):
    """partial_fit (and predict) with another feature count: ValueError, no change."""
    est, state, X_good, _ = fitted
    X = np.random.RandomState(n_features).randn(n_samples, n_features)
    y = np.arange(n_samples) % 2
    match = f"X has {n_features} features, but {type(est).__name__} is expecting 3"
    with pytest.raises(ValueError, match=match):
        est.partial_fit(X, y)
    with pytest.raises(ValueError, match=match):
        est.predict_proba(X)
    assert_unchanged(est, state, X_good)


# ------------------------------------------------------------- atomic fits


def _step_owner(backend, solver):
    if backend == "numpy":
        return (SGDOptimizer if solver == "sgd" else AdamOptimizer), "update_params"
    return (_SklearnSGD if solver == "sgd" else _SklearnAdam), "step"


HOWS = ["fit", "warm_start_fit", "early_stopping_fit", "partial_fit"]


def _fitted_for(backend, how, solver):
    params = dict(solver=solver, batch_size=20, max_iter=4, random_state=0)
    params["warm_start"] = how == "warm_start_fit"
    params["early_stopping"] = how == "early_stopping_fit"
    X, y = _data()
    est = _make(backend, **params).fit(X, y)
    if how == "partial_fit":
        est.partial_fit(X, y)
    return est, X, y


def _call(est, how, X, y):
    if how == "partial_fit":
        est.partial_fit(X, y)
    else:
        est.fit(X, y)


# Any exception takes the same rollback path: KeyboardInterrupt (the one that
# is not an Exception) everywhere, and a RuntimeError once per backend.
EXCEPTION_CASES = [
    (how, hook, KeyboardInterrupt) for how in HOWS for hook in ["end_epoch", "step"]
] + [("fit", "step", RuntimeError)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "how, hook, exception",
    EXCEPTION_CASES,
    ids=[f"{how}-{hook}-{exc.__name__}" for how, hook, exc in EXCEPTION_CASES],
)
def test_exception_mid_fit_keeps_the_previous_fit(
    monkeypatch, backend, how, hook, exception
):
    """An interrupt or error mid-training leaves the earlier model, exactly."""
    solver = "adam" if how == "warm_start_fit" else "sgd"
    est, X, y = _fitted_for(backend, how, solver)
    state = snapshot(est)
    if hook == "end_epoch":
        owner, name = type(est), "_end_epoch"
        at = 1 if how == "partial_fit" else 2
    else:
        (owner, name), at = _step_owner(backend, solver), 2
    with monkeypatch.context() as patch:
        calls = raise_on_call(patch, owner, name, at, exception("mid-fit"))
        with pytest.raises(exception, match="mid-fit"):
            _call(est, how, X, y)
        assert len(calls) == at
    assert_unchanged(est, state, X, y)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("hook", ["end_epoch", "step"])
def test_interrupted_first_fit_leaves_the_estimator_unfitted(
    monkeypatch, backend, hook
):
    X, y = _data()
    est = _make(backend, solver="sgd", batch_size=20)
    if hook == "end_epoch":
        owner, name = type(est), "_end_epoch"
    else:
        owner, name = _step_owner(backend, "sgd")
    with monkeypatch.context() as patch:
        raise_on_call(patch, owner, name, 2, KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            est.fit(X, y)
    assert_unfitted(est, X)
    # A clean fit afterwards is the fit of a fresh estimator.
    _assert_same_weights(
        est.fit(X, y), _make(backend, solver="sgd", batch_size=20).fit(X, y)
    )


class _Interrupt(Callback):
    """A skorch callback that raises KeyboardInterrupt at its ``at``-th call."""

    def __init__(self, event, at=2):
        self.event = event
        self.at = at

    def initialize(self):
        self.calls_ = 0
        return self

    def _maybe_raise(self):
        self.calls_ += 1
        if self.calls_ == self.at:
            raise KeyboardInterrupt

    def on_batch_begin(self, net, **kwargs):
        if self.event == "on_batch_begin":
            self._maybe_raise()

    def on_batch_end(self, net, **kwargs):
        if self.event == "on_batch_end":
            self._maybe_raise()

    def on_epoch_begin(self, net, **kwargs):
        if self.event == "on_epoch_begin":
            self._maybe_raise()


@pytest.mark.parametrize("event", ["on_batch_begin", "on_batch_end", "on_epoch_begin"])
@pytest.mark.parametrize("how", ["fit", "warm_start_fit", "early_stopping_fit"])
def test_torch_keyboard_interrupt_from_a_callback_keeps_the_previous_fit(event, how):
    """torch only: a skorch callback's KeyboardInterrupt aborts and rolls back.

    (A KeyboardInterrupt from skorch's ``EarlyStopping`` is its way to stop
    early, and any other at ``on_epoch_end`` aborts, both tested in
    ``test_torch_callbacks.py``; an interrupt in the net's own
    end of epoch, where the estimator keeps its records, aborts: see
    ``test_exception_mid_fit_keeps_the_previous_fit``.)
    """
    est, X, y = _fitted_for("torch", how, "sgd")
    state = snapshot(est)
    est.set_params(callbacks=[_Interrupt(event)])
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    est.set_params(callbacks=None)
    assert_unchanged(est, state, X, y)


# ---------------------------------------------------------- reproducibility

REPRO_SETTINGS = {
    "sgd_minibatch": dict(solver="sgd", batch_size=16, momentum=0.9),
    "adam_auto": dict(solver="adam", alpha=1e-3),
    "early_stopping": dict(solver="adam", early_stopping=True, max_iter=15),
    "weighted": dict(solver="sgd", class_weight="balanced", batch_size=7),
    "sgd_full_batch_invscaling": dict(
        solver="sgd", batch_size=None, learning_rate="invscaling"
    ),
    "deep_tanh": dict(hidden_layer_sizes=(5, 4, 3), activation="tanh"),
}


def _repro_fit(backend, setting):
    X, y = make_xor(90, random_state=1)
    params = dict(
        hidden_layer_sizes=(6, 4), max_iter=8, random_state=42, learning_rate_init=0.01
    )
    params.update(REPRO_SETTINGS[setting])
    return _make(backend, **params).fit(X, y), X


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("setting", REPRO_SETTINGS)
def test_same_random_state_is_bitwise_reproducible(backend, setting):
    """The same code path on the same input in one process: the same bits."""
    first, X = _repro_fit(backend, setting)
    second, _ = _repro_fit(backend, setting)
    _assert_same_weights(first, second)
    assert first.loss_curve_ == second.loss_curve_
    assert_array_equal(first.predict_proba(X), second.predict_proba(X))


# Across processes, what could differ is process-wide state (generators, hash
# seeds, threads), not the set-up: two set-ups that draw from random_state in
# every way (initial weights, shuffling, the early-stopping split) suffice.
CROSS_PROCESS_SETTINGS = ["sgd_minibatch", "early_stopping"]

_REPRO_SCRIPT = """\
import sys
import warnings

import numpy as np

sys.path.insert(0, {tests!r})
warnings.simplefilter("ignore")
from test_reliability import CROSS_PROCESS_SETTINGS, _repro_fit

arrays = {{}}
for backend in ("numpy", "torch"):
    for setting in CROSS_PROCESS_SETTINGS:
        est, X = _repro_fit(backend, setting)
        for i, w in enumerate(est.coefs_ + est.intercepts_):
            arrays[f"{{backend}}-{{setting}}-w{{i}}"] = w
        arrays[f"{{backend}}-{{setting}}-proba"] = est.predict_proba(X)
        arrays[f"{{backend}}-{{setting}}-loss"] = np.array(est.loss_curve_)
np.savez({out!r}, **arrays)
"""


def test_reproducible_across_processes(tmp_path):
    """A fit in another Python process gives the same bits, in both backends.

    Bitwise by construction: the same code on the same input, and the same
    BLAS library and kernel in both processes (the child inherits the
    environment).
    """
    out = tmp_path / "fits.npz"
    script = _REPRO_SCRIPT.format(tests=str(Path(__file__).parent), out=str(out))
    run_python(script, cwd=tmp_path, timeout=300)
    other = np.load(out)
    for backend in BACKENDS:
        for setting in CROSS_PROCESS_SETTINGS:
            est, X = _repro_fit(backend, setting)
            key = f"{backend}-{setting}"
            for i, w in enumerate(_weights(est)):
                assert other[f"{key}-w{i}"].dtype == w.dtype
                assert other[f"{key}-w{i}"].tobytes() == w.tobytes(), key
            assert other[f"{key}-proba"].tobytes() == est.predict_proba(X).tobytes()
            assert other[f"{key}-loss"].tolist() == est.loss_curve_


# --------------------------------------------------------------- persistence


ROUND_TRIPS = ["pickle", "joblib", "skops"]


@pytest.fixture(scope="module", params=list(BACKENDS))
def persisted(request):
    """A fitted model with string labels and feature names, and its data."""
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.randn(50, 3), columns=["a", "b", "c"])
    y = np.where(X["a"] * X["b"] > 0, "yes", "no")
    est = _make(request.param, hidden_layer_sizes=(5,), max_iter=10).fit(X, y)
    return est, X, y


@pytest.mark.parametrize("how", ROUND_TRIPS)
def test_round_trip_gives_identical_predictions(persisted, how):
    est, X, y = persisted
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same version: no warning at all
        loaded = _load(_dump(est, how), how)
    assert type(loaded) is type(est)
    assert "_sklearn_binnet_version" not in vars(loaded)
    for method in PREDICT_METHODS:
        assert_array_equal(getattr(loaded, method)(X), getattr(est, method)(X))
    assert_array_equal(loaded.feature_names_in_, est.feature_names_in_)
    assert loaded.loss_curve_ == est.loss_curve_
    _assert_same_weights(loaded, est)
    # The loaded model trains on from where the saved one was.
    continued = copy.deepcopy(est).partial_fit(X, y)
    _assert_same_weights(loaded.partial_fit(X, y), continued)


def test_skops_trusts_only_the_numpy_backend_types(persisted):
    """The NumPy backend's skops file holds two types of ours, nothing else.

    A TorchBinaryMLP file holds the skorch net, whose state skorch restores
    with pickle: trusting it trusts arbitrary code, so skops is no safer than
    pickle there. Its safe route is ``to_numpy``, checked below.
    """
    est, X, _ = persisted
    untrusted = sio.get_untrusted_types(data=sio.dumps(est))
    if isinstance(est, NumpyBinaryMLP):
        assert untrusted == [
            "sklearn_binnet._numpy_mlp.NumpyBinaryMLP",
            "sklearn_binnet._optimizers.AdamOptimizer",
        ]
        return
    assert "sklearn_binnet._torch._net._BinaryNet" in untrusted
    twin = to_numpy(est)
    data = sio.dumps(twin)
    assert sio.get_untrusted_types(data=data) == [
        "sklearn_binnet._numpy_mlp.NumpyBinaryMLP"
    ]
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    assert_array_equal(loaded.predict_proba(X), twin.predict_proba(X))
    assert_allclose(loaded.predict_proba(X), est.predict_proba(X), atol=1e-6)


def _dump(est, how):
    if how == "pickle":
        return pickle.dumps(est)
    if how == "skops":
        return sio.dumps(est)
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    return buffer.getvalue()


def _load(data, how):
    if how == "pickle":
        return pickle.loads(data)
    if how == "skops":
        return sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    return joblib.load(io.BytesIO(data))


@pytest.mark.parametrize("how", ROUND_TRIPS)
def test_loading_under_another_version_warns(persisted, monkeypatch, how):
    est, X, _ = persisted
    original = sklearn_binnet.__version__
    data = _dump(est, how)
    monkeypatch.setattr(sklearn_binnet._version, "__version__", "99.0")
    with pytest.warns(InconsistentVersionWarning) as record:
        loaded = _load(data, how)
    [warning] = [w.message for w in record if w.category is InconsistentVersionWarning]
    assert warning.estimator_name == type(est).__name__
    assert warning.original_version == original
    assert warning.current_version == "99.0"
    assert str(warning).startswith(
        f"Trying to unpickle estimator {type(est).__name__} from sklearn-binnet "
        f"version {original} when using version 99.0."
    )
    # It loads nevertheless, and predicts as before.
    assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


def test_version_is_recorded_at_pickling_time(persisted, monkeypatch):
    est, _, _ = persisted
    monkeypatch.setattr(sklearn_binnet._version, "__version__", "1.2.3")
    state = est.__getstate__()
    assert state["_sklearn_binnet_version"] == "1.2.3"
    assert "_sklearn_binnet_version" not in vars(est)
    # A pickle from before versions were recorded warns too.
    del state["_sklearn_binnet_version"]
    fresh = object.__new__(type(est))
    with pytest.warns(InconsistentVersionWarning, match="an unknown sklearn-binnet"):
        fresh.__setstate__(state)
    assert "_sklearn_binnet_version" not in vars(fresh)


# --------------------------------------------------------------- concurrency


@pytest.mark.parametrize("backend", BACKENDS)
def test_threads_predicting_at_once_get_identical_results(backend):
    X, y = make_xor(4000, random_state=0)
    est = _make(backend, hidden_layer_sizes=(32, 16), max_iter=3).fit(X, y)
    expected = est.predict_proba(X)
    n_threads = 8
    barrier = threading.Barrier(n_threads)
    results, errors = [None] * n_threads, []

    def predict(i):
        try:
            barrier.wait()
            results[i] = [est.predict_proba(X) for _ in range(3)]
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=predict, args=(i,)) for i in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    # Bitwise: every thread runs the same code path on the same input.
    for per_thread in results:
        for proba in per_thread:
            assert_array_equal(proba, expected)


@pytest.mark.parametrize("backend", BACKENDS)
def test_grid_search_in_two_processes(backend):
    X, y = make_xor(80, random_state=0)
    grid = {"alpha": [1e-4, 1e-1], "hidden_layer_sizes": [(4,), (8,)]}
    est = _make(backend, max_iter=5, learning_rate_init=0.01)
    parallel = GridSearchCV(est, grid, cv=2, n_jobs=2).fit(X, y)
    serial = GridSearchCV(est, grid, cv=2, n_jobs=1).fit(X, y)
    # Bitwise: the same code in two processes with the same BLAS.
    assert_array_equal(
        parallel.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    assert parallel.best_params_ == serial.best_params_
    _assert_same_weights(parallel.best_estimator_, serial.best_estimator_)
    assert_array_equal(parallel.predict_proba(X), serial.predict_proba(X))


# -------------------------------------------------------- memory, memory maps


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_read_only_memmap_input_works(backend, dtype, tmp_path):
    """A read-only memory map trains and predicts like the array in memory."""
    X, y = make_xor(120, random_state=0)
    X = X.astype(dtype)
    path = tmp_path / "X.bin"
    X.tofile(path)
    X_map = np.memmap(path, dtype=dtype, mode="r", shape=X.shape)
    assert not X_map.flags.writeable
    params = dict(hidden_layer_sizes=(6,), batch_size=32)
    if backend == "torch":
        params["dtype"] = np.dtype(dtype).name
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # e.g. torch's "not writable"
        warnings.simplefilter("ignore", ConvergenceWarning)
        for shuffle in (True, False):
            from_map = _make(backend, shuffle=shuffle, **params).fit(X_map, y)
            in_memory = _make(backend, shuffle=shuffle, **params).fit(X, y)
            _assert_same_weights(from_map, in_memory)
            assert_array_equal(
                from_map.predict_proba(X_map), in_memory.predict_proba(X)
            )
    assert_array_equal(np.fromfile(path, dtype=dtype).reshape(X.shape), X)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_neither_modifies_nor_keeps_the_training_data(backend, dtype):
    """The data is only read (torch may share its memory) and not kept."""
    X, y = make_xor(100, random_state=0)
    X = np.ascontiguousarray(X, dtype=dtype)
    original = X.copy()
    params = {"dtype": np.dtype(dtype).name} if backend == "torch" else {}
    est = _make(backend, **params).fit(X, y)
    est.partial_fit(X, y)
    assert_array_equal(X, original)
    reference = weakref.ref(X)
    del X
    assert reference() is None, "the fitted model keeps the training data alive"
    assert_array_equal(est.predict_proba(original), est.predict_proba(original.copy()))
