"""make_xor reproduces the tutorial's data."""

import numpy as np
import pytest

from sklearn_binnet.datasets import make_xor


def test_make_xor_equals_the_tutorial_data():
    X, y = make_xor(200, random_state=0)
    reference = np.random.RandomState(0).randn(200, 2)  # np.random.seed(0); randn
    np.testing.assert_array_equal(X, reference)
    np.testing.assert_array_equal(y, (reference[:, 0] * reference[:, 1] > 0))
    assert y.dtype.kind == "i"


def test_make_xor_size_and_seed():
    X, y = make_xor(57, random_state=3)
    assert X.shape == (57, 2) and y.shape == (57,)
    assert set(np.unique(y)) <= {0, 1}
    assert not np.array_equal(X, make_xor(57, random_state=4)[0])


@pytest.mark.parametrize("n_samples", [0, -1, 2.5])
def test_make_xor_rejects_bad_n_samples(n_samples):
    with pytest.raises(ValueError, match="n_samples"):
        make_xor(n_samples)
