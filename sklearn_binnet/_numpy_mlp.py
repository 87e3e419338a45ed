"""NumpyBinaryMLP: forward and backward propagation written by hand in NumPy.

Notation, for a network with ``L`` weight layers and a batch of ``m`` samples:

* forward:  ``Z_l = A_{l-1} @ W_l + b_l``, ``A_l = f(Z_l)`` for the hidden layers,
  ``A_0 = X``, and the last layer gives the logits ``z = Z_L`` (no activation);
* loss:     ``J = sum_i s_i * (softplus(z_i) - y_i z_i) / S
  + 0.5 * alpha * sum_l ||W_l||^2 / S``, the binary cross-entropy of
  ``p = sigmoid(z)`` written from the logits, with sample weights ``s`` and
  ``S = sum_i s_i`` (``s = 1`` and ``S = m`` without weights);
* backward: ``dJ/dz_i = s_i (p_i - y_i) / S`` (sigmoid and cross-entropy
  cancel), then ``dJ/dW_l = (A_{l-1}^T D_l + alpha W_l) / S``,
  ``dJ/db_l = sum_i D_l[i] / S`` and ``D_{l-1} = (D_l @ W_l^T) * f'(Z_{l-1})``,
  with ``D_l`` the un-normalised error at layer ``l``;
* dropout: the hidden outputs become ``A_l * M_l`` (``M_l`` the batch's
  inverted-dropout mask), which the next layer and ``dW_{l+1}`` see, and the
  error becomes ``D_l = (D_{l+1} @ W_{l+1}^T) * M_l * f'(Z_l)``, ``f'`` being
  computed from the unmasked ``A_l``; label smoothing only changes ``y``.

All weights live in one flat vector (coefficients first, then intercepts);
``coefs_`` and ``intercepts_`` are views into it.  The optimizer therefore
updates every parameter with a few vector operations, and all the buffers of
a mini-batch are allocated once per fit.
"""

import copy

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.utils.extmath import safe_sparse_dot

from ._activations import ACTIVATIONS, DERIVATIVES
from ._base import BaseBinaryMLP
from ._batching import MiniBatches, epoch_loss
from ._docstrings import _fill_doc
from ._inference import forward_logits
from ._optimizers import AdamOptimizer, AdamWOptimizer, SGDOptimizer

_SOLVERS = {"sgd": SGDOptimizer, "adam": AdamOptimizer, "adamw": AdamWOptimizer}

# Rows of a prediction chunk are chosen so that the widest hidden layer of the
# chunk holds about this many values: small enough to stay in cache, large
# enough for efficient matrix products.
_CHUNK_VALUES = 1 << 17


def _pack(coefs, intercepts, dtype):
    """Copy weights into one new flat vector; return it and views of it.

    Returns
    -------
    flat : ndarray of shape (n_params,)
    coef_views, intercept_views : list of ndarray
        Views into ``flat`` with the shapes of ``coefs`` and ``intercepts``.
    """
    shapes = [np.shape(c) for c in coefs] + [np.shape(b) for b in intercepts]
    flat = np.empty(sum(int(np.prod(s)) for s in shapes), dtype=dtype)
    views, start = [], 0
    for shape, values in zip(shapes, [*coefs, *intercepts]):
        size = int(np.prod(shape))
        view = flat[start : start + size].reshape(shape)
        view[...] = values
        views.append(view)
        start += size
    return flat, views[: len(coefs)], views[len(coefs) :]


