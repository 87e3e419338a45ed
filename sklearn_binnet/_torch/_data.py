"""The training data as tensors, and mini-batches sliced from them.

skorch's default ``DataLoader`` fetches every sample on its own and collates
them again into a batch (a per-sample cost that dominates small networks).
Here the data are put on the device once and each batch is one index
selection, in the order of every backend (``MiniBatches``). A batch is what
skorch expects from a data set of ``(X, y)``: ``(X, y)``, or, with sample
weights, ``({"X": X, "sample_weight": w}, y)``, the form skorch documents for
passing sample weights to the loss.

A data set may cover some rows of its data only (the two parts of the
early-stopping split): its features, targets and weights may each be a
``RowSubset`` of a larger array, all of the same rows, whose batches are then
gathered from the whole array through the rows' indices, so that the split
copies nothing.
"""

import numpy as np
import scipy.sparse as sp
import torch
from skorch.dataset import Dataset

from .._batching import MiniBatches
from .._splitting import RowSubset
from ._module import _NUMPY_DTYPES, _to_tensor


def _in_place(array, dtype, device):
    """Whether batches can be taken from ``array`` itself, without a copy."""
    flags = array.flags
    return (
        device.type == "cpu"
        and array.dtype == _NUMPY_DTYPES[dtype]
        and flags.c_contiguous
        and flags.aligned
    )


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
    if _in_place(array, dtype, device):
        return torch.from_numpy(array) if array.flags.writeable else array
    return _to_tensor(array, dtype, device)


def _covered(value):
    """Return ``(data, rows)`` of a ``RowSubset``, else ``(value, None)``."""
    if isinstance(value, RowSubset):
        return value.data, value.rows
    return value, None


def _target_tensor(array, rows, dtype, device):
    """Return 1-d targets or weights as a tensor, and the rows to gather, if any.

    They are only read, like the features: a writable array usable in place
    is shared with a tensor (``torch.from_numpy``), its ``rows`` (None: all)
    gathered batch by batch. Anything else is copied, of the rows only, which
    the copy then holds in order (and None is returned as its rows).
    """
    if array is None:
        return None, None
    if _in_place(array, dtype, device) and array.flags.writeable:
        return torch.from_numpy(array), rows
    if rows is not None:
        array = array[rows]
    return _to_tensor(array, dtype, device), None


def _take(tensor, index):
    """Return the rows ``index`` (a slice or an index tensor) of ``tensor``."""
    if isinstance(index, slice):
        return tensor[index]
    return tensor.index_select(0, index)


def _module_input(array, dtype, device, buffer=None):
    """Return a chunk of dense data as a tensor to run through the module.

    On the CPU the chunk is copied into ``buffer``, a tensor reused from chunk
    to chunk: no new memory per chunk, and every chunk starts on the
    tensor's own alignment. A view of the data would start wherever the
    data does, and MKL's products round differently on rows that start off a
    16-byte boundary (measured with float32 and float64), so the logits of
    the same rows would depend on where they lie in memory. Without a buffer
    (other devices), a new copy on the device.

    Parameters
    ----------
    array : ndarray of shape (n_rows, n_features)
    dtype : torch.dtype
    device : torch.device
    buffer : Tensor of shape (at least n_rows, n_features) or None
        On the CPU, in ``dtype``.
    """
    if buffer is None:
        return _to_tensor(array, dtype, device)
    chunk = buffer[: array.shape[0]]
    np.copyto(chunk.numpy(), array, casting="same_kind")
    return chunk


