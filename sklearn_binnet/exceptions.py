"""Warnings and errors of sklearn-binnet, as :mod:`sklearn.exceptions` holds
scikit-learn's own.
"""

__all__ = ["InconsistentVersionWarning"]


class InconsistentVersionWarning(UserWarning):
    """Warning raised when an estimator is unpickled by another package version.

    Every estimator of sklearn-binnet stores ``sklearn_binnet.__version__``
    when it is pickled (with :mod:`pickle`, :mod:`joblib` or
    :mod:`skops.io`); loading it under a different version warns, since the
    fitted state may not mean the same thing there. Refit the model, or load
    it with the version that wrote it.

    Parameters
    ----------
    estimator_name : str
        Name of the estimator's class.
    current_version : str
        The version of sklearn-binnet loading the estimator.
    original_version : str or None
        The version that pickled it; None when the pickle holds no version
        (written before versions were recorded).

    Attributes
    ----------
    estimator_name : str
        Name of the estimator's class.
    current_version : str
        The version of sklearn-binnet loading the estimator.
    original_version : str or None
        The version that pickled it, or None if unknown.

    See Also
    --------
    sklearn.exceptions.InconsistentVersionWarning : The warning of scikit-learn
        for its own estimators.

    Examples
    --------
    >>> from sklearn_binnet.exceptions import InconsistentVersionWarning
    >>> warning = InconsistentVersionWarning(
    ...     estimator_name="NumpyBinaryMLP",
    ...     current_version="0.2.0",
    ...     original_version="0.1.0",
    ... )
    >>> print(warning)
    Trying to unpickle estimator NumpyBinaryMLP from sklearn-binnet version
    0.1.0 when using version 0.2.0. This might lead to breaking code or
    invalid results. Use at your own risk.
    """

    def __init__(self, *, estimator_name, current_version, original_version):
        self.estimator_name = estimator_name
        self.current_version = current_version
        self.original_version = original_version

    def __str__(self):
        original = (
            "an unknown sklearn-binnet version"
            if self.original_version is None
            else f"sklearn-binnet version {self.original_version}"
        )
        return (
            f"Trying to unpickle estimator {self.estimator_name} from {original} "
            f"when using version {self.current_version}. This might lead to "
            "breaking code or invalid results. Use at your own risk."
        )
