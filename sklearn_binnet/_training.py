"""The training contract that every backend shares, free of any backend.

A backend runs the epochs; after each one it calls ``_end_epoch``, which
applies the rules below in named steps, the same for every backend:

1. ``_record_epoch``: the epoch loss joins ``loss_curve_`` and ``t_`` grows
   by the number of samples seen; a non-finite loss is divergence.
2. ``_score_validation``: with early stopping, the score (``scoring``, see
   ``_scoring``) and the log-loss of the validation set (the held-out split,
   or ``X_val``) join ``validation_scores_`` and ``validation_loss_curve_``.
3. ``_update_no_improvement_count``: the patience counter counts the epochs
   whose watched value (validation score, else training loss) did not improve
   on the best one by ``tol``, as ``MLPClassifier`` does, and the weights of
   the best validation score are kept.
4. ``_print_epoch``: one line when ``verbose``.
5. ``_apply_schedule``: the optimizer's schedule runs
   (``iteration_ends``), and when the counter exceeds ``n_iter_no_change``
   the optimizer decides between stopping and a lower rate
   (``trigger_stopping``).
6. ``_callbacks_end_epoch`` (``_callbacks``): the epoch's task of
   scikit-learn's callbacks ends, and a callback may stop the training.

The learning-rate schedule itself is ``_schedules._LearningRateSchedule``, a
base for the optimizers of every backend. ``_TrainingMixin`` also says which attributes
make up the fitted state (``_get_fitted_state`` / ``_set_fitted_state``), so
that a conversion between backends copies exactly that.
"""

import copy
import math
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.extmath import safe_sparse_dot

from ._activations import ACTIVATIONS, binary_log_loss_from_logits, softplus
from ._batching import DropoutMasks, index_dtype
from ._splitting import RowSubset, stratified_rows

# Divergence: an epoch loss (or the final weights' loss) more than this many
# times the initial network's loss (at least log 2, a coin flip's) is an error.
_DIVERGENCE_RATIO = 1e6
# Rows, spread over the training set, on which the initial loss is estimated.
_REFERENCE_ROWS = 1024
# Rows per chunk of the final check of the weights on the training set.
_CHECK_ROWS = 1 << 16


