"""skorch's stock callbacks in ``TorchBinaryMLP(callbacks=...)``.

Each callback is checked against what skorch documents for it: what it
records in ``net_.history``, what it writes, prints or changes, and when it
stops. A callback that needs something the fit does not have (a validation
split without ``early_stopping``) fails at ``fit`` with a clear error and
leaves the estimator as it was.
"""

import json
import math
import re

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from skorch.callbacks import (
    BatchScoring,
    Callback,
    Checkpoint,
    EarlyStopping,
    EpochScoring,
    EpochTimer,
    GradientNormClipping,
    LoadInitState,
    LRScheduler,
    PrintLog,
    ProgressBar,
    TrainEndCheckpoint,
)

from sklearn_binnet import TorchBinaryMLP
from sklearn_binnet._base import _glorot_uniform_weights

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Small and quick: a few epochs of a (4,) network, in float64 so that the
# values compared below are computed the same way on every machine.
SMALL = dict(hidden_layer_sizes=(4,), dtype="float64", random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(120, 3)
    y = (X[:, 0] + 0.5 * X[:, 1] * X[:, 2] > 0).astype(int)
    return X, y


def _initial_logits(X, hidden=(4,), random_state=0):
    """Logits of the initial weights that the estimator draws (no split)."""
    units = [X.shape[1], *hidden, 1]
    coefs, intercepts = _glorot_uniform_weights(
        units, "relu", np.float64, np.random.RandomState(random_state)
    )
    activation = X
    for coef, intercept in zip(coefs[:-1], intercepts[:-1]):
        activation = np.maximum(activation @ coef + intercept, 0)
    return (activation @ coefs[-1] + intercepts[-1]).ravel()


def _best_flags(values, lower_is_better=True):
    """skorch's ``<name>_best``: the epoch improves on every earlier one."""
    flags, best = [], math.inf if lower_is_better else -math.inf
    for value in values:
        improved = value < best if lower_is_better else value > best
        flags.append(improved)
        if improved:
            best = value
    return flags


def _state_dict_equal(saved, module):
    current = module.state_dict()
    return saved.keys() == current.keys() and all(
        torch.equal(saved[key], current[key]) for key in saved
    )


def _assert_unchanged(est, coefs, n_iter):
    assert est.n_iter_ == n_iter
    for got, expected in zip(est.coefs_, coefs):
        assert_array_equal(got, expected)


# ------------------------------------------------------------------ scoring


def test_epoch_scoring_on_train_scores_the_epoch_predictions(data):
    """EpochScoring(on_train=True) scores the predictions made while training.

    With one full batch and no shuffling, the first epoch's predictions are
    those of the initial weights, whose accuracy is computed here by hand.
    """
    X, y = data
    scoring = EpochScoring(
        "accuracy", on_train=True, lower_is_better=False, name="train_acc"
    )
    est = TorchBinaryMLP(
        **SMALL, batch_size=None, shuffle=False, max_iter=4, callbacks=[scoring]
    ).fit(X, y)
    logits = _initial_logits(X)
    assert np.abs(logits).min() > 1e-9  # no prediction on the fence
    history = est.net_.history
    scores = history[:, "train_acc"]
    assert len(scores) == est.n_iter_ == 4
    assert scores[0] == np.mean((logits > 0) == y)
    assert history[:, "train_acc_best"] == _best_flags(scores, lower_is_better=False)


def test_epoch_scoring_without_caching_reads_the_training_dataset(data):
    """use_caching=False: skorch takes X and y from the training dataset.

    It predicts them again with the weights at the end of the epoch, so the
    last epoch's score is the fitted estimator's training accuracy.
    """
    X, y = data
    sample_weight = np.random.RandomState(1).uniform(0.5, 2.0, X.shape[0])
    scoring = EpochScoring(
        "accuracy", on_train=True, use_caching=False, lower_is_better=False
    )
    est = TorchBinaryMLP(**SMALL, max_iter=3, callbacks=[scoring])
    est.fit(X, y, sample_weight=sample_weight)
    assert est.net_.history[-1, "accuracy"] == est.score(X, y)


def test_epoch_scoring_without_caching_reads_each_part_of_the_split(data):
    """With early stopping, each data set's X and y are its rows of the split.

    The data sets gather their batches from X through row indices; a callback
    that reads ``X`` and ``y`` still gets the rows of its part only, once
    each, with their own targets.
    """
    X, y = data
    seen = {}

    def recorder(part):
        def scoring(net, X_part, y_part):
            seen[part] = (np.asarray(X_part), np.asarray(y_part))
            return 0.0

        return scoring

    callbacks = [
        EpochScoring(
            recorder(part),
            on_train=part == "train",
            use_caching=False,
            name=f"{part}_probe",
        )
        for part in ("train", "valid")
    ]
    est = TorchBinaryMLP(
        **SMALL,
        early_stopping=True,
        validation_fraction=0.25,
        max_iter=2,
        callbacks=callbacks,
    ).fit(X, y)
    assert est.n_iter_ == 2
    row_of = {row.tobytes(): i for i, row in enumerate(X)}
    rows = {}
    for part, (X_part, y_part) in seen.items():
        rows[part] = [row_of[row.tobytes()] for row in X_part]
        assert_array_equal(y_part, y[rows[part]])
    n_valid = math.ceil(0.25 * X.shape[0])
    assert len(rows["valid"]) == n_valid
    assert len(rows["train"]) == X.shape[0] - n_valid
    assert sorted(rows["train"] + rows["valid"]) == list(range(X.shape[0]))


def test_epoch_scoring_on_validation_scores_the_early_stopping_split(data):
    X, y = data
    scoring = EpochScoring("accuracy", lower_is_better=False, name="split_acc")
    est = TorchBinaryMLP(
        **SMALL,
        early_stopping=True,
        validation_fraction=0.25,
        max_iter=6,
        callbacks=[scoring],
    ).fit(X, y)
    history = est.net_.history
    # The estimator's own validation accuracy (no sample weights) is the same
    # score of the same predictions.
    assert history[:, "split_acc"] == est.validation_scores_
    assert history[:, "valid_acc"] == est.validation_scores_
    # skorch's validation pass saw exactly the held-out rows.
    n_valid = math.ceil(0.25 * X.shape[0])
    assert all(
        sum(history[epoch, "batches", :, "valid_batch_size"]) == n_valid
        for epoch in range(len(history))
    )


@pytest.mark.parametrize(
    "callback",
    [
        EpochScoring("accuracy", lower_is_better=False),
        BatchScoring("accuracy", lower_is_better=False),
        EarlyStopping(),
        Checkpoint(),
    ],
    ids=["EpochScoring", "BatchScoring", "EarlyStopping", "Checkpoint"],
)
def test_validation_callbacks_need_early_stopping(data, callback, tmp_path):
    """Without early_stopping there is no validation split: a clear error."""
    X, y = data
    if isinstance(callback, Checkpoint):
        callback.dirname = str(tmp_path)
    est = TorchBinaryMLP(**SMALL, max_iter=2).fit(X, y)
    coefs = [c.copy() for c in est.coefs_]
    est.set_params(callbacks=[callback])
    with pytest.raises(ValueError, match="early_stopping=True") as info:
        est.fit(X, y)
    assert "callbacks" in str(info.value)
    _assert_unchanged(est, coefs, 2)
    assert not list(tmp_path.iterdir())


def test_batch_scoring_scores_each_batch(data):
    """BatchScoring records a score per batch and their size-weighted mean."""
    X, y = data
    scoring = BatchScoring(
        "accuracy", on_train=True, lower_is_better=False, name="batch_acc"
    )
    est = TorchBinaryMLP(
        **SMALL, batch_size=50, shuffle=False, max_iter=3, callbacks=[scoring]
    ).fit(X, y)
    history = est.net_.history
    batches = history[0, "batches"]
    assert [b["train_batch_size"] for b in batches] == [50, 50, 20]
    # The first batch is predicted by the initial weights.
    logits = _initial_logits(X)
    assert batches[0]["batch_acc"] == np.mean((logits[:50] > 0) == y[:50])
    for epoch in history:
        sizes = [b["train_batch_size"] for b in epoch["batches"]]
        scores = [b["batch_acc"] for b in epoch["batches"]]
        assert epoch["batch_acc"] == pytest.approx(
            np.average(scores, weights=sizes), rel=1e-12
        )


def test_batch_scoring_on_validation(data):
    X, y = data
    scoring = BatchScoring("accuracy", lower_is_better=False, name="valid_batch_acc")
    est = TorchBinaryMLP(
        **SMALL, early_stopping=True, max_iter=4, callbacks=[scoring]
    ).fit(X, y)
    history = est.net_.history
    # The held-out split is small enough to be predicted in one batch.
    assert history[:, "valid_batch_acc"] == est.validation_scores_


# --------------------------------------------------------------- checkpoints


def test_checkpoint_on_train_loss_best(data, tmp_path):
    X, y = data
    checkpoint = Checkpoint(monitor="train_loss_best", dirname=str(tmp_path))
    est = TorchBinaryMLP(
        **SMALL,
        solver="sgd",
        learning_rate_init=0.05,
        batch_size=None,
        max_iter=5,
        callbacks=[checkpoint],
    ).fit(X, y)
    history = est.net_.history
    flags = history[:, "train_loss_best"]
    assert flags == _best_flags(est.loss_curve_)
    assert history[:, "event_cp"] == flags
    # Full-batch gradient descent at a small rate: every epoch improves, so
    # the last checkpoint holds the final weights.
    assert all(flags)
    saved = torch.load(tmp_path / "params.pt", weights_only=True)
    assert _state_dict_equal(saved, est.net_.module_)
    with open(tmp_path / "history.json") as f:
        assert json.load(f) == json.loads(json.dumps(list(history)))
    for name in ("optimizer.pt", "criterion.pt"):
        assert (tmp_path / name).is_file()


def test_checkpoint_default_monitor_with_early_stopping(data, tmp_path):
    """The default monitor, valid_loss_best, is recorded with early stopping."""
    X, y = data
    checkpoint = Checkpoint(dirname=str(tmp_path))
    est = TorchBinaryMLP(
        **SMALL, early_stopping=True, max_iter=6, callbacks=[checkpoint]
    ).fit(X, y)
    history = est.net_.history
    assert history[:, "valid_loss"] == est.validation_loss_curve_
    flags = history[:, "valid_loss_best"]
    assert flags == _best_flags(est.validation_loss_curve_)
    assert history[:, "event_cp"] == flags
    assert history[:, "valid_acc_best"] == _best_flags(
        est.validation_scores_, lower_is_better=False
    )
    assert (tmp_path / "params.pt").is_file()


def test_train_end_checkpoint_and_load_init_state(data, tmp_path):
    """TrainEndCheckpoint saves the end of a fit; LoadInitState resumes from it.

    Resuming for two epochs gives what two partial_fit calls on the first
    estimator give: the weights, the optimizer state (momentum) and the
    history are all restored.
    """
    X, y = data
    params = dict(
        **SMALL,
        solver="sgd",
        momentum=0.9,
        learning_rate_init=0.05,
        batch_size=40,
        shuffle=False,
    )
    first = TorchBinaryMLP(
        **params, max_iter=3, callbacks=[TrainEndCheckpoint(dirname=str(tmp_path))]
    ).fit(X, y)
    saved = torch.load(tmp_path / "train_end_params.pt", weights_only=True)
    assert _state_dict_equal(saved, first.net_.module_)

    # skorch's documented set-up: the checkpoint and the loader share it.
    checkpoint = TrainEndCheckpoint(dirname=str(tmp_path))
    resumed = TorchBinaryMLP(
        **params, max_iter=2, callbacks=[checkpoint, LoadInitState(checkpoint)]
    ).fit(X, y)
    first.set_params(callbacks=None)
    first.partial_fit(X, y)
    first.partial_fit(X, y)
    assert resumed.n_iter_ == 2
    assert len(resumed.net_.history) == 5  # three loaded, two trained
    assert resumed.net_.history[:, "epoch"] == [1, 2, 3, 4, 5]
    for got, expected in zip(
        resumed.coefs_ + resumed.intercepts_, first.coefs_ + first.intercepts_
    ):
        assert_allclose(got, expected, rtol=0, atol=1e-12)


# ------------------------------------------------------------------ stopping


@pytest.mark.parametrize("verbose", [True, False])
def test_early_stopping_stops_and_its_message_shows_with_verbose(data, verbose, capsys):
    X, y = data
    # A threshold of 10 on the training loss: no epoch counts as improving.
    stopper = EarlyStopping(
        monitor="train_loss", patience=2, threshold=10.0, sink=print
    )
    est = TorchBinaryMLP(
        **SMALL, max_iter=20, tol=0.0, verbose=verbose, callbacks=[stopper]
    ).fit(X, y)
    assert est.n_iter_ == 3  # the first epoch improves on inf, then 2 misses
    out = capsys.readouterr().out
    message = "Stopping since train_loss has not improved in the last 2 epochs."
    assert (message in out) is verbose


def test_early_stopping_on_the_validation_loss(data):
    X, y = data
    stopper = EarlyStopping(patience=2, threshold=10.0)
    est = TorchBinaryMLP(
        **SMALL, early_stopping=True, max_iter=20, tol=0.0, callbacks=[stopper]
    ).fit(X, y)
    assert est.n_iter_ == 3
    assert len(est.validation_loss_curve_) == 3


def test_keyboard_interrupt_at_epoch_end_is_an_interruption(data):
    """Only skorch's EarlyStopping stops by KeyboardInterrupt; a Ctrl-C in
    any other callback's on_epoch_end aborts the fit and rolls it back."""

    class CtrlC(Callback):
        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == 2:
                raise KeyboardInterrupt

    X, y = data
    est = TorchBinaryMLP(**SMALL, max_iter=3).fit(X, y)
    coefs = [c.copy() for c in est.coefs_]
    est.set_params(max_iter=5, callbacks=[CtrlC()])
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    _assert_unchanged(est, coefs, 3)

    class LateStopper(EarlyStopping):
        """A subclass of EarlyStopping stops the way it does."""

    est.set_params(callbacks=[LateStopper(monitor="train_loss", threshold=10.0)])
    est.fit(X, y)
    assert est.n_iter_ == 5  # patience 5, max_iter 5: no stop, no error
    est.set_params(
        callbacks=[LateStopper(monitor="train_loss", threshold=10.0, patience=1)]
    )
    est.fit(X, y)
    assert est.n_iter_ == 2


# ------------------------------------------------------------ the optimizer


def test_lr_scheduler_sets_the_rate_of_each_epoch(data):
    X, y = data
    scheduler = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    est = TorchBinaryMLP(
        **SMALL, solver="sgd", learning_rate_init=0.1, max_iter=4, callbacks=[scheduler]
    ).fit(X, y)
    # skorch records the rate the epoch trained with, then steps it.
    assert est.net_.history[:, "event_lr"] == [0.1 * 0.5**k for k in range(4)]
    assert est.net_.optimizer_.param_groups[0]["lr"] == 0.1 * 0.5**4


def test_lr_scheduler_changes_the_training(data):
    """A frozen rate (gamma=0 after the first epoch) stops the weights moving."""
    X, y = data
    scheduler = LRScheduler(policy="StepLR", step_size=1, gamma=0.0)
    params = dict(**SMALL, solver="sgd", momentum=0.0, learning_rate_init=0.1)
    one = TorchBinaryMLP(**params, max_iter=1).fit(X, y)
    frozen = TorchBinaryMLP(**params, max_iter=3, callbacks=[scheduler]).fit(X, y)
    for got, expected in zip(frozen.coefs_, one.coefs_):
        assert_array_equal(got, expected)


def test_gradient_norm_clipping_bounds_each_step(data):
    X, y = data
    clip = 1e-3
    params = dict(
        **SMALL,
        solver="sgd",
        momentum=0.0,
        alpha=0.0,
        learning_rate_init=1.0,
        batch_size=None,
        max_iter=1,
    )
    clipped = TorchBinaryMLP(
        **params, callbacks=[GradientNormClipping(gradient_clip_value=clip)]
    ).fit(X, y)
    free = TorchBinaryMLP(**params).fit(X, y)
    units = [X.shape[1], 4, 1]
    coefs, intercepts = _glorot_uniform_weights(
        units, "relu", np.float64, np.random.RandomState(0)
    )
    start = np.concatenate([w.ravel() for w in coefs + intercepts])

    def step_norm(est):
        end = np.concatenate([w.ravel() for w in est.coefs_ + est.intercepts_])
        return np.linalg.norm(end - start)

    # One step of rate 1: its length is the gradient's norm, clipped to 1e-3
    # (torch scales by clip / (norm + 1e-6)).
    assert step_norm(free) > 10 * clip
    assert clip * (1 - 1e-3) < step_norm(clipped) <= clip * (1 + 1e-9)


# ------------------------------------------------------------------ logging


def test_print_log_prints_skorchs_table_when_verbose(data, capsys):
    X, y = data
    TorchBinaryMLP(**SMALL, max_iter=3, callbacks=[PrintLog()]).fit(X, y)
    assert capsys.readouterr().out == ""  # print sinks follow verbose

    est = TorchBinaryMLP(**SMALL, max_iter=3, verbose=True, callbacks=[PrintLog()])
    est.fit(X, y)
    out = capsys.readouterr().out
    # Best values are coloured, as skorch does from the *_best flags.
    assert "\x1b[" in out
    lines = re.sub(r"\x1b\[[0-9;]*m", "", out).splitlines()
    header = next(line for line in lines if "train_loss" in line)
    assert header.split() == ["epoch", "train_loss", "dur"]
    rows = [line.split() for line in lines if line.split()[:1] in (["1"], ["2"], ["3"])]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert [float(row[1]) for row in rows] == pytest.approx(est.loss_curve_, abs=1e-4)

    sink = []
    TorchBinaryMLP(**SMALL, max_iter=2, callbacks=[PrintLog(sink=sink.append)]).fit(
        X, y
    )
    assert len(sink) == 4  # header, rule, one row per epoch


def test_progress_bar_counts_the_batches(data):
    X, y = data
    bar = ProgressBar()
    est = TorchBinaryMLP(
        **SMALL, batch_size=32, early_stopping=True, max_iter=2, callbacks=[bar]
    ).fit(X, y)
    fitted = dict(est.net_.callbacks_)["ProgressBar"]
    n_train = X.shape[0] - math.ceil(0.1 * X.shape[0])
    # Training batches plus the one batch of the held-out split.
    expected = math.ceil(n_train / 32) + 1
    assert fitted.pbar_.total == fitted.pbar_.n == expected


def test_epoch_timer_records_durations(data):
    X, y = data
    est = TorchBinaryMLP(**SMALL, max_iter=3, callbacks=[EpochTimer()]).fit(X, y)
    durations = est.net_.history[:, "dur"]
    assert len(durations) == 3
    assert all(isinstance(d, float) and d >= 0 for d in durations)
    fitted = dict(est.net_.callbacks_)["EpochTimer"]
    assert fitted.epoch_start_time_ is not None


# ------------------------------------------------------------ partial_fit


def test_partial_fit_keeps_a_bounded_history(data):
    """A stream of partial_fit calls keeps at most max_iter epochs of history."""
    X, y = data
    est = TorchBinaryMLP(**SMALL, max_iter=4)
    for _ in range(10):
        est.partial_fit(X[:60], y[:60], classes=[0, 1])
    history = est.net_.history
    assert len(history) == 4
    assert history[:, "epoch"] == [7, 8, 9, 10]  # epochs keep their numbers
    assert history[:, "train_loss"] == est.loss_curve_[-4:]
    assert len(est.loss_curve_) == 10


def test_the_fitted_net_predicts_like_the_estimator(data):
    """skorch's own predict_proba on ``net_`` gives the estimator's (n, 2)."""
    X, y = data
    est = TorchBinaryMLP(**SMALL, max_iter=3).fit(X, y)
    proba = est.net_.predict_proba(X)
    assert proba.shape == (X.shape[0], 2)
    # The same logits through sigmoid(-z), sigmoid(z) in float64 both ways.
    assert_allclose(proba, est.predict_proba(X), rtol=1e-12, atol=0)
    assert_array_equal(est.net_.predict(X), est.predict(X))
