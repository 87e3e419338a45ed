"""The forward pass of inference: row chunks, spread over threads.

``forward_logits`` evaluates a fitted network on ``X`` chunk by chunk, so that
each chunk's hidden activations stay in cache and memory stays bounded.  The
chunks are shared out between as many threads as BLAS would use, and each
thread runs its products on one BLAS thread.  The alternative, one
multi-threaded BLAS call per chunk, pays a thread handoff per call (hundreds
per million rows) and leaves the bias and activation passes on one core; when
other processes load the machine, those handoffs cost more than the
arithmetic (about 5x slower on a loaded 2-core machine).

Every row goes through the same chunks and the same single-threaded BLAS
calls whatever the number of threads, so the logits do not depend on it.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import safe_sparse_dot
from threadpoolctl import ThreadpoolController

# One BLAS thread limit at a time: two overlapping limits could restore each
# other's values in the wrong order and leave BLAS on one thread.
_BLAS_LIMIT_LOCK = threading.Lock()
_blas = None


def _blas_controller():
    """threadpoolctl's controller of the BLAS libraries, created once.

    Creating one inspects every loaded library (about a millisecond), too
    slow to repeat for each prediction.
    """
    global _blas
    if _blas is None:
        _blas = ThreadpoolController().select(user_api="blas")
    return _blas


def forward_logits(X, coefs, intercepts, activation, chunk, rows=None):
    """Return the logits of the network's single output unit on ``X``.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
    coefs, intercepts : list of ndarray
        The weights and biases of each layer, the last layer with one output.
    activation : callable
        The hidden layers' activation, applied in place.
    chunk : int
        Rows per chunk.
    rows : ndarray of int, default=None
        Predict ``X[rows]``, each chunk gathered on its own (no copy of all
        of them); None predicts every row of ``X``.

    Returns
    -------
    logits : ndarray of shape (n_samples,) or (len(rows),)
        In the result type of ``X`` and the weights.
    """
    n_samples = X.shape[0] if rows is None else rows.shape[0]
    logits = np.empty(n_samples, dtype=np.result_type(X.dtype, coefs[0].dtype))
    starts = range(0, n_samples, chunk)
    # NumPy's error state is per thread: the workers take the caller's (which
    # may ignore the overflow to +-inf of huge input).
    errors = np.geterr()

    def run(thread_starts):
        with np.errstate(**errors):
            _forward_chunks(
                X, rows, logits, coefs, intercepts, activation, chunk, thread_starts
            )

    blas = _blas_controller()
    blas_threads = max((lib.num_threads for lib in blas.lib_controllers), default=1)
    n_threads = min(len(starts), blas_threads)
    if n_threads <= 1:
        run(starts)
    else:
        # Thread i takes chunks i, i + n_threads, ...: equal shares even
        # when the last chunk is short.
        with _BLAS_LIMIT_LOCK, blas.limit(limits=1):
            with ThreadPoolExecutor(n_threads) as pool:
                # list() re-raises a thread's exception here.
                list(pool.map(run, [starts[i::n_threads] for i in range(n_threads)]))
    logits += intercepts[-1]
    return logits


def _forward_chunks(X, rows, logits, coefs, intercepts, activation, chunk, starts):
    """Write the logits (without the output bias) of the chunks at ``starts``."""
    hidden = list(zip(coefs[:-1], intercepts[:-1]))
    # Buffers of this thread, reused by each of its chunks.
    buffers = [np.empty((chunk, W.shape[1]), dtype=logits.dtype) for W, _ in hidden]
    out_weights = coefs[-1][:, 0]
    for start in starts:
        stop = min(start + chunk, logits.shape[0])
        A = X[start:stop] if rows is None else X[rows[start:stop]]
        for (W, b), buffer in zip(hidden, buffers):
            Z = buffer[: stop - start]
            if sp.issparse(A):
                Z[...] = safe_sparse_dot(A, W)
            else:
                np.matmul(A, W, out=Z)
            Z += b
            activation(Z)
            A = Z
        # The output unit: a matrix-vector product written in place.
        if sp.issparse(A):
            logits[start:stop] = safe_sparse_dot(A, out_weights)
        else:
            np.matmul(A, out_weights, out=logits[start:stop])
