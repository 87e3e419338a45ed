"""NumpyBinaryMLP's mathematics: gradients, the tutorial, and MLPClassifier parity."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from conftest import assert_within_bound, mlp_logit_error_bound
from sklearn_binnet import NumpyBinaryMLP
from sklearn_binnet._base import _glorot_uniform_weights
from sklearn_binnet._numpy_mlp import _Backprop, _pack
from sklearn_binnet.datasets import make_xor

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]


def _backprop_at(estimator, coefs, intercepts, X):
    """A _Backprop whose weights are views of the returned flat vector."""
    params, estimator.coefs_, estimator.intercepts_ = _pack(
        coefs, intercepts, np.float64
    )
    return _Backprop(estimator, params, X.shape[0], X), params


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("hidden", [(5,), (5, 4), (6, 4, 3)])
def test_gradient_matches_central_differences(activation, alpha, weighted, hidden):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(13, 3))
    y = (rng.uniform(size=13) > 0.5).astype(np.float64)
    sample_weight = rng.uniform(0.1, 3.0, size=13) if weighted else None
    estimator = NumpyBinaryMLP(hidden, activation, alpha=alpha)
    coefs, intercepts = _glorot_uniform_weights(
        [3, *hidden, 1], activation, np.float64, rng
    )
    backprop, params = _backprop_at(estimator, coefs, intercepts, X)
    backprop(X, y, sample_weight)
    analytic = backprop.grads.copy()

    step = 1e-6
    numeric = np.empty_like(params)
    for i in range(params.size):
        original = params[i]
        params[i] = original + step
        loss_plus = backprop(X, y, sample_weight)
        params[i] = original - step
        loss_minus = backprop(X, y, sample_weight)
        params[i] = original
        numeric[i] = (loss_plus - loss_minus) / (2 * step)
    assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_loss_is_weighted_cross_entropy_plus_penalty():
    """The batch loss equals the formula written out independently."""
    rng = np.random.RandomState(1)
    X = rng.normal(size=(20, 4))
    y = (rng.uniform(size=20) > 0.5).astype(np.float64)
    sample_weight = rng.uniform(0.5, 2.0, size=20)
    alpha = 0.7
    estimator = NumpyBinaryMLP((3,), "tanh", alpha=alpha)
    coefs, intercepts = _glorot_uniform_weights([4, 3, 1], "tanh", np.float64, rng)
    backprop, _ = _backprop_at(estimator, coefs, intercepts, X)

    hidden = np.tanh(X @ coefs[0] + intercepts[0])
    p = 1 / (1 + np.exp(-(hidden @ coefs[1] + intercepts[1])[:, 0]))
    cross_entropy = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    penalty = 0.5 * alpha * sum((c**2).sum() for c in coefs)
    expected = (cross_entropy @ sample_weight + penalty) / sample_weight.sum()
    assert backprop(X, y, sample_weight) == pytest.approx(expected, rel=1e-12)


def _tutorial_loop(X, Y, hidden_dim=4, epochs=1000, learning_rate=0.1):
    """The tutorial's own NumPy training loop, written out as the reference."""
    rng = np.random.RandomState(1)  # the tutorial's np.random.seed(1)
    W1 = rng.randn(X.shape[1], hidden_dim) * 0.01
    b1 = np.zeros((1, hidden_dim))
    W2 = rng.randn(hidden_dim, 1) * 0.01
    b2 = np.zeros((1, 1))
    initial = [W1.copy(), b1.copy(), W2.copy(), b2.copy()]
    m = X.shape[0]
    losses = []
    for _ in range(epochs):
        Z1 = X @ W1 + b1
        A1 = np.maximum(0, Z1)
        A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
        losses.append(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))
        dZ2 = A2 - Y
        dW2 = A1.T @ dZ2 / m
        db2 = dZ2.sum(axis=0, keepdims=True) / m
        dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
        dW1 = X.T @ dZ1 / m
        db1 = dZ1.sum(axis=0, keepdims=True) / m
        W1 -= learning_rate * dW1
        b1 -= learning_rate * db1
        W2 -= learning_rate * dW2
        b2 -= learning_rate * db2
    return initial, losses, [W1, b1, W2, b2]


def test_reproduces_the_tutorial_exactly():
    X, y = make_xor(200, random_state=0)
    (W1, b1, W2, b2), reference_losses, final = _tutorial_loop(X, y.reshape(-1, 1))

    clf = NumpyBinaryMLP(
        hidden_layer_sizes=(4,),
        solver="sgd",
        learning_rate_init=0.1,
        momentum=0.0,
        alpha=0.0,
        batch_size=None,
        max_iter=1000,
        n_iter_no_change=1000,
        warm_start=True,
    )
    clf.coefs_ = [W1, W2]
    clf.intercepts_ = [b1.ravel(), b2.ravel()]
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)

    assert len(clf.loss_curve_) == 1000
    assert_allclose(clf.loss_curve_, reference_losses, rtol=0, atol=1e-9)
    assert_allclose(clf.coefs_[0], final[0], atol=1e-9)
    assert_allclose(clf.coefs_[1], final[2], atol=1e-9)
    # The hand-set starting weights are not modified by the fit.
    assert_allclose(W1, _tutorial_loop(X, y.reshape(-1, 1), epochs=0)[0][0])


def _mlp_started_from(weights, **params):
    """An MLPClassifier set up to warm-start from the given weights."""
    coefs, intercepts, X, y = weights
    mlp = MLPClassifier(**params, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)
    mlp.coefs_ = [c.copy() for c in coefs]
    mlp.intercepts_ = [b.copy() for b in intercepts]
    mlp.loss_curve_ = []
    mlp.best_loss_ = np.inf
    mlp._no_improvement_count = 0
    mlp.t_ = 0
    return mlp


