"""scikit-learn's estimator checks on every public estimator, none expected to fail."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_binnet import NumpyBinaryMLP, TorchBinaryMLP


def _estimators():
    return [
        NumpyBinaryMLP(max_iter=100, random_state=0),
        # Small enough for the checks' many fits to take seconds, large enough
        # to pass check_classifiers_train's accuracy bar. Trained in float64:
        # check_sample_weight_equivalence compares two fits to rtol=1e-7,
        # finer than float32 training rounds (float32 fails it by ~2e-7).
        TorchBinaryMLP(
            hidden_layer_sizes=(16,),
            learning_rate_init=0.01,
            max_iter=100,
            random_state=0,
            dtype="float64",
        ),
    ]


@parametrize_with_checks(_estimators())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
