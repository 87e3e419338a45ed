"""TorchBinaryMLP: the binary MLP as a PyTorch module, trained by skorch.

The estimator is the NumPy backend's twin: the base class validates the data,
draws the initial weights with NumPy and applies the stopping rules; this
module only says how the network is stored, run and trained in PyTorch.

Training runs inside a skorch net (``net_``), by composition: skorch's own
epoch loop, batch steps and callbacks, with four seams filled in so that the
net follows ``NumpyBinaryMLP`` step for step and pays no per-sample cost:

* data: the training tensors are put on the device once, and each mini-batch
  is index-sliced from them (``_SlicedBatches``) in the order the NumPy
  backend visits the samples (the same calls to the same NumPy generator);
* loss: ``_PenalizedBCELoss``, the sample-weighted binary cross-entropy on
  the logits plus MLPClassifier's L2 penalty;
* optimizer: ``_SklearnSGD`` and ``_SklearnAdam``, ``torch.optim`` optimizers
  with scikit-learn's update formulas and learning-rate schedules;
* epoch end: the net hands each epoch's loss to the estimator's
  ``_end_epoch`` (history, verbose line, stopping rules) and stops when told.
"""

import copy
import itertools
import math
import numbers

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from skorch import NeuralNetBinaryClassifier
from skorch.callbacks import EpochTimer
from skorch.history import History
from torch import nn
from torch.nn import functional as F

from ._base import BaseBinaryMLP, _glorot_uniform_weights
from ._batching import MiniBatches, epoch_loss
from ._docstrings import _fill_doc
from ._training import _LearningRateSchedule

_DTYPES = {"float32": torch.float32, "float64": torch.float64}
_NUMPY_DTYPES = {torch.float32: np.float32, torch.float64: np.float64}

# Rows per prediction chunk are chosen so that the widest layer of a chunk
# holds about this many values: large enough to keep a GPU busy, small enough
# to bound the memory of a prediction on millions of rows.
_CHUNK_VALUES = 1 << 22


def _identity(Z):
    return Z


_ACTIVATIONS = {
    "identity": _identity,
    "logistic": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
}


def _to_tensor(array, dtype, device):
    """Copy a NumPy array into a new C-contiguous tensor of ``dtype`` on ``device``.

    A copy rather than a view: input arrays may be read-only (memory maps),
    which ``torch.from_numpy`` does not support. In C order whatever the
    order of the array: ``torch.tensor`` keeps the strides of a Fortran-ordered
    array (what a pandas DataFrame converts to), and matrix products on other
    strides round differently, so that the same data as a DataFrame and as an
    array would give different logits and, without shuffling, models.
    """
    return torch.tensor(np.ascontiguousarray(array), dtype=dtype, device=device)


def _training_X(array, dtype, device):
    """Return dense training data as a tensor to take batches from, or as is.

    Training only reads the data, and a copy would double the memory that a
    large data set takes. So on the CPU an aligned, C-contiguous array already
    in ``dtype`` is not copied: a writable one is wrapped in a tensor that
    shares its memory (``torch.from_numpy``); a read-only one (such as a
    memory map opened with ``mode="r"``), whose memory a tensor must not be
    given, is returned as it is, and each batch is copied from it. Anything
    else is copied to the device once, with ``_to_tensor``.
    """
    flags = array.flags
    if (
        device.type == "cpu"
        and array.dtype == _NUMPY_DTYPES[dtype]
        and flags.c_contiguous
        and flags.aligned
    ):
        return torch.from_numpy(array) if flags.writeable else array
    return _to_tensor(array, dtype, device)


# ---------------------------------------------------------------- the network


