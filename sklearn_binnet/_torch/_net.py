"""The skorch net inside TorchBinaryMLP, extended through skorch's hooks.

skorch runs the epochs, the batch steps and the callbacks; the net fills in
the seams that skorch documents for extension so that it follows
``NumpyBinaryMLP`` step for step:

* ``iterator_train`` / ``iterator_valid``: batches sliced from tensors
  (``_batches``), in the order of every backend;
* ``infer`` and ``get_loss``: the module's logits and the penalised loss,
  with the sample weights that a batch carries as ``X["sample_weight"]``;
* ``train_split``: the estimator's own validation split (early stopping),
  which skorch then predicts after each epoch, so that validation callbacks
  (``EpochScoring``, ``Checkpoint``, ``EarlyStopping`` on ``valid_loss``) see
  it, and whose logits the estimator scores;
* ``on_epoch_end``: the estimator's bookkeeping and stopping rules run
  before every callback, and the history gets ``train_loss``, ``valid_loss``
  and ``valid_acc`` with their ``*_best`` flags, as skorch's default
  callbacks would record them (``valid_score`` instead of ``valid_acc``
  when the estimator's ``scoring`` is not the accuracy);
* ``notify``, ``train_step`` and ``run_single_epoch``: skorch's batch loop,
  less its per-batch overhead while the estimator trains (a per-batch hook
  is called only on the callbacks that implement it; the optimizer steps
  without a closure; a batch's size is read from its targets): about 60 us
  an epoch of the tutorial's full-batch fit, 10% of its time.
"""

import copy
import itertools
import math

import torch
from skorch import NeuralNetBinaryClassifier
from skorch.callbacks import Callback, EarlyStopping, EpochTimer
from skorch.callbacks.scoring import ScoringBase
from skorch.history import History
from skorch.utils import TeeGenerator

from .._batching import epoch_loss
from ._data import _SlicedBatches
from ._optimizers import _SklearnOptimizer

# The callback hooks called once per batch (or step) by skorch's loop.
_BATCH_HOOKS = ("on_batch_begin", "on_grad_computed", "on_batch_end")


class _StopTraining(Exception):
    """The estimator's stopping rule fired; raised inside skorch's epoch loop."""


class _History(History):
    """skorch's History with constant-time access to one epoch."""

    # skorch 1.4.0 has no hook for this: History.__getitem__ copies the whole
    # list before indexing, and skorch indexes the last epoch several times
    # per batch, which makes a fit quadratic in its epochs (15 us an epoch
    # over 1000 epochs).
    def __getitem__(self, i):
        if isinstance(i, int):
            return list.__getitem__(self, i)
        return super().__getitem__(i)


def _probabilities(logits):
    """skorch's ``predict_nonlinearity``: the (n, 2) class probabilities."""
    return torch.stack((torch.sigmoid(-logits), torch.sigmoid(logits)), dim=1)


def _validation_need(callback):
    """Say how ``callback`` uses the validation split, or return None."""
    if isinstance(callback, ScoringBase) and not callback.on_train:
        return "scores the validation data"
    monitor = getattr(callback, "monitor", None)
    if isinstance(monitor, str) and monitor.startswith("valid_"):
        return f"monitors {monitor!r}"
    return None


def _batch_hooks(callbacks):
    """Map each per-batch hook to the callbacks that implement it.

    A callback whose hook is ``Callback``'s own (which does nothing) is left
    out; anything else, a hook set on the instance included, is kept.
    """
    hooks = {}
    for name in _BATCH_HOOKS:
        base = getattr(Callback, name)
        hooks[name] = [
            callback
            for _, callback in callbacks
            if getattr(getattr(callback, name, None), "__func__", None) is not base
        ]
    return hooks


def _check_callbacks(callbacks, has_validation):
    """Refuse callbacks that need the validation split when there is none."""
    if has_validation:
        return
    for item in callbacks or ():
        callback = item[1] if isinstance(item, (tuple, list)) else item
        need = None if isinstance(callback, type) else _validation_need(callback)
        if need is not None:
            raise ValueError(
                f"callbacks: {type(callback).__name__} {need}, which needs the "
                "validation split of early_stopping=True."
            )


def _stopped_by_early_stopping(exc):
    """Whether a KeyboardInterrupt is skorch's EarlyStopping ending the fit."""
    # skorch 1.4.0's EarlyStopping stops by raising KeyboardInterrupt from its
    # on_epoch_end, as a Ctrl-C would, and no hook tells the two apart: the
    # frame that raised it does.
    tb = exc.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    callback = tb.tb_frame.f_locals.get("self")
    return (
        tb.tb_frame.f_code is EarlyStopping.on_epoch_end.__code__
        and callback.misses_ == callback.patience
    )