class _TrainingMixin:
    """History, validation split, stopping rules and fitted state of a fit.

    Mixed into ``BaseBinaryMLP``; it needs from the estimator its
    hyper-parameters and the backend hooks ``_forward_logits``,
    ``_get_weights``, ``_set_weights`` and ``_optimizer`` (an object with
    ``iteration_ends`` and ``trigger_stopping``, see
    ``_schedules._LearningRateSchedule``).
    """

    # Fitted attributes that mean the same in every backend, besides the
    # weights. The optimizer state is the backend's own and is not listed.
    _FITTED_STATE = (
        "classes_",
        "n_features_in_",
        "feature_names_in_",
        "n_iter_",
        "t_",
        "loss_",
        "loss_curve_",
        "best_loss_",
        "validation_scores_",
        "best_validation_score_",
        "validation_loss_curve_",
        "n_layers_",
        "n_outputs_",
        "out_activation_",
        # Stopping-rule state, so that a warm start continues where fit stopped.
        "_no_improvement_count",
        # The divergence rule's reference, kept for warm starts.
        "_initial_loss",
    )

    def _get_fitted_state(self):
        """Return a deep copy of the backend-independent fitted state.

        Returns
        -------
        state : dict
            The attributes of ``_FITTED_STATE`` that are set, ``coefs_`` and
            ``intercepts_`` as lists of NumPy arrays, and ``_best_weights``
            when early stopping keeps one.
        """
        state = {
            name: copy.deepcopy(getattr(self, name))
            for name in self._FITTED_STATE
            if hasattr(self, name)
        }
        state["coefs_"] = [np.array(c) for c in self.coefs_]
        state["intercepts_"] = [np.array(b) for b in self.intercepts_]
        if hasattr(self, "_best_weights"):
            state["_best_weights"] = tuple(
                [np.array(w) for w in weights] for weights in self._best_weights
            )
        return state

    def _set_fitted_state(self, state, dtype):
        """Take over ``state`` (from ``_get_fitted_state``), weights as ``dtype``.

        A backend that holds the network elsewhere extends this to load the
        weights into it.
        """
        for name, value in state.items():
            if name not in ("coefs_", "intercepts_", "_best_weights"):
                setattr(self, name, copy.deepcopy(value))
        self.coefs_ = [np.array(c, dtype=dtype) for c in state["coefs_"]]
        self.intercepts_ = [np.array(b, dtype=dtype) for b in state["intercepts_"]]
        if "_best_weights" in state:
            self._best_weights = tuple(
                [np.array(w, dtype=dtype) for w in weights]
                for weights in state["_best_weights"]
            )

    # -------------------------------------------------------------- history

    def _prepare_history(self, warm, coefs, intercepts):
        """Start the training history, or carry it on for a warm start.

        Lists are rebuilt rather than appended to in place, so that a rollback
        finds the old ones untouched.
        """
        if warm and hasattr(self, "loss_curve_"):
            self.loss_curve_ = list(self.loss_curve_)
        else:
            self.t_ = 0
            self.loss_curve_ = []
            self._no_improvement_count = 0
            self.validation_scores_ = None
            self.best_loss_ = np.inf
        if not self.early_stopping:
            self.validation_scores_ = None
            self.validation_loss_curve_ = None
            self.best_validation_score_ = None
            if self.best_loss_ is None:
                self.best_loss_ = np.inf
        elif self.validation_scores_ is None:
            self.validation_scores_ = []
            self.validation_loss_curve_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
            self._best_weights = (
                [c.copy() for c in coefs],
                [b.copy() for b in intercepts],
            )
        else:
            self.validation_scores_ = list(self.validation_scores_)
            self.validation_loss_curve_ = list(self.validation_loss_curve_)

    def _split_validation(self, X, y01, sample_weight, rng):
        """Hold out the stratified early-stopping split; return the training rows.

        Nothing of ``X`` is copied: training takes its batches from ``X``
        through the returned indices, and the held-out rows are a
        ``RowSubset`` of ``X`` (in ``_validation``), predicted through theirs.
        The indices are those that ``train_test_split`` gives (the same random
        draws as splitting ``X`` itself, see ``_splitting``), in its order.

        Returns
        -------
        train_rows : ndarray of int
            The rows of ``X`` to train on.
        """
        if self.validation_fraction == 0:
            # Accepted without a split to draw, as MLPClassifier accepts it
            # without early stopping (and fit's X_val needs none).
            raise InvalidParameterError(
                "validation_fraction must be in (0, 1) when early_stopping=True "
                f"and fit is given no X_val, got {self.validation_fraction!r}."
            )
        train_rows, val_rows = stratified_rows(y01, self.validation_fraction, rng)
        if val_rows.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase validation_fraction "
                "or the size of the dataset."
            )
        if sample_weight is not None:
            for side, rows in (("validation", val_rows), ("training", train_rows)):
                if not sample_weight[rows].sum() > 0:
                    raise ValueError(
                        f"sample_weight is zero on every row of the {side} split "
                        "of early_stopping: give non-zero weights to rows of both "
                        "splits, or change validation_fraction or random_state."
                    )
        dtype = index_dtype(X.shape[0])
        train_rows = train_rows.astype(dtype, copy=False)
        val_rows = val_rows.astype(dtype, copy=False)
        sw_val = None if sample_weight is None else sample_weight[val_rows]
        self._validation = (RowSubset(X, val_rows), y01[val_rows], sw_val)
        return train_rows

    # ---------------------------------------------------- epoch bookkeeping

    def _end_epoch(self, epoch_loss, n_samples):
        """Record an epoch and apply the stopping rules; return True to stop.

        Called by the backends after each pass over the training data, with
        the epoch loss of ``_batching.epoch_loss`` (batch losses computed
        before each step) and the number of samples seen.
        """
        self._record_epoch(epoch_loss, n_samples)
        score = self._score_validation()
        self._update_no_improvement_count(epoch_loss, score)
        if self.verbose:
            self._print_epoch(epoch_loss, score)
        return self._callbacks_end_epoch(self._apply_schedule())

    def _start_divergence_reference(
        self, coefs, intercepts, X, y01, sample_weight, train_rows=None
    ):
        """Estimate the initial network's loss, the divergence rule's reference.

        Computed once per training history (a warm start keeps it) on at most
        ``_REFERENCE_ROWS`` rows spread evenly over the training rows
        (``train_rows`` of ``X``, or all of it), with a plain NumPy forward
        pass of the initial weights: negligible against an epoch.
        """
        if not (hasattr(self, "_initial_loss") and getattr(self, "loss_curve_", None)):
            self._initial_loss = self._initial_network_loss(
                coefs, intercepts, X, y01, sample_weight, train_rows
            )
        # Read after every epoch: computed once per fit.
        self._epoch_loss_limit = self._divergence_threshold()

    def _initial_network_loss(
        self, coefs, intercepts, X, y01, sample_weight, train_rows
    ):
        n_train = X.shape[0] if train_rows is None else train_rows.shape[0]
        rows = slice(None, None, -(-n_train // _REFERENCE_ROWS))
        if train_rows is not None:
            rows = train_rows[rows]
        A = X[rows]
        for layer, (W, b) in enumerate(zip(coefs, intercepts)):
            A = safe_sparse_dot(A, W) + b
            if layer < len(coefs) - 1:
                ACTIVATIONS[self.activation](A)
        sw = None if sample_weight is None else sample_weight[rows]
        if sw is not None and not sw.sum() > 0:
            sw = None
        return binary_log_loss_from_logits(y01[rows], A[:, 0], sw)

    def _divergence_threshold(self):
        reference = self._initial_loss
        if not math.isfinite(reference):
            return math.inf
        return _DIVERGENCE_RATIO * max(reference, math.log(2))

    def _record_epoch(self, epoch_loss, n_samples):
        if not math.isfinite(epoch_loss):
            self._raise_divergence(self.n_iter_ + 1)
        if epoch_loss > self._epoch_loss_limit:
            self._raise_divergence(self.n_iter_ + 1, epoch_loss)
        self.n_iter_ += 1
        self.t_ += n_samples
        self.loss_ = epoch_loss
        self.loss_curve_.append(epoch_loss)

    def _score_validation(self):
        """Score the validation set; return the score, or None without one."""
        if self._validation is None:
            return None
        logits = self._validation_logits(self._validation[0])
        score, loss = self._validation_score(logits)
        self.validation_scores_.append(score)
        self.validation_loss_curve_.append(loss)
        return score

    def _validation_logits(self, X_val):
        """Return the logits of the held-out split after this epoch.

        A backend that has just predicted it in its own loop returns those.
        """
        if isinstance(X_val, RowSubset):
            return self._forward_logits(X_val.data, X_val.rows)
        return self._forward_logits(X_val)

    def _update_no_improvement_count(self, epoch_loss, score):
        """Count epochs without improvement by ``tol``; keep the best so far."""
        if score is not None:
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_weights = self._get_weights()
        else:
            if epoch_loss > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if epoch_loss < self.best_loss_:
                self.best_loss_ = epoch_loss

    def _print_epoch(self, epoch_loss, score):
        line = f"Epoch {self.n_iter_}, Loss: {epoch_loss:.8f}"
        if score is not None:
            line += f", Validation score: {score:.6f}"
        print(line)

    def _apply_schedule(self):
        """Run the optimizer's schedule and the stopping rule; True to stop."""
        self._optimizer.iteration_ends(self.t_)
        if self._no_improvement_count > self.n_iter_no_change:
            watched = (
                "Validation score" if self._validation is not None else "Training loss"
            )
            msg = (
                f"{watched} did not improve more than tol={self.tol:f} for "
                f"{self.n_iter_no_change} consecutive epochs."
            )
            if self._optimizer.trigger_stopping(msg, self.verbose):
                self._stopped = True
                return True
            self._no_improvement_count = 0
        return False

    def _dropout_masks(self, X, rng):
        """Return the ``DropoutMasks`` of this fit, or None without dropout."""
        if not self.dropout:
            return None
        hidden = self._layer_units(X.shape[1])[1:-1]
        return DropoutMasks(self.dropout, hidden, X.dtype, rng)

    def _start_schedule(self, n_samples, batch_size):
        """Start (or carry on) the per-step cosine schedule of the optimizer.

        Its period is ``max_iter`` epochs of ``n_samples / batch_size``
        batches, the first ``warmup_fraction`` of them a linear warm-up.
        """
        if self.learning_rate != "cosine":
            self._optimizer.start_cosine(None, 0)
            return
        steps = self.max_iter * -(-n_samples // batch_size)
        self._optimizer.start_cosine(steps, int(self.warmup_fraction * steps))

    def _end_training(self, incremental, X, y01, sample_weight, train_rows=None):
        # With n_iter_no_change=np.inf, max_iter is a budget the user chose,
        # not a failure to converge: no warning (MLPClassifier warns).
        if (
            not incremental
            and not self._stopped
            and self.n_iter_ == self.max_iter
            and self.n_iter_no_change != np.inf
        ):
            warnings.warn(
                f"Stochastic optimizer: maximum iterations ({self.max_iter}) reached "
                "and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        if self._validation is not None:
            self._set_weights(*self._best_weights)
        del self._validation, self._stopped, self._validation_scorer
        del self._epoch_loss_limit
        # The last step is never followed by a loss evaluation: check that the
        # final weights are finite and give finite logits on every training
        # row (weights near the float range overflow in the forward pass while
        # being finite), and that their loss obeys the divergence rule. One
        # inference pass: a fraction of the cost of a training epoch.
        coefs, intercepts = self._get_weights()
        if not all(np.isfinite(w).all() for w in coefs + intercepts):
            self._raise_divergence(self.n_iter_)
        final_loss = self._final_training_loss(X, y01, sample_weight, train_rows)
        if final_loss > self._divergence_threshold():
            self._raise_divergence(self.n_iter_, final_loss)

    def _final_training_loss(self, X, y01, sample_weight, train_rows):
        """Return the loss of the final weights on the training rows.

        Raises the divergence error if a training row's logit is not finite.
        Computed in chunks of ``_CHECK_ROWS`` rows, so that the check needs no
        array as long as ``X`` (nor a copy of the training rows of the
        early-stopping split, which the chunks pick out with a mask).
        """
        n_samples = X.shape[0]
        is_train = None
        if train_rows is not None:
            is_train = np.zeros(n_samples, dtype=bool)
            is_train[train_rows] = True
        loss_sum = weight_sum = 0.0
        for start in range(0, n_samples, _CHECK_ROWS):
            rows = slice(start, min(start + _CHECK_ROWS, n_samples))
            logits, y = self._forward_logits(X[rows]), y01[rows]
            weights = None if sample_weight is None else sample_weight[rows]
            if is_train is not None:
                keep = is_train[rows]
                logits, y = logits[keep], y[keep]
                weights = None if weights is None else weights[keep]
            if not np.isfinite(logits).all():
                self._raise_divergence(self.n_iter_)
            per_sample = softplus(logits) - y * logits
            if weights is None:
                loss_sum += float(per_sample.sum())
                weight_sum += per_sample.shape[0]
            else:
                loss_sum += float(np.dot(weights, per_sample))
                weight_sum += float(weights.sum())
        # No weight on any training row: no loss to diverge.
        return loss_sum / weight_sum if weight_sum > 0 else 0.0

    def _raise_divergence(self, epoch, loss=None):
        if loss is None:
            what = "the loss or the weights are no longer finite"
        else:
            what = (
                f"the loss {loss:.3g} is more than {_DIVERGENCE_RATIO:.0e} times "
                f"the initial network's {self._initial_loss:.3g}"
            )
        raise ValueError(
            f"Training diverged at epoch {epoch}: {what}. Lower "
            f"learning_rate_init (now {self.learning_rate_init}) or scale the "
            "input features."
        )
