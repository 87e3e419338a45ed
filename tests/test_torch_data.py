"""TorchBinaryMLP's data sets: the early-stopping split without copies.

The training and the held-out rows of ``early_stopping=True`` are data sets
over ``X`` itself (``_TrainingData`` of a ``RowSubset``), whose batches are
gathered through the rows' indices. These tests check that nothing of ``X``
is copied, and that the fit is bitwise the one of the former path, which
copied the rows first and built the data sets over the copies.
"""

import tracemalloc
import weakref

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from numpy.testing import assert_array_equal
from skorch.callbacks import Callback, EpochScoring

from sklearn_binnet import TorchBinaryMLP
from sklearn_binnet._splitting import RowSubset
from sklearn_binnet._torch import _data, _estimator, _module

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# No stopping rule fires (tol=0 and a long patience): every fit runs its
# max_iter epochs, with a validation pass after each.
EARLY = dict(
    hidden_layer_sizes=(8,),
    early_stopping=True,
    validation_fraction=0.2,
    tol=0.0,
    n_iter_no_change=100,
    random_state=0,
)


class _KeepDatasets(Callback):
    """Keeps the data sets that skorch hands its callbacks at each epoch's end."""

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        self.train, self.valid = dataset_train, dataset_valid


def _kept(est):
    """The training and validation data sets of the fit's last epoch."""
    keeper = dict(est.net_.callbacks_)["keep"]
    return keeper.train, keeper.valid


def _make_data(n_samples, n_features, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_samples, n_features).astype(np.float32)
    y = (X[:, 0] - 0.5 * X[:, 1] > 0).astype(int)
    return X, y


def _read_only_memmap(X, tmp_path):
    path = tmp_path / "X.dat"
    X.tofile(path)
    return np.memmap(path, dtype=X.dtype, mode="r", shape=X.shape)


def _host(data):
    return data.numpy() if isinstance(data, torch.Tensor) else data


@pytest.mark.parametrize("kind", ["array", "memmap"])
def test_early_stopping_data_sets_share_the_memory_of_X(kind, tmp_path):
    """Both parts of the split are data sets over X itself, not copies of it."""
    X, y = _make_data(300, 5)
    if kind == "memmap":
        X = _read_only_memmap(X, tmp_path)
    est = TorchBinaryMLP(
        **EARLY, dtype="float32", max_iter=2, callbacks=[("keep", _KeepDatasets())]
    ).fit(X, y)
    train, valid = _kept(est)
    n_valid = int(np.ceil(0.2 * X.shape[0]))
    assert (len(train), len(valid)) == (X.shape[0] - n_valid, n_valid)
    for dataset in (train, valid):
        assert np.shares_memory(_host(dataset.data), X)
        # No callback read the rows' features, so no copy of them was made.
        assert dataset._X is None
    # Between them, the two data sets cover every row of X once.
    covered = np.concatenate([train.data_rows, valid.data_rows])
    assert_array_equal(np.sort(covered), np.arange(X.shape[0]))


def test_early_stopping_fit_allocates_no_copy_of_the_training_rows():
    """No NumPy allocation the size of the training rows during the fit.

    NumPy reports its allocations to tracemalloc. The fit allocates about
    30 bytes a row (the split's indices; 0.17 of X here), where the former
    path's copies of the rows took 1.15 of X.
    """
    X, y = _make_data(20_000, 50)
    est = TorchBinaryMLP(**EARLY, dtype="float32", max_iter=2, batch_size=500)
    est.fit(X[:1000], y[:1000])  # imports and first-call set-ups out of the way
    tracemalloc.start()
    try:
        est.fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 0.5 * X.nbytes


def _copying_data_set(X, *args, **kwargs):
    """The former path: a RowSubset's rows copied, the data set over the copy."""
    if isinstance(X, RowSubset):
        _copying_data_set.copies += 1
        X = X.copy()
    return _data._TrainingData(X, *args, **kwargs)