class _BinaryNet(NeuralNetBinaryClassifier):
    """The skorch net inside TorchBinaryMLP.

    Differs from ``NeuralNetBinaryClassifier`` only where the estimator needs
    it (see the module docstring); its only default callback is the epoch
    timer, since the estimator records the losses and prints its own line.
    """

    # Set by train_epochs while the estimator trains; these class defaults
    # keep skorch's own fit and partial_fit working on a fitted ``net_``.
    _estimator = None
    _stop = False
    _bests = None
    _valid_logits = None
    _hooks = None
    _device = None

    def get_default_callbacks(self):
        return [("epoch_timer", EpochTimer())]

    def infer(self, x, **fit_params):
        masks = None
        if isinstance(x, dict):
            # A batch with sample weights, which only the loss reads, or with
            # the dropout masks of a training batch.
            masks = x.get("masks")
            x = x["X"]
        if isinstance(x, torch.Tensor) and not fit_params:
            # Training batches are already tensors on the device; skorch's
            # generic conversion (15 us a batch) is left to other input. The
            # device is kept while training (5 us a batch to look up).
            device = self._device
            if device is None:
                device = self.module_.layers[0].weight.device
            if x.device == device:
                return self.module_(x) if masks is None else self.module_(x, masks)
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        sample_weight = X.get("sample_weight") if isinstance(X, dict) else None
        # The penalty is part of the training objective only: a validation
        # batch gets the log-loss of ``validation_loss_curve_``. Without a
        # penalty (alpha=0) the weights are not even gathered (10 us a batch).
        penalised = training and self.criterion_.alpha
        coefs = self.module_.coefs() if penalised else ()
        return self.criterion_(y_pred, y_true, sample_weight, coefs)

    def train_epochs(self, dataset, epochs, estimator, dataset_valid=None):
        """Run up to ``epochs`` epochs of skorch's loop over ``dataset``.

        Unlike ``partial_fit``, a ``KeyboardInterrupt`` is not swallowed,
        unless it is skorch's ``EarlyStopping`` stopping the fit, so that an
        interrupted fit is rolled back like a failed one.

        Parameters
        ----------
        dataset : _TrainingData
        epochs : int
        estimator : TorchBinaryMLP
            Whose ``_end_epoch`` records each epoch and says when to stop.
        dataset_valid : _TrainingData or None
            The held-out split of early stopping, predicted after each epoch.
        """
        self._estimator, self._stop, self._bests = estimator, False, {}
        self._hooks = _batch_hooks(self.callbacks_)
        self._device = self.module_.layers[0].weight.device
        if dataset_valid is not None:
            self.train_split = lambda data, y=None, **_: (data, dataset_valid)
        try:
            self.notify("on_train_begin", X=dataset, y=None)
            try:
                self.fit_loop(dataset, None, epochs=epochs)
            except _StopTraining:
                pass
            except KeyboardInterrupt as exc:
                if not _stopped_by_early_stopping(exc):
                    raise
            self.notify("on_train_end", X=dataset, y=None)
        finally:
            # The estimator and its data are referenced only while it trains:
            # the fitted net pickles and copies without them.
            self.train_split = None
            for name in (
                "_estimator",
                "_stop",
                "_bests",
                "_valid_logits",
                "_hooks",
                "_device",
            ):
                self.__dict__.pop(name, None)
        return self

    def notify(self, method_name, **cb_kwargs):
        # While the estimator trains, a per-batch hook is called on the net
        # and on the callbacks that implement it only: skorch calls every
        # callback's, mostly Callback's own that does nothing.
        hooks = self._hooks
        if hooks is None or method_name not in hooks:
            return super().notify(method_name, **cb_kwargs)
        getattr(self, method_name)(self, **cb_kwargs)
        for callback in hooks[method_name]:
            getattr(callback, method_name)(self, **cb_kwargs)

    def train_step(self, batch, **fit_params):
        # skorch steps the optimizer with a closure that wraps the gradient
        # computation (and builds the parameters' generator for
        # on_grad_computed, called or not). Our optimizers evaluate a closure
        # once, before their update: the same step, done here in that order.
        if self._hooks is None or not isinstance(self.optimizer_, _SklearnOptimizer):
            return super().train_step(batch, **fit_params)
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        if self._hooks["on_grad_computed"]:
            self.notify(
                "on_grad_computed",
                named_parameters=TeeGenerator(self.get_all_learnable_params()),
                batch=batch,
                training=True,
            )
        self._step_optimizer(None)
        return step

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        # skorch's loop, less its generic batch-size lookup (get_len walks the
        # batch): a batch of ours has the length of its targets.
        if self._hooks is None or not isinstance(iterator, _SlicedBatches):
            return super().run_single_epoch(
                iterator, training, prefix, step_fn, **fit_params
            )
        history = self.history_
        batch_count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            history.record_batch(prefix + "_loss", step["loss"].item())
            history.record_batch(prefix + "_batch_size", batch[1].shape[0])
            self.notify("on_batch_end", batch=batch, training=training, **step)
            batch_count += 1
            # Let go of this batch before the next one is gathered, so that
            # only one is alive at a time (a validation batch is a gathered
            # copy of its rows).
            del batch, step
        history.record(prefix + "_batch_count", batch_count)

    def validation_logits(self):
        """Return the logits of this epoch's validation pass, as an array."""
        return torch.cat(self._valid_logits).cpu().numpy()

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        # The stop is raised here, at the start of the next epoch, so that
        # every callback still sees the end of the last one.
        if self._stop:
            raise _StopTraining
        super().on_epoch_begin(net, dataset_train, dataset_valid, **kwargs)
        history = self.history_
        if len(history) > 1:
            # Numbered on from the last epoch, which is not the length of a
            # history that partial_fit keeps bounded.
            history.record("epoch", history[-2]["epoch"] + 1)
        if dataset_valid is not None:
            self._valid_logits = []

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        if not training and self._valid_logits is not None:
            self._valid_logits.append(kwargs["y_pred"])

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        # The epoch loss follows the rule of every backend. This hook runs
        # before the callbacks', so they see the epoch's record.
        loss, n_samples = epoch_loss(
            (batch["train_loss"], batch["train_batch_size"])
            for batch in self.history_[-1]["batches"]
            if "train_loss" in batch
        )
        self._record("train_loss", loss, lower_is_better=True)
        estimator = self._estimator
        if estimator is None:
            return
        self._stop = estimator._end_epoch(loss, n_samples)
        if estimator.validation_scores_ is not None:
            self._record("valid_loss", estimator.validation_loss_curve_[-1], True)
            key = "valid_acc" if estimator.scoring is None else "valid_score"
            self._record(key, estimator.validation_scores_[-1], False)

    def _record(self, key, value, lower_is_better):
        """Record ``key`` and ``key + "_best"`` as skorch's scorings do."""
        history = self.history_
        bests = self._bests
        if bests is None:
            bests = self._bests = {}
        if key not in bests:
            # The best of the epochs before this fit (a partial_fit, or a
            # history loaded by LoadInitState).
            earlier = [
                epoch[key]
                for epoch in itertools.islice(history, len(history) - 1)
                if key in epoch
            ]
            pick, worst = (min, math.inf) if lower_is_better else (max, -math.inf)
            bests[key] = pick(earlier, default=worst)
        improved = value < bests[key] if lower_is_better else value > bests[key]
        if improved:
            bests[key] = value
        history.record(key, value)
        history.record(key + "_best", improved)


