"""TorchBinaryMLP: the binary MLP as a PyTorch module, trained by skorch.

The estimator is the NumPy backend's twin: the base class validates the data,
draws the initial weights with NumPy and applies the stopping rules; this
module only says how the network is stored, run and trained in PyTorch, by a
skorch net (``net_``) held by composition.
"""

import copy

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils._param_validation import StrOptions

from .._base import BaseBinaryMLP
from .._docstrings import _fill_doc
from .._splitting import RowSubset
from ._data import _batches, _module_input, _TrainingData
from ._module import (
    _DTYPES,
    _NUMPY_DTYPES,
    BinaryMLPModule,
    _PenalizedBCELoss,
)
from ._net import (
    _BinaryNet,
    _check_callbacks,
    _copy_net,
    _History,
    _move_net,
    _probabilities,
)
from ._optimizers import _SklearnAdam, _SklearnAdamW, _SklearnSGD

_SOLVERS = {"sgd": _SklearnSGD, "adam": _SklearnAdam, "adamw": _SklearnAdamW}


def _check_device(device):
    """Return ``device`` as a torch.device, or raise a clear ValueError."""
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device, such as 'cpu' or 'cuda'."
        ) from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={str(device)!r} was requested but CUDA is not available "
            "(torch.cuda.is_available() is False). Pass device='cpu'."
        )
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(
            f"device={str(device)!r} was requested but MPS is not available "
            "(torch.backends.mps.is_available() is False). Pass device='cpu'."
        )
    return device


