"""The early-stopping split as row indices, without the memory of a copy.

``MLPClassifier`` holds out its early-stopping rows with
``train_test_split(X, y, stratify=y, ...)``, which copies the training part
of ``X``. sklearn-binnet draws the same rows, but keeps only their indices
(``_training._split_validation``): the training batches are then gathered
from ``X`` itself.

The held-out rows are not copied either: ``RowSubset`` names them, and the
validation pass of each epoch gathers them chunk by chunk.

``train_test_split`` on ``np.arange(n_samples)`` would give those indices,
but scikit-learn builds them through Python lists of NumPy integers, which
peak at about 80 bytes per row. ``stratified_rows`` makes the same random
draws, in the same order, with arrays only (about 30 bytes per row, freed
before training starts). ``tests/test_training_guards.py`` checks that the
two agree.
"""

import math

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils.extmath import _approximate_mode

from ._batching import index_dtype


class RowSubset:
    """Some rows of an array or sparse matrix, by index, without a copy.

    The parts of the early-stopping split: the held-out rows, predicted
    through their indices after each epoch (the backends'
    ``_forward_logits(data, rows)``), and in the torch backend the training
    rows, their targets and weights, batched through theirs. Copied only
    where something must be given an array (a scorer, a skorch callback).

    Parameters
    ----------
    data : ndarray or sparse matrix of shape (n_samples, n_features)
    rows : ndarray of int of shape (n_rows,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_binnet._splitting import RowSubset
    >>> subset = RowSubset(np.arange(6.0).reshape(3, 2), np.array([2, 0]))
    >>> subset.shape
    (2, 2)
    >>> subset.copy()
    array([[4., 5.],
           [0., 1.]])
    """

    def __init__(self, data, rows):
        self.data = data
        self.rows = rows

    @property
    def shape(self):
        """The shape of the rows' copy: ``(n_rows, *data.shape[1:])``."""
        return (self.rows.shape[0], *self.data.shape[1:])

    def copy(self):
        """Return the rows as a new array (or sparse matrix)."""
        return self.data[self.rows]


def stratified_rows(y01, test_size, rng):
    """Return the rows of ``train_test_split(..., stratify=y01)``, as indices.

    The same as ``train_test_split(np.arange(n_samples), test_size=test_size,
    stratify=y01, random_state=rng)`` (the draws of scikit-learn's
    ``StratifiedShuffleSplit``: each class's rows in a random order, then each
    part shuffled), for binary targets.

    Parameters
    ----------
    y01 : ndarray of shape (n_samples,)
        Targets, 0 or 1.
    test_size : float
        Fraction of the rows to hold out, in (0, 1).
    rng : numpy.random.RandomState
        The generator to draw from.

    Returns
    -------
    train_rows, test_rows : ndarray of int
        In ``index_dtype(n_samples)``: int32 for large data.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_binnet._splitting import stratified_rows
    >>> y = np.array([0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    >>> train, test = stratified_rows(y, 0.25, np.random.RandomState(0))
    >>> sorted(y[test].tolist())
    [0.0, 1.0]
    """
    n_samples = y01.shape[0]
    n_test = math.ceil(test_size * n_samples)
    n_train = n_samples - n_test
    dtype = index_dtype(n_samples)
    class_rows = [
        np.flatnonzero(y01 == label).astype(dtype, copy=False) for label in (0, 1)
    ]
    counts = np.array([rows.shape[0] for rows in class_rows])
    if counts.min() < 2 or min(n_train, n_test) < 2:
        # The cases scikit-learn refuses, or a class absent from y01 (a warm
        # start may see one class): its own code, errors and all.
        return train_test_split(
            np.arange(n_samples), test_size=test_size, stratify=y01, random_state=rng
        )
    train_counts = _approximate_mode(counts, n_train, rng)
    test_counts = _approximate_mode(counts - train_counts, n_test, rng)
    train_parts, test_parts = [], []
    for label, (n_class_train, n_class_test) in enumerate(
        zip(train_counts, test_counts)
    ):
        rows = class_rows[label].take(rng.permutation(counts[label]))
        class_rows[label] = None  # freed as soon as it is drawn from
        train_parts.append(rows[:n_class_train])
        test_parts.append(rows[n_class_train : n_class_train + n_class_test])
    # rng.shuffle in place: the draws of rng.permutation, without its copy.
    train_rows = np.concatenate(train_parts)
    del train_parts
    rng.shuffle(train_rows)
    test_rows = np.concatenate(test_parts)
    rng.shuffle(test_rows)
    return train_rows, test_rows
