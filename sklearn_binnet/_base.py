"""The base class shared by every backend of sklearn-binnet.

``BaseBinaryMLP`` owns everything that does not depend on how a network is
stored or run: the hyper-parameters and their constraints, input and label
validation, class and sample weights, the initial weights, the early-stopping
split, the per-epoch bookkeeping and stopping rules, and the prediction methods
derived from ``decision_function``.  A backend fills in a few hooks:

* ``_train(coefs, intercepts, X, y, sample_weight, rng, batch_size, incremental)``
  runs the epochs, calling ``_end_epoch`` after each one;
* ``_forward_logits(X)`` returns the logits of the current weights;
* ``_get_weights()`` / ``_set_weights(coefs, intercepts)`` copy the weights out
  and in (best-weight restore after early stopping).
"""

import itertools
import math
import numbers
import warnings
from abc import ABCMeta, abstractmethod

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._activations import binary_log_loss_from_logits, log_sigmoid, sigmoid

# Parameter descriptions shared by every backend, substituted into the class
# docstrings by ``_fill_doc`` so that they are written once.
_PARAMETERS_DOC = """\
hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        The i-th element is the number of neurons in the i-th hidden layer.
        An empty tuple gives a network without hidden layer (logistic
        regression).

    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation function of the hidden layers. The output unit is always
        logistic.

    solver : {"sgd", "adam"}, default="adam"
        The optimizer: stochastic gradient descent (with momentum and
        Nesterov's momentum) or Adam, both with scikit-learn's formulas.

    alpha : float, default=1e-4
        Strength of the L2 penalty, ``0.5 * alpha * sum(||W||**2)`` divided by
        the summed sample weight of the mini-batch, as in
        :class:`~sklearn.neural_network.MLPClassifier`.

    batch_size : int, "auto" or None, default="auto"
        Size of the mini-batches. ``"auto"`` means ``min(200, n_samples)``;
        ``None`` means full-batch gradient descent.

    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        Learning-rate schedule of ``solver="sgd"``: constant, divided by
        ``(t + 1) ** power_t`` after each epoch (``t`` = samples seen), or
        divided by 5 each time the stopping rule fires.

    learning_rate_init : float, default=1e-3
        The initial learning rate.

    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.

    max_iter : int, default=200
        Maximum number of epochs.

    shuffle : bool, default=True
        Whether to shuffle the samples at each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the early-stopping split and the shuffling.
        Pass an int for reproducible results across calls.

    tol : float, default=1e-4
        Tolerance of the stopping rule: training stops when the training loss
        (or the validation score, with ``early_stopping``) has not improved by
        at least ``tol`` for ``n_iter_no_change`` consecutive epochs.

    verbose : bool, default=False
        Whether to print one line per epoch (``Epoch N, Loss: L``).

    warm_start : bool, default=False
        Whether ``fit`` starts from the current weights (``coefs_`` and
        ``intercepts_``, fitted or set by hand) instead of new random ones.

    momentum : float, default=0.9
        Momentum of ``solver="sgd"``, in [0, 1].

    nesterovs_momentum : bool, default=True
        Whether ``solver="sgd"`` uses Nesterov's momentum.

    early_stopping : bool, default=False
        Whether to hold out ``validation_fraction`` of the training data
        (stratified) and stop when its accuracy stops improving; the weights
        of the best epoch are restored at the end.

    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping=True``.

    beta_1 : float, default=0.9
        Decay of Adam's first moment estimates, in [0, 1).

    beta_2 : float, default=0.999
        Decay of Adam's second moment estimates, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability term.

    n_iter_no_change : int, default=10
        Number of epochs without improvement by ``tol`` before stopping.

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, as a dict keyed by class label, or
        ``"balanced"`` for weights inversely proportional to class
        frequencies. They multiply ``sample_weight``."""

