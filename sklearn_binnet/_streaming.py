"""Out-of-core training: ``partial_fit`` over a stream of chunks.

``fit_stream`` trains any estimator with a ``partial_fit`` (both backends of
this package, and scikit-learn's incremental estimators) from chunks that are
produced one at a time, so that the data never has to fit in memory: a list of
arrays, ``.npy`` files on disk (memory-mapped, read when their chunk is
reached), a generator, or the blocks of a ``dask.array`` through
``dask_chunks``. Dask is imported only when ``dask_chunks`` is called.
"""

import numbers
import os
from collections.abc import Iterable

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, validate_params


def _load(value):
    """Return ``value``, or the array in the ``.npy`` file it names, memory-mapped."""
    if not isinstance(value, (str, os.PathLike)):
        return value
    path = os.fspath(value)
    # A memory map: the file's pages are read when the chunk is trained on,
    # and released when the chunk is dropped. allow_pickle stays False: a
    # data file never runs code.
    loaded = np.load(path, mmap_mode="r")
    if not isinstance(loaded, np.ndarray):  # an .npz archive
        loaded.close()
        raise ValueError(
            f"fit_stream loads one array per path from a .npy file; {path!r} "
            "is an .npz archive. Save each array with np.save."
        )
    return loaded


def _unpack(chunk, epoch, index):
    """Return ``(X, y, sample_weight)`` of a chunk, loading ``.npy`` paths."""
    where = f"chunk {index} of epoch {epoch}"
    if not isinstance(chunk, (tuple, list)):
        raise TypeError(
            f"Each chunk must be a tuple (X, y) or (X, y, sample_weight), but "
            f"{where} is a {type(chunk).__name__}. To train on a single pair "
            "of arrays, pass chunks=[(X, y)]."
        )
    if len(chunk) not in (2, 3):
        raise ValueError(
            f"Each chunk must be a tuple (X, y) or (X, y, sample_weight), but "
            f"{where} has {len(chunk)} elements."
        )
    X, y, *rest = (_load(value) for value in chunk)
    return X, y, (rest[0] if rest else None)


