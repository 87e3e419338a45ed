"""A pre-tuned network for tabular data: preprocessing and training options.

``make_tabular_classifier`` puts :class:`~sklearn_binnet.preprocessing.
TabularPreprocessor` in front of a network whose hyper-parameters depart from
``MLPClassifier``'s defaults where published work on tabular data (Holzmüller
et al., 2024, "Better by Default") found the defaults wanting. Each choice is
listed, with its reason, in ``TABULAR_PRESET``'s comments and in the user
guide.
"""

import numpy as np
from sklearn.pipeline import Pipeline

# The hyper-parameters of the preset, before the caller's overrides.
TABULAR_PRESET = {
    # Two hidden layers of 64: wide enough for interactions, cheap enough that
    # a fit costs about as much as MLPClassifier's one layer of 100.
    "hidden_layer_sizes": (64, 64),
    # AdamW with beta_2 = 0.95 (faster adaptation of the second moment) and
    # decoupled weight decay instead of an L2 term in the loss.
    "solver": "adamw",
    "alpha": 0.0,
    "weight_decay": 1e-2,
    "beta_2": 0.95,
    "learning_rate_init": 2e-3,
    # A fixed budget of epochs under a cosine schedule with a short warm-up,
    # instead of stopping when the training loss stalls.
    "learning_rate": "cosine",
    "warmup_fraction": 0.05,
    "max_iter": 100,
    "batch_size": "auto",
    # Every epoch trained, the epoch of best validation log-loss kept: the
    # probabilities, not only the labels, are what is selected for.
    "early_stopping": True,
    "scoring": "loss",
    "n_iter_no_change": np.inf,
    "validation_fraction": 0.2,
    # Dropout regularises small tables; label smoothing is left off, since it
    # costs log-loss and AUC.
    "dropout": 0.15,
}


def make_tabular_classifier(backend="numpy", *, random_state=None, **estimator_params):
    """Return an unfitted pipeline for binary classification of tabular data.

    The pipeline is :class:`~sklearn_binnet.preprocessing.TabularPreprocessor`
    (median imputation with missing-value indicators and robust scaling with a
    smooth clip for numeric columns; one-hot or target encoding for
    categorical ones) followed by a :class:`NumpyBinaryMLP` or
    :class:`TorchBinaryMLP` with the hyper-parameters of ``TABULAR_PRESET``:
    two hidden layers of 64, AdamW with weight decay and ``beta_2=0.95``, a
    cosine schedule with warm-up over a fixed budget of 100 epochs, the epoch
    of best validation log-loss kept, and dropout.

    Parameters
    ----------
    backend : {"numpy", "torch"}, default="numpy"
        The estimator: :class:`NumpyBinaryMLP`, or :class:`TorchBinaryMLP`
        (needs the ``torch`` extra).
    random_state : int, RandomState instance or None, default=None
        Seeds the network's initial weights, its validation split, shuffling
        and dropout masks.
    **estimator_params : dict
        Parameters of the estimator that replace the preset's, for example
        ``max_iter=200`` or ``hidden_layer_sizes=(128, 128)``. An unknown
        name is a ValueError; values are validated when the pipeline is
        fitted.

    Returns
    -------
    pipeline : ~sklearn.pipeline.Pipeline
        Unfitted; its steps are named ``"preprocess"`` and ``"mlp"``, so a
        grid search reaches the network's parameters as ``mlp__<name>``.

    See Also
    --------
    sklearn_binnet.preprocessing.TabularPreprocessor : The preprocessing step.
    NumpyBinaryMLP : The network, with MLPClassifier's defaults.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_binnet import make_tabular_classifier
    >>> X = pd.DataFrame({
    ...     "age": [23.0, 41.0, None, 35.0, 52.0, 29.0] * 20,
    ...     "plan": ["basic", "pro", "pro", None, "basic", "pro"] * 20,
    ... })
    >>> y = [0, 1, 1, 0, 1, 0] * 20
    >>> clf = make_tabular_classifier(random_state=0, max_iter=20)
    >>> clf.fit(X, y).predict_proba(X).shape
    (120, 2)
    """
    # Imported here: the preprocessing pulls in scikit-learn's compose and
    # encoders, which ``import sklearn_binnet`` does not need.
    from .preprocessing import TabularPreprocessor

    if backend == "numpy":
        from ._numpy_mlp import NumpyBinaryMLP as estimator_class
    elif backend == "torch":
        # Through the package, which imports torch on first use only.
        from . import TorchBinaryMLP as estimator_class
    else:
        raise ValueError(f"backend must be 'numpy' or 'torch', got {backend!r}.")
    # set_params names an unknown parameter in a ValueError, as scikit-learn
    # does everywhere.
    estimator = estimator_class(random_state=random_state).set_params(
        **{**TABULAR_PRESET, **estimator_params}
    )
    return Pipeline([("preprocess", TabularPreprocessor()), ("mlp", estimator)])
