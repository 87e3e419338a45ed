"""Mini-batch order and epoch loss: the one rule that every backend follows.

Backend parity depends on both backends visiting the same rows in the same
batches and averaging the batch losses the same way, so both live here, free
of any array library but NumPy:

* ``MiniBatches`` holds the index order. At the start of each epoch it is
  shuffled in place with the estimator's ``RandomState`` (when shuffling), and
  batch ``k`` is ``order[k * batch_size:(k + 1) * batch_size]``; without
  shuffling it is the plain slice of rows. Shuffling indices, not the data,
  keeps memory flat, as scikit-learn's ``MLPClassifier`` does, and the same
  ``rng.shuffle`` calls give the same batches as ``MLPClassifier``.
* ``epoch_loss`` is the mean of the batch losses weighted by the batch sizes,
  ``sum_k J_k m_k / n_samples``, each ``J_k`` computed before its step.
"""

import numpy as np

# From this many rows, row indices are stored as int32 (see index_dtype).
_LARGE_DATA_ROWS = 1 << 20


def index_dtype(n_samples):
    """The integer dtype of row indices: int32 for large data, else ``intp``.

    From about a million rows, int32 halves the memory of the epoch-long
    index arrays (8 MB rather than 16 MB for 2,000,000 rows). Below, ``intp``
    is kept: NumPy converts other index dtypes on every gather, which costs
    more than the memory saved (a 200-row ``take`` 5 us instead of 3 us). The
    random draws that shuffle the indices do not depend on their dtype.
    """
    if _LARGE_DATA_ROWS <= n_samples <= np.iinfo(np.int32).max:
        return np.int32
    return np.intp


class MiniBatches:
    """The mini-batches of every epoch of a fit.

    Parameters
    ----------
    n_samples : int
        Number of training rows.
    batch_size : int
        Rows per batch; the last batch of an epoch may be smaller.
    rng : numpy.random.RandomState or None
        Shuffles the order at the start of each epoch; None keeps the rows in
        their order.
    rows : ndarray of int of shape (n_samples,), default=None
        Where the training rows are in the data: the training part of the
        early-stopping split, whose batches are then taken from the whole
        data without a copy of that part. The order is shuffled and batched
        as for a copy ``data[rows]``, so the batches hold the same rows.
        None: the training rows are rows ``0`` to ``n_samples - 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_binnet._batching import MiniBatches
    >>> batches = MiniBatches(5, 2, rng=None)
    >>> list(batches)
    [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    >>> shuffled = MiniBatches(5, 2, rng=np.random.RandomState(0))
    >>> [index.tolist() for index in shuffled]
    [[2, 0], [1, 3], [4]]
    """

    def __init__(self, n_samples, batch_size, rng, rows=None):
        self.n_samples = n_samples
        self.batch_size = batch_size
        self.rng = rng
        self.rows = rows
        self.order = np.arange(n_samples, dtype=index_dtype(n_samples))

    def __len__(self):
        return -(-self.n_samples // self.batch_size)

    def start_epoch(self):
        """Shuffle the order for a new epoch; return it, or None if unshuffled.

        Returns
        -------
        order : ndarray of shape (n_samples,) or None
            The row order of this epoch (shuffled in place, so the same array
            every epoch); None when the rows keep their order.
        """
        if self.rng is None:
            return None
        self.rng.shuffle(self.order)
        return self.order

    def slices(self):
        """Yield the position of each batch in the epoch's order.

        Yields
        ------
        batch : slice
            ``slice(start, stop)``; the batch is ``order[batch]``, or the rows
            ``batch`` themselves without shuffling.
        """
        n_samples, batch_size = self.n_samples, self.batch_size
        for start in range(0, n_samples, batch_size):
            yield slice(start, min(start + batch_size, n_samples))

    def __iter__(self):
        """Start an epoch and yield the rows of each batch.

        Yields
        ------
        index : slice or ndarray of int
            A slice of rows without shuffling (nor ``rows``), else the
            batch's row indices.
        """
        order, rows = self.start_epoch(), self.rows
        for batch in self.slices():
            if order is not None:
                batch = order[batch]
            # Gathered batch by batch: no epoch-long array of row indices.
            yield batch if rows is None else rows[batch]


def epoch_loss(batch_losses):
    """Return the loss of an epoch from the loss and size of each batch.

    Parameters
    ----------
    batch_losses : iterable of (float, int)
        ``(loss, n_rows)`` of each batch, in the order they were trained.

    Returns
    -------
    loss : float
        ``sum(loss * n_rows) / sum(n_rows)``, summed in batch order.
    n_samples : int
        ``sum(n_rows)``.

    Examples
    --------
    >>> from sklearn_binnet._batching import epoch_loss
    >>> epoch_loss([(0.5, 2), (2.0, 1)])
    (1.0, 3)
    """
    total, n_samples = 0.0, 0
    for loss, n_rows in batch_losses:
        total += loss * n_rows
        n_samples += n_rows
    return total / n_samples, n_samples


class DropoutMasks:
    """The inverted-dropout masks of each mini-batch, for every backend.

    Drawn in NumPy from the fit's ``RandomState``, one batch after the other
    in training order (after the epoch's shuffle), so that every backend
    trains with the same masks and a seeded fit is reproducible: the torch
    backend receives them as tensors.

    Parameters
    ----------
    rate : float
        Probability of dropping a unit, in (0, 1).
    hidden_units : list of int
        Width of each hidden layer.
    dtype : numpy dtype
        Dtype of the masks.
    rng : numpy.random.RandomState
        The generator to draw from.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_binnet._batching import DropoutMasks
    >>> masks = DropoutMasks(0.5, [3], np.float64, np.random.RandomState(0))
    >>> masks.draw(2)[0]
    array([[2., 2., 2.],
           [2., 0., 2.]])
    """

    def __init__(self, rate, hidden_units, dtype, rng):
        self.rate = rate
        self.hidden_units = list(hidden_units)
        self.dtype = dtype
        self.rng = rng

    def draw(self, n_rows):
        """Return the masks of the next batch of ``n_rows`` rows.

        Returns
        -------
        masks : list of ndarray of shape (n_rows, units)
            One per hidden layer: 0 for a dropped unit, ``1 / (1 - rate)``
            for a kept one, so that the expected output is unchanged.
        """
        scale = 1.0 / (1.0 - self.rate)
        masks = []
        for units in self.hidden_units:
            keep = self.rng.random_sample((n_rows, units)) >= self.rate
            masks.append(np.multiply(keep, scale, dtype=self.dtype))
        return masks
