"""The base class shared by every backend of sklearn-binnet.

``BaseBinaryMLP`` owns everything that does not depend on how a network is
stored or run: the hyper-parameters and their constraints, input and label
validation, class and sample weights (``_checks``), the initial weights, the
training contract of ``_training`` (history, early-stopping split, stopping
rules, schedule, fitted state), the batch order and epoch loss of
``_batching``, and the prediction methods derived from ``decision_function``
(``_prediction``).

A backend fills in these hooks, and nothing else is called on it:

* ``_train(coefs, intercepts, X, y, sample_weight, rng, batch_size,
  incremental, train_rows)`` runs the epochs over the batches of
  ``_batching.MiniBatches`` (of the rows ``train_rows`` of ``X``, ``y`` and
  ``sample_weight``, the training part of the early-stopping split, or of
  every row when it is None), sets
  ``_optimizer`` before the first epoch and calls ``_end_epoch`` after each
  epoch with the loss of ``_batching.epoch_loss``; it leaves the trained
  weights in ``coefs_`` and ``intercepts_``;
* ``_optimizer``: an attribute (or property) with the protocol of
  ``_schedules._LearningRateSchedule``: ``iteration_ends(t)`` after each
  epoch and ``trigger_stopping(msg, verbose)`` when the stopping rule fires;
* ``_forward_logits(X, rows=None)`` returns the logits of the current weights;
* ``_get_weights()`` / ``_set_weights(coefs, intercepts)`` copy the weights out
  and in (best-weight restore after early stopping);
* optionally ``_fit_dtype(keep_weights)`` (the dtype ``X`` is trained in),
  ``_validation_logits(X_val)`` (a backend whose own loop has just predicted
  the early-stopping split returns those logits) and an extension of
  ``_set_fitted_state`` (a backend that holds the network elsewhere loads the
  weights into it).

The base imports no backend, and never the package root.
"""

import itertools
import numbers
import warnings
from abc import ABCMeta, abstractmethod

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import validate_data

from . import _version
from ._callbacks import _CallbacksMixin
from ._checks import _InputChecksMixin
from ._docstrings import _fill_doc
from ._prediction import _PredictionMixin
from ._scoring import _ValidationMixin
from ._training import _TrainingMixin
from .exceptions import InconsistentVersionWarning

# Where a pickled estimator keeps the sklearn_binnet version that wrote it.
_VERSION_KEY = "_sklearn_binnet_version"


def _glorot_uniform_weights(layer_units, activation, dtype, random_state):
    """Draw initial weights like ``MLPClassifier`` (Glorot and Bengio, 2010).

    Each layer's weights and biases are uniform in ``[-b, b]`` with
    ``b = sqrt(factor / (fan_in + fan_out))``, ``factor`` 2 for the logistic
    activation and 6 otherwise; the draws come from ``random_state`` in the
    same order as scikit-learn's, so the same seed gives the same network.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, input and output included.
    activation : str
        Hidden activation; decides the scale.
    dtype : numpy dtype
        Floating dtype of the weights.
    random_state : numpy.random.RandomState
        The generator to draw from.

    Returns
    -------
    coefs, intercepts : list of ndarray
    """
    factor = 2.0 if activation == "logistic" else 6.0
    coefs, intercepts = [], []
    for fan_in, fan_out in itertools.pairwise(layer_units):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coef = random_state.uniform(-bound, bound, (fan_in, fan_out))
        intercept = random_state.uniform(-bound, bound, fan_out)
        coefs.append(coef.astype(dtype, copy=False))
        intercepts.append(intercept.astype(dtype, copy=False))
    return coefs, intercepts