@validate_params(
    {
        "estimator": [HasMethods(["partial_fit"])],
        "chunks": [Iterable, callable],
        "classes": ["array-like"],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=False,
)
def fit_stream(estimator, chunks, *, classes, epochs=1):
    """Train an estimator with ``partial_fit`` on a stream of chunks.

    Each chunk is passed to ``estimator.partial_fit`` (one epoch over the
    chunk for :class:`~sklearn_binnet.NumpyBinaryMLP` and
    :class:`~sklearn_binnet.TorchBinaryMLP`, with the optimizer state kept
    from chunk to chunk), so that only the chunk being trained on needs to be
    in memory: data larger than memory is learned from files on disk or from
    the blocks of a ``dask.array``, one at a time.

    Parameters
    ----------
    estimator : estimator instance
        An estimator with a ``partial_fit(X, y, [sample_weight,] classes=...)``
        method. Training continues from its current state, as
        ``partial_fit`` does; pass :func:`~sklearn.base.clone` of it to start
        afresh.

    chunks : iterable of tuples, or callable
        The training data, as chunks ``(X, y)`` or ``(X, y, sample_weight)``
        (tuples or lists). An element given as a path (`str` or
        :class:`os.PathLike`) is loaded from that ``.npy`` file with
        ``np.load(path, mmap_mode="r")``, when its chunk is reached. Either:

        - an iterable that can be iterated again for each epoch: a list of
          chunks, a list of pairs of ``.npy`` paths, or
          :func:`~sklearn_binnet.dask_chunks` of a dask array;
        - a callable without arguments that returns a new iterable of chunks
          for each epoch (a generator function, a function that draws a new
          order of files per epoch);
        - a one-shot iterator (a generator), only with ``epochs=1``: it can
          be consumed only once.

    classes : array-like of shape (n_classes,)
        All the class labels of the stream (the two labels, for the binary
        classifiers of this package), passed to every ``partial_fit`` call:
        one chunk need not contain every class.

    epochs : int, default=1
        Number of passes over the stream. Each pass iterates ``chunks`` anew
        (or calls it, if it is a callable).

    Returns
    -------
    estimator : estimator instance
        The estimator, trained on every chunk of every epoch.

    Raises
    ------
    ValueError
        If ``epochs > 1`` and ``chunks`` is a one-shot iterator, or if an
        epoch gets no chunk at all (an iterable exhausted by an earlier
        epoch, an empty list).
    TypeError
        If a chunk is not a tuple or a list. An error raised by
        ``partial_fit`` on a chunk propagates with a note saying which chunk
        and epoch it was; the estimator then holds the training of the chunks
        before that one (each ``partial_fit`` call is all or nothing).

    See Also
    --------
    dask_chunks : The blocks of dask arrays, as chunks computed one at a time.
    NumpyBinaryMLP.partial_fit : One epoch over one chunk.

    Notes
    -----
    With ``NumpyBinaryMLP`` and ``TorchBinaryMLP``, each chunk appends one
    entry to ``loss_curve_`` (its training loss) and adds its size to ``t_``;
    ``early_stopping`` and ``class_weight="balanced"`` are not available, as
    for ``partial_fit``. Chunks are visited in the order they come, so they
    should each be a fair sample of the data: shuffle rows before writing
    them out, not only within a chunk (the estimator's ``shuffle`` shuffles
    the rows of each chunk).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_binnet import NumpyBinaryMLP, fit_stream
    >>> from sklearn_binnet.datasets import make_xor
    >>> X, y = make_xor(2000, random_state=0)
    >>> chunks = list(zip(np.array_split(X, 10), np.array_split(y, 10)))
    >>> clf = NumpyBinaryMLP(hidden_layer_sizes=(16,), learning_rate_init=0.05,
    ...                      random_state=0)
    >>> clf = fit_stream(clf, chunks, classes=[False, True], epochs=5)
    >>> len(clf.loss_curve_), clf.t_
    (50, 10000)
    >>> clf.score(X, y) > 0.95
    True

    A generator can be consumed only once; a function returning a new one per
    epoch can be called for each:

    >>> def read_chunks():
    ...     for start in range(0, 2000, 500):
    ...         yield X[start:start + 500], y[start:start + 500]
    >>> clf = fit_stream(clf, read_chunks, classes=[False, True], epochs=2)
    >>> clf.t_
    14000
    """
    if callable(chunks):
        make_chunks = chunks
    else:
        if epochs > 1 and iter(chunks) is chunks:
            raise ValueError(
                f"chunks is a one-shot iterator ({type(chunks).__name__}), which "
                f"is consumed by the first epoch, and epochs={epochs} needs "
                f"{epochs} passes. Pass a list of chunks, a re-iterable such as "
                "dask_chunks(X, y), or a function that returns a new iterable "
                "of chunks for each epoch (for a generator: the generator "
                "function itself, not its result)."
            )

        def make_chunks():
            return chunks

    for epoch in range(1, epochs + 1):
        epoch_chunks = make_chunks()
        if not isinstance(epoch_chunks, Iterable):
            raise TypeError(
                "The chunks callable must return an iterable of chunks, got "
                f"{type(epoch_chunks).__name__}."
            )
        n_chunks = 0
        for index, chunk in enumerate(epoch_chunks):
            X, y, sample_weight = _unpack(chunk, epoch, index)
            # Dropped before the next chunk is produced, so that at most one
            # chunk is held here at a time.
            del chunk
            # Passed only when given: not every partial_fit takes sample_weight.
            fit_params = {}
            if sample_weight is not None:
                fit_params["sample_weight"] = sample_weight
            try:
                estimator.partial_fit(X, y, classes=classes, **fit_params)
            except Exception as exc:
                if hasattr(exc, "add_note"):  # Python >= 3.11
                    exc.add_note(
                        f"Raised by fit_stream on chunk {index} of epoch {epoch}; "
                        "the estimator keeps its training on the chunks before."
                    )
                raise
            del X, y, sample_weight, fit_params
            n_chunks += 1
        if n_chunks == 0:
            hint = (
                " The iterable was exhausted by the previous epoch: pass a list, "
                "a re-iterable, or a function that returns a new iterable of "
                "chunks for each epoch."
                if epoch > 1
                else ""
            )
            raise ValueError(f"Epoch {epoch} of fit_stream got no chunks.{hint}")
    return estimator


class _DaskChunks:
    """The row blocks of dask arrays, computed one at a time when iterated."""

    def __init__(self, arrays):
        self._arrays = arrays

    def __len__(self):
        return self._arrays[0].numblocks[0]

    def __iter__(self):
        import dask

        for i in range(len(self)):
            # Computed together, so that a y derived from X (or both from one
            # source) reuses the block's shared work. Yielded without keeping
            # a reference, so that a block is freed once trained on.
            yield dask.compute(*(array.blocks[i] for array in self._arrays))

    def __repr__(self):
        X = self._arrays[0]
        return (
            f"dask_chunks(<{len(self)} blocks of {X.shape[0]} rows x "
            f"{X.shape[1]} features>)"
        )


def dask_chunks(X, y, sample_weight=None):
    """Return the row blocks of dask arrays as chunks for ``fit_stream``.

    The result is re-iterable (``fit_stream`` iterates it once per epoch), and
    each iteration computes one row block of ``X``, ``y`` (and
    ``sample_weight``) at a time, with the current dask scheduler (a
    ``dask.distributed.Client``, if one is active): only the block being
    trained on is in memory.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        Training data. Its row blocks are the chunks; column blocks are
        merged (``X.rechunk({1: -1})``), as each chunk needs every feature.

    y : dask.array.Array or array-like of shape (n_samples,)
        Target labels, split like ``X`` (rechunked to the row blocks of ``X``
        when the sizes of both are known).

    sample_weight : dask.array.Array or array-like of shape (n_samples,), \
            default=None
        Non-negative weights of the samples, split like ``X``.

    Returns
    -------
    chunks : iterable of tuples
        The ``(X_block, y_block)`` or ``(X_block, y_block, weight_block)``
        NumPy arrays of each row block, in order, computed when iterated.

    See Also
    --------
    fit_stream : Train with ``partial_fit`` on a stream of chunks.

    Examples
    --------
    >>> import dask.array as da
    >>> from sklearn_binnet import NumpyBinaryMLP, dask_chunks, fit_stream
    >>> X = da.random.default_rng(0).standard_normal((20_000, 2), chunks=2_000)
    >>> y = X[:, 0] * X[:, 1] > 0
    >>> chunks = dask_chunks(X, y)
    >>> chunks
    dask_chunks(<10 blocks of 20000 rows x 2 features>)
    >>> clf = NumpyBinaryMLP(hidden_layer_sizes=(16,), learning_rate_init=0.05,
    ...                      random_state=0)
    >>> clf = fit_stream(clf, chunks, classes=[False, True], epochs=2)
    >>> len(clf.loss_curve_)
    20
    >>> clf.score(X[:1000].compute(), y[:1000].compute()) > 0.95
    True
    """
    import dask.array as da

    if not isinstance(X, da.Array):
        raise TypeError(
            f"dask_chunks needs X as a dask array, got {type(X).__name__}. For "
            "NumPy arrays, pass fit_stream a list of chunks, e.g. "
            "list(zip(np.array_split(X, n), np.array_split(y, n)))."
        )
    if X.ndim != 2:
        raise ValueError(f"X must be 2-dimensional, got {X.ndim} dimensions.")
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    row_chunks = X.chunks[0]
    known = not any(np.isnan(size) for size in row_chunks)
    arrays = [X]
    for name, array in (("y", y), ("sample_weight", sample_weight)):
        if array is None:
            continue
        if not isinstance(array, da.Array):
            array = da.from_array(np.asarray(array), chunks=-1)
        if array.ndim != 1:
            raise ValueError(
                f"{name} must be 1-dimensional, got {array.ndim} dimensions."
            )
        if known and not np.isnan(array.shape[0]):
            if array.shape[0] != X.shape[0]:
                raise ValueError(
                    f"X has {X.shape[0]} rows but {name} has {array.shape[0]}."
                )
            if array.chunks[0] != row_chunks:
                array = array.rechunk((row_chunks,))
        elif array.numblocks[0] != X.numblocks[0]:
            raise ValueError(
                f"X has row blocks of unknown sizes: {name} must then be a dask "
                f"array with as many blocks ({X.numblocks[0]}), got "
                f"{array.numblocks[0]}. Call X.compute_chunk_sizes() first."
            )
        arrays.append(array)
    return _DaskChunks(arrays)