class _Backprop:
    """Loss and gradient of one mini-batch, with buffers allocated once.

    Calling the object runs the forward and backward passes of the module
    docstring on the estimator's current weights (``coefs_``, ``intercepts_``,
    views into ``params``), writes the gradient into ``grads`` and returns the
    batch loss, penalty included.

    Parameters
    ----------
    estimator : NumpyBinaryMLP
        Source of the weights, ``activation`` and ``alpha``.
    params : ndarray of shape (n_params,)
        The flat weights that ``coefs_`` and ``intercepts_`` view.
    batch_size : int
        The largest batch the buffers must hold.
    X : {ndarray, sparse matrix}
        Training data; only its dtype, width and sparsity are used.
    """

    def __init__(self, estimator, params, batch_size, X):
        self.coefs = estimator.coefs_
        self.intercepts = estimator.intercepts_
        self.activation = ACTIVATIONS[estimator.activation]
        self.derivative = DERIVATIVES[estimator.activation]
        self.alpha = estimator.alpha
        self.sparse = sp.issparse(X)
        dtype = params.dtype
        self.grads, self.coef_grads, self.intercept_grads = _pack(
            self.coefs, self.intercepts, dtype
        )
        n_coef_values = sum(c.size for c in self.coefs)
        self.coef_values = params[:n_coef_values]
        self.coef_grad_values = self.grads[:n_coef_values]
        self.coef_scratch = np.empty_like(self.coef_values)
        units = [W.shape[1] for W in self.coefs]
        # outputs[l] holds Z_{l+1}, then A_{l+1}; errors[l] holds D_{l+1}.
        self.outputs = [np.empty((batch_size, u), dtype=dtype) for u in units]
        self.errors = [np.empty((batch_size, u), dtype=dtype) for u in units]
        # With dropout, dropped[l] holds A_{l+1} * mask, and outputs[l] keeps
        # A_{l+1}, from which the derivative of the activation is computed.
        self.dropped = (
            [np.empty((batch_size, u), dtype=dtype) for u in units[:-1]]
            if estimator.dropout
            else None
        )
        self.per_sample = np.empty(batch_size, dtype=dtype)
        # Column sums as products with a vector of ones: BLAS is several times
        # faster than a reduction along the first axis of a narrow array.
        self.ones = np.ones(batch_size, dtype=dtype)
        self.product = np.empty(batch_size, dtype=dtype)
        self._views = {}

    def _workspace(self, m):
        """Views of the buffers for a batch of ``m`` rows, made once per size.

        A fit sees at most two batch sizes (the full one and the last one), so
        caching the views saves a dozen slicing operations per step.
        """
        views = self._views.get(m)
        if views is None:
            outputs = [buffer[:m] for buffer in self.outputs]
            errors = [buffer[:m] for buffer in self.errors]
            dropped = self.dropped and [buffer[:m] for buffer in self.dropped]
            views = self._views[m] = (
                outputs,
                dropped,
                errors,
                outputs[-1][:, 0],
                errors[-1][:, 0],
                self.per_sample[:m],
                self.product[:m],
                self.ones[:m],
            )
        return views

    def __call__(self, X, y, sample_weight=None, masks=None):
        """Run the forward and backward passes on one mini-batch.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (m, n_features)
            The mini-batch, at most ``batch_size`` rows.
        y : ndarray of shape (m,)
            Targets, 0 or 1, in the dtype of the weights.
        sample_weight : ndarray of shape (m,), default=None
            Weights of the samples; None weighs every sample by one.
        masks : list of ndarray of shape (m, units), default=None
            Inverted-dropout masks of the hidden layers (``DropoutMasks``),
            which multiply their outputs and, in the backward pass, their
            errors; None trains without dropout.

        Returns
        -------
        loss : float
            The penalised loss ``J`` of the batch; its gradient with respect
            to the flat weights is left in ``grads``.
        """
        m = X.shape[0]
        outputs, dropped, errors, logits, output_error, per_sample, product, ones = (
            self._workspace(m)
        )
        inputs = outputs if masks is None else dropped
        coefs, intercepts = self.coefs, self.intercepts
        last = len(coefs) - 1

        A = X
        for layer, Z in enumerate(outputs):
            if layer == 0 and self.sparse:
                Z[...] = safe_sparse_dot(A, coefs[0])
            else:
                np.matmul(A, coefs[layer], out=Z)
            Z += intercepts[layer]
            if layer < last:
                self.activation(Z)
                if masks is not None:
                    Z = np.multiply(Z, masks[layer], out=dropped[layer])
            A = Z

        # Per-sample loss softplus(z) - y z; its derivative is sigmoid(z) - y.
        np.logaddexp(0, logits, out=per_sample)
        per_sample -= np.multiply(y, logits, out=product)
        delta = errors[-1]
        expit(A, out=delta)
        output_error -= y
        if sample_weight is None:
            weight_sum = m
            loss = float(np.dot(ones, per_sample))
        else:
            weight_sum = float(np.dot(ones, sample_weight))
            loss = float(np.dot(sample_weight, per_sample))
            output_error *= sample_weight

        for layer in range(last, -1, -1):
            A_prev = inputs[layer - 1] if layer else X
            if layer == 0 and self.sparse:
                self.coef_grads[0][...] = safe_sparse_dot(X.T, delta)
            else:
                np.matmul(A_prev.T, delta, out=self.coef_grads[layer])
            np.dot(ones, delta, out=self.intercept_grads[layer])
            if layer:
                previous = errors[layer - 1]
                W = coefs[layer]
                if W.shape[1] == 1:
                    # The output unit: an outer product, exact either way, but
                    # a broadcast multiply is ~3x faster than BLAS's gemm with
                    # an inner dimension of one.
                    np.multiply(delta, W.T, out=previous)
                else:
                    np.matmul(delta, W.T, out=previous)
                if masks is not None:
                    previous *= masks[layer - 1]
                self.derivative(outputs[layer - 1], previous)
                delta = previous

        if self.alpha:
            penalty = np.multiply(self.coef_values, self.alpha, out=self.coef_scratch)
            self.coef_grad_values += penalty
            loss += 0.5 * self.alpha * float(np.dot(self.coef_values, self.coef_values))
        self.grads /= weight_sum
        return loss / weight_sum


