"""Docstring fragments shared by every estimator, written once.

``_fill_doc`` substitutes them into the ``%(parameters)s`` and
``%(attributes)s`` placeholders of a class docstring, so that both backends
document the same parameters with the same words.
"""

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

    solver : {"sgd", "adam", "adamw"}, default="adam"
        The optimizer: stochastic gradient descent (with momentum and
        Nesterov's momentum) or Adam, both with scikit-learn's formulas, or
        AdamW, Adam with decoupled weight decay (``weight_decay``) following
        :class:`torch.optim.AdamW`'s update exactly (``epsilon`` is added to
        the bias-corrected root of the second moment, where ``"adam"``
        adds it before the correction, as scikit-learn does).

    alpha : float, default=1e-4
        Strength of the L2 penalty, ``0.5 * alpha * sum(||W||**2)`` divided by
        the summed sample weight of the mini-batch, as in
        :class:`~sklearn.neural_network.MLPClassifier`.

    batch_size : int, "auto" or None, default="auto"
        Size of the mini-batches. ``"auto"`` means ``min(200, n_samples)``;
        ``None`` means full-batch gradient descent.

    learning_rate : {"constant", "invscaling", "adaptive", "cosine"}, \
            default="constant"
        Learning-rate schedule: constant, divided by ``(t + 1) ** power_t``
        after each epoch (``t`` = samples seen), or divided by 5 each time
        the stopping rule fires, as in
        :class:`~sklearn.neural_network.MLPClassifier` (for ``"sgd"``;
        ignored by ``"adam"`` and ``"adamw"``); or ``"cosine"``, for every
        solver: after each mini-batch, the rate decays from
        ``learning_rate_init`` to 0 along a half cosine over ``max_iter``
        epochs, after a linear warm-up over ``warmup_fraction`` of those
        steps (the rates of :class:`torch.optim.lr_scheduler.CosineAnnealingLR`
        after a ``LinearLR`` warm-up). Early stopping may end it early; the
        stopping rule never changes it. ``partial_fit`` carries the step
        count on from call to call, a period being ``max_iter`` calls on
        data of the same size, and starts a new period after one ends.

    learning_rate_init : float, default=1e-3
        The initial learning rate. A rate too large for the data makes the fit
        diverge: it stops with a ``ValueError`` naming this parameter when the
        loss is not finite or is more than 1e6 times the initial network's
        loss (at least ``log(2)``).

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
        (stratified), or to use the validation set given to ``fit`` as
        ``X_val`` and ``y_val``, and stop when its ``scoring`` stops
        improving; the weights of the best epoch are restored at the end.
        With ``n_iter_no_change=np.inf`` every epoch is trained and the best
        one kept.

    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping=True``;
        ignored when ``fit`` is given ``X_val``.

    beta_1 : float, default=0.9
        Decay of Adam's first moment estimates, in [0, 1).

    beta_2 : float, default=0.999
        Decay of Adam's second moment estimates, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability term.

    n_iter_no_change : int or np.inf, default=10
        Number of epochs without improvement by ``tol`` before stopping.
        ``np.inf`` trains all ``max_iter`` epochs (with early stopping, the
        best epoch's weights are kept); ``max_iter`` is then a budget, and
        reaching it raises no ``ConvergenceWarning``.

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, as a dict keyed by class label, or
        ``"balanced"`` for weights inversely proportional to class
        frequencies. They multiply ``sample_weight``, and the weights of
        the validation set (``sample_weight_val`` of ``fit``), with the
        frequencies of the training data.

    scoring : str, callable or None, default=None
        What early stopping watches on the validation set, greater being
        better: ``None`` is the accuracy, as in
        :class:`~sklearn.neural_network.MLPClassifier`; ``"loss"`` is the
        negative log-loss (as scikit-learn's ``"neg_log_loss"``), computed
        from the logits; otherwise a scikit-learn scorer name such as
        ``"roc_auc"`` or ``"neg_brier_score"``, or a callable
        ``scorer(estimator, X, y)``, called after each epoch with the
        estimator, which then predicts with the weights of that epoch.
        Ignored without ``early_stopping``.

    weight_decay : float, default=0.0
        Decoupled weight decay of ``solver="adamw"``: each step first
        multiplies every parameter, biases included, by
        ``1 - lr * weight_decay``. Ignored by the other solvers. It comes on
        top of ``alpha``, which keeps its meaning (the L2 penalty in the
        loss, on the weight matrices only).

    warmup_fraction : float, default=0.0
        Share of the steps of ``learning_rate="cosine"``, in [0, 1), over
        which the rate first rises linearly, step ``k`` (from 0) of ``W``
        warm-up steps using ``learning_rate_init * (k + 1) / (W + 1)``.
        Ignored by the other schedules.

    label_smoothing : float, default=0.0
        Smoothing ``e`` of the training targets, in [0, 0.5): the network is
        trained towards ``y * (1 - e) + e / 2`` instead of 0 and 1. This
        regularises the output, which may help accuracy, at the cost of
        probabilities pulled towards 0.5 (a worse log-loss, and often a
        worse AUC): it is off by default for that reason. The validation
        log-loss and scores use the true labels.

    dropout : float, default=0.0
        Probability, in [0, 1), of dropping each hidden unit during
        training (inverted dropout: kept outputs are divided by
        ``1 - dropout``); prediction uses the whole network. The masks are
        drawn with NumPy from ``random_state``, after each epoch's
        shuffle, so that a seeded fit is reproducible and both backends
        use the same masks."""

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
        calls append to it. It is the loss of the training targets, smoothed
        with ``label_smoothing``, averaged over the batches as they were
        trained (with their ``dropout`` masks).

    best_loss_ : float or None
        Lowest training loss reached; None with ``early_stopping``.

    validation_scores_ : list of float or None
        The ``scoring`` of the validation set after every epoch with
        ``early_stopping`` (the accuracy by default, the negative log-loss
        for ``"loss"``), else None.

    best_validation_score_ : float or None
        Best of ``validation_scores_``, whose epoch's weights are the
        fitted ones, or None without ``early_stopping``.

    validation_loss_curve_ : list of float or None
        Log-loss of the validation set after every epoch with
        ``early_stopping``, whatever ``scoring`` is, else None.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units, always 1.

    out_activation_ : str
        Activation of the output unit, always ``"logistic"``."""


def _fill_doc(cls):
    """Substitute the shared parameter and attribute texts into ``cls.__doc__``."""
    cls.__doc__ = cls.__doc__.replace("%(parameters)s", _PARAMETERS_DOC).replace(
        "%(attributes)s", _ATTRIBUTES_DOC
    )
    return cls
