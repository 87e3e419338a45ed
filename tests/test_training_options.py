"""The training options beyond MLPClassifier: AdamW, the cosine schedule,
label smoothing and dropout, in both backends with the same semantics."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.metrics import log_loss

from conftest import make_estimator
from sklearn_binnet import NumpyBinaryMLP, TorchBinaryMLP
from sklearn_binnet._base import _glorot_uniform_weights
from sklearn_binnet._batching import DropoutMasks
from sklearn_binnet._numpy_mlp import _Backprop, _pack
from sklearn_binnet._optimizers import AdamWOptimizer, SGDOptimizer
from sklearn_binnet._torch._module import BinaryMLPModule, _PenalizedBCELoss
from sklearn_binnet._torch._optimizers import _SklearnAdamW, _SklearnSGD

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]


def _data(n=120, n_features=6, seed=0):
    return make_classification(
        n, n_features, n_informative=4, n_redundant=0, random_state=seed
    )


# ------------------------------------------------------------------ AdamW


@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
@pytest.mark.parametrize("epsilon", [1e-8, 1e-3])
def test_adamw_matches_torch_adamw(weight_decay, epsilon):
    """From the same weights and gradients, 300 steps of the NumPy AdamW and
    of torch.optim.AdamW (float64) agree to 1e-8, and so does our torch
    AdamW, which writes the NumPy operations with torch."""
    rng = np.random.RandomState(0)
    start = rng.normal(size=12)
    ours = start.copy()
    opt = AdamWOptimizer(ours, 0.01, 0.9, 0.999, epsilon, weight_decay)
    theirs = torch.tensor(start, requires_grad=True)
    torch_opt = torch.optim.AdamW(
        [theirs], lr=0.01, betas=(0.9, 0.999), eps=epsilon, weight_decay=weight_decay
    )
    twin = torch.tensor(start, requires_grad=True)
    twin_opt = _SklearnAdamW(
        [twin],
        lr=0.01,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=epsilon,
        weight_decay=weight_decay,
    )
    for _ in range(300):
        grad = rng.normal(size=12) * rng.uniform(0.01, 10)
        opt.update_params(ours, grad)
        for tensor, optimizer in ((theirs, torch_opt), (twin, twin_opt)):
            tensor.grad = torch.tensor(grad)
            optimizer.step()
    assert_allclose(ours, theirs.detach().numpy(), rtol=0, atol=1e-8)
    assert_allclose(ours, twin.detach().numpy(), rtol=0, atol=1e-8)
    # The decay did something: the runs with and without it differ.
    if weight_decay:
        plain = start.copy()
        rng = np.random.RandomState(0)
        rng.normal(size=12)
        no_decay = AdamWOptimizer(plain, 0.01, 0.9, 0.999, epsilon, 0.0)
        for _ in range(300):
            no_decay.update_params(plain, rng.normal(size=12) * rng.uniform(0.01, 10))
        assert np.abs(plain - ours).max() > 1e-3


def test_weight_decay_is_ignored_by_adam_and_sgd(backend):
    X, y = _data()
    for solver in ("adam", "sgd"):
        plain = make_estimator(backend, "float64", solver=solver).fit(X, y)
        decayed = make_estimator(
            backend, "float64", solver=solver, weight_decay=0.5
        ).fit(X, y)
        # The same code path on the same input: bitwise equal.
        for a, b in zip(plain.coefs_, decayed.coefs_):
            assert_array_equal(a, b)
    adamw = make_estimator(backend, "float64", solver="adamw", weight_decay=0.5)
    assert np.abs(adamw.fit(X, y).coefs_[0] - plain.coefs_[0]).max() > 0


# ----------------------------------------------------------------- cosine


def _torch_rates(total, warmup):
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=0.1)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total - warmup)
    if warmup:
        linear = torch.optim.lr_scheduler.LinearLR(
            optimizer, start_factor=1 / (warmup + 1), total_iters=warmup
        )
        scheduler = torch.optim.lr_scheduler.SequentialLR(
            optimizer, [linear, cosine], milestones=[warmup]
        )
    else:
        scheduler = cosine
    rates = []
    for _ in range(total):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(rates)


@pytest.mark.parametrize("total, warmup", [(40, 0), (40, 8), (7, 1), (25, 24)])
def test_cosine_rates_match_torch_schedulers(total, warmup):
    """The rate of every step equals CosineAnnealingLR's (after a LinearLR
    warm-up in a SequentialLR), in both backends' optimizers."""
    expected = _torch_rates(total, warmup)
    params = np.zeros(3)
    numpy_opt = SGDOptimizer(params, 0.1, "cosine", 0.0, False, 0.5)
    numpy_opt.start_cosine(total, warmup)
    tensor = torch.zeros(3, requires_grad=True)
    torch_opt = _SklearnSGD([tensor], lr=0.1, momentum=0.0, lr_schedule="cosine")
    torch_opt.start_cosine(total, warmup)
    numpy_rates, torch_rates = [], []
    for _ in range(total):
        numpy_opt.update_params(params, np.ones(3))
        numpy_rates.append(numpy_opt.learning_rate)
        tensor.grad = torch.ones(3)
        torch_opt.step()
        torch_rates.append(torch_opt.learning_rate)
    # The closed form against torch's recursive one: a few roundings a step.
    atol = 1e-13 * total
    assert_allclose(numpy_rates, expected, rtol=0, atol=atol)
    assert_array_equal(numpy_rates, torch_rates)
    # It decays after the warm-up.
    assert numpy_rates[-1] < numpy_rates[warmup] or warmup == total - 1
    # After its period the schedule starts again.
    numpy_opt.update_params(params, np.ones(3))
    assert numpy_opt.learning_rate == numpy_rates[0]


