"""scikit-learn's estimator checks on every public estimator, none expected to fail."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_binnet import NumpyBinaryMLP, TorchBinaryMLP

# Every option beyond MLPClassifier, turned on at once in one more
# configuration of each backend. early_stopping stays off (partial_fit refuses
# it, and the checks' weighted fits cannot equal fits on repeated rows once a
# validation split is drawn), so ``scoring`` is checked as a parameter here;
# tests/test_validation_set.py trains with it.
NEW_OPTIONS = dict(scoring="loss")


def _estimators():
    torch_params = dict(
        hidden_layer_sizes=(16,),
        learning_rate_init=0.01,
        max_iter=100,
        random_state=0,
        dtype="float64",
    )
    return [
        NumpyBinaryMLP(max_iter=100, random_state=0),
        # Small enough for the checks' many fits to take seconds, large enough
        # to pass check_classifiers_train's accuracy bar. Trained in float64:
        # check_sample_weight_equivalence compares two fits to rtol=1e-7,
        # finer than float32 training rounds (float32 fails it by ~2e-7).
        TorchBinaryMLP(**torch_params),
        NumpyBinaryMLP(max_iter=100, random_state=0, **NEW_OPTIONS),
        TorchBinaryMLP(**torch_params, **NEW_OPTIONS),
    ]


@parametrize_with_checks(_estimators())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