@pytest.mark.parametrize("nesterovs_momentum", [True, False])
def test_full_batch_sgd_matches_mlpclassifier_from_the_same_weights(
    nesterovs_momentum,
):
    X, y = make_classification(n_samples=150, n_features=6, random_state=0)
    rng = np.random.RandomState(42)
    coefs, intercepts = _glorot_uniform_weights([6, 8, 5, 1], "tanh", np.float64, rng)
    params = dict(
        hidden_layer_sizes=(8, 5),
        activation="tanh",
        solver="sgd",
        alpha=0.01,
        batch_size=150,
        learning_rate_init=0.05,
        momentum=0.9,
        nesterovs_momentum=nesterovs_momentum,
        tol=0.0,
        n_iter_no_change=500,
    )
    mlp = _mlp_started_from((coefs, intercepts, X, y), **params)
    mlp.set_params(warm_start=True, max_iter=60)
    clf = NumpyBinaryMLP(**{**params, "batch_size": None}, max_iter=60, warm_start=True)
    clf.coefs_, clf.intercepts_ = coefs, intercepts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)
        clf.fit(X, y)
    assert_allclose(clf.loss_curve_, mlp.loss_curve_, rtol=0, atol=1e-8)
    assert_allclose(clf.predict_proba(X), mlp.predict_proba(X), atol=1e-8)


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="adam"),
        dict(solver="sgd", batch_size=32, alpha=0.01, activation="logistic"),
        dict(solver="sgd", learning_rate="invscaling", nesterovs_momentum=False),
        dict(solver="sgd", learning_rate="adaptive", activation="tanh"),
        dict(solver="adam", early_stopping=True, activation="identity"),
    ],
    ids=["adam", "sgd-minibatch", "invscaling", "adaptive", "early-stopping"],
)
def test_same_random_state_follows_mlpclassifier_step_for_step(params):
    """Same seed, same draws: initial weights, split, shuffles and updates agree."""
    X, y = make_xor(300, random_state=1)
    common = dict(hidden_layer_sizes=(12, 6), learning_rate_init=0.02, max_iter=80)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier(**common, **params, random_state=3).fit(X, y)
        clf = NumpyBinaryMLP(**common, **params, random_state=3).fit(X, y)
    assert clf.n_iter_ == mlp.n_iter_
    assert_allclose(clf.loss_curve_, mlp.loss_curve_, rtol=0, atol=1e-10)
    assert clf.validation_scores_ == mlp.validation_scores_
    assert_allclose(clf.predict_proba(X), mlp.predict_proba(X), atol=1e-10)


@pytest.mark.parametrize("shuffle", [False, True])
def test_weighted_mini_batches_follow_mlpclassifier(shuffle):
    """Sample weights and mini-batches, unshuffled (slices of X) or shuffled
    (rows gathered per batch): MLPClassifier's steps."""
    X, y = make_xor(300, random_state=1)
    sample_weight = np.random.default_rng(0).uniform(0.2, 3.0, size=300)
    params = dict(
        hidden_layer_sizes=(12, 6),
        learning_rate_init=0.02,
        alpha=1e-3,
        batch_size=32,
        shuffle=shuffle,
        max_iter=40,
        random_state=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier(**params).fit(X, y, sample_weight=sample_weight)
        clf = NumpyBinaryMLP(**params).fit(X, y, sample_weight=sample_weight)
    assert clf.n_iter_ == mlp.n_iter_ == 40
    assert_allclose(clf.loss_curve_, mlp.loss_curve_, rtol=0, atol=1e-10)
    assert_allclose(clf.predict_proba(X), mlp.predict_proba(X), atol=1e-10)


def test_float32_input_trains_and_predicts_in_float32():
    X, y = make_xor(200, random_state=0)
    X32 = X.astype(np.float32)
    clf = NumpyBinaryMLP((8,), max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X32, y)
        reference = NumpyBinaryMLP((8,), max_iter=50, random_state=0).fit(X, y)
    assert all(c.dtype == np.float32 for c in clf.coefs_ + clf.intercepts_)
    assert clf.predict_proba(X32).dtype == np.float32
    # float32 follows the float64 trajectory to single precision.
    assert_allclose(clf.loss_curve_, reference.loss_curve_, rtol=1e-4)


def test_prediction_in_chunks_equals_one_pass(monkeypatch):
    """Chunked inference gives the same logits as an unchunked forward pass."""
    import sklearn_binnet._numpy_mlp as numpy_mlp

    X, y = make_classification(n_samples=3000, n_features=5, random_state=0)
    clf = NumpyBinaryMLP((20, 10), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    hidden = np.maximum(X @ clf.coefs_[0] + clf.intercepts_[0], 0)
    hidden = np.maximum(hidden @ clf.coefs_[1] + clf.intercepts_[1], 0)
    expected = (hidden @ clf.coefs_[2] + clf.intercepts_[2])[:, 0]
    monkeypatch.setattr(numpy_mlp, "_CHUNK_VALUES", 20 * 7)  # chunks of 7 rows
    # Two different BLAS calls (gemm on 7-row chunks vs one gemm/gemv) round
    # differently, and how depends on the OpenBLAS kernel: compare within the
    # error floating point guarantees, not with a relative tolerance on logits
    # that can be near zero.
    bound = mlp_logit_error_bound(X, clf.coefs_, clf.intercepts_, clf.activation)
    assert_within_bound(clf.decision_function(X), expected, bound)