def _move_net(net, device):
    """Move a net's module, criterion and optimizer state to ``device``."""
    net.module_.to(device)
    net.criterion_.to(device)
    for state in net.optimizer_.state.values():
        for key, value in state.items():
            if isinstance(value, torch.Tensor):
                state[key] = value.to(device)
    net.device = str(device)
    # Held-out rows are predicted in the chunks of the estimator's
    # ``_forward_logits``, whose size depends on the device.
    net.iterator_valid__batch_size = net.module_.chunk_rows()
    return net


def _copy_net(net, max_epochs=None):
    """Return a deep copy of ``net`` that shares nothing mutable with it.

    The history is copied shallowly (new list, same finished epochs, which
    the copy never changes), keeping the last ``max_epochs`` at most.
    """
    # skorch 1.4.0 copies a net through its __getstate__, which serialises
    # every tensor (and warns about a CUDA net where there is no CUDA); and a
    # deep copy of the whole history at each partial_fit would make a stream
    # of calls quadratic. So the attributes are deep-copied one by one, one
    # memo keeping the optimizer on the copied module's parameters.
    history = net.history_
    memo = {}
    if history is not None:
        kept = history if max_epochs is None else history[-max_epochs:]
        memo[id(history)] = _History(kept)
    clone = object.__new__(type(net))
    clone.__dict__.update(copy.deepcopy(vars(net), memo))
    return clone