def _fit_record(est, X, y, sample_weight):
    """Fit and return everything the fit produced that the rows could change."""
    est.fit(X, y, sample_weight=sample_weight)
    history = est.net_.history
    return {
        "coefs": est.coefs_ + est.intercepts_,
        "loss_curve": est.loss_curve_,
        "validation_loss_curve": est.validation_loss_curve_,
        "validation_scores": est.validation_scores_,
        "train_acc": history[:, "train_acc"],
        "batch_sizes": history[:, "batches", :, "train_batch_size"],
    }


@pytest.mark.parametrize(
    "kind, dtype, params",
    [
        ("array", "float32", {}),
        ("array", "float32", {"shuffle": False, "weighted": True}),
        ("array", "float32", {"dropout": 0.25}),
        ("array", "float64", {"weighted": True}),
        # Not usable in place: only the rows covered are copied, as before.
        ("fortran", "float32", {}),
        ("memmap", "float32", {}),
        ("sparse", "float32", {"weighted": True}),
    ],
)
def test_early_stopping_fit_is_bitwise_that_of_copied_rows(
    kind, dtype, params, tmp_path, monkeypatch
):
    """Same batches, same values: the same fit, to the last bit.

    The callback that predicts the training data set again after each epoch
    (``use_caching=False``) reads its ``X`` and ``y``: the same scores too.
    """
    X, y = _make_data(240, 6)
    params = dict(params)
    sample_weight = None
    if params.pop("weighted", False):
        sample_weight = np.random.RandomState(1).uniform(0.5, 2.0, X.shape[0])
    if kind == "memmap":
        X = _read_only_memmap(X, tmp_path)
    elif kind == "fortran":
        X = np.asfortranarray(X)
    elif kind == "sparse":
        X = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0))

    def make():
        scoring = EpochScoring(
            "accuracy",
            on_train=True,
            use_caching=False,
            lower_is_better=False,
            name="train_acc",
        )
        return TorchBinaryMLP(
            **EARLY,
            **params,
            dtype=dtype,
            max_iter=5,
            batch_size=32,
            callbacks=[scoring],
        )

    got = _fit_record(make(), X, y, sample_weight)
    monkeypatch.setattr(_estimator, "_TrainingData", _copying_data_set)
    monkeypatch.setattr(_copying_data_set, "copies", 0, raising=False)
    expected = _fit_record(make(), X, y, sample_weight)
    assert _copying_data_set.copies == 2  # the training and the held-out rows
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        if key == "coefs":
            for a, b in zip(got[key], value):
                assert_array_equal(a, b, strict=True)
        else:
            assert got[key] == value, key


def _fit_small(X, y, **params):
    params = {"hidden_layer_sizes": (4,), "max_iter": 2, "random_state": 0, **params}
    return TorchBinaryMLP(**params).fit(X, y)


@pytest.mark.parametrize("kind", ["array", "float64", "unaligned", "memmap"])
def test_prediction_chunks_are_copied_into_one_buffer(kind, tmp_path, monkeypatch):
    """On the CPU, every chunk goes through the module from one reused buffer.

    No new tensor per chunk, and the logits do not depend on where the rows
    lie in memory: those of rows 4 bytes off an aligned start, of a float64
    copy or of a read-only memory map are bitwise those of new copies.
    """
    monkeypatch.setattr(_module, "_CPU_CHUNK_VALUES", 32 * 5)  # 32 rows
    X, y = _make_data(100, 5)
    est = _fit_small(X, y, dtype="float32")
    if kind == "float64":
        X = X.astype(np.float64)
    elif kind == "unaligned":
        buffer = np.empty(X.size + 1, dtype=np.float32)
        X = buffer[1:].reshape(X.shape)  # 4 bytes past an aligned start
        X[:] = _make_data(100, 5)[0]
        assert X.ctypes.data % 16 == 4
    elif kind == "memmap":
        X = _read_only_memmap(X, tmp_path)
    inputs = []
    est.net_.module_.register_forward_pre_hook(lambda _, args: inputs.append(args[0]))
    logits = est.decision_function(X)
    assert [len(chunk) for chunk in inputs] == [32, 32, 32, 4]
    assert len({chunk.data_ptr() for chunk in inputs}) == 1
    assert not any(np.shares_memory(chunk.numpy(), X) for chunk in inputs)

    def new_copies(array, dtype, device, buffer=None):
        return _module._to_tensor(array, dtype, device)

    monkeypatch.setattr(_estimator, "_module_input", new_copies)
    assert_array_equal(est.decision_function(X), logits, strict=True)


