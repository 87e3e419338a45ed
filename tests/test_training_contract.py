"""The training contract that the base owns, the same for every backend.

One batch order and one epoch-loss rule (``sklearn_binnet._batching``) serve
NumpyBinaryMLP, TorchBinaryMLP and the benchmark's hand-written torch loop;
the fitted state is given out and taken in by the estimators themselves; and
the stopping parameters accept what MLPClassifier accepts.
"""

import importlib.util
import pathlib
import types
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sklearn_binnet import NumpyBinaryMLP, to_numpy
from sklearn_binnet._batching import MiniBatches, epoch_loss
from sklearn_binnet.datasets import make_xor

BENCHMARKS = pathlib.Path(__file__).resolve().parents[1] / "benchmarks"


def _record_batches(monkeypatch):
    """Record, epoch by epoch, the row indices of every batch MiniBatches gives.

    Every backend draws its batches through ``MiniBatches.start_epoch`` (the
    epoch's order) and ``MiniBatches.slices`` (the batch positions), so the
    record is what each backend visits.
    """
    epochs = []
    start_epoch = MiniBatches.start_epoch
    slices = MiniBatches.slices

    def recording_start_epoch(self):
        order = start_epoch(self)
        epochs.append((None if order is None else order.copy(), []))
        return order

    def recording_slices(self):
        order, batches = epochs[-1]
        for batch in slices(self):
            rows = np.arange(self.n_samples)[batch] if order is None else order[batch]
            batches.append(rows)
            yield batch

    monkeypatch.setattr(MiniBatches, "start_epoch", recording_start_epoch)
    monkeypatch.setattr(MiniBatches, "slices", recording_slices)
    return epochs


def _load_bench_torch(monkeypatch):
    # The benchmark scripts import their helpers from their own folder.
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(
        "bench_torch", BENCHMARKS / "bench_torch.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("shuffle", [True, False])
def test_both_backends_and_the_benchmark_loop_visit_the_same_batches(
    monkeypatch, shuffle
):
    pytest.importorskip("skorch")
    from sklearn_binnet import TorchBinaryMLP

    bench = _load_bench_torch(monkeypatch)
    X, y = make_xor(103, random_state=0)  # 103 rows: the last batch is short
    params = dict(
        hidden_layer_sizes=(5,),
        activation="tanh",
        solver="sgd",
        alpha=1e-4,
        batch_size=20,
        learning_rate_init=0.05,
        momentum=0.9,
        nesterovs_momentum=True,
        max_iter=4,
        shuffle=shuffle,
        random_state=7,
        tol=0.0,
    )
    # What the benchmark's hand loop reads of its workload.
    workload = types.SimpleNamespace(X=X, y=y, params=params, batch_size=20)
    visits = {}
    for name, run in [
        ("numpy", lambda: NumpyBinaryMLP(**params).fit(X, y)),
        ("torch", lambda: TorchBinaryMLP(**params, dtype="float64").fit(X, y)),
        ("bench", lambda: bench.hand_loop(workload)),
    ]:
        with monkeypatch.context() as patch:
            epochs = _record_batches(patch)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                run()
        visits[name] = [batches for _, batches in epochs]

    reference = visits["numpy"]
    assert len(reference) == 4
    for batches in reference:
        assert [len(b) for b in batches] == [20, 20, 20, 20, 20, 3]
        assert_array_equal(np.sort(np.concatenate(batches)), np.arange(103))
    first_epoch = np.concatenate(reference[0])
    assert (first_epoch != np.arange(103)).any() == shuffle
    for name in ("torch", "bench"):
        assert len(visits[name]) == len(reference)
        for got, expected in zip(visits[name], reference):
            assert len(got) == len(expected)
            for rows, expected_rows in zip(got, expected):
                assert_array_equal(rows, expected_rows)


def test_mini_batches_reshuffle_every_epoch_like_mlpclassifier():
    """The order is shuffled in place with the given RandomState each epoch."""
    rng, reference_rng = np.random.RandomState(3), np.random.RandomState(3)
    batches = MiniBatches(10, 4, rng)
    reference = np.arange(10)
    for _ in range(3):
        got = [index.copy() for index in batches]
        reference_rng.shuffle(reference)
        assert_array_equal(np.concatenate(got), reference)
        assert [len(b) for b in got] == [4, 4, 2]
    assert len(batches) == 3


def test_epoch_loss_weights_batches_by_their_size():
    losses = [(0.25, 4), (1.0, 4), (4.0, 2)]
    loss, n_samples = epoch_loss(losses)
    assert n_samples == 10
    assert loss == pytest.approx((0.25 * 4 + 1.0 * 4 + 4.0 * 2) / 10, rel=1e-15)


# ----------------------------------------------------------- fitted state


def test_fitted_state_is_given_out_as_copies():
    X, y = make_xor(120, random_state=0)
    clf = NumpyBinaryMLP((4,), max_iter=5, random_state=0, early_stopping=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    state = clf._get_fitted_state()
    for name in clf._FITTED_STATE:
        if hasattr(clf, name):
            assert name in state
    assert "_best_weights" in state
    state["coefs_"][0][...] = 0
    state["loss_curve_"].append(-1.0)
    assert np.any(clf.coefs_[0] != 0)
    assert clf.loss_curve_[-1] != -1.0

    other = NumpyBinaryMLP((4,))
    other._set_fitted_state(clf._get_fitted_state(), np.float32)
    assert other.coefs_[0].dtype == np.float32
    assert other.loss_curve_ == clf.loss_curve_
    assert_array_equal(to_numpy(clf).predict(X), clf.predict(X))


# ------------------------------------------- MLPClassifier's stopping values


def _fit_both(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier(**params).fit(X, y)
        clf = NumpyBinaryMLP(**params).fit(X, y)
    return mlp, clf


def test_n_iter_no_change_inf_trains_every_epoch_like_mlpclassifier():
    X, y = make_xor(200, random_state=1)
    # A tol so large that every epoch counts as "no improvement".
    params = dict(hidden_layer_sizes=(6,), max_iter=25, tol=10.0, random_state=0)
    mlp, clf = _fit_both(X, y, **params, n_iter_no_change=np.inf)
    assert clf.n_iter_ == mlp.n_iter_ == 25
    # The same arithmetic on the same draws; BLAS may sum in another order,
    # which moves losses of order 0.5 by far less than this.
    assert_allclose(clf.loss_curve_, mlp.loss_curve_, rtol=0, atol=1e-10)
    # With a finite patience the same fit stops early, in both.
    mlp, clf = _fit_both(X, y, **params, n_iter_no_change=3)
    assert clf.n_iter_ == mlp.n_iter_ < 25


def test_validation_fraction_zero_accepted_without_early_stopping():
    X, y = make_xor(200, random_state=1)
    params = dict(hidden_layer_sizes=(6,), max_iter=10, random_state=0)
    mlp, clf = _fit_both(X, y, **params, validation_fraction=0.0)
    assert clf.n_iter_ == mlp.n_iter_
    assert_allclose(clf.loss_curve_, mlp.loss_curve_, rtol=0, atol=1e-10)
    with pytest.raises(ValueError, match="validation_fraction"):
        NumpyBinaryMLP(**params, validation_fraction=0.0, early_stopping=True).fit(X, y)
