"""scikit-learn's estimator checks on every public estimator, none expected to fail."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_binnet import NumpyBinaryMLP


def _estimators():
    return [NumpyBinaryMLP(max_iter=100, random_state=0)]


@parametrize_with_checks(_estimators())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
