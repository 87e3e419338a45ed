"""The threaded, chunked forward pass of inference (``_inference``)."""

import warnings
from itertools import pairwise

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from threadpoolctl import threadpool_info, threadpool_limits

from sklearn_binnet._activations import ACTIVATIONS
from sklearn_binnet._inference import forward_logits


def _network(dtype, n_features=5, hidden=(16, 8), seed=0):
    rng = np.random.default_rng(seed)
    sizes = [n_features, *hidden, 1]
    coefs = [rng.standard_normal((a, b)).astype(dtype) for a, b in pairwise(sizes)]
    intercepts = [rng.standard_normal(b).astype(dtype) for b in sizes[1:]]
    return coefs, intercepts


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logits_do_not_depend_on_the_number_of_threads(dtype):
    # Each row goes through the same chunks and the same one-thread BLAS calls
    # with one worker or several: the logits are bitwise equal.
    coefs, intercepts = _network(dtype)
    X = np.random.default_rng(1).standard_normal((1003, 5)).astype(dtype)
    relu = ACTIVATIONS["relu"]
    with threadpool_limits(limits=2, user_api="blas"):
        threaded = forward_logits(X, coefs, intercepts, relu, chunk=10)
    with threadpool_limits(limits=1, user_api="blas"):
        serial = forward_logits(X, coefs, intercepts, relu, chunk=10)
    assert_array_equal(threaded, serial)
    # And the chunks' threads restored the BLAS limit they changed.
    with threadpool_limits(limits=2, user_api="blas"):
        forward_logits(X, coefs, intercepts, relu, chunk=10)
        blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
        assert blas and all(lib["num_threads"] == 2 for lib in blas)


def _square(Z):
    np.square(Z, out=Z)


def test_workers_take_the_callers_error_state():
    # Overflow in a worker thread's ufunc follows the caller's np.errstate:
    # ignored when the caller ignores it, an error when the caller asks.
    coefs, intercepts = _network(np.float32)
    X = np.full((100, 5), 1e20, dtype=np.float32)
    with threadpool_limits(limits=2, user_api="blas"):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            with np.errstate(over="ignore", invalid="ignore"):
                forward_logits(X, coefs, intercepts, _square, chunk=10)
        with np.errstate(over="raise", invalid="ignore"):
            with pytest.raises(FloatingPointError):
                forward_logits(X, coefs, intercepts, _square, chunk=10)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rows_by_index_give_the_logits_of_their_copy(dtype, sparse):
    # The held-out rows of early stopping are predicted through their indices:
    # each chunk gathers the same rows that a copy would hold, in the same
    # chunks, so the logits are bitwise those of the copy.
    import scipy.sparse as sp

    coefs, intercepts = _network(dtype)
    X = np.random.default_rng(2).standard_normal((500, 5)).astype(dtype)
    if sparse:
        X = sp.csr_matrix(np.where(X > 0.5, X, 0))
    rows = np.random.default_rng(3).permutation(500)[:137]
    relu = ACTIVATIONS["relu"]
    by_index = forward_logits(X, coefs, intercepts, relu, chunk=10, rows=rows)
    copied = forward_logits(X[rows], coefs, intercepts, relu, chunk=10)
    assert by_index.shape == (137,)
    assert_array_equal(by_index, copied)