class BinaryMLPModule(nn.Module):
    """Multi-layer perceptron with one output logit, as a PyTorch module.

    ``len(hidden_layer_sizes) + 1`` ``nn.Linear`` layers, the hidden ones
    followed by ``activation``; the last one returns the logit of the
    positive class (no sigmoid: the loss and the probabilities are computed
    from logits). Layer ``i`` holds the weights of ``coefs_[i]`` and
    ``intercepts_[i]`` of the estimators, its ``weight`` being
    ``coefs_[i].T``.

    Parameters
    ----------
    n_features_in : int
        Number of input features.
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Units of the hidden layers.
    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation of the hidden layers.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, drawn with NumPy exactly as the estimators
        draw theirs (uniform Glorot; scikit-learn's scheme), so that the
        module built with ``random_state=0`` starts where
        ``NumpyBinaryMLP(random_state=0)`` does on the same data. PyTorch's
        global generator is never used.
    dtype : torch.dtype, default=None
        Dtype of the parameters; None means PyTorch's default dtype.
    device : str or torch.device, default=None
        Device of the parameters; None means the CPU.

    Attributes
    ----------
    layers : torch.nn.ModuleList
        The ``nn.Linear`` layers, input side first.

    See Also
    --------
    TorchBinaryMLP : The estimator that trains this module.

    Examples
    --------
    >>> import torch
    >>> from sklearn_binnet._torch_mlp import BinaryMLPModule
    >>> module = BinaryMLPModule(2, (4,), random_state=0)
    >>> module
    BinaryMLPModule(
      n_features_in=2, hidden_layer_sizes=(4,), activation='relu'
      (layers): ModuleList(
        (0): Linear(in_features=2, out_features=4, bias=True)
        (1): Linear(in_features=4, out_features=1, bias=True)
      )
    )
    >>> module(torch.zeros(3, 2)).shape
    torch.Size([3])
    """

    def __init__(
        self,
        n_features_in,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        random_state=None,
        dtype=None,
        device=None,
    ):
        super().__init__()
        if isinstance(hidden_layer_sizes, numbers.Integral):
            hidden_layer_sizes = (hidden_layer_sizes,)
        self.n_features_in = int(n_features_in)
        self.hidden_layer_sizes = tuple(int(h) for h in hidden_layer_sizes)
        self.activation = activation
        self.random_state = random_state
        units = [self.n_features_in, *self.hidden_layer_sizes, 1]
        # Built on the meta device and then given storage, so that nn.Linear's
        # own initialisation does not draw from PyTorch's global generator.
        self.layers = nn.ModuleList(
            nn.Linear(fan_in, fan_out, dtype=dtype, device="meta")
            for fan_in, fan_out in itertools.pairwise(units)
        )
        self.to_empty(device="cpu" if device is None else device)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw new initial weights from ``random_state``."""
        units = [self.n_features_in, *self.hidden_layer_sizes, 1]
        coefs, intercepts = _glorot_uniform_weights(
            units, self.activation, np.float64, check_random_state(self.random_state)
        )
        self.set_weights(coefs, intercepts)

    def forward(self, X):
        """Run the network.

        Parameters
        ----------
        X : Tensor of shape (n_samples, n_features_in)
            Input, in the dtype and on the device of the parameters.

        Returns
        -------
        logits : Tensor of shape (n_samples,)
            Logit of the positive class of each sample.
        """
        activation = _ACTIVATIONS[self.activation]
        *hidden, output = self.layers
        for layer in hidden:
            X = activation(layer(X))
        return output(X).squeeze(-1)

    def coefs(self):
        """Return the weight matrices, the parameters that the L2 penalty sees.

        Returns
        -------
        weights : list of Parameter
            The ``weight`` of each layer, shape (fan_out, fan_in); the biases
            are not penalised.
        """
        return [layer.weight for layer in self.layers]

    @torch.no_grad()
    def set_weights(self, coefs, intercepts):
        """Copy weights in the estimators' layout into the layers.

        Parameters
        ----------
        coefs : list of ndarray
            The (fan_in, fan_out) weight matrices.
        intercepts : list of ndarray
            The (fan_out,) bias vectors.
        """
        for layer, coef, intercept in zip(self.layers, coefs, intercepts):
            weight, bias = layer.weight, layer.bias
            weight.copy_(_to_tensor(np.asarray(coef).T, weight.dtype, weight.device))
            bias.copy_(_to_tensor(intercept, bias.dtype, bias.device))

    def get_weights(self):
        """Return NumPy copies of the weights in the estimators' layout.

        Returns
        -------
        coefs, intercepts : list of ndarray
            C-contiguous (fan_in, fan_out) matrices and (fan_out,) vectors.
        """
        coefs, intercepts = [], []
        for layer in self.layers:
            coefs.append(layer.weight.detach().cpu().numpy().T.copy())
            intercepts.append(layer.bias.detach().cpu().numpy().copy())
        return coefs, intercepts

    def extra_repr(self):
        return (
            f"n_features_in={self.n_features_in}, "
            f"hidden_layer_sizes={self.hidden_layer_sizes}, "
            f"activation={self.activation!r}"
        )


class _PenalizedBCELoss(nn.Module):
    """Mini-batch loss of the estimators, from the logits.

    ``J = (sum_i s_i * bce(z_i, y_i) + 0.5 * alpha * sum_l ||W_l||^2) / S``,
    with ``bce(z, y) = softplus(z) - y z`` (the cross-entropy of
    ``sigmoid(z)``, exact for any finite logit), sample weights ``s`` and
    ``S = sum_i s_i`` (the batch size without weights): MLPClassifier's
    penalty scaling.

    Parameters
    ----------
    alpha : float, default=1e-4
        Strength of the L2 penalty.
    """

    def __init__(self, alpha=1e-4):
        super().__init__()
        self.alpha = alpha

    def forward(self, logits, target, sample_weight=None, coefs=()):
        """Return the loss of one mini-batch.

        Parameters
        ----------
        logits : Tensor of shape (n_samples,)
        target : Tensor of shape (n_samples,)
            0 or 1.
        sample_weight : Tensor of shape (n_samples,) or None
        coefs : sequence of Tensor
            The penalised weight matrices.

        Returns
        -------
        loss : Tensor of shape ()
        """
        loss = F.binary_cross_entropy_with_logits(
            logits, target, weight=sample_weight, reduction="sum"
        )
        if self.alpha:
            squares = coefs[0].square().sum()
            for W in coefs[1:]:
                squares = squares + W.square().sum()
            loss = loss + 0.5 * self.alpha * squares
        weight_sum = logits.shape[0] if sample_weight is None else sample_weight.sum()
        return loss / weight_sum

    def extra_repr(self):
        return f"alpha={self.alpha}"


# ----------------------------------------------------------------- optimizers


class _GroupLearningRate(_LearningRateSchedule, torch.optim.Optimizer):
    """A torch optimizer whose rate the NumPy schedules can read and set.

    The rate lives in the parameter groups (``lr``, and ``initial_lr`` for the
    schedules), where torch keeps it across pickling; these properties expose
    it under the names ``_LearningRateSchedule`` uses.
    """

    @property
    def learning_rate(self):
        return self.param_groups[0]["lr"]

    @learning_rate.setter
    def learning_rate(self, value):
        for group in self.param_groups:
            group["lr"] = value

    @property
    def learning_rate_init(self):
        return self.param_groups[0]["initial_lr"]


class _SklearnSGD(_GroupLearningRate):
    """SGD with momentum and scikit-learn's schedules, as a torch optimizer.

    The step is the NumPy ``SGDOptimizer``'s, operation for operation, so that
    both backends round alike: ``step = lr * g``, ``v = mu * v - step``, then
    ``w -= step; w += mu * v`` (Nesterov) or ``w += v``. The learning rate
    lives in the parameter groups (where torch's schedulers look for it); the
    end-of-epoch rules (``iteration_ends``, ``trigger_stopping``) are the
    NumPy optimizers', inherited from ``_LearningRateSchedule``.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0.9,
        nesterov=True,
        lr_schedule="constant",
        power_t=0.5,
    ):
        # Everything is kept in the groups: torch pickles an optimizer as
        # (defaults, state, param_groups) and drops other attributes.
        defaults = dict(
            lr=lr,
            initial_lr=lr,
            momentum=momentum,
            nesterov=nesterov,
            lr_schedule=lr_schedule,
            power_t=power_t,
        )
        super().__init__(params, defaults)

    @property
    def lr_schedule(self):
        return self.param_groups[0]["lr_schedule"]

    @property
    def power_t(self):
        return self.param_groups[0]["power_t"]

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            steps = torch._foreach_mul([p.grad for p in params], group["lr"])
            momentum = group["momentum"]
            if momentum == 0:
                torch._foreach_sub_(params, steps)
                continue
            velocities = []
            for p in params:
                state = self.state[p]
                if "velocity" not in state:
                    state["velocity"] = torch.zeros_like(p)
                velocities.append(state["velocity"])
            torch._foreach_mul_(velocities, momentum)
            torch._foreach_sub_(velocities, steps)
            if group["nesterov"]:
                torch._foreach_sub_(params, steps)
                torch._foreach_add_(params, torch._foreach_mul(velocities, momentum))
            else:
                torch._foreach_add_(params, velocities)
        return loss


