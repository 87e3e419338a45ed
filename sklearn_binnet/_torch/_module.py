"""The network and its loss as PyTorch modules.

``BinaryMLPModule`` computes the logit of the positive class,
``z = W_L a_{L-1} + b_L`` with ``a_l = f(W_l a_{l-1} + b_l)`` and
``a_0 = x``; layer ``l`` holds ``coefs_[l].T`` and ``intercepts_[l]`` of the
estimators. ``_PenalizedBCELoss`` is the mini-batch loss of both backends,
computed from the logits so that it is exact for any finite logit.
"""

import itertools
import numbers

import numpy as np
import torch
from sklearn.utils import check_random_state
from torch import nn
from torch.nn import functional as F

from .._base import _glorot_uniform_weights

_DTYPES = {"float32": torch.float32, "float64": torch.float64}
_NUMPY_DTYPES = {torch.float32: np.float32, torch.float64: np.float64}

# Rows per prediction chunk are chosen so that the widest layer of a chunk
# holds about this many values: on a GPU, large enough to keep it busy; on the
# CPU, where a chunk gains nothing from being large, small enough that its
# copies (the rows gathered for a validation batch, the activations) add
# little to the memory of the data (the NumPy backend uses ``1 << 17``).
_CHUNK_VALUES = 1 << 22
_CPU_CHUNK_VALUES = 1 << 19


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


class _ModeOnChange:
    """Mixin for our modules: ``train(mode)`` does nothing if the mode is set.

    skorch sets the mode of the module and the criterion before every batch,
    and ``nn.Module.train`` walks every submodule through the slow
    ``Module.__setattr__`` (10 us a batch). Our modules are only ever switched
    as a whole, so an unchanged mode at the top means an unchanged mode below.
    """

    def train(self, mode=True):
        if mode == self.training:
            return self
        return super().train(mode)


class BinaryMLPModule(_ModeOnChange, nn.Module):
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
    >>> from sklearn_binnet._torch import BinaryMLPModule
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

    def forward(self, X, masks=None):
        """Run the network.

        Parameters
        ----------
        X : Tensor of shape (n_samples, n_features_in)
            Input, in the dtype and on the device of the parameters.
        masks : list of Tensor of shape (n_samples, units), default=None
            Inverted-dropout masks that multiply the output of each hidden
            layer (in training, drawn by the estimator); None for none.

        Returns
        -------
        logits : Tensor of shape (n_samples,)
            Logit of the positive class of each sample.
        """
        activation = _ACTIVATIONS[self.activation]
        *hidden, output = self.layers
        for i, layer in enumerate(hidden):
            X = activation(layer(X))
            if masks is not None:
                X = X * masks[i]
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

    def chunk_rows(self):
        """Return how many rows to predict at once (see ``_CHUNK_VALUES``).

        Fewer on the CPU than on other devices (the device of the module's
        parameters).

        Returns
        -------
        rows : int
        """
        widest = max((self.n_features_in, *self.hidden_layer_sizes))
        on_cpu = self.layers[0].weight.device.type == "cpu"
        values = _CPU_CHUNK_VALUES if on_cpu else _CHUNK_VALUES
        return max(1, values // widest)

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


class _PenalizedBCELoss(_ModeOnChange, nn.Module):
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
            The penalised weight matrices; none gives the plain log-loss.

        Returns
        -------
        loss : Tensor of shape ()
        """
        loss = F.binary_cross_entropy_with_logits(
            logits, target, weight=sample_weight, reduction="sum"
        )
        if self.alpha and coefs:
            squares = coefs[0].square().sum()
            for W in coefs[1:]:
                squares = squares + W.square().sum()
            loss = loss + 0.5 * self.alpha * squares
        weight_sum = logits.shape[0] if sample_weight is None else sample_weight.sum()
        return loss / weight_sum

    def extra_repr(self):
        return f"alpha={self.alpha}"
