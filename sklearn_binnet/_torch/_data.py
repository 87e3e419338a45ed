"""The training data as tensors, and mini-batches sliced from them.

skorch's default ``DataLoader`` fetches every sample on its own and collates
them again into a batch (a per-sample cost that dominates small networks).
Here the data are put on the device once and each batch is one index
selection, in the order of every backend (``MiniBatches``). A batch is what
skorch expects from a data set of ``(X, y)``: ``(X, y)``, or, with sample
weights, ``({"X": X, "sample_weight": w}, y)``, the form skorch documents for
passing sample weights to the loss.
"""

import scipy.sparse as sp
import torch
from skorch.dataset import Dataset

from .._batching import MiniBatches
from ._module import _NUMPY_DTYPES, _to_tensor


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


class _TrainingData(Dataset):
    """A training (or validation) set on the device, as a skorch ``Dataset``.

    ``X`` and ``y`` are the features and the 0/1 targets, so that skorch's
    callbacks find them where they look for them (``EpochScoring`` without
    caching predicts ``X`` again); ``len`` and indexing of single samples are
    skorch's. The training loop takes whole batches with ``rows``.

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
    dropout : DropoutMasks or None, default=None
        Draws the dropout masks of each training batch, which then comes as
        ``({"X": X, "masks": masks, ...}, y)``.
    """

    def __init__(self, X, y, sample_weight, dtype, device, rng, dropout=None):
        self.sparse = sp.issparse(X)
        X = X.tocsr() if self.sparse else _training_X(X, dtype, device)
        super().__init__(X, _to_tensor(y, dtype, device), length=X.shape[0])
        # Batches of a sparse matrix or a read-only array are copied from the
        # host one by one.
        self.on_host = not isinstance(self.X, torch.Tensor)
        self.sample_weight = (
            None if sample_weight is None else _to_tensor(sample_weight, dtype, device)
        )
        self.dtype = dtype
        self.device = device
        self.rng = rng
        self.dropout = dropout
        # The batch order (``MiniBatches``), made by the first iterator.
        self.batches = None

    def rows(self, index):
        """Return the batch of the given rows, as skorch's step takes it.

        Parameters
        ----------
        index : slice, ndarray or Tensor of int
            Rows to take; an index tensor must be on the device.

        Returns
        -------
        batch : tuple
            ``(X, y)``, or ``({"X": X, "sample_weight": w}, y)`` with weights.
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
        if self.dropout is not None:
            masks = [
                _to_tensor(mask, self.dtype, self.device)
                for mask in self.dropout.draw(X.shape[0])
            ]
            batch = {"X": X, "masks": masks}
            if sw is not None:
                batch["sample_weight"] = sw
            return batch, y
        return (X, y) if sw is None else ({"X": X, "sample_weight": sw}, y)


class _SlicedBatches:
    """skorch iterator over the mini-batches of a ``_TrainingData``.

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
        # above only keeps the generator in step with the NumPy backend. Not
        # so with dropout, whose mask rows go with the rows in shuffled order.
        whole = batches.batch_size >= batches.n_samples and data.dropout is None
        if order is not None and not whole:
            # One conversion per epoch; each batch is then a tensor slice.
            index = torch.from_numpy(order).to(data.device)
        for batch in batches.slices():
            yield data.rows(batch if index is None else index[batch])


def _batches(dataset, batch_size):
    """The net's iterator: sliced batches of our data, skorch's loader otherwise.

    Other data sets reach the net when it predicts (``net_.predict_proba``)
    or when a callback predicts the training data again.
    """
    if isinstance(dataset, _TrainingData):
        return _SlicedBatches(dataset, batch_size)
    return torch.utils.data.DataLoader(dataset, batch_size=batch_size)