@pytest.mark.parametrize("solver", ["sgd", "adam", "adamw"])
def test_cosine_counts_every_step_and_partial_fit_carries_on(backend, solver):
    X, y = _data()
    est = make_estimator(
        backend,
        "float64",
        solver=solver,
        learning_rate="cosine",
        warmup_fraction=0.25,
        batch_size=50,
        max_iter=4,
    ).fit(X, y)
    n_batches = 3
    assert est._optimizer.cosine == {"step": 4 * n_batches, "total": 12, "warmup": 3}
    # The schedule changes the fit.
    constant = make_estimator(
        backend, "float64", solver=solver, batch_size=50, max_iter=4
    ).fit(X, y)
    assert est.loss_curve_ != constant.loss_curve_
    stream = make_estimator(
        backend,
        "float64",
        solver=solver,
        learning_rate="cosine",
        batch_size=50,
        max_iter=4,
    )
    for _ in range(2):
        stream.partial_fit(X, y, classes=[0, 1])
    assert stream._optimizer.cosine["step"] == 2 * n_batches


def test_cosine_with_early_stopping_stops_as_before(backend):
    """The stopping rule ends a cosine run (it never lowers its rate)."""
    X, y = _data(300)
    est = make_estimator(
        backend,
        "float64",
        learning_rate="cosine",
        early_stopping=True,
        n_iter_no_change=2,
        tol=10.0,
        max_iter=50,
    ).fit(X, y)
    # The first epoch sets the best score; the next three miss tol.
    assert est.n_iter_ == 4
    assert est._optimizer.cosine["total"] == 50 * 2


# -------------------------------------------------------------- gradients