class _TrainingData(Dataset):
    """A training (or validation) set on the device, as a skorch ``Dataset``.

    ``X`` and ``y`` are the features and the 0/1 targets of the rows covered,
    so that skorch's callbacks find them where they look for them
    (``EpochScoring`` without caching predicts ``X`` again and reads ``y``);
    ``len`` is the number of rows covered and indexing gives single samples
    as skorch's ``Dataset`` does. The training loop takes whole batches with
    ``rows``.

    skorch's ``Dataset.__init__`` is not called: it stores ``X`` and ``y`` as
    given, where here they are properties, copies of the rows covered made
    only if a callback reads them; the attributes it sets besides are read
    only by its ``__len__`` and ``__getitem__``, which are replaced.

    ``X``, ``y`` and ``sample_weight`` may each be a ``RowSubset`` of a larger
    array, all of the same rows (the rows covered), or an array of the rows
    covered only.

    Parameters
    ----------
    X : ndarray, sparse matrix or RowSubset of shape (n_rows, n_features)
        Dense input is put on the device once, or used in place (see
        ``_training_X``); sparse input stays a CSR matrix on the host and each
        batch is densified on its way. A ``RowSubset`` used in place has each
        batch gathered from its data through the rows' indices; else only its
        rows are put on the device.
    y : ndarray or RowSubset of shape (n_rows,)
        Targets, 0 or 1 (or smoothed); shared or copied as
        ``_target_tensor`` says.
    sample_weight : ndarray, RowSubset of shape (n_rows,) or None
        Likewise.
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
        parts = [_covered(value) for value in (X, y, sample_weight)]
        (X, rows), (y, y_rows), (sample_weight, w_rows) = parts
        # The rows covered, the same for every RowSubset given (None: all).
        covered = next((r for _, r in parts if r is not None), None)
        for _, other in parts:
            if other is not None and other is not covered:
                if not np.array_equal(other, covered):
                    raise ValueError("The RowSubsets of a data set differ in rows.")
        self.covered_rows = covered
        self.n_rows = X.shape[0] if rows is None else rows.shape[0]
        self.sparse = sp.issparse(X)
        if self.sparse:
            X = X.tocsr()
        else:
            if rows is not None and not _in_place(X, dtype, device):
                # A copy is made anyway (to the dtype or the device): of the
                # rows covered only, which are then all of it.
                X, rows = X[rows], None
            X = _training_X(X, dtype, device)
        # All of the data; ``data_rows`` (or None: all) are the rows covered.
        self.data = X
        self.data_rows = rows
        # Batches of a sparse matrix or a read-only array are copied from the
        # host one by one.
        self.on_host = not isinstance(X, torch.Tensor)
        # Targets and weights: of all the rows of their arrays where
        # ``*_gathered``, else of the rows covered only.
        self.targets, y_rows = _target_tensor(y, y_rows, dtype, device)
        self.weights, w_rows = _target_tensor(sample_weight, w_rows, dtype, device)
        self.y_gathered = y_rows is not None
        self.weights_gathered = w_rows is not None
        # The rows as a tensor, to map batch positions to rows on the device
        # (of every tensor gathered through them).
        gathered = (
            self.y_gathered
            or self.weights_gathered
            or (rows is not None and not self.on_host)
        )
        self.row_index = torch.from_numpy(covered) if gathered else None
        self._X = self._y = None
        self.dtype = dtype
        self.device = device
        self.rng = rng
        self.dropout = dropout
        # The batch order (``MiniBatches``), made by the first iterator.
        self.batches = None

    @property
    def X(self):
        """The features of the rows covered, as skorch's callbacks read them.

        The data itself when it is all covered. Otherwise a copy of the rows,
        in the form the data would have had as a copy of them (a tensor, or a
        CSR matrix): made the first time it is read (only a callback reads
        it) and kept for the rest of the fit.
        """
        if self.data_rows is None:
            return self.data
        if self._X is None:
            if not self.on_host:
                self._X = self.data.index_select(0, self.row_index)
            else:
                X = self.data[self.data_rows]
                self._X = X if self.sparse else _training_X(X, self.dtype, self.device)
        return self._X

    @property
    def y(self):
        """The targets of the rows covered, as skorch's callbacks read them.

        A tensor; where they are gathered, a copy of the rows made the first
        time it is read (only a callback reads it) and kept, as ``X``.
        """
        if not self.y_gathered:
            return self.targets
        if self._y is None:
            self._y = self.targets.index_select(0, self.row_index)
        return self._y

    def __len__(self):
        return self.n_rows

    def __getitem__(self, i):
        # skorch's single samples, taken from the data, not from ``X``.
        rows = i if self.data_rows is None else self.data_rows[i]
        y_rows = self.covered_rows[i] if self.y_gathered else i
        return self.transform(self.data[rows], self.targets[y_rows])

    def rows(self, index):
        """Return the batch of the given rows, as skorch's step takes it.

        Parameters
        ----------
        index : slice, ndarray or Tensor of int
            Positions of the rows among those covered; an index tensor must
            be on the device.

        Returns
        -------
        batch : tuple
            ``(X, y)``, or ``({"X": X, "sample_weight": w}, y)`` with weights.
        """
        rows = None
        if self.row_index is not None:
            # From positions to rows of the data: a gather the size of a
            # batch, shared by the features, targets and weights.
            rows = _take(self.row_index, index)
        if self.on_host:
            host = index.cpu().numpy() if isinstance(index, torch.Tensor) else index
            if self.data_rows is not None:
                host = self.data_rows[host]
            X = self.data[host]
            X = _to_tensor(X.toarray() if self.sparse else X, self.dtype, self.device)
        else:
            X = _take(self.data, index if self.data_rows is None else rows)
        y = _take(self.targets, rows if self.y_gathered else index)
        sw = None
        if self.weights is not None:
            sw = _take(self.weights, rows if self.weights_gathered else index)
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
