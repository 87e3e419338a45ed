"""TorchBinaryMLP: parity with the NumPy backend, autograd, conversion, I/O."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.class_weight import compute_class_weight
from skorch.callbacks import Callback, EarlyStopping

import sklearn_binnet
from conftest import assert_within_bound, mlp_logit_error_bound, run_python
from sklearn_binnet import NumpyBinaryMLP, TorchBinaryMLP, to_numpy, to_torch
from sklearn_binnet._base import _glorot_uniform_weights
from sklearn_binnet._numpy_mlp import _Backprop, _pack
from sklearn_binnet._torch._module import BinaryMLPModule, _PenalizedBCELoss

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]

# The parity set-up of issue 3: hidden (16, 8), batch 32 with shuffling, 20
# epochs (tol=0 and n_iter_no_change=20 so that no run stops early).
PARITY = dict(
    hidden_layer_sizes=(16, 8),
    batch_size=32,
    shuffle=True,
    max_iter=20,
    tol=0.0,
    n_iter_no_change=20,
    random_state=0,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    """A small non-linear problem: 400 x 6, the label an XOR of two features."""
    rng = np.random.RandomState(42)
    X = rng.randn(400, 6)
    y = (X[:, 0] * X[:, 1] + 0.3 * X[:, 2] > 0).astype(int)
    return X, y


def _fit_pair(X, y, fit_params=None, **params):
    """Fit both backends (torch in float64) with the same settings."""
    fit_params = fit_params or {}
    numpy_est = NumpyBinaryMLP(**params).fit(X, y, **fit_params)
    torch_est = TorchBinaryMLP(dtype="float64", **params).fit(X, y, **fit_params)
    return numpy_est, torch_est


def _assert_same_fit(numpy_est, torch_est, atol):
    assert torch_est.n_iter_ == numpy_est.n_iter_
    assert torch_est.t_ == numpy_est.t_
    assert_allclose(torch_est.loss_curve_, numpy_est.loss_curve_, rtol=0, atol=atol)
    for got, expected in zip(
        torch_est.coefs_ + torch_est.intercepts_,
        numpy_est.coefs_ + numpy_est.intercepts_,
    ):
        assert got.dtype == np.float64
        assert_allclose(got, expected, rtol=0, atol=100 * atol)


# --------------------------------------------------------------------- parity


@pytest.mark.parametrize(
    "momentum, nesterovs_momentum",
    [(0.0, False), (0.9, True), (0.9, False)],
    ids=["plain", "nesterov", "momentum"],
)
def test_sgd_parity_float64(data, momentum, nesterovs_momentum):
    X, y = data
    numpy_est, torch_est = _fit_pair(
        X,
        y,
        solver="sgd",
        learning_rate_init=0.05,
        momentum=momentum,
        nesterovs_momentum=nesterovs_momentum,
        **PARITY,
    )
    assert len(numpy_est.loss_curve_) == 20
    _assert_same_fit(numpy_est, torch_est, atol=1e-8)


def test_adam_parity_float64(data):
    X, y = data
    numpy_est, torch_est = _fit_pair(
        X, y, solver="adam", learning_rate_init=0.01, **PARITY
    )
    _assert_same_fit(numpy_est, torch_est, atol=1e-6)


@pytest.mark.parametrize("learning_rate", ["invscaling", "adaptive"])
def test_sgd_schedules_parity(data, learning_rate):
    X, y = data
    # A large tol makes the stopping rule fire, so "adaptive" divides the
    # learning rate, on the torch optimizer's parameter groups.
    params = {**PARITY, "tol": 0.05, "n_iter_no_change": 2}
    numpy_est, torch_est = _fit_pair(
        X,
        y,
        solver="sgd",
        learning_rate=learning_rate,
        learning_rate_init=0.1,
        **params,
    )
    _assert_same_fit(numpy_est, torch_est, atol=1e-8)
    learning_rate_now = torch_est.net_.optimizer_.learning_rate
    assert learning_rate_now < 0.1  # the schedule did change the rate
    assert learning_rate_now == pytest.approx(
        numpy_est._optimizer.learning_rate, rel=1e-12
    )


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_early_stopping_parity(data, solver):
    X, y = data
    params = {**PARITY, "max_iter": 60, "tol": 1e-4, "n_iter_no_change": 3}
    numpy_est, torch_est = _fit_pair(
        X, y, solver=solver, learning_rate_init=0.01, early_stopping=True, **params
    )
    assert numpy_est.n_iter_ < 60  # the rule fired
    assert torch_est.n_iter_ == numpy_est.n_iter_
    assert torch_est.validation_scores_ == numpy_est.validation_scores_
    assert torch_est.best_validation_score_ == numpy_est.best_validation_score_
    assert_allclose(
        torch_est.validation_loss_curve_, numpy_est.validation_loss_curve_, atol=1e-6
    )
    # The best epoch's weights are restored in both.
    assert_allclose(torch_est.coefs_[0], numpy_est.coefs_[0], atol=1e-5)
    history = torch_est.net_.history
    assert history[:, "valid_acc"] == torch_est.validation_scores_


def test_weighted_penalised_parity(data):
    X, y = data
    sample_weight = np.random.RandomState(0).uniform(0.1, 3.0, X.shape[0])
    numpy_est, torch_est = _fit_pair(
        X,
        y,
        fit_params={"sample_weight": sample_weight},
        solver="sgd",
        learning_rate_init=0.05,
        alpha=1e-2,
        class_weight={0: 1.0, 1: 2.5},
        **PARITY,
    )
    _assert_same_fit(numpy_est, torch_est, atol=1e-8)
    numpy_est, torch_est = _fit_pair(
        X, y, solver="adam", alpha=1e-3, class_weight="balanced", **PARITY
    )
    _assert_same_fit(numpy_est, torch_est, atol=1e-6)


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh"])
def test_activation_parity(data, activation):
    X, y = data
    params = {**PARITY, "max_iter": 5, "n_iter_no_change": 5}
    numpy_est, torch_est = _fit_pair(
        X, y, solver="sgd", activation=activation, learning_rate_init=0.05, **params
    )
    _assert_same_fit(numpy_est, torch_est, atol=1e-8)


def test_partial_fit_parity(data):
    """Several calls: same curve, and the optimizer state carries over."""
    X, y = data
    numpy_est = NumpyBinaryMLP(hidden_layer_sizes=(16, 8), random_state=0)
    torch_est = TorchBinaryMLP(hidden_layer_sizes=(16, 8), random_state=0)
    torch_est.set_params(dtype="float64", batch_size=32)
    numpy_est.set_params(batch_size=32)
    for chunk in np.array_split(np.arange(X.shape[0]), 5):
        numpy_est.partial_fit(X[chunk], y[chunk], classes=[0, 1])
        torch_est.partial_fit(X[chunk], y[chunk], classes=[0, 1])
    assert torch_est.t_ == numpy_est.t_ == X.shape[0]
    assert len(torch_est.loss_curve_) == 5
    assert_allclose(torch_est.loss_curve_, numpy_est.loss_curve_, rtol=0, atol=1e-6)
    assert_allclose(torch_est.coefs_[0], numpy_est.coefs_[0], rtol=0, atol=1e-6)
    # Adam's step count went on across the calls (80 samples = 3 batches each).
    assert torch_est.net_.optimizer_.param_groups[0]["t"] == numpy_est._optimizer.t
    assert len(torch_est.net_.history) == 5


def test_warm_start_parity(data):
    X, y = data
    params = {**PARITY, "max_iter": 5, "n_iter_no_change": 5, "warm_start": True}
    numpy_est, torch_est = _fit_pair(X, y, solver="sgd", **params)
    numpy_est.fit(X, y)
    torch_est.fit(X, y)
    assert len(torch_est.loss_curve_) == 10
    _assert_same_fit(numpy_est, torch_est, atol=1e-8)


def test_sparse_input_matches_dense(data):
    X, y = data
    X_sparse = sp.csr_matrix(np.where(np.abs(X) > 0.7, X, 0.0))
    params = {**PARITY, "max_iter": 3, "n_iter_no_change": 3, "dtype": "float64"}
    dense = TorchBinaryMLP(**params).fit(X_sparse.toarray(), y)
    sparse = TorchBinaryMLP(**params).fit(X_sparse, y)
    assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=0, atol=1e-12)
    # Two models equal to ~1e-12 on the same input: an absolute tolerance,
    # as logits can be near zero.
    assert_allclose(
        sparse.decision_function(X_sparse),
        dense.decision_function(X_sparse),
        rtol=0,
        atol=1e-10,
    )


# ------------------------------------------------------------------ autograd


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("hidden", [(5,), (6, 4)], ids=["depth1", "depth2"])
@pytest.mark.parametrize("alpha", [0.0, 0.1])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_manual_gradients_equal_autograd(activation, hidden, alpha, weighted):
    """NumpyBinaryMLP's hand-written backprop against torch autograd."""
    rng = np.random.RandomState(0)
    n_samples, n_features = 23, 4
    X = rng.randn(n_samples, n_features)
    y = (rng.rand(n_samples) > 0.5).astype(np.float64)
    sample_weight = rng.uniform(0.2, 2.0, n_samples) if weighted else None
    coefs, intercepts = _glorot_uniform_weights(
        [n_features, *hidden, 1], activation, np.float64, rng
    )

    # The NumPy gradient, set up as NumpyBinaryMLP._train does.
    est = NumpyBinaryMLP(hidden_layer_sizes=hidden, activation=activation, alpha=alpha)
    params, est.coefs_, est.intercepts_ = _pack(coefs, intercepts, np.float64)
    backprop = _Backprop(est, params, n_samples, X)
    numpy_loss = backprop(X, y, sample_weight)

    module = BinaryMLPModule(n_features, hidden, activation, dtype=torch.float64)
    module.set_weights(coefs, intercepts)
    loss = _PenalizedBCELoss(alpha)(
        module(torch.tensor(X)),
        torch.tensor(y),
        None if sample_weight is None else torch.tensor(sample_weight),
        module.coefs(),
    )
    loss.backward()

    assert loss.item() == pytest.approx(numpy_loss, rel=0, abs=1e-10)
    for layer, coef_grad, intercept_grad in zip(
        module.layers, backprop.coef_grads, backprop.intercept_grads
    ):
        assert_allclose(layer.weight.grad.numpy().T, coef_grad, rtol=0, atol=1e-10)
        assert_allclose(layer.bias.grad.numpy(), intercept_grad, rtol=0, atol=1e-10)