def _network(activation, alpha=0.3, dropout=0.4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(9, 5))
    y = (rng.uniform(size=9) > 0.5).astype(float)
    sw = rng.uniform(0.5, 2, size=9)
    units = [5, 4, 3, 1]
    coefs, intercepts = _glorot_uniform_weights(units, activation, np.float64, rng)
    est = NumpyBinaryMLP(
        hidden_layer_sizes=(4, 3),
        activation=activation,
        alpha=alpha,
        dropout=dropout,
    )
    params, est.coefs_, est.intercepts_ = _pack(coefs, intercepts, np.float64)
    masks = DropoutMasks(dropout, [4, 3], np.float64, rng).draw(9)
    # Smoothed targets, as fit hands them to the backends.
    e = 0.2
    return est, params, X, y * (1 - e) + e / 2, sw, masks


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dropout_and_smoothing_gradient_matches_finite_differences(activation):
    est, params, X, y, sw, masks = _network(activation)
    backprop = _Backprop(est, params, 9, X)
    backprop(X, y, sw, masks)
    grads = backprop.grads.copy()
    assert any((mask == 0).any() for mask in masks)
    h = 1e-6
    numeric = np.empty_like(params)
    for i in range(params.size):
        saved = params[i]
        params[i] = saved + h
        up = backprop(X, y, sw, masks)
        params[i] = saved - h
        down = backprop(X, y, sw, masks)
        params[i] = saved
        numeric[i] = (up - down) / (2 * h)
    # Central differences: error about h**2 * f''' + eps * |J| / h, far
    # below 1e-6 of the largest component (the relu kinks are not crossed:
    # no pre-activation is within h of 0 here).
    assert_allclose(grads, numeric, rtol=1e-6, atol=1e-6 * np.abs(grads).max())


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dropout_and_smoothing_gradient_matches_torch_autograd(activation):
    est, params, X, y, sw, masks = _network(activation)
    backprop = _Backprop(est, params, 9, X)
    loss = backprop(X, y, sw, masks)
    module = BinaryMLPModule(5, (4, 3), activation, dtype=torch.float64)
    module.set_weights(est.coefs_, est.intercepts_)
    criterion = _PenalizedBCELoss(alpha=est.alpha)
    logits = module(torch.tensor(X), [torch.tensor(m) for m in masks])
    torch_loss = criterion(logits, torch.tensor(y), torch.tensor(sw), module.coefs())
    torch_loss.backward()
    coef_grads = [layer.weight.grad.numpy().T.ravel() for layer in module.layers]
    bias_grads = [layer.bias.grad.numpy() for layer in module.layers]
    autograd = np.concatenate(coef_grads + bias_grads)
    assert_allclose(loss, torch_loss.item(), rtol=1e-10)
    assert_allclose(
        backprop.grads, autograd, rtol=1e-10, atol=1e-10 * np.abs(autograd).max()
    )


# ---------------------------------------------------------- backend parity

OPTIONS = {
    "adamw": dict(solver="adamw", weight_decay=0.05),
    "cosine-sgd": dict(solver="sgd", learning_rate="cosine", warmup_fraction=0.2),
    "cosine-adam": dict(learning_rate="cosine", warmup_fraction=0.1),
    "label_smoothing-sgd": dict(solver="sgd", label_smoothing=0.2),
    "label_smoothing-adam": dict(label_smoothing=0.2),
    "dropout-sgd": dict(solver="sgd", dropout=0.3),
    "dropout-adam": dict(dropout=0.3),
    "all-sgd": dict(
        solver="sgd",
        learning_rate="cosine",
        warmup_fraction=0.2,
        label_smoothing=0.1,
        dropout=0.2,
    ),
    "all-adamw": dict(
        solver="adamw",
        weight_decay=0.05,
        learning_rate="cosine",
        warmup_fraction=0.2,
        label_smoothing=0.1,
        dropout=0.2,
    ),
}


@pytest.mark.parametrize("batch_size", [50, None], ids=["batches", "full"])
@pytest.mark.parametrize("name", list(OPTIONS))
def test_float64_backend_parity(name, batch_size):
    """NumPy and torch in float64 follow each other with every option: loss
    curves within 1e-8 for SGD and 1e-6 for the Adam family, in mini-batches
    and in one shuffled full batch (the masks follow the shuffled rows)."""
    X, y = _data(200)
    params = dict(
        hidden_layer_sizes=(8, 5),
        batch_size=batch_size,
        max_iter=15,
        learning_rate_init=0.05,
        random_state=0,
        **OPTIONS[name],
    )
    sample_weight = np.random.RandomState(1).uniform(0.5, 2, len(y))
    numpy_fit = NumpyBinaryMLP(**params).fit(X, y, sample_weight)
    torch_fit = TorchBinaryMLP(**params, dtype="float64").fit(X, y, sample_weight)
    atol = 1e-8 if params.get("solver") == "sgd" else 1e-6
    assert_allclose(numpy_fit.loss_curve_, torch_fit.loss_curve_, rtol=0, atol=atol)
    assert_allclose(
        numpy_fit.predict_proba(X), torch_fit.predict_proba(X), rtol=0, atol=atol
    )