class BaseBinaryMLP(
    _CallbacksMixin,
    _InputChecksMixin,
    _ValidationMixin,
    _TrainingMixin,
    _PredictionMixin,
    ClassifierMixin,
    BaseEstimator,
    metaclass=ABCMeta,
):
    """Base class of the binary MLP classifiers; not to be used directly.

    Parameters
    ----------
    %(parameters)s
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(numbers.Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"sgd", "adam", "adamw"})],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(numbers.Integral, 1, None, closed="left"),
            None,
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive", "cosine"})],
        "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
        "power_t": [Interval(numbers.Real, 0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(numbers.Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "beta_1": [Interval(numbers.Real, 0, 1, closed="left")],
        "beta_2": [Interval(numbers.Real, 0, 1, closed="left")],
        "epsilon": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(numbers.Integral, 1, None, closed="left"),
            Options(numbers.Real, {np.inf}),
        ],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "scoring": [str, callable, None],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "warmup_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "label_smoothing": [Interval(numbers.Real, 0, 0.5, closed="left")],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=1e-3,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        class_weight=None,
        scoring=None,
        weight_decay=0.0,
        warmup_fraction=0.0,
        label_smoothing=0.0,
        dropout=0.0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.scoring = scoring
        self.weight_decay = weight_decay
        self.warmup_fraction = warmup_fraction
        self.label_smoothing = label_smoothing
        self.dropout = dropout

    # ------------------------------------------------------------------ hooks

    @abstractmethod
    def _train(
        self,
        coefs,
        intercepts,
        X,
        y,
        sample_weight,
        rng,
        batch_size,
        incremental,
        train_rows=None,
    ):
        """Train from ``coefs``/``intercepts``; call ``_end_epoch`` per epoch.

        The hook trains on the rows ``train_rows`` of ``X``, ``y`` and
        ``sample_weight`` (indices into them, for the early-stopping split;
        None for every row). It must leave the trained weights in ``coefs_``
        and ``intercepts_`` and must not modify the arrays it is given, so
        that a failed fit can be rolled back.
        """

    @abstractmethod
    def _forward_logits(self, X, rows=None):
        """Return the logits of validated ``X``, shape (n_samples,).

        With ``rows`` (indices), those of ``X[rows]``, without copying them
        all: the held-out rows of early stopping (``_splitting.RowSubset``).
        """

    @abstractmethod
    def _get_weights(self):
        """Return copies of the current (coefs, intercepts) as NumPy arrays."""

    @abstractmethod
    def _set_weights(self, coefs, intercepts):
        """Load (coefs, intercepts) into the network."""

    # ------------------------------------------------------------ validation

    def __sklearn_is_fitted__(self):
        return hasattr(self, "n_features_in_") and hasattr(self, "coefs_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.sparse = True
        return tags

    # ------------------------------------------------------------------- fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(
        self,
        X,
        y,
        sample_weight=None,
        *,
        X_val=None,
        y_val=None,
        sample_weight_val=None,
    ):
        """Fit the network to the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target labels; exactly two distinct values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; None weighs all equally.
        X_val : {array-like, sparse matrix} of shape (n_val, n_features), \
                default=None
            Validation data for early stopping, which then replaces the
            ``validation_fraction`` split: the whole of ``X`` is trained on,
            and ``validation_scores_`` and ``validation_loss_curve_`` are
            computed on ``X_val``. It needs ``y_val`` and
            ``early_stopping=True``, and is checked like the input of
            ``predict``. In a :class:`~sklearn.pipeline.Pipeline`,
            ``Pipeline(..., transform_input=["X_val"])`` transforms it like
            ``X`` (with metadata routing enabled and ``X_val`` and ``y_val``
            requested by ``set_fit_request``).
        y_val : array-like of shape (n_val,), default=None
            Labels of ``X_val``, all among the classes of ``y``.
        sample_weight_val : array-like of shape (n_val,), default=None
            Non-negative weights of the rows of ``X_val``; ``class_weight``
            multiplies them.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        validation = (X_val, y_val, sample_weight_val)
        return self._fit(X, y, sample_weight, incremental=False, validation=validation)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Train for one epoch over the given data, keeping the optimizer state.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target labels, all in ``classes``.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; None weighs all equally.
        classes : array-like of shape (2,), default=None
            The two class labels. Required on the first call, ignored (but
            checked) afterwards.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _fit(self, X, y, sample_weight, *, incremental, classes=None, validation=None):
        # Fitting never mutates an object that existed before the call (weights
        # are copied, lists rebuilt, the optimizer copied), so restoring the
        # attribute dict undoes a failed or interrupted fit completely. The
        # callbacks' root task comes first, so that their teardown survives it.
        self._start_callbacks(incremental)
        saved_state = dict(self.__dict__)
        try:
            self._fit_atomic(X, y, sample_weight, incremental, classes, validation)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved_state)
            raise
        return self

    def _fit_atomic(self, X, y, sample_weight, incremental, classes, validation):
        fit_sample_weight = sample_weight  # the user's, for the callbacks
        self._check_parameters(incremental)
        if incremental and self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: there is no "
                "held-out set in a single pass over a chunk."
            )
        warm = incremental or self.warm_start
        keep_weights = warm and hasattr(self, "coefs_")
        keep_classes = warm and hasattr(self, "classes_")
        # Non-finite input is refused with a clear ValueError, without the
        # RuntimeWarnings that come on the way: a value too large for a
        # narrower training dtype (float64 data, float32 weights) overflows
        # when cast, and scikit-learn's finiteness check sums X (inf - inf).
        with np.errstate(over="ignore", invalid="ignore"):
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse=("csr", "csc"),
                dtype=self._fit_dtype(keep_weights),
                reset=not keep_classes,
            )
            y01 = self._check_labels(
                y, keep_classes=keep_classes, incremental=incremental, classes=classes
            )
            sample_weight = self._check_sample_weight(
                sample_weight, X, y, y01, incremental
            )
            if validation is not None:
                validation = self._check_validation_set(X, y, *validation)
        self._callbacks_begin_fit(X, y, fit_sample_weight, incremental)
        y01 = y01.astype(X.dtype)

        layer_units = self._layer_units(X.shape[1])
        rng = check_random_state(self.random_state)
        if keep_weights:
            coefs, intercepts = self._check_warm_weights(layer_units, X.dtype)
        else:
            coefs, intercepts = _glorot_uniform_weights(
                layer_units, self.activation, X.dtype, rng
            )
        self.n_layers_ = len(layer_units)
        self.n_outputs_ = 1
        self.out_activation_ = "logistic"
        self._prepare_history(warm, coefs, intercepts)

        train_rows = None
        if validation is not None:
            self._validation = validation
        elif self.early_stopping:
            train_rows = self._split_validation(X, y01, sample_weight, rng)
        else:
            self._validation = None
        self._start_scoring()
        if self.label_smoothing:
            # Soft training targets; the validation labels stay hard.
            y01 = y01 * (1 - self.label_smoothing) + self.label_smoothing / 2
        n_train = X.shape[0] if train_rows is None else train_rows.shape[0]
        batch_size = self._resolve_batch_size(n_train)
        self.n_iter_ = 0
        self._stopped = False
        # A diverging run overflows on its way to inf/NaN; that is detected and
        # reported as one clear error below, not as a stream of RuntimeWarnings.
        # So may the initial loss of huge finite input.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self._start_divergence_reference(
                coefs, intercepts, X, y01, sample_weight, train_rows
            )
            self._train(
                coefs,
                intercepts,
                X,
                y01,
                sample_weight,
                rng,
                batch_size,
                incremental,
                train_rows,
            )
            self._end_training(incremental, X, y01, sample_weight, train_rows)
        self._callbacks_end_fit()

    def _fit_dtype(self, keep_weights):
        """Return the dtype(s) ``X`` is validated to in ``fit``.

        The initial weights are drawn in the dtype that ``X`` ends up in. By
        default float32 and float64 input keep their dtype, except that a warm
        start keeps the dtype of the weights it continues from. A backend with
        a fixed training dtype overrides this.
        """
        if keep_weights:
            dtype = np.asarray(self.coefs_[0]).dtype
            if dtype not in (np.float32, np.float64):
                dtype = np.float64
            return dtype
        return (np.float64, np.float32)

    # ------------------------------------------------------------ pickling

    def __getstate__(self):
        # Stamped with the package version, as scikit-learn stamps its own
        # estimators (which it does only for modules named ``sklearn.*``).
        state = dict(super().__getstate__())
        state[_VERSION_KEY] = _version.__version__
        return state

    def __setstate__(self, state):
        state = dict(state)
        pickled_version = state.pop(_VERSION_KEY, None)
        current_version = _version.__version__
        if pickled_version != current_version:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_version=current_version,
                    original_version=pickled_version,
                )
            )
        super().__setstate__(state)


_fill_doc(BaseBinaryMLP)