_ATTRIBUTES_DOC = """\
classes_ : ndarray of shape (2,)
        The two class labels, sorted; ``classes_[1]`` is the positive class.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit``, when ``X`` has string
        column names.

    coefs_ : list of ndarray
        The i-th element is the (fan_in, fan_out) weight matrix of layer i.

    intercepts_ : list of ndarray
        The i-th element is the (fan_out,) bias vector of layer i.

    n_iter_ : int
        Number of epochs run by the last call to ``fit`` or ``partial_fit``.

    t_ : int
        Number of training samples seen by the optimizer since the weights
        were initialised.

    loss_ : float
        Training loss of the last epoch (penalty included).

    loss_curve_ : list of float
        Training loss of every epoch; ``warm_start`` refits and ``partial_fit``
        calls append to it.

    best_loss_ : float or None
        Lowest training loss reached; None with ``early_stopping``.

    validation_scores_ : list of float or None
        Accuracy on the held-out set after every epoch with
        ``early_stopping``, else None.

    best_validation_score_ : float or None
        Best of ``validation_scores_``, or None without ``early_stopping``.

    validation_loss_curve_ : list of float or None
        Log-loss on the held-out set after every epoch with
        ``early_stopping``, else None.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units, always 1.

    out_activation_ : str
        Activation of the output unit, always ``"logistic"``."""


# Rows of the training data run through the final weights to detect divergence.
_DIVERGENCE_CHECK_ROWS = 1024

# Where a pickled estimator keeps the sklearn_binnet version that wrote it.
_VERSION_KEY = "_sklearn_binnet_version"


class InconsistentVersionWarning(UserWarning):
    """Warning raised when an estimator is unpickled by another package version.

    Every estimator of sklearn-binnet stores ``sklearn_binnet.__version__``
    when it is pickled (with :mod:`pickle`, :mod:`joblib` or
    :mod:`skops.io`); loading it under a different version warns, since the
    fitted state may not mean the same thing there. Refit the model, or load
    it with the version that wrote it.

    Parameters
    ----------
    estimator_name : str
        Name of the estimator's class.
    current_version : str
        The version of sklearn-binnet loading the estimator.
    original_version : str or None
        The version that pickled it; None when the pickle holds no version
        (written before versions were recorded).

    Attributes
    ----------
    estimator_name : str
        Name of the estimator's class.
    current_version : str
        The version of sklearn-binnet loading the estimator.
    original_version : str or None
        The version that pickled it, or None if unknown.

    See Also
    --------
    sklearn.exceptions.InconsistentVersionWarning : The warning of scikit-learn
        for its own estimators.

    Examples
    --------
    >>> from sklearn_binnet import InconsistentVersionWarning
    >>> warning = InconsistentVersionWarning(
    ...     estimator_name="NumpyBinaryMLP",
    ...     current_version="0.2.0",
    ...     original_version="0.1.0",
    ... )
    >>> print(warning)
    Trying to unpickle estimator NumpyBinaryMLP from sklearn-binnet version
    0.1.0 when using version 0.2.0. This might lead to breaking code or
    invalid results. Use at your own risk.
    """

    def __init__(self, *, estimator_name, current_version, original_version):
        self.estimator_name = estimator_name
        self.current_version = current_version
        self.original_version = original_version

    def __str__(self):
        original = (
            "an unknown sklearn-binnet version"
            if self.original_version is None
            else f"sklearn-binnet version {self.original_version}"
        )
        return (
            f"Trying to unpickle estimator {self.estimator_name} from {original} "
            f"when using version {self.current_version}. This might lead to "
            "breaking code or invalid results. Use at your own risk."
        )


def _fill_doc(cls):
    """Substitute the shared parameter and attribute texts into ``cls.__doc__``."""
    cls.__doc__ = cls.__doc__.replace("%(parameters)s", _PARAMETERS_DOC).replace(
        "%(attributes)s", _ATTRIBUTES_DOC
    )
    return cls


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