class _SklearnAdam(_GroupLearningRate):
    """Adam in scikit-learn's formulation, as a torch optimizer.

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``, then
    ``w -= lr_t * m / (sqrt(v) + eps)`` with the bias corrections folded into
    ``lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t)``: torch's own Adam puts ``eps``
    inside the corrected denominator instead, which gives other weights.
    ``t`` counts the steps and is shared by all parameters.
    """

    def __init__(self, params, lr=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        defaults = dict(
            lr=lr,
            initial_lr=lr,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            t=0,
        )
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            grads = [p.grad for p in params]
            beta_1, beta_2 = group["beta_1"], group["beta_2"]
            group["t"] += 1
            t = group["t"]
            means, squares = [], []
            for p in params:
                state = self.state[p]
                if "exp_avg" not in state:
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                means.append(state["exp_avg"])
                squares.append(state["exp_avg_sq"])
            torch._foreach_mul_(means, beta_1)
            torch._foreach_add_(means, torch._foreach_mul(grads, 1 - beta_1))
            torch._foreach_mul_(squares, beta_2)
            grad_squares = torch._foreach_mul(grads, grads)
            torch._foreach_mul_(grad_squares, 1 - beta_2)
            torch._foreach_add_(squares, grad_squares)
            lr_t = group["lr"] * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
            denominators = torch._foreach_sqrt(squares)
            torch._foreach_add_(denominators, group["epsilon"])
            updates = torch._foreach_div(means, denominators)
            torch._foreach_mul_(updates, lr_t)
            torch._foreach_sub_(params, updates)
        return loss


# ----------------------------------------------------------------------- data


class _TrainingData(torch.utils.data.Dataset):
    """The training set as tensors on the device, and the order of its visits.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        Dense input is put on the device once, or used in place (see
        ``_training_X``); sparse input stays a CSR matrix on the host and each
        batch is densified on its way.
    y : ndarray of shape (n_samples,)
        Targets, 0 or 1.
    sample_weight : ndarray of shape (n_samples,) or None
    dtype : torch.dtype
    device : torch.device
    rng : numpy.random.RandomState or None
        Shuffles the samples at the start of each epoch; None keeps their
        order.
    """

    def __init__(self, X, y, sample_weight, dtype, device, rng):
        self.sparse = sp.issparse(X)
        self.X = X.tocsr() if self.sparse else _training_X(X, dtype, device)
        # Batches of a sparse matrix or a read-only array are copied from the
        # host one by one.
        self.on_host = not isinstance(self.X, torch.Tensor)
        self.y = _to_tensor(y, dtype, device)
        self.sample_weight = (
            None if sample_weight is None else _to_tensor(sample_weight, dtype, device)
        )
        self.dtype = dtype
        self.device = device
        self.rng = rng
        # The batch order (``MiniBatches``), made by the first iterator.
        self.batches = None

    def __len__(self):
        return self.y.shape[0]

    def rows(self, index):
        """Return the batch ``(X, (y, sample_weight))`` of the given rows.

        Parameters
        ----------
        index : slice, ndarray or Tensor of int
            Rows to take; an index tensor must be on the device.
        """
        if self.on_host:
            rows = index.cpu().numpy() if isinstance(index, torch.Tensor) else index
            X = self.X[rows]
            X = _to_tensor(X.toarray() if self.sparse else X, self.dtype, self.device)
        elif isinstance(index, slice):
            X = self.X[index]
        else:
            X = self.X.index_select(0, index)
        if isinstance(index, slice):
            y = self.y[index]
            sw = None if self.sample_weight is None else self.sample_weight[index]
        else:
            y = self.y.index_select(0, index)
            sw = (
                None
                if self.sample_weight is None
                else self.sample_weight.index_select(0, index)
            )
        return X, (y, sw)


class _SlicedBatches:
    """skorch iterator over the mini-batches of a ``_TrainingData``.

    Replaces skorch's DataLoader, which fetches every sample on its own and
    collates them again into a batch; here a batch is one ``index_select`` on
    tensors already on the device (a plain slice when not shuffling).

    Parameters
    ----------
    dataset : _TrainingData
    batch_size : int
    """

    def __init__(self, dataset, batch_size):
        self.dataset = dataset
        self.batch_size = batch_size
        # The batch order of every backend, kept with the data set so that it
        # carries on from one epoch (one iterator) to the next.
        if dataset.batches is None or dataset.batches.batch_size != batch_size:
            dataset.batches = MiniBatches(len(dataset), batch_size, dataset.rng)

    def __len__(self):
        return len(self.dataset.batches)

    def __iter__(self):
        data, batches = self.dataset, self.dataset.batches
        order = batches.start_epoch()
        index = None
        # A single batch holds every sample whatever the order: the shuffle
        # above only keeps the generator in step with the NumPy backend.
        if order is not None and batches.batch_size < batches.n_samples:
            # One conversion per epoch; each batch is then a tensor slice.
            index = torch.from_numpy(order).to(data.device)
        for batch in batches.slices():
            yield data.rows(batch if index is None else index[batch])


# ------------------------------------------------------------------------ net


class _StopTraining(Exception):
    """The estimator's stopping rule fired; raised inside skorch's epoch loop."""


class _History(History):
    """skorch's History with constant-time access to one epoch.

    ``History.__getitem__`` copies the whole list before indexing, and skorch
    indexes the last epoch several times per batch: the copies make a fit
    quadratic in the number of epochs (15 us an epoch over 1000 epochs).
    """

    def __getitem__(self, i):
        if isinstance(i, int):
            return list.__getitem__(self, i)
        return super().__getitem__(i)


class _BinaryNet(NeuralNetBinaryClassifier):
    """The skorch net inside TorchBinaryMLP.

    Differs from ``NeuralNetBinaryClassifier`` only where the estimator needs
    it: batches are ``(X, (y, sample_weight))`` from ``_SlicedBatches``, the
    loss gets the sample weights and the penalised weights, the only default
    callback is the epoch timer (the estimator prints its own line), and each
    epoch ends with the estimator's bookkeeping, recorded in the history as
    ``train_loss`` (and ``valid_acc``, ``valid_loss`` with early stopping).
    """

    # Set by train_epochs while the estimator trains; these class defaults
    # keep skorch's own fit and partial_fit working on a fitted ``net_``.
    _estimator = None
    _stop = False

    @property
    def _default_callbacks(self):
        return [("epoch_timer", EpochTimer())]

    def initialize_history(self):
        if self.history_ is None or not isinstance(self.history_, _History):
            self.history_ = _History()
        else:
            self.history_.clear()
        return self

    def infer(self, x, **fit_params):
        if (
            isinstance(x, torch.Tensor)
            and not fit_params
            and x.device == self.module_.layers[0].weight.device
        ):
            # Training batches are already tensors on the device; skorch's
            # generic conversion (15 us a batch) is left to other input.
            return self.module_(x)
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if not isinstance(y_true, tuple):
            y_true = (y_true, None)
        y, sample_weight = y_true
        return self.criterion_(y_pred, y, sample_weight, self.module_.coefs())

    def _set_training(self, training=True):
        # skorch sets the mode before every batch, and nn.Module.train walks
        # every submodule through the slow Module.__setattr__ (10 us a batch).
        # Only a change of mode is passed on.
        if self.module_.training != training or self.criterion_.training != training:
            super()._set_training(training)

    def train_epochs(self, dataset, epochs, estimator):
        """Run up to ``epochs`` epochs of skorch's loop over ``dataset``.

        Unlike ``partial_fit``, a ``KeyboardInterrupt`` is not swallowed, so
        that an interrupted fit is rolled back like a failed one.

        Parameters
        ----------
        dataset : _TrainingData
        epochs : int
        estimator : TorchBinaryMLP
            Whose ``_end_epoch`` records each epoch and says when to stop.
        """
        self._estimator, self._stop = estimator, False
        try:
            self.notify("on_train_begin", X=dataset, y=None)
            try:
                self.fit_loop(dataset, None, epochs=epochs)
            except _StopTraining:
                pass
            self.notify("on_train_end", X=dataset, y=None)
        finally:
            # The estimator is referenced only while it trains: the fitted net
            # pickles and copies without it.
            del self._estimator, self._stop
        return self

    def notify(self, method_name, **cb_kwargs):
        if method_name != "on_epoch_end":
            return super().notify(method_name, **cb_kwargs)
        # The net's own epoch end (the estimator's bookkeeping, validation
        # and stopping rules) runs outside the try below: an interrupt there
        # is the user's, and aborts (and rolls back) the fit.
        self.on_epoch_end(self, **cb_kwargs)
        try:
            for _, callback in self.callbacks_:
                callback.on_epoch_end(self, **cb_kwargs)
        except KeyboardInterrupt as exc:
            # skorch's callbacks (EarlyStopping) stop training by raising
            # KeyboardInterrupt at the end of an epoch, which skorch's
            # partial_fit swallows; that stop is honoured here, while an
            # interrupt anywhere else still aborts (and rolls back) the fit.
            raise _StopTraining from exc

    def on_epoch_begin(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        # The stop is raised here, at the start of the next epoch, so that
        # every callback still sees the end of the last one.
        if self._stop:
            raise _StopTraining
        super().on_epoch_begin(net, dataset_train, dataset_valid, **kwargs)

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        # The epoch loss is the batch losses (each computed before its step)
        # weighted by the batch sizes, as in NumpyBinaryMLP. This hook runs
        # before the callbacks', so they see the epoch's record.
        history = self.history_
        loss, n_samples = epoch_loss(
            (batch["train_loss"], batch["train_batch_size"])
            for batch in history[-1]["batches"]
        )
        history.record("train_loss", loss)
        estimator = self._estimator
        if estimator is None:
            return
        self._stop = estimator._end_epoch(loss, n_samples)
        if estimator.validation_scores_ is not None:
            history.record("valid_acc", estimator.validation_scores_[-1])
            history.record("valid_loss", estimator.validation_loss_curve_[-1])


def _move_net(net, device):
    """Move a net's module, criterion and optimizer state to ``device``."""
    net.module_.to(device)
    net.criterion_.to(device)
    for state in net.optimizer_.state.values():
        for key, value in state.items():
            if isinstance(value, torch.Tensor):
                state[key] = value.to(device)
    net.device = str(device)
    return net


def _copy_net(net):
    """Return a deep copy of ``net`` that shares nothing mutable with it.

    The attributes are deep-copied one by one rather than the net as a whole,
    which skorch routes through its pickling (a serialisation of every tensor,
    and a DeviceWarning for a CUDA net on a machine without CUDA). One memo
    keeps the optimizer pointing at the copied module's parameters. The
    history is copied shallowly (new list, same finished epochs): the copy only
    appends epochs, and deep-copying every past batch record at each
    ``partial_fit`` would make a stream of calls quadratic.
    """
    history = net.history_
    memo = {} if history is None else {id(history): _History(history)}
    clone = object.__new__(type(net))
    clone.__dict__.update(copy.deepcopy(vars(net), memo))
    return clone


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


# ------------------------------------------------------------------ estimator


@_fill_doc
class TorchBinaryMLP(BaseBinaryMLP):
    """Binary classifier: a multi-layer perceptron in PyTorch, trained by skorch.

    The same estimator as :class:`NumpyBinaryMLP` (same parameters, initial
    weights, batch order, loss, optimizers and stopping rules, so the two
    follow each other to rounding in float64), with the network held in a
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
        Extra :mod:`skorch.callbacks`, called every epoch after the net's own
        bookkeeping (``train_loss``, and ``valid_acc`` and ``valid_loss``
        with early stopping, are in ``net_.history`` by then). They are
        copied at each fit; the fitted ones are in ``net_.callbacks_``.

    Attributes
    ----------
    %(attributes)s

    net_ : skorch.NeuralNetBinaryClassifier
        The skorch net that trained the network: ``net_.module_`` is the
        :class:`~torch.nn.Module`, ``net_.history`` the per-epoch record.
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
            optimizer = _SklearnAdam
            optimizer_params = dict(
                optimizer__beta_1=self.beta_1,
                optimizer__beta_2=self.beta_2,
                optimizer__epsilon=self.epsilon,
            )
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
            iterator_train=_SlicedBatches,
            train_split=None,
            callbacks=copy.deepcopy(self.callbacks),
            verbose=0,
            device=str(device),
        )
        return net.initialize()

    def _reuse_net(self, coefs, dtype, device):
        """Return a copy of ``net_`` to continue from, or None if it cannot be."""
        net = getattr(self, "net_", None)
        optimizer = _SklearnSGD if self.solver == "sgd" else _SklearnAdam
        if net is None or not isinstance(net.optimizer_, optimizer):
            return None
        layers = net.module_.layers
        if layers[0].weight.dtype != dtype or [
            tuple(layer.weight.shape[::-1]) for layer in layers
        ] != [c.shape for c in coefs]:
            return None
        # A copy: the previous net and its optimizer state must survive a
        # failed call. As in NumpyBinaryMLP, the optimizer keeps its settings
        # and the activation and penalty follow the current parameters.
        net = _copy_net(net)
        net.module_.activation = net.module__activation = self.activation
        net.criterion_.alpha = net.criterion__alpha = self.alpha
        if torch.device(net.device) != device:
            _move_net(net, device)
        return net

    def _train(
        self, coefs, intercepts, X, y, sample_weight, rng, batch_size, incremental
    ):
        device = _check_device(self.device)
        dtype = _DTYPES[self.dtype]
        net = self._reuse_net(coefs, dtype, device) if incremental else None
        if net is None:
            net = self._build_net(X.shape[1], dtype, device)
        net.module_.set_weights(coefs, intercepts)
        net.batch_size = batch_size
        self.net_ = net
        data = _TrainingData(
            X, y, sample_weight, dtype, device, rng if self.shuffle else None
        )
        net.train_epochs(data, 1 if incremental else self.max_iter, self)
        self.coefs_, self.intercepts_ = net.module_.get_weights()

    # ----------------------------------------------------------- inference

    @torch.no_grad()
    def _forward_logits(self, X):
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
        n_samples = X.shape[0]
        widest = max((module.n_features_in, *module.hidden_layer_sizes))
        chunk = max(1, min(n_samples, _CHUNK_VALUES // widest))
        if sp.issparse(X):
            X = X.tocsr()
        logits = np.empty(n_samples, dtype=_NUMPY_DTYPES[dtype])
        for start in range(0, n_samples, chunk):
            X_chunk = X[start : start + chunk]
            if sp.issparse(X_chunk):
                X_chunk = X_chunk.toarray()
            X_chunk = _to_tensor(X_chunk, dtype, weight.device)
            logits[start : start + chunk] = forward(X_chunk).cpu().numpy()
        return logits

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
