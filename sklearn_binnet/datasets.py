"""Small datasets for examples and tests."""

import numbers

from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params


@validate_params(
    {
        "n_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_xor(n_samples=200, *, random_state=None):
    """Generate the XOR-like problem of the tutorial.

    The features are standard normal in two dimensions; a sample is positive
    when both features have the same sign, so that no straight line separates
    the classes but a network with one small hidden layer does.

    Parameters
    ----------
    n_samples : int, default=200
        Number of samples.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws. With ``random_state=0`` the data equals the
        tutorial's ``np.random.seed(0); X = np.random.randn(200, 2)``.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        The samples, drawn from N(0, 1).
    y : ndarray of shape (n_samples,)
        The labels, ``1`` where ``X[:, 0] * X[:, 1] > 0`` else ``0``.

    See Also
    --------
    sklearn.datasets.make_moons : Two interleaving half circles.
    sklearn.datasets.make_circles : A circle inside a circle.

    Examples
    --------
    >>> from sklearn_binnet.datasets import make_xor
    >>> X, y = make_xor(200, random_state=0)
    >>> X.shape, y.shape
    ((200, 2), (200,))
    >>> int(y.sum())
    99
    """
    rng = check_random_state(random_state)
    X = rng.standard_normal((n_samples, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X, y