# -------------------------------------------------------------- the module


def test_module_layout_and_initialisation(data):
    """Module weights are coefs_[i].T, drawn like the estimators' from NumPy."""
    X, _ = data
    torch_rng_state = torch.get_rng_state()
    module = BinaryMLPModule(X.shape[1], (16, 8), "tanh", random_state=0)
    assert torch.equal(torch.get_rng_state(), torch_rng_state)
    expected, _ = _glorot_uniform_weights(
        [X.shape[1], 16, 8, 1], "tanh", np.float64, np.random.RandomState(0)
    )
    coefs, intercepts = module.get_weights()
    for coef, layer, want in zip(coefs, module.layers, expected):
        assert coef.flags.c_contiguous
        assert_allclose(coef, want.astype(np.float32))
        assert_array_equal(layer.weight.detach().numpy(), coef.T)
    assert "hidden_layer_sizes=(16, 8)" in repr(module)
    # The same weights give the NumPy backend's logits.
    est = NumpyBinaryMLP(hidden_layer_sizes=(16, 8), activation="tanh")
    est.coefs_, est.intercepts_ = coefs, intercepts
    with torch.no_grad():
        logits = module(torch.tensor(X, dtype=torch.float32)).numpy()
    assert_allclose(logits, est._forward_logits(X.astype(np.float32)), atol=1e-5)


