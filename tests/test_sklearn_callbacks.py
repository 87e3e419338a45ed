"""scikit-learn's callback API (sklearn.callback, scikit-learn >= 1.9) on both
estimators: the task tree of a fit, ProgressBar, ScoringMonitor, stopping,
rollback, meta-estimators, and the error where the API is absent."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, get_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from conftest import assert_unchanged, make_estimator, run_python, snapshot
from sklearn_binnet.datasets import make_xor

try:
    import sklearn.callback as skl_callback
except ImportError:
    skl_callback = None

needs_api = pytest.mark.skipif(
    skl_callback is None,
    reason="sklearn.callback is new in scikit-learn 1.9; this one lacks it",
)


def _fit_quietly(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


class Recorder:
    """Records every hook call: (hook, task_name, task_id, depth, fitted)."""

    def __init__(self, stop_at=None, raise_at=None):
        self.stop_at, self.raise_at = stop_at, raise_at
        self.events, self.setups, self.teardowns = [], 0, 0
        self.epoch_copies = []

    def setup(self, estimator, context):
        self.setups += 1

    def teardown(self, estimator, context):
        self.teardowns += 1

    def _depth(self, context):
        depth = 0
        while context.parent is not None:
            context, depth = context.parent, depth + 1
        return depth

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None):
        self.events.append(
            ("begin", context.task_name, context.task_id, self._depth(context))
        )

    def on_fit_task_end(self, estimator, context, *, X=None, fitted_estimator=None):
        self.events.append(
            ("end", context.task_name, context.task_id, self._depth(context))
        )
        if context.task_name != "epoch":
            return False
        self.epoch_copies.append(fitted_estimator)
        n_epochs = len(self.epoch_copies)
        if n_epochs == self.raise_at:
            raise RuntimeError("callback failed")
        return n_epochs == self.stop_at


class PropagatedRecorder(Recorder):
    """A Recorder that meta-estimators pass on to their sub-estimators."""

    max_propagation_depth = None


def _data(n=120):
    return make_xor(n, random_state=0)


def _assert_task_tree(events, root_name, n_epochs):
    """Root begin first, root end last, then begin/end pairs per epoch."""
    assert events[0] == ("begin", root_name, 0, 0)
    assert events[-1] == ("end", root_name, 0, 0)
    expected = []
    for epoch in range(n_epochs):
        expected += [("begin", "epoch", epoch, 1), ("end", "epoch", epoch, 1)]
    assert events[1:-1] == expected


# ------------------------------------------------------------ without the API


def test_set_callbacks_names_the_version_needed_without_the_api():
    # Runs on every scikit-learn: the API is hidden in a fresh interpreter
    # where it exists (importing sklearn_binnet then finds no
    # CallbackSupportMixin), and is really absent on scikit-learn < 1.9.
    code = """
        import sklearn
        try:
            import sklearn.callback, sklearn.pipeline, sklearn.model_selection
            del sklearn.callback.CallbackSupportMixin
        except ImportError:
            pass
        import warnings
        from sklearn.exceptions import ConvergenceWarning
        from sklearn_binnet import NumpyBinaryMLP
        from sklearn_binnet.datasets import make_xor
        X, y = make_xor(100, random_state=0)
        clf = NumpyBinaryMLP(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y).partial_fit(X, y)
        assert clf.predict(X).shape == (100,) and clf.n_iter_ == 1
        try:
            clf.set_callbacks()
        except ImportError as exc:
            print(exc)
        else:
            raise AssertionError("set_callbacks did not raise")
        print(sklearn.__version__)
    """
    message, version = run_python(code).stdout.strip().splitlines()
    assert "scikit-learn >= 1.9" in message
    assert f"scikit-learn {version} is installed" in message
    assert "NumpyBinaryMLP.set_callbacks" in message


# ---------------------------------------------------------- the task tree


@needs_api
@pytest.mark.parametrize(
    "params",
    [
        dict(max_iter=6),
        # The stopping rule ends the fit before max_iter.
        dict(max_iter=50, tol=10.0, n_iter_no_change=2),
        dict(max_iter=30, early_stopping=True, n_iter_no_change=2, tol=10.0),
    ],
    ids=["max_iter", "tol", "early_stopping"],
)
def test_one_task_per_epoch_in_order(backend, params):
    X, y = _data()
    recorder = Recorder()
    est = make_estimator(backend, **params).set_callbacks(recorder)
    _fit_quietly(est, X, y)
    assert 0 < est.n_iter_ <= params["max_iter"]
    if "tol" in params:
        assert est.n_iter_ < params["max_iter"]
    _assert_task_tree(recorder.events, "fit", est.n_iter_)
    assert (recorder.setups, recorder.teardowns) == (1, 1)
    # Nothing of the fit's bookkeeping is left on the estimator.
    assert not [name for name in vars(est) if "callback_" in name]


@needs_api
def test_partial_fit_is_one_task_with_one_epoch(backend):
    X, y = _data()
    recorder = Recorder()
    est = make_estimator(backend).set_callbacks(recorder)
    est.partial_fit(X, y, classes=[False, True]).partial_fit(X, y)
    events = recorder.events
    assert len(events) == 8
    _assert_task_tree(events[:4], "partial_fit", 1)
    _assert_task_tree(events[4:], "partial_fit", 1)
    assert (recorder.setups, recorder.teardowns) == (2, 2)


@needs_api
def test_training_is_bitwise_unchanged_by_callbacks(backend):
    # The same code path on the same input: the callbacks only read.
    X, y = _data()
    plain = _fit_quietly(make_estimator(backend, max_iter=8), X, y)
    watched = make_estimator(backend, max_iter=8)
    watched.set_callbacks(Recorder(), skl_callback.ScoringMonitor(scoring="accuracy"))
    _fit_quietly(watched, X, y)
    for a, b in zip(
        plain.coefs_ + plain.intercepts_, watched.coefs_ + watched.intercepts_
    ):
        assert_array_equal(a, b)
    assert plain.loss_curve_ == watched.loss_curve_


@needs_api
def test_verbose_output_is_unchanged_by_callbacks(backend, capsys):
    X, y = _data()
    _fit_quietly(make_estimator(backend, verbose=True), X, y)
    plain = capsys.readouterr()
    est = make_estimator(backend, verbose=True).set_callbacks(Recorder())
    _fit_quietly(est, X, y)
    watched = capsys.readouterr()
    assert plain.out.count("Epoch ") == 5
    assert (watched.out, watched.err) == (plain.out, plain.err)


# ------------------------------------------------- per-epoch fitted copies


@needs_api
def test_epoch_copies_are_the_weights_of_each_epoch(backend):
    X, y = _data()
    recorder = Recorder()
    est = make_estimator(backend, max_iter=4).set_callbacks(recorder)
    _fit_quietly(est, X, y)
    copies = recorder.epoch_copies
    assert len(copies) == 4
    for epoch, copy in enumerate(copies, start=1):
        # A fit stopped at this epoch: the same code path, bitwise equal.
        reference = _fit_quietly(make_estimator(backend, max_iter=epoch), X, y)
        assert copy.n_iter_ == epoch
        for a, b in zip(copy.coefs_, reference.coefs_):
            assert_array_equal(a, b)
        assert_array_equal(copy.predict_proba(X), reference.predict_proba(X))
    # Each copy is its own: the last one predicts like the fitted estimator
    # and the first differs from it.
    assert_array_equal(copies[-1].predict_proba(X), est.predict_proba(X))
    assert not np.array_equal(copies[0].predict_proba(X), est.predict_proba(X))


@needs_api
def test_scoring_monitor_logs_one_score_per_epoch(backend):
    X, y = _data()
    monitor = skl_callback.ScoringMonitor(scoring=["accuracy", "neg_log_loss"])
    est = make_estimator(backend, max_iter=6).set_callbacks(monitor)
    _fit_quietly(est, X, y)
    rows = monitor.get_logs().data
    epochs = [row for row in rows if row["task_name"] == "epoch"]
    assert [row["task_id"] for row in epochs] == list(range(est.n_iter_))
    # The callbacks get X as validated for training: in the training dtype.
    X_seen = X.astype(np.float32) if backend == "torch" else X
    for epoch in (1, 3, 6):
        reference = _fit_quietly(make_estimator(backend, max_iter=epoch), X, y)
        row = epochs[epoch - 1]
        assert row["accuracy"] == accuracy_score(y, reference.predict(X_seen))
        # The scorer's own arithmetic (log_loss of the positive column).
        scorer = get_scorer("neg_log_loss")
        assert row["neg_log_loss"] == scorer(reference, X_seen, y)


# ------------------------------------------------------ stopping, rollback


@needs_api
def test_a_callback_returning_true_stops_the_fit(backend):
    X, y = _data()
    recorder = Recorder(stop_at=3)
    est = make_estimator(backend, max_iter=3).set_callbacks(recorder)
    with warnings.catch_warnings():
        # Stopped by the user, not by max_iter: no ConvergenceWarning.
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    _assert_task_tree(recorder.events, "fit", 3)
    recorder = Recorder(stop_at=3)
    est = make_estimator(backend, max_iter=10).set_callbacks(recorder)
    est.fit(X, y)
    assert est.n_iter_ == 3 and len(est.loss_curve_) == 3
    _assert_task_tree(recorder.events, "fit", 3)
    reference = _fit_quietly(make_estimator(backend, max_iter=3), X, y)
    for a, b in zip(est.coefs_, reference.coefs_):
        assert_array_equal(a, b)


@needs_api
@pytest.mark.parametrize("fitted", [False, True])
def test_a_callback_error_rolls_the_fit_back(backend, fitted):
    X, y = _data()
    est = make_estimator(backend, max_iter=6)
    if fitted:
        _fit_quietly(est, X, y)
    state = snapshot(est)
    recorder = Recorder(raise_at=3)
    est.set_callbacks(recorder)
    with pytest.raises(RuntimeError, match="callback failed"):
        est.fit(X, y)
    # Teardown ran, and nothing of the failed fit is left.
    assert (recorder.setups, recorder.teardowns) == (1, 1)
    est.set_callbacks()
    if fitted:
        assert_unchanged(est, state, X, y)
    else:
        assert snapshot(est) == state
        assert not hasattr(est, "coefs_")


# ------------------------------------------------------- meta-estimators


@needs_api
def test_callbacks_in_a_pipeline(backend):
    X, y = _data()
    # Set on the network inside the pipeline: its own tasks only.
    recorder = Recorder()
    net = make_estimator(backend).set_callbacks(recorder)
    pipe = _fit_quietly(make_pipeline(StandardScaler(), net), X, y)
    assert [e[1] for e in recorder.events].count("epoch") == 2 * net.n_iter_
    assert recorder.events[0][:2] == ("begin", "fit")
    # Set on the pipeline: propagated to the network, whose tasks join the
    # pipeline's tree one level down.
    recorder = PropagatedRecorder()
    pipe = make_pipeline(StandardScaler(), make_estimator(backend))
    _fit_quietly(pipe.set_callbacks(recorder), X, y)
    epochs = [e for e in recorder.events if e[1] == "epoch"]
    assert len(epochs) == 2 * pipe[-1].n_iter_
    assert {e[3] for e in epochs} == {2}
    assert not hasattr(pipe[-1], "_skl_callbacks")


@needs_api
def test_grid_search_with_a_scoring_monitor(backend):
    X, y = _data(150)
    monitor = skl_callback.ScoringMonitor(scoring="accuracy")
    est = make_estimator(backend, max_iter=15, tol=0.02, n_iter_no_change=2)
    grid = {"learning_rate_init": [0.01, 0.1]}
    cv = StratifiedKFold(3)
    search = GridSearchCV(est.set_callbacks(monitor), grid, cv=cv)
    _fit_quietly(search, X, y)
    # One log for the search, with the epochs of each of its fits.
    (log,) = monitor.get_logs(select="all")
    epochs = {}
    for row in log.data:
        if row["task_name"] == "epoch":
            epochs.setdefault(row["parent_task_id_path"], []).append(row["task_id"])
    assert len(epochs) == 2 * 3 + 1
    for task_ids in epochs.values():
        assert task_ids == list(range(len(task_ids)))
    expected = [search.best_estimator_.n_iter_]
    for params in grid["learning_rate_init"]:
        for train, _ in cv.split(X, y):
            fold = clone(est).set_params(learning_rate_init=params)
            expected.append(_fit_quietly(fold, X[train], y[train]).n_iter_)
    assert sorted(map(len, epochs.values())) == sorted(expected)
    assert len(set(expected)) > 1  # the fits stopped at different epochs


# ------------------------------------------------------------ ProgressBar


@needs_api
def test_progress_bar_shows_the_epochs(backend):
    pytest.importorskip("rich", reason="ProgressBar needs rich")
    if backend == "torch":
        pytest.importorskip("torch")
    code = f"""
        import warnings
        from sklearn.callback import ProgressBar
        from sklearn.exceptions import ConvergenceWarning
        import sklearn_binnet
        from sklearn_binnet.datasets import make_xor
        X, y = make_xor(100, random_state=0)
        est = sklearn_binnet.{type(make_estimator(backend)).__name__}(
            hidden_layer_sizes=(4,), max_iter=7, random_state=0)
        est.set_callbacks(ProgressBar())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        print("n_iter_", est.n_iter_)
    """
    out = run_python(code, env={"COLUMNS": "120"}).stdout
    name = type(make_estimator(backend)).__name__
    assert f"{name} - fit" in out
    assert "100%" in out
    assert out.rstrip().endswith("n_iter_ 7")
