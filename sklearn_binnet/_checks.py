"""Checks of the training input that every backend shares.

``_InputChecksMixin`` is mixed into ``BaseBinaryMLP``: it turns the
architecture parameter into layer sizes, encodes the labels as 0/1 against
``classes_``, combines ``sample_weight`` with ``class_weight``, and checks
weights given for a warm start. Each check raises scikit-learn's errors
(``ValueError`` naming what is wrong) before anything is trained.
"""

import itertools
import math
import numbers
import warnings
from collections.abc import Mapping, Set

import numpy as np
from sklearn.utils import compute_sample_weight
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import _check_sample_weight


class _InputChecksMixin:
    """Layer sizes, labels, sample and class weights, warm-start weights."""

    # Numeric hyper-parameters: a boolean passes scikit-learn's Interval
    # constraints (bool is an Integral) but is never meant as a number.
    _NUMERIC_PARAMETERS = (
        "alpha",
        "batch_size",
        "learning_rate_init",
        "power_t",
        "max_iter",
        "tol",
        "momentum",
        "validation_fraction",
        "beta_1",
        "beta_2",
        "epsilon",
        "n_iter_no_change",
        "weight_decay",
        "warmup_fraction",
        "label_smoothing",
        "dropout",
    )

    def _check_parameters(self, incremental):
        """Validate the hyper-parameters beyond ``_parameter_constraints``.

        scikit-learn validates the constraints in ``fit`` and in the first
        ``partial_fit`` only; a fitted estimator's ``partial_fit`` validates
        them here, so that ``set_params`` between calls cannot slip through.
        """
        if incremental and self.__sklearn_is_fitted__():
            self._validate_params()
        for name in self._NUMERIC_PARAMETERS:
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must be a "
                    f"number, not a boolean. Got {value!r} instead."
                )
        self._hidden_sizes()

    def _hidden_sizes(self):
        """Return ``hidden_layer_sizes`` as a list of positive ints, or raise."""
        hidden = self.hidden_layer_sizes
        if isinstance(hidden, numbers.Integral):
            hidden = [hidden]
        # An unordered collection has no layer order to follow.
        ordered = not isinstance(hidden, (Mapping, Set))
        hidden = list(hidden)
        if not ordered or not all(
            isinstance(h, numbers.Integral) and not isinstance(h, (bool, np.bool_))
            for h in hidden
        ):
            raise InvalidParameterError(
                "hidden_layer_sizes must be a positive integer or a sequence of "
                f"positive integers (not booleans), got {self.hidden_layer_sizes!r}."
            )
        if not all(h > 0 for h in hidden):
            raise ValueError(
                f"hidden_layer_sizes must contain positive integers, got {hidden}."
            )
        return [int(h) for h in hidden]

    def _layer_units(self, n_features):
        """Units per layer: ``n_features``, the hidden sizes, and one output."""
        return [n_features, *self._hidden_sizes(), 1]

    def _check_labels(self, y, *, keep_classes, incremental, classes):
        """Set or check ``classes_`` and return ``y`` encoded as 0/1."""
        check_classification_targets(y)
        labels = unique_labels(y)
        if keep_classes:
            if (
                incremental
                and classes is not None
                and not np.array_equal(unique_labels(classes), self.classes_)
            ):
                raise ValueError(
                    f"classes={classes!r} is not the same as on the first call "
                    f"to partial_fit, which was {self.classes_!r}."
                )
            unseen = np.setdiff1d(labels, self.classes_)
            if unseen.size:
                raise ValueError(
                    f"y has classes {unseen!r} that are not in classes_ "
                    f"{self.classes_!r}."
                )
        else:
            if incremental:
                if classes is None:
                    raise ValueError(
                        "classes must be passed on the first call to partial_fit."
                    )
                check_classification_targets(classes)
                classes_ = unique_labels(classes)
                unseen = np.setdiff1d(labels, classes_)
                if unseen.size:
                    raise ValueError(
                        f"y has classes {unseen!r} that are not in classes="
                        f"{classes_!r}."
                    )
            else:
                classes_ = labels
            if len(classes_) > 2:
                target_type = type_of_target(classes_, input_name="y")
                raise ValueError(
                    "Only binary classification is supported. The type of the "
                    f"target is {target_type}, with {len(classes_)} classes: "
                    f"{classes_!r}."
                )
            self.classes_ = classes_
        if len(self.classes_) < 2 or (not incremental and len(labels) < 2):
            raise ValueError(
                "Classifier can't train when only one class is present: "
                f"got the single class {labels!r}."
            )
        return y == self.classes_[1]

    def _check_sample_weight(self, sample_weight, X, y, y01, incremental):
        """Combine ``sample_weight`` and ``class_weight``; None if all equal."""
        if sample_weight is None and self.class_weight is None:
            return None
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        if self.class_weight is not None:
            if incremental and self.class_weight == "balanced":
                raise ValueError(
                    "class_weight='balanced' is not supported by partial_fit: "
                    "compute the weights on the whole data once with "
                    "sklearn.utils.class_weight.compute_class_weight and pass "
                    "them as a dict."
                )
            weights = self._class_weights(y, y01).astype(X.dtype)
            sample_weight = (
                weights if sample_weight is None else sample_weight * weights
            )
        if not sample_weight.sum() > 0:
            # Worded like scikit-learn's own check (1.8+), which runs first
            # where there is one.
            raise ValueError(
                "sample_weight sums to zero: it must contain at least one "
                "non-zero weight."
            )
        if not incremental and (
            not np.any(sample_weight[y01] > 0) or not np.any(sample_weight[~y01] > 0)
        ):
            raise ValueError(
                "Classifier can't train when only one class is present with a "
                "non-zero sample_weight."
            )
        return sample_weight

    def _check_warm_weights(self, layer_units, dtype):
        """Validate hand-set or previous weights against the architecture."""
        expected = list(itertools.pairwise(layer_units))
        coefs = [np.asarray(c, dtype=dtype) for c in self.coefs_]
        intercepts = [np.asarray(b, dtype=dtype) for b in self.intercepts_]
        got = [c.shape for c in coefs]
        if got != expected or [b.shape for b in intercepts] != [
            (fan_out,) for _, fan_out in expected
        ]:
            raise ValueError(
                "warm_start needs coefs_ and intercepts_ shaped for "
                f"hidden_layer_sizes={self.hidden_layer_sizes!r} and "
                f"{layer_units[0]} features: coefs_ of shapes {expected}, got "
                f"{got}."
            )
        return coefs, intercepts

    def _resolve_batch_size(self, n_samples):
        """Return the number of rows per batch for ``n_samples`` rows."""
        if self.batch_size is None:
            return n_samples
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                f"Got batch_size={self.batch_size} larger than the "
                f"{n_samples} training samples; it is clipped to {n_samples}.",
                UserWarning,
            )
        return min(self.batch_size, n_samples)

    def _class_weights(self, y, y01):
        """Return the weight of each sample's class, checking ``class_weight``."""
        if isinstance(self.class_weight, str):  # "balanced"
            return compute_sample_weight(self.class_weight, y)
        classes = list(self.classes_)
        weights = []
        for label in classes:
            value = self.class_weight.get(label, None)
            if value is None:
                raise ValueError(
                    f"The class {label!r} is not in class_weight: give a weight "
                    f"to each of the classes {classes!r}."
                )
            if (
                not isinstance(value, numbers.Real)
                or isinstance(value, (bool, np.bool_))
                or not math.isfinite(value)
                or value < 0
            ):
                raise ValueError(
                    "class_weight must give a finite, non-negative number to each "
                    f"class; got {value!r} for class {label!r}."
                )
            weights.append(float(value))
        if len(self.class_weight) != len(classes):
            extra = [key for key in self.class_weight if key not in set(classes)]
            raise ValueError(
                f"class_weight has keys {extra!r} that are not classes; the "
                f"classes are {classes!r}."
            )
        return np.where(y01, weights[1], weights[0])