class BaseBinaryMLP(ClassifierMixin, BaseEstimator, metaclass=ABCMeta):
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
        "solver": [StrOptions({"sgd", "adam"})],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(numbers.Integral, 1, None, closed="left"),
            None,
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
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
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "beta_1": [Interval(numbers.Real, 0, 1, closed="left")],
        "beta_2": [Interval(numbers.Real, 0, 1, closed="left")],
        "epsilon": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
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

    # ------------------------------------------------------------------ hooks

    @abstractmethod
    def _train(
        self, coefs, intercepts, X, y, sample_weight, rng, batch_size, incremental
    ):
        """Train from ``coefs``/``intercepts``; call ``_end_epoch`` per epoch.

        The hook must leave the trained weights in ``coefs_`` and
        ``intercepts_`` and must not modify the arrays it is given, so that a
        failed fit can be rolled back.
        """

    @abstractmethod
    def _forward_logits(self, X):
        """Return the logits of validated ``X``, shape (n_samples,)."""

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

    def _layer_units(self, n_features):
        hidden = self.hidden_layer_sizes
        if isinstance(hidden, numbers.Integral):
            hidden = [hidden]
        hidden = list(hidden)
        if not all(isinstance(h, numbers.Integral) and h > 0 for h in hidden):
            raise ValueError(
                f"hidden_layer_sizes must contain positive integers, got {hidden}."
            )
        return [n_features, *(int(h) for h in hidden), 1]

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
            weights = compute_sample_weight(self.class_weight, y).astype(X.dtype)
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

    # ------------------------------------------------------------------- fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target labels; exactly two distinct values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples; None weighs all equally.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

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

    def _fit(self, X, y, sample_weight, *, incremental, classes=None):
        # Fitting never mutates an object that existed before the call (weights
        # are copied, lists rebuilt, the optimizer copied), so restoring the
        # attribute dict undoes a failed or interrupted fit completely.
        saved_state = dict(self.__dict__)
        try:
            self._fit_atomic(X, y, sample_weight, incremental, classes)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved_state)
            raise
        return self

    def _fit_atomic(self, X, y, sample_weight, incremental, classes):
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

        if self.early_stopping:
            X, y01, sample_weight = self._split_validation(X, y01, sample_weight, rng)
        else:
            self._validation = None

        n_samples = X.shape[0]
        if self.batch_size is None:
            batch_size = n_samples
        elif self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn(
                    f"Got batch_size={self.batch_size} larger than the "
                    f"{n_samples} training samples; it is clipped to {n_samples}.",
                    UserWarning,
                )
            batch_size = min(self.batch_size, n_samples)

        self.n_iter_ = 0
        self._stopped = False
        # A diverging run overflows on its way to inf/NaN; that is detected and
        # reported as one clear error below, not as a stream of RuntimeWarnings.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            self._train(
                coefs, intercepts, X, y01, sample_weight, rng, batch_size, incremental
            )
            self._end_training(incremental, X)

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
        arrays = [X, y01] if sample_weight is None else [X, y01, sample_weight]
        split = train_test_split(
            *arrays,
            random_state=rng,
            test_size=self.validation_fraction,
            stratify=y01,
        )
        X_train, X_val, y_train, y_val = split[:4]
        sw_train, sw_val = split[4:] if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase validation_fraction "
                "or the size of the dataset."
            )
        self._validation = (X_val, y_val, sw_val)
        return X_train, y_train, sw_train

    # --------------------------------------------------- epoch bookkeeping

    def _end_epoch(self, epoch_loss, n_samples):
        """Record an epoch and apply the stopping rules; return True to stop.

        Called by the backends after each pass over the training data, with
        the sample-averaged loss of the epoch (computed before each step).
        """
        if not math.isfinite(epoch_loss):
            self._raise_divergence(self.n_iter_ + 1)
        self.n_iter_ += 1
        self.t_ += n_samples
        self.loss_ = epoch_loss
        self.loss_curve_.append(epoch_loss)
        score = None

        if self._validation is not None:
            X_val, y_val, sw_val = self._validation
            logits = self._forward_logits(X_val)
            score = float(np.average((logits > 0) == y_val, weights=sw_val))
            self.validation_scores_.append(score)
            self.validation_loss_curve_.append(
                binary_log_loss_from_logits(y_val, logits, sw_val)
            )
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
        if self.verbose:
            # Formatted only when printed: this runs once per epoch.
            line = f"Epoch {self.n_iter_}, Loss: {epoch_loss:.8f}"
            if score is not None:
                line += f", Validation score: {score:.6f}"
            print(line)

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

    def _end_training(self, incremental, X):
        if not incremental and not self._stopped and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"Stochastic optimizer: maximum iterations ({self.max_iter}) reached "
                "and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        if self._validation is not None:
            self._set_weights(*self._best_weights)
        del self._validation, self._stopped
        # The last step is never followed by a loss evaluation: check that the
        # final weights are finite and still give finite logits (weights near
        # the float range overflow in the forward pass while being finite).
        coefs, intercepts = self._get_weights()
        if not all(np.isfinite(w).all() for w in coefs + intercepts) or not np.all(
            np.isfinite(self._forward_logits(X[:_DIVERGENCE_CHECK_ROWS]))
        ):
            self._raise_divergence(self.n_iter_)

    def _raise_divergence(self, epoch):
        raise ValueError(
            f"Training diverged at epoch {epoch}: the loss or the "
            "weights are no longer finite. Lower learning_rate_init (now "
            f"{self.learning_rate_init}) or scale the input features."
        )

    # ------------------------------------------------------------ predict

    def decision_function(self, X):
        """Return the logit of the positive class ``classes_[1]``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        logits : ndarray of shape (n_samples,)
            ``log(p / (1 - p))`` with ``p`` the probability of ``classes_[1]``,
            in the floating dtype of ``X`` (float64 for integer input).
        """
        check_is_fitted(self)
        # As in fit: non-finite X is a ValueError, not a RuntimeWarning first.
        with np.errstate(invalid="ignore"):
            X = validate_data(
                self,
                X,
                accept_sparse=("csr", "csc"),
                dtype=(np.float64, np.float32),
                reset=False,
            )
        return self._forward_logits(X).astype(X.dtype, copy=False)

    def predict_proba(self, X):
        """Return the probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            Probabilities of ``classes_[0]`` and ``classes_[1]``.
        """
        logits = self.decision_function(X)
        proba = np.empty((logits.shape[0], 2), dtype=logits.dtype)
        # sigmoid(-z) rather than 1 - sigmoid(z): keeps tiny probabilities exact.
        sigmoid(np.negative(logits), out=proba[:, 0])
        sigmoid(logits, out=proba[:, 1])
        return proba

    def predict_log_proba(self, X):
        """Return the log-probability of each class, finite for any finite logit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, 2)
            Log-probabilities of ``classes_[0]`` and ``classes_[1]``, computed
            from the logits so that they do not underflow to ``-inf``.
        """
        logits = self.decision_function(X)
        log_proba = np.empty((logits.shape[0], 2), dtype=logits.dtype)
        log_proba[:, 0] = log_sigmoid(-logits)
        log_proba[:, 1] = log_sigmoid(logits)
        return log_proba

    def predict(self, X):
        """Predict the class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            ``classes_[1]`` where the logit is positive, else ``classes_[0]``.
        """
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.intp)]

    # ------------------------------------------------------------ pickling

    def __getstate__(self):
        # Stamped with the package version, as scikit-learn stamps its own
        # estimators (which it does only for modules named ``sklearn.*``).
        from . import __version__

        state = dict(super().__getstate__())
        state[_VERSION_KEY] = __version__
        return state

    def __setstate__(self, state):
        from . import __version__

        state = dict(state)
        pickled_version = state.pop(_VERSION_KEY, None)
        if pickled_version != __version__:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_version=__version__,
                    original_version=pickled_version,
                )
            )
        super().__setstate__(state)


_fill_doc(BaseBinaryMLP)