def test_fit_leaves_global_generators_alone(data):
    X, y = data
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002
    TorchBinaryMLP(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002


def test_reproducible_bitwise(data):
    X, y = data
    params = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=3, batch_size=50)
    first = TorchBinaryMLP(**params).fit(X, y)
    second = TorchBinaryMLP(**params).fit(X, y)
    assert first.loss_curve_ == second.loss_curve_
    for a, b in zip(first.coefs_, second.coefs_):
        assert_array_equal(a, b)


# ------------------------------------------------------------ dtype, device


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_training_dtype_and_output_dtype(data, dtype):
    X, y = data
    est = TorchBinaryMLP(hidden_layer_sizes=(4,), max_iter=2, dtype=dtype)
    est.fit(X.astype(np.float32), y)
    assert all(c.dtype == np.dtype(dtype) for c in est.coefs_ + est.intercepts_)
    assert est.net_.module_.layers[0].weight.dtype == getattr(torch, dtype)
    for X_dtype, expected in [
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.int64, np.float64),
    ]:
        X_typed = X.astype(X_dtype)
        assert est.decision_function(X_typed).dtype == expected
        assert est.predict_proba(X_typed).dtype == expected


def test_float64_input_predicted_in_float64(data):
    """A float32 model predicts float64 input in float64, as NumpyBinaryMLP."""
    X, y = data
    est = TorchBinaryMLP(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    est.fit(X, y)
    numpy_est = to_numpy(est)
    assert numpy_est.coefs_[0].dtype == np.float32
    # torch and NumPy, both in float64 on the same float32 weights: within
    # the bound of two float64 forward passes (not an rtol on logits near 0).
    bound = mlp_logit_error_bound(
        X, numpy_est.coefs_, numpy_est.intercepts_, est.activation, np.float64
    )
    assert_within_bound(est.decision_function(X), numpy_est.decision_function(X), bound)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available")
def test_device_cuda_trains_on_the_gpu(data):
    """device="cuda" trains on the GPU; the pickle loads on the CPU."""
    X, y = data
    est = TorchBinaryMLP(hidden_layer_sizes=(4,), max_iter=2, device="cuda")
    est.fit(X, y)
    assert est.net_.module_.layers[0].weight.is_cuda
    loaded = pickle.loads(pickle.dumps(est))
    assert not loaded.net_.module_.layers[0].weight.is_cuda
    # GPU and CPU kernels round differently: float32 logits of order 1.
    assert_allclose(loaded.predict_proba(X), est.predict_proba(X), atol=1e-6)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_device_cuda_without_cuda_fails_clearly(data):
    X, y = data
    est = TorchBinaryMLP(hidden_layer_sizes=(4,), max_iter=2, device="cuda")
    with pytest.raises(ValueError, match="CUDA is not available"):
        est.fit(X, y)
    assert not hasattr(est, "coefs_")


def test_invalid_device_and_dtype(data):
    X, y = data
    with pytest.raises(ValueError, match="device='nope' is not a torch device"):
        TorchBinaryMLP(device="nope").fit(X, y)
    with pytest.raises(ValueError, match="'dtype' parameter"):
        TorchBinaryMLP(dtype="float16").fit(X, y)


# ------------------------------------------------------------- training run


def test_verbose_false_prints_nothing(data, capsys):
    X, y = data
    TorchBinaryMLP(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, y)
    TorchBinaryMLP(
        hidden_layer_sizes=(4,), max_iter=30, early_stopping=True, random_state=0
    ).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_verbose_prints_one_line_per_epoch(data, capsys):
    X, y = data
    est = TorchBinaryMLP(hidden_layer_sizes=(4,), max_iter=4, verbose=True)
    est.fit(X, y)
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines == [
        f"Epoch {i + 1}, Loss: {loss:.8f}" for i, loss in enumerate(est.loss_curve_)
    ]
    assert captured.err == ""


class _EpochRecorder(Callback):
    def initialize(self):
        self.losses_ = []
        return self

    def on_epoch_end(self, net, **kwargs):
        # The net's own bookkeeping has run by now.
        self.losses_.append(net.history[-1, "train_loss"])


def test_callbacks_are_called_every_epoch(data):
    X, y = data
    recorder = _EpochRecorder()
    est = TorchBinaryMLP(
        hidden_layer_sizes=(4,), max_iter=40, tol=1e-2, callbacks=[recorder]
    ).fit(X, y)
    assert est.n_iter_ < 40  # stopped by the rule, after the callbacks ran
    fitted = dict(est.net_.callbacks_)["_EpochRecorder"]
    assert fitted.losses_ == est.loss_curve_
    assert not hasattr(recorder, "losses_")  # the parameter is not modified
    assert est.net_.history[:, "train_loss"] == est.loss_curve_


def test_skorch_early_stopping_callback_stops_the_fit(data):
    """skorch's EarlyStopping stops by raising KeyboardInterrupt; it still works."""
    X, y = data
    stopper = EarlyStopping(monitor="train_loss", patience=2, threshold=10.0)
    est = TorchBinaryMLP(
        hidden_layer_sizes=(4,), max_iter=50, tol=0.0, callbacks=[stopper]
    ).fit(X, y)
    assert est.n_iter_ == 3
    assert len(est.net_.history) == 3


def test_keyboard_interrupt_rolls_back(data):
    X, y = data

    class _Interrupt(Callback):
        def on_batch_end(self, net, **kwargs):
            raise KeyboardInterrupt

    est = TorchBinaryMLP(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
    coefs = [c.copy() for c in est.coefs_]
    est.set_params(callbacks=[_Interrupt()])
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    for got, expected in zip(est.coefs_, coefs):
        assert_array_equal(got, expected)


def test_partial_fit_does_not_modify_previous_net(data):
    X, y = data
    est = TorchBinaryMLP(hidden_layer_sizes=(8,), random_state=0)
    est.partial_fit(X, y, classes=[0, 1])
    old_net = est.net_
    old_weight = old_net.module_.layers[0].weight.detach().clone()
    old_t = old_net.optimizer_.param_groups[0]["t"]
    est.partial_fit(X, y)
    assert est.net_ is not old_net
    assert torch.equal(old_net.module_.layers[0].weight, old_weight)
    assert old_net.optimizer_.param_groups[0]["t"] == old_t
    assert len(old_net.history) == 1 and len(est.net_.history) == 2


def test_failed_fit_keeps_previous_state(data):
    X, y = data
    est = TorchBinaryMLP(hidden_layer_sizes=(8,), random_state=0, solver="sgd")
    est.partial_fit(X, y, classes=[0, 1])
    net, loss_curve = est.net_, list(est.loss_curve_)
    coefs = [c.copy() for c in est.coefs_]
    est.set_params(learning_rate_init=1e12, momentum=0.0)
    # Overflows float32 in the first step: the epoch's loss is not finite.
    with pytest.raises(ValueError, match="learning_rate_init"):
        est.partial_fit(X * 1e30, y)
    assert est.net_ is net
    assert est.loss_curve_ == loss_curve
    for got, expected in zip(est.coefs_, coefs):
        assert_array_equal(got, expected)
    assert_array_equal(est.net_.module_.get_weights()[0][0], coefs[0])
    assert np.isfinite(est.predict_proba(X)).all()


# --------------------------------------------------------------- persistence


def test_pickle_round_trip_on_cpu(data):
    X, y = data
    est = TorchBinaryMLP(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    est.fit(X, y)
    loaded = pickle.loads(pickle.dumps(est))
    assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    net = loaded.net_
    assert all(p.device.type == "cpu" for p in net.module_.parameters())
    states = [v for s in net.optimizer_.state.values() for v in s.values()]
    assert states and all(v.device.type == "cpu" for v in states)
    # The optimizer survives the trip: training continues from it.
    loaded.partial_fit(X, y)
    assert loaded.net_.optimizer_.param_groups[0]["t"] > 0


def test_pickle_writes_device_cpu_whatever_the_net_device_setting(data):
    """The pickled net's ``device`` setting is "cpu", even when it said "cuda".

    No GPU is involved: only the net's ``device`` attribute is set to "cuda"
    on a CPU net, so what is checked is that a pickle never asks for CUDA at
    load time (which warns, or fails, on a machine without it) and that
    pickling leaves the estimator's own setting alone.  Tensors really on a
    GPU: ``test_device_cuda_trains_on_the_gpu``, run where CUDA is available.
    """
    X, y = data
    est = TorchBinaryMLP(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    est.fit(X, y)
    est.net_.device = "cuda"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = pickle.loads(pickle.dumps(est))
    assert loaded.net_.device == "cpu"
    assert est.net_.device == "cuda"
    assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


# ---------------------------------------------------------------- conversion


@pytest.fixture(scope="module")
def fitted_pair(data):
    import pandas as pd

    X, y = data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    labels = np.array(["no", "yes"])[y]
    params = dict(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    torch_est = TorchBinaryMLP(early_stopping=True, **params).fit(frame, labels)
    numpy_est = NumpyBinaryMLP(alpha=1e-3, **params).fit(frame, labels)
    return frame, torch_est, numpy_est


_COPIED = ["classes_", "n_features_in_", "feature_names_in_", "n_iter_", "t_"]
_COPIED += ["loss_curve_", "validation_scores_", "best_validation_score_"]
_COPIED += ["n_layers_", "n_outputs_", "out_activation_", "best_loss_"]


def _assert_converted(source, target, X):
    for name in _COPIED:
        assert_array_equal(getattr(target, name), getattr(source, name))
    assert_allclose(target.predict_proba(X), source.predict_proba(X), atol=1e-6)
    assert_allclose(target.decision_function(X), source.decision_function(X), atol=1e-5)
    assert_array_equal(target.predict(X), source.predict(X))


def test_to_numpy(fitted_pair):
    frame, torch_est, _ = fitted_pair
    numpy_est = to_numpy(torch_est)
    assert type(numpy_est) is NumpyBinaryMLP
    assert numpy_est.get_params()["early_stopping"] is True
    _assert_converted(torch_est, numpy_est, frame)
    numpy_est.coefs_[0][...] = 0  # shares nothing with the source
    assert np.any(torch_est.coefs_[0] != 0)


def test_to_torch(fitted_pair):
    frame, _, numpy_est = fitted_pair
    torch_est = to_torch(numpy_est)
    assert type(torch_est) is TorchBinaryMLP
    assert torch_est.dtype == "float64" and torch_est.alpha == 1e-3
    _assert_converted(numpy_est, torch_est, frame)
    as_float32 = to_torch(numpy_est, dtype="float32", device="cpu")
    assert as_float32.coefs_[0].dtype == np.float32
    _assert_converted(numpy_est, as_float32, frame)
    # It can go on training.
    torch_est.set_params(warm_start=True, max_iter=2).fit(
        frame, numpy_est.predict(frame)
    )


def test_round_trips(fitted_pair):
    frame, torch_est, numpy_est = fitted_pair
    _assert_converted(torch_est, to_torch(to_numpy(torch_est)), frame)
    _assert_converted(numpy_est, to_numpy(to_torch(numpy_est)), frame)
    assert to_numpy(numpy_est) is not numpy_est


def test_conversion_errors(data):
    with pytest.raises(TypeError, match="NumpyBinaryMLP or a TorchBinaryMLP"):
        to_numpy(object())
    with pytest.raises(NotFittedError):
        to_torch(NumpyBinaryMLP())
    X, y = data
    numpy_est = NumpyBinaryMLP(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="'dtype' parameter"):
        to_torch(numpy_est, dtype="int8")
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        to_torch(numpy_est, nonsense=1)


# ------------------------------------------------------ torch stays optional


def _run_python(code, tmp_path, *, block_torch=False):
    """The toolkit's runner; ``block_torch``: torch and skorch fail to import
    there, as if they were not installed."""
    block = ("torch", "skorch") if block_torch else ()
    return run_python(code, cwd=tmp_path, block=block).stdout


def test_numpy_model_from_torch_predicts_without_torch(data, tmp_path):
    X, y = data
    est = TorchBinaryMLP(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    est.fit(X, y)
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(to_numpy(est)))
    np.save(tmp_path / "X.npy", X)
    out = _run_python(
        """
        import pickle
        import numpy as np
        import sklearn_binnet
        model = pickle.loads(open("model.pkl", "rb").read())
        np.save("proba.npy", model.predict_proba(np.load("X.npy")))
        try:
            sklearn_binnet.TorchBinaryMLP
        except ImportError as exc:
            print(exc)
        assert "torch" not in sys.modules
        """,
        tmp_path,
        block_torch=True,
    )
    assert 'pip install "sklearn-binnet[torch]"' in out
    assert_allclose(np.load(tmp_path / "proba.npy"), est.predict_proba(X), atol=1e-6)


def test_import_does_not_import_torch(tmp_path):
    out = _run_python(
        """
        import sys
        import sklearn_binnet
        print("torch" in sys.modules, "skorch" in sys.modules)
        sklearn_binnet.TorchBinaryMLP
        print("torch" in sys.modules)
        """,
        tmp_path,
    )
    assert out.split() == ["False", "False", "True"]


def test_lazy_export():
    assert sklearn_binnet.TorchBinaryMLP is TorchBinaryMLP
    assert {"TorchBinaryMLP", "to_numpy", "to_torch"} <= set(sklearn_binnet.__all__)
    assert "TorchBinaryMLP" in dir(sklearn_binnet)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sklearn_binnet.nope  # noqa: B018


def test_balanced_class_weight_matches_dict(data):
    """Class weights reach the torch loss like explicit sample weights."""
    X, y = data
    weights = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    params = dict(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    balanced = TorchBinaryMLP(class_weight="balanced", **params).fit(X, y)
    explicit = TorchBinaryMLP(**params).fit(X, y, sample_weight=weights[y])
    assert_allclose(balanced.loss_curve_, explicit.loss_curve_, rtol=1e-6)


def test_convergence_warning_at_max_iter(data):
    X, y = data
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        TorchBinaryMLP(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
