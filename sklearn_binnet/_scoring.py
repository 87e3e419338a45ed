"""The validation set of early stopping, and the score that it watches.

``_ValidationMixin`` is mixed into ``BaseBinaryMLP``. It checks a validation
set given to ``fit`` (``X_val``, ``y_val``, ``sample_weight_val``, as
:class:`~sklearn.ensemble.HistGradientBoostingClassifier` takes them), which
then replaces the internal ``validation_fraction`` split, and it scores the
validation set after each epoch, from the logits that the training contract
has just computed, with ``scoring``:

* ``None``: the accuracy, as ``MLPClassifier`` computes it;
* ``"loss"``: the negative log-loss, so that greater is better, as in
  scikit-learn's ``"neg_log_loss"``;
* a scorer name or a callable ``scorer(estimator, X, y)``: called with the
  estimator itself, which predicts with the weights of the epoch. Given the
  validation set, its ``decision_function`` (and so ``predict`` and
  ``predict_proba``) returns those logits at once: the scorer costs neither
  a second forward pass nor a second input validation.

The validation log-loss (``validation_loss_curve_``) comes from the same
logits whatever ``scoring`` is.
"""

import contextlib

import numpy as np
from sklearn import get_config
from sklearn.metrics import check_scoring
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import (
    _check_sample_weight,
    check_consistent_length,
    column_or_1d,
    validate_data,
)

from ._activations import binary_log_loss_from_logits
from ._splitting import RowSubset


@contextlib.contextmanager
def _about(name):
    """Prefix the message of a ValueError raised inside with ``name``."""
    try:
        yield
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from exc


@contextlib.contextmanager
def _known_logits(estimator, X_val, logits):
    """Make ``estimator.decision_function(X_val)`` return ``logits``.

    Other input goes through the class's ``decision_function``. The patch is
    an instance attribute, removed on the way out.
    """
    method = type(estimator).decision_function

    # Named like the method: scikit-learn's scorers read the name.
    def decision_function(X):
        if X is X_val:
            return logits.copy()
        return method(estimator, X)

    estimator.decision_function = decision_function
    try:
        yield
    finally:
        del estimator.decision_function


class _ValidationMixin:
    """The validation set given to ``fit``, and ``scoring``."""

    def _check_validation_set(self, X, y, X_val, y_val, sample_weight_val):
        """Validate a validation set given to ``fit``; None if none is.

        Called once ``X``, ``y`` and ``classes_`` are validated. ``X_val`` is
        converted to the dtype of ``X``; ``y_val`` is encoded as 0/1 in it;
        ``class_weight`` multiplies ``sample_weight_val``, with the class
        frequencies of ``y``.

        Returns
        -------
        validation : tuple (X_val, y_val, sample_weight_val) or None
        """
        if X_val is None and y_val is None:
            if sample_weight_val is not None:
                raise ValueError(
                    "sample_weight_val is given to fit without X_val and y_val."
                )
            return None
        if y_val is None:
            raise ValueError("X_val is given to fit without y_val.")
        if X_val is None:
            raise ValueError("y_val is given to fit without X_val.")
        if not self.early_stopping:
            # As HistGradientBoostingClassifier: a validation set only serves
            # early stopping (which n_iter_no_change=np.inf turns into "keep
            # the best epoch").
            raise ValueError(
                "X_val and y_val are given to fit, but early_stopping=False. "
                "Set early_stopping=True to use them (with "
                "n_iter_no_change=np.inf to train every epoch and keep the best)."
            )
        with _about("X_val"):
            X_val = validate_data(
                self,
                X_val,
                accept_sparse=("csr", "csc"),
                dtype=X.dtype,
                reset=False,
            )
        with _about("y_val"):
            y_val = column_or_1d(y_val, warn=True)
            check_classification_targets(y_val)
        check_consistent_length(X_val, y_val)
        known = self.classes_.tolist()
        unseen = [label for label in unique_labels(y_val) if label not in known]
        if unseen:
            raise ValueError(
                f"y_val has labels {np.asarray(unseen)!r} that are not in y, "
                f"whose classes are {self.classes_!r}."
            )
        y_val01 = y_val == self.classes_[1]
        if sample_weight_val is not None:
            with _about("sample_weight_val"):
                sample_weight_val = _check_sample_weight(
                    sample_weight_val, X_val, dtype=X.dtype, ensure_non_negative=True
                )
        if self.class_weight is not None:
            per_class = compute_class_weight(
                self.class_weight, classes=self.classes_, y=y
            )
            weights = per_class[y_val01.astype(np.intp)].astype(X.dtype)
            sample_weight_val = (
                weights if sample_weight_val is None else sample_weight_val * weights
            )
        if sample_weight_val is not None and not sample_weight_val.sum() > 0:
            raise ValueError(
                "sample_weight_val (times class_weight) is zero on every row of "
                "the validation set."
            )
        return X_val, y_val01.astype(X.dtype), sample_weight_val

    def _start_scoring(self):
        """Resolve ``scoring`` for this fit, once the validation set is known.

        A scorer name is checked even without a validation set, so that a
        misspelt one fails at once.
        """
        self._validation_scorer = None
        if self.scoring is None or self.scoring == "loss":
            return
        scorer = check_scoring(self, scoring=self.scoring)
        if self._validation is None:
            return
        X_val, y_val01, sample_weight_val = self._validation
        if isinstance(X_val, RowSubset):
            # A scorer is given an array: the held-out rows are copied once.
            X_val = X_val.copy()
            self._validation = (X_val, y_val01, sample_weight_val)
        if (
            isinstance(self.scoring, str)
            and sample_weight_val is not None
            and get_config().get("enable_metadata_routing", False)
        ):
            # Under metadata routing a scorer takes sample_weight only when
            # asked to; get_scorer returned a copy of its own.
            scorer = scorer.set_score_request(sample_weight=True)
        labels = self.classes_[y_val01.astype(np.intp)]
        self._validation_scorer = (scorer, labels)

    def _validation_score(self, logits):
        """Return the score and the log-loss of the validation set's logits."""
        X_val, y_val, sample_weight_val = self._validation
        loss = binary_log_loss_from_logits(y_val, logits, sample_weight_val)
        if self.scoring is None:
            score = float(np.average((logits > 0) == y_val, weights=sample_weight_val))
        elif self.scoring == "loss":
            score = -loss
        else:
            scorer, labels = self._validation_scorer
            kwargs = {}
            if sample_weight_val is not None:
                kwargs["sample_weight"] = sample_weight_val
            with _known_logits(self, X_val, logits):
                score = float(scorer(self, X_val, labels, **kwargs))
        return score, loss