@_fill_doc
class TorchBinaryMLP(BaseBinaryMLP):
    """Binary classifier: a multi-layer perceptron in PyTorch, trained by skorch.

    The same estimator as :class:`NumpyBinaryMLP` (same parameters, initial
    weights, batch order, loss, optimizers and stopping rules, so that in
    float64 their loss curves agree to 1e-8 with SGD and 1e-6 with Adam, as
    the test suite checks), with the network held in a
    PyTorch module and trained by a skorch net, on a GPU if asked. The fitted
    net is ``net_``; ``coefs_`` and ``intercepts_`` are NumPy copies of its
    weights, and :func:`~sklearn_binnet.to_numpy` turns the fitted estimator
    into a :class:`NumpyBinaryMLP` that runs without PyTorch.

    Training runs in ``dtype`` whatever the dtype of ``X``; predictions are
    returned in the floating dtype of the ``X`` they are given.

    Parameters
    ----------
    %(parameters)s

    device : str or torch.device, default="cpu"
        Where the network is trained and run, e.g. ``"cuda"``. A model
        trained on a GPU is pickled with its parameters on the CPU, so that
        it loads and predicts on a machine without one (on the CPU).

    dtype : {"float32", "float64"}, default="float32"
        Floating dtype of the weights and of the training computations.

    callbacks : list of skorch callbacks or None, default=None
        Extra :mod:`skorch.callbacks`, called after the net's own
        bookkeeping: ``train_loss``, and with early stopping ``valid_loss``
        and ``valid_acc`` (``valid_score``, the ``scoring``, when it is not
        the accuracy), each with its ``*_best`` flag, are in
        ``net_.history`` by then. With early stopping, skorch predicts the
        validation set after each epoch, so callbacks on validation data
        (``EpochScoring``, ``Checkpoint``) see it; without it, such a
        callback is refused at ``fit``. A ``KeyboardInterrupt`` stops the
        fit early when skorch's ``EarlyStopping`` raises it, and aborts (and
        rolls back) the fit otherwise. The callbacks are copied at each fit;
        the fitted ones are in ``net_.callbacks_``, and the messages of
        those that print with ``sink=print`` show when ``verbose``.

    Attributes
    ----------
    %(attributes)s

    net_ : skorch.NeuralNetBinaryClassifier
        The skorch net that trained the network: ``net_.module_`` is the
        :class:`~torch.nn.Module`, ``net_.history`` the per-epoch record
        (of at most ``max_iter`` epochs after ``partial_fit`` calls).
        ``partial_fit`` continues from (a copy of) it, optimizer state
        included.

    See Also
    --------
    NumpyBinaryMLP : The same estimator in NumPy alone.
    sklearn.neural_network.MLPClassifier : Multi-class perceptron of
        scikit-learn, with the same parameters.

    Examples
    --------
    >>> from sklearn_binnet import TorchBinaryMLP
    >>> from sklearn_binnet.datasets import make_xor
    >>> X, y = make_xor(200, random_state=0)
    >>> clf = TorchBinaryMLP(hidden_layer_sizes=(16,), learning_rate_init=0.05,
    ...                      max_iter=300, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.95
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    >>> clf.net_.module_
    BinaryMLPModule(
      n_features_in=2, hidden_layer_sizes=(16,), activation='relu'
      ...
    )
    """

    _parameter_constraints: dict = {
        **BaseBinaryMLP._parameter_constraints,
        "device": [str, torch.device],
        "dtype": [StrOptions({"float32", "float64"})],
        "callbacks": [list, None],
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
        device="cpu",
        dtype="float32",
        callbacks=None,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            class_weight=class_weight,
            scoring=scoring,
            weight_decay=weight_decay,
            warmup_fraction=warmup_fraction,
            label_smoothing=label_smoothing,
            dropout=dropout,
        )
        self.device = device
        self.dtype = dtype
        self.callbacks = callbacks

    # ------------------------------------------------------------ training

    @property
    def _optimizer(self):
        # The base's epoch bookkeeping calls iteration_ends/trigger_stopping
        # on the net's optimizer; a property keeps a single copy of it.
        return self.net_.optimizer_

    def __sklearn_is_fitted__(self):
        # During a first fit the weights are in net_, and coefs_ comes at the
        # end; a scorer of early stopping predicts in between.
        return hasattr(self, "n_features_in_") and (
            hasattr(self, "coefs_") or hasattr(self, "net_")
        )

    def _fit_dtype(self, keep_weights):
        # X is converted once, to the training dtype, and the initial weights
        # are drawn in it.
        return np.dtype(self.dtype)

    def _build_net(self, n_features, dtype, device):
        """Return an initialized skorch net for this estimator's parameters."""
        if self.solver == "sgd":
            optimizer = _SklearnSGD
            optimizer_params = dict(
                optimizer__momentum=self.momentum,
                optimizer__nesterov=self.nesterovs_momentum,
                optimizer__lr_schedule=self.learning_rate,
                optimizer__power_t=self.power_t,
            )
        else:
            optimizer = _SOLVERS[self.solver]
            optimizer_params = dict(
                optimizer__beta_1=self.beta_1,
                optimizer__beta_2=self.beta_2,
                optimizer__epsilon=self.epsilon,
            )
            if self.solver == "adamw":
                optimizer_params["optimizer__weight_decay"] = self.weight_decay
        net = _BinaryNet(
            module=BinaryMLPModule,
            module__n_features_in=n_features,
            module__hidden_layer_sizes=self._layer_units(n_features)[1:-1],
            module__activation=self.activation,
            # The module's own draw is overwritten by the estimator's initial
            # weights; a fixed seed keeps it off NumPy's global generator.
            module__random_state=0,
            module__dtype=dtype,
            criterion=_PenalizedBCELoss,
            criterion__alpha=self.alpha,
            optimizer=optimizer,
            lr=self.learning_rate_init,
            **optimizer_params,
            max_epochs=self.max_iter,
            iterator_train=_batches,
            iterator_valid=_batches,
            train_split=None,
            callbacks=copy.deepcopy(self.callbacks),
            predict_nonlinearity=_probabilities,
            history=_History(),
            device=str(device),
        ).initialize()
        # Held-out rows are predicted in the chunks of ``_forward_logits``.
        net.iterator_valid__batch_size = net.module_.chunk_rows()
        return net

    def _reuse_net(self, coefs, dtype, device):
        """Return a copy of ``net_`` to continue from, or None if it cannot be."""
        net = getattr(self, "net_", None)
        if net is None or type(net.optimizer_) is not _SOLVERS[self.solver]:
            return None
        layers = net.module_.layers
        if layers[0].weight.dtype != dtype or [
            tuple(layer.weight.shape[::-1]) for layer in layers
        ] != [c.shape for c in coefs]:
            return None
        # A copy: the previous net and its optimizer state must survive a
        # failed call. As in NumpyBinaryMLP, the optimizer keeps its settings
        # and the activation and penalty follow the current parameters.
        # The history keeps the last max_iter epochs, the epoch to come
        # included, as after a fit: a stream of calls keeps a bounded record.
        net = _copy_net(net, max_epochs=max(self.max_iter - 1, 1))
        net.module_.activation = net.module__activation = self.activation
        net.criterion_.alpha = net.criterion__alpha = self.alpha
        if torch.device(net.device) != device:
            _move_net(net, device)
        return net

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
        features = X
        if train_rows is not None:
            # The data set covers the training rows of X, y and the weights
            # without copying them: each batch is gathered through the rows.
            features = RowSubset(X, train_rows)
            y = RowSubset(y, train_rows)
            if sample_weight is not None:
                sample_weight = RowSubset(sample_weight, train_rows)
        device = _check_device(self.device)
        dtype = _DTYPES[self.dtype]
        _check_callbacks(self.callbacks, self._validation is not None)
        net = self._reuse_net(coefs, dtype, device) if incremental else None
        if net is None:
            net = self._build_net(X.shape[1], dtype, device)
        net.module_.set_weights(coefs, intercepts)
        net.batch_size = batch_size
        # skorch's callbacks print to a print sink only when the net is verbose.
        net.verbose = int(self.verbose)
        self.net_ = net
        self._start_schedule(y.shape[0], batch_size)
        data = _TrainingData(
            features,
            y,
            sample_weight,
            dtype,
            device,
            rng if self.shuffle else None,
            self._dropout_masks(X, rng),
        )
        valid = None
        if self._validation is not None:
            # A RowSubset for the early-stopping split: not copied either.
            valid = _TrainingData(*self._validation, dtype, device, rng=None)
        net.train_epochs(data, 1 if incremental else self.max_iter, self, valid)
        self.coefs_, self.intercepts_ = net.module_.get_weights()

    # ----------------------------------------------------------- inference

    @torch.no_grad()
    def _forward_logits(self, X, rows=None):
        module = self.net_.module_
        weight = module.layers[0].weight
        # Computed in the wider of the dtypes of X and of the weights, as in
        # NumpyBinaryMLP: float64 input gets float64 arithmetic (and so the
        # same logits whatever the chunking) even from float32 weights.
        dtype = torch.promote_types(_DTYPES[X.dtype.name], weight.dtype)
        forward = module
        if dtype != weight.dtype:
            # A converted copy, not torch.func.functional_call: that swaps the
            # module's own parameters during the call, under the feet of any
            # other thread predicting with the same model.
            forward = copy.deepcopy(module).to(dtype)
        n_samples = X.shape[0] if rows is None else rows.shape[0]
        chunk = max(1, min(n_samples, module.chunk_rows()))
        if sp.issparse(X):
            X = X.tocsr()
        logits = np.empty(n_samples, dtype=_NUMPY_DTYPES[dtype])
        # On the CPU, every chunk is copied into one buffer (see _module_input).
        buffer = None
        if weight.device.type == "cpu":
            buffer = torch.empty((chunk, X.shape[1]), dtype=dtype)
        for start in range(0, n_samples, chunk):
            stop = start + chunk
            X_chunk = X[start:stop] if rows is None else X[rows[start:stop]]
            if sp.issparse(X_chunk):
                X_chunk = X_chunk.toarray()
            X_chunk = _module_input(X_chunk, dtype, weight.device, buffer)
            logits[start:stop] = forward(X_chunk).cpu().numpy()
        return logits

    def _validation_logits(self, X_val):
        # skorch has just predicted the held-out split, in the same chunks.
        return self.net_.validation_logits()

    def _get_weights(self):
        return self.net_.module_.get_weights()

    def _set_fitted_state(self, state, dtype):
        # The base takes the state; the weights then go into a new net.
        super()._set_fitted_state(state, dtype)
        net = self._build_net(
            self.n_features_in_, _DTYPES[self.dtype], _check_device(self.device)
        )
        net.module_.set_weights(self.coefs_, self.intercepts_)
        self.net_ = net

    def _set_weights(self, coefs, intercepts):
        self.net_.module_.set_weights(coefs, intercepts)
        self.coefs_, self.intercepts_ = self.net_.module_.get_weights()

    # ------------------------------------------------------------ pickling

    def __getstate__(self):
        # A copy: BaseEstimator.__getstate__ may return the instance __dict__.
        state = dict(super().__getstate__())
        net = state.get("net_")
        if net is not None and torch.device(net.device).type != "cpu":
            # Parameters and optimizer state are stored on the CPU, so that a
            # model trained on a GPU loads where there is none.
            state["net_"] = _move_net(_copy_net(net), "cpu")
        return state
