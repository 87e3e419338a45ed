"""Conversion between the backends: train with PyTorch, serve with NumPy alone.

Both backends hold the same fitted state (``classes_``, ``coefs_``,
``intercepts_``, the training history), which the estimators themselves
give out and take in (``_get_fitted_state`` / ``_set_fitted_state`` of the
base), so a conversion builds an estimator of the other backend with the same
parameters and hands that state over; the torch backend loads the weights
into a fresh skorch net as it takes the state.

This module imports neither torch nor skorch: ``to_numpy`` runs, and its
result predicts, where they are not installed.
"""

import copy

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import BaseBinaryMLP
from ._numpy_mlp import NumpyBinaryMLP


def _check_source(estimator, function):
    if not isinstance(estimator, BaseBinaryMLP):
        raise TypeError(
            f"{function} converts a NumpyBinaryMLP or a TorchBinaryMLP, got "
            f"{type(estimator).__name__}."
        )
    check_is_fitted(estimator)


def _shared_params(estimator, target_class):
    """Deep copies of the parameters that ``target_class`` also has."""
    names = set(target_class._get_param_names())
    return {
        name: copy.deepcopy(value)
        for name, value in estimator.get_params(deep=False).items()
        if name in names
    }


def to_numpy(estimator):
    """Return a fitted :class:`NumpyBinaryMLP` equal to ``estimator``.

    The result has the same parameters (those of ``NumpyBinaryMLP``), weights
    (in their dtype), ``classes_``, ``n_features_in_``, ``feature_names_in_``
    and training history, and so the same predictions; it needs neither torch
    nor skorch, so a model trained with :class:`TorchBinaryMLP` (on a GPU,
    say) can be pickled and served where only NumPy is installed. Optimizer
    state is not carried over: ``partial_fit`` on the result starts a new
    optimizer from the converted weights.

    Parameters
    ----------
    estimator : NumpyBinaryMLP or TorchBinaryMLP
        A fitted estimator. A ``NumpyBinaryMLP`` is returned as a deep copy.

    Returns
    -------
    numpy_estimator : NumpyBinaryMLP
        A new fitted estimator that shares no state with ``estimator``.

    See Also
    --------
    to_torch : The conversion the other way.

    Examples
    --------
    >>> from sklearn_binnet import TorchBinaryMLP, to_numpy
    >>> from sklearn_binnet.datasets import make_xor
    >>> X, y = make_xor(200, random_state=0)
    >>> clf = TorchBinaryMLP(hidden_layer_sizes=(16,), learning_rate_init=0.05,
    ...                      max_iter=300, random_state=0).fit(X, y)
    >>> numpy_clf = to_numpy(clf)
    >>> numpy_clf
    NumpyBinaryMLP(hidden_layer_sizes=(16,), learning_rate_init=0.05, max_iter=300,
                   random_state=0)
    >>> bool((numpy_clf.predict(X) == clf.predict(X)).all())
    True
    """
    _check_source(estimator, "to_numpy")
    if isinstance(estimator, NumpyBinaryMLP):
        return copy.deepcopy(estimator)
    target = NumpyBinaryMLP(**_shared_params(estimator, NumpyBinaryMLP))
    target._set_fitted_state(
        estimator._get_fitted_state(), np.asarray(estimator.coefs_[0]).dtype
    )
    return target


def to_torch(estimator, **torch_params):
    """Return a fitted :class:`TorchBinaryMLP` equal to ``estimator``.

    The result has the same parameters, weights, ``classes_``,
    ``n_features_in_``, ``feature_names_in_`` and training history, and so the
    same predictions, with its network in a new skorch net (``net_``, with an
    empty skorch history and a new optimizer: ``partial_fit`` continues from
    the converted weights with a fresh optimizer state).

    Parameters
    ----------
    estimator : NumpyBinaryMLP or TorchBinaryMLP
        A fitted estimator.
    **torch_params : dict
        Parameters of :class:`TorchBinaryMLP` that ``NumpyBinaryMLP`` does not
        have: ``device``, ``dtype`` and ``callbacks``. ``dtype`` defaults to
        the dtype of the weights of ``estimator``, so that the weights are
        carried over exactly.

    Returns
    -------
    torch_estimator : TorchBinaryMLP
        A new fitted estimator that shares no state with ``estimator``.

    See Also
    --------
    to_numpy : The conversion the other way.

    Examples
    --------
    >>> from sklearn_binnet import NumpyBinaryMLP, to_torch
    >>> from sklearn_binnet.datasets import make_xor
    >>> X, y = make_xor(200, random_state=0)
    >>> clf = NumpyBinaryMLP(hidden_layer_sizes=(16,), learning_rate_init=0.05,
    ...                      max_iter=300, random_state=0).fit(X, y)
    >>> torch_clf = to_torch(clf, device="cpu")
    >>> torch_clf.dtype
    'float64'
    >>> bool((torch_clf.predict(X) == clf.predict(X)).all())
    True
    """
    # Imported here, through the package, so that without torch the error
    # says what to install.
    from . import TorchBinaryMLP

    _check_source(estimator, "to_torch")
    params = _shared_params(estimator, TorchBinaryMLP)
    weight_dtype = np.asarray(estimator.coefs_[0]).dtype
    params["dtype"] = "float64" if weight_dtype == np.float64 else "float32"
    params.update(torch_params)
    target = TorchBinaryMLP(**params)
    target._validate_params()
    # TorchBinaryMLP extends _set_fitted_state: it builds net_ from the state.
    target._set_fitted_state(estimator._get_fitted_state(), np.dtype(target.dtype))
    return target