@_fill_doc
class NumpyBinaryMLP(BaseBinaryMLP):
    """Binary classifier: a multi-layer perceptron with hand-written backprop.

    The network maps the features through ``len(hidden_layer_sizes)`` hidden
    layers to one logistic output unit, and is trained on the binary
    cross-entropy (plus an L2 penalty) by mini-batch SGD or Adam. Forward and
    backward propagation are written out in NumPy, without automatic
    differentiation. Parameters, defaults and fitted attributes follow
    :class:`~sklearn.neural_network.MLPClassifier`, so the two can be swapped
    on a binary problem, except that there is no ``lbfgs`` solver (nor
    ``max_fun``), more than two classes are refused, and ``verbose`` prints
    ``Epoch N, Loss: L`` lines of its own.

    Float32 input is trained and predicted in float32; other input in float64.

    Parameters
    ----------
    %(parameters)s

    Attributes
    ----------
    %(attributes)s

    See Also
    --------
    sklearn.neural_network.MLPClassifier : Multi-class perceptron of
        scikit-learn, with the same parameters.
    sklearn_binnet.datasets.make_xor : The XOR-like data of the tutorial.

    Examples
    --------
    >>> from sklearn_binnet import NumpyBinaryMLP
    >>> from sklearn_binnet.datasets import make_xor
    >>> X, y = make_xor(200, random_state=0)
    >>> clf = NumpyBinaryMLP(hidden_layer_sizes=(16,), learning_rate_init=0.05,
    ...                      max_iter=300, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.95
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    # ------------------------------------------------------------ training

    def _make_optimizer(self, flat, incremental):
        optimizer = getattr(self, "_optimizer", None)
        solver_class = _SOLVERS[self.solver]
        reusable = (
            incremental
            and type(optimizer) is solver_class
            and optimizer._scratch.shape == flat.shape
            and optimizer._scratch.dtype == flat.dtype
        )
        if reusable:
            # A copy: the previous state must survive a failed call.
            return copy.deepcopy(optimizer)
        if self.solver == "sgd":
            return SGDOptimizer(
                flat,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
            )
        if self.solver == "adamw":
            return AdamWOptimizer(
                flat,
                self.learning_rate_init,
                self.beta_1,
                self.beta_2,
                self.epsilon,
                self.weight_decay,
            )
        return AdamOptimizer(
            flat, self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon
        )

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
        if sp.issparse(X):
            X = X.tocsr()
        params, self.coefs_, self.intercepts_ = _pack(coefs, intercepts, X.dtype)
        self._optimizer = self._make_optimizer(params, incremental)
        n_samples = X.shape[0] if train_rows is None else train_rows.shape[0]
        self._start_schedule(n_samples, batch_size)
        backprop = _Backprop(self, params, batch_size, X)
        X_buffer = (
            None if backprop.sparse else np.empty((batch_size, X.shape[1]), X.dtype)
        )
        batches = MiniBatches(
            n_samples, batch_size, rng if self.shuffle else None, train_rows
        )
        dropout = self._dropout_masks(X, rng)
        masks = None

        for _ in range(1 if incremental else self.max_iter):
            batch_losses = []
            for batch in batches:
                if isinstance(batch, slice) or backprop.sparse:
                    X_batch = X[batch]
                else:
                    X_batch = np.take(
                        X, batch, axis=0, out=X_buffer[: len(batch)], mode="clip"
                    )
                sw_batch = None if sample_weight is None else sample_weight[batch]
                if dropout is not None:
                    masks = dropout.draw(X_batch.shape[0])
                batch_loss = backprop(X_batch, y[batch], sw_batch, masks)
                batch_losses.append((batch_loss, X_batch.shape[0]))
                self._optimizer.update_params(params, backprop.grads)

            if self._end_epoch(*epoch_loss(batch_losses)):
                break

    # ----------------------------------------------------------- inference

    def _forward_logits(self, X, rows=None):
        if sp.issparse(X):
            X = X.tocsr()
        n_samples = X.shape[0] if rows is None else rows.shape[0]
        widest = max((W.shape[1] for W in self.coefs_[:-1]), default=1)
        chunk = max(1, min(n_samples, _CHUNK_VALUES // widest))
        return forward_logits(
            X, self.coefs_, self.intercepts_, ACTIVATIONS[self.activation], chunk, rows
        )

    def _get_weights(self):
        return [c.copy() for c in self.coefs_], [b.copy() for b in self.intercepts_]

    def _set_weights(self, coefs, intercepts):
        for target, values in zip(self.coefs_ + self.intercepts_, coefs + intercepts):
            target[...] = values