# ------------------------------------------------------- reproducibility


ALL_ON = OPTIONS["all-adamw"]


def test_fits_are_reproducible(backend_dtype):
    X, y = _data()
    X = backend_dtype.cast(X)
    est = backend_dtype.make(hidden_layer_sizes=(6, 4), **ALL_ON)
    first, second = clone(est).fit(X, y), clone(est).fit(X, y)
    # The same code path on the same input, in one process: bitwise.
    for a, b in zip(
        first.coefs_ + first.intercepts_, second.coefs_ + second.intercepts_
    ):
        assert_array_equal(a, b)
    assert first.loss_curve_ == second.loss_curve_
    # And the options change the fit: without dropout it trains otherwise.
    other = clone(est).set_params(dropout=0.0).fit(X, y)
    assert first.loss_curve_ != other.loss_curve_


def test_dropout_parity_on_sparse_input():
    X, y = _data()
    X = sp.csr_matrix(np.where(np.abs(X) > 1, X, 0))
    params = dict(hidden_layer_sizes=(5,), dropout=0.5, max_iter=5, random_state=0)
    numpy_fit = NumpyBinaryMLP(**params).fit(X, y)
    torch_fit = TorchBinaryMLP(**params, dtype="float64").fit(X, y)
    assert_allclose(numpy_fit.loss_curve_, torch_fit.loss_curve_, rtol=0, atol=1e-6)


def test_dropout_leaves_prediction_deterministic(backend):
    X, y = _data()
    est = make_estimator(backend, "float64", dropout=0.5, max_iter=3).fit(X, y)
    assert_array_equal(est.decision_function(X), est.decision_function(X))


def test_label_smoothing_loss_curve_uses_smoothed_targets(backend):
    """The first epoch of a full-batch fit is the loss of the initial weights
    on the smoothed targets, recomputed here from the same initial draw."""
    X, y = _data()
    e, alpha = 0.3, 1e-3
    est = make_estimator(
        backend,
        "float64",
        solver="sgd",
        batch_size=None,
        max_iter=1,
        alpha=alpha,
        label_smoothing=e,
        hidden_layer_sizes=(5,),
    )
    est.fit(X, y)
    coefs, intercepts = _glorot_uniform_weights(
        [6, 5, 1], "relu", np.float64, np.random.RandomState(0)
    )
    z = (np.maximum(X @ coefs[0] + intercepts[0], 0) @ coefs[1] + intercepts[1])[:, 0]
    target = y * (1 - e) + e / 2
    loss = np.mean(np.logaddexp(0, z) - target * z)
    loss += 0.5 * alpha * sum((W**2).sum() for W in coefs) / len(y)
    assert_allclose(est.loss_curve_[0], loss, rtol=1e-12)


def test_label_smoothing_validation_loss_uses_true_labels(backend):
    X, y = _data(200)
    X_val, y_val = _data(80, seed=1)
    est = make_estimator(
        backend,
        "float64",
        label_smoothing=0.3,
        early_stopping=True,
        n_iter_no_change=np.inf,
        max_iter=6,
    ).fit(X, y, X_val=X_val, y_val=y_val)
    best = int(np.argmax(est.validation_scores_))
    expected = log_loss(y_val, est.predict_proba(X_val))
    assert_allclose(est.validation_loss_curve_[best], expected, rtol=1e-10)


# ------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "name, value",
    [
        ("weight_decay", -0.1),
        ("warmup_fraction", 1.0),
        ("warmup_fraction", -0.1),
        ("label_smoothing", 0.5),
        ("label_smoothing", -0.1),
        ("dropout", 1.0),
        ("dropout", -0.1),
        ("dropout", True),
        ("solver", "adamax"),
        ("learning_rate", "cosine_restarts"),
    ],
)
def test_invalid_options_name_the_parameter(backend, name, value):
    X, y = _data()
    est = make_estimator(backend, **{name: value})
    with pytest.raises(ValueError, match=name):
        est.fit(X, y)
    assert not hasattr(est, "coefs_")