def test_validation_batches_are_prediction_chunks_on_the_cpu():
    """Held-out rows are predicted in the chunks of decision_function."""
    X, y = _make_data(60, 5)
    est = _fit_small(X, y, **{**EARLY, "max_iter": 2})
    rows = est.net_.module_.chunk_rows()
    assert rows == _module._CPU_CHUNK_VALUES // 8  # the widest layer: 8 units
    assert est.net_.iterator_valid__batch_size == rows


def test_one_gathered_batch_alive_at_a_time(monkeypatch):
    """The loop lets go of a batch before the next one is gathered."""
    monkeypatch.setattr(_module, "_CPU_CHUNK_VALUES", 4 * 8)  # 4 validation rows
    X, y = _make_data(100, 5)
    rows = _data._TrainingData.rows
    previous, alive = [], []

    def spy(self, index):
        alive.append(sum(ref() is not None for ref in previous))
        batch = rows(self, index)
        features = batch[0]["X"] if isinstance(batch[0], dict) else batch[0]
        previous[:] = [weakref.ref(features)]
        return batch

    monkeypatch.setattr(_data._TrainingData, "rows", spy)
    _fit_small(X, y, **{**EARLY, "max_iter": 2}, batch_size=16)
    assert len(alive) == 2 * (5 + 5)  # 80 training rows, 20 held out
    assert alive == [0] * len(alive)


def test_early_stopping_copies_no_targets_or_weights(monkeypatch):
    """The training rows' targets and weights are gathered through the rows too.

    The training data set holds the whole arrays given to ``_train`` (the
    caller's own weights, here), not copies of the training rows; what a
    callback reads as its ``y`` is exactly the training rows' targets.
    """
    X, y = _make_data(300, 5)
    sample_weight = np.random.RandomState(1).uniform(0.5, 2.0, 300)
    sample_weight = sample_weight.astype(np.float32)
    given = []

    def recording(*args, **kwargs):
        given.append(args)
        return _data._TrainingData(*args, **kwargs)

    monkeypatch.setattr(_estimator, "_TrainingData", recording)
    est = TorchBinaryMLP(
        **EARLY, dtype="float32", max_iter=2, callbacks=[("keep", _KeepDatasets())]
    ).fit(X, y, sample_weight=sample_weight)
    train, valid = _kept(est)
    features, targets, weights = given[0][:3]
    assert isinstance(targets, RowSubset) and isinstance(weights, RowSubset)
    assert targets.rows is features.rows and weights.rows is features.rows
    assert train.targets.shape == (X.shape[0],)
    assert np.shares_memory(train.targets.numpy(), targets.data)
    assert np.shares_memory(train.weights.numpy(), sample_weight)
    assert train._y is None  # no callback read the targets
    expected = y[train.covered_rows].astype(np.float32)
    assert_array_equal(train.y.numpy(), expected, strict=True)
    # The held-out data set keeps its own arrays of its rows.
    assert not valid.y_gathered and valid.targets.shape == (len(valid),)


def test_row_subsets_of_a_data_set_must_cover_the_same_rows():
    X, y = _make_data(10, 3)
    rows = np.arange(0, 10, 2)
    y = y.astype(np.float32)
    dataset = _data._TrainingData(
        RowSubset(X, rows),
        RowSubset(y, rows.copy()),
        None,
        torch.float32,
        torch.device("cpu"),
        None,
    )
    assert len(dataset) == 5
    assert_array_equal(dataset.rows(slice(1, 3))[1].numpy(), y[[2, 4]], strict=True)
    with pytest.raises(ValueError, match="differ in rows"):
        _data._TrainingData(
            RowSubset(X, rows),
            RowSubset(y, rows[::-1]),
            None,
            torch.float32,
            torch.device("cpu"),
            None,
        )
