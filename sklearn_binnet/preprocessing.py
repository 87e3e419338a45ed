"""Preprocessing for neural networks on tabular data.

A network trains well when each input column is centred, of unit spread and
free of extreme values, and when categories and missing values are numbers.
scikit-learn has the imputers and encoders; two pieces are missing and live
here:

* :class:`SmoothClipScaler` centres each column on its median, divides it by
  its inter-quartile range (or by half its range where the quartiles
  coincide), then clips outliers smoothly with

  .. math:: f(x) = \\frac{x}{\\sqrt{1 + (x / c)^2}},

  which is close to ``x`` for ``|x|`` small against ``c`` and tends to
  ``+-c``: an outlier keeps its sign and order but cannot dominate a layer's
  input. This is the robust scaling with smooth clipping of Holzmüller et al.
  (2024), "Better by Default: Strong Pre-Tuned MLPs and Boosted Trees on
  Tabular Data".
* :class:`TabularPreprocessor` looks at a DataFrame's column types and builds
  the whole column-wise preprocessing from scikit-learn's transformers and
  :class:`SmoothClipScaler`.
"""

import numbers

import numpy as np
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, TargetEncoder
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["SmoothClipScaler", "TabularPreprocessor"]


class SmoothClipScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Scale each feature robustly, then clip its outliers smoothly.

    Each column is centred on its median and divided by its inter-quartile
    range; a column whose quartiles coincide (more than half of its values
    equal, as in a mostly-zero column) is divided by half its range instead,
    and a constant column by 1. The scaled value ``x`` then becomes
    ``x / sqrt(1 + (x / clip)**2)``, which stays within ``(-clip, clip)``.
    Missing values (NaN) are ignored in ``fit`` and kept in ``transform``.

    Parameters
    ----------
    quantile_range : tuple of float, default=(25.0, 75.0)
        The lower and upper percentiles whose distance is the scale of a
        column, in [0, 100].
    clip : float, default=3.0
        The bound of the smooth clip. ``np.inf`` turns clipping off.

    Attributes
    ----------
    center_ : ndarray of shape (n_features,)
        The median of each column.
    scale_ : ndarray of shape (n_features,)
        The divisor of each column.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit``, when ``X`` has string
        column names.

    See Also
    --------
    sklearn.preprocessing.RobustScaler : The same centring and scaling,
        without the fallback for coinciding quartiles or the clip.
    TabularPreprocessor : The preprocessing of a whole DataFrame.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_binnet.preprocessing import SmoothClipScaler
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [1000.0]])
    >>> SmoothClipScaler().fit_transform(X).round(3).ravel().tolist()
    [-0.949, -0.493, 0.0, 0.493, 3.0]
    """

    _parameter_constraints = {
        "quantile_range": [tuple],
        "clip": [Interval(numbers.Real, 0, None, closed="right")],
    }

    def __init__(self, quantile_range=(25.0, 75.0), clip=3.0):
        self.quantile_range = quantile_range
        self.clip = clip

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the median and the scale of each column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data; NaN values are ignored.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted scaler.
        """
        low, high = self.quantile_range
        if not 0 <= low <= high <= 100:
            raise ValueError(
                "quantile_range must be two percentiles 0 <= low <= high <= 100, "
                f"got {self.quantile_range!r}."
            )
        X = validate_data(
            self, X, dtype=(np.float64, np.float32), ensure_all_finite="allow-nan"
        )
        # All-NaN columns have no statistics: they stay NaN (centre 0, scale 1).
        all_missing = np.isnan(X).all(axis=0)
        X_known = np.where(all_missing, 0, X)
        q_low, median, q_high, minimum, maximum = np.nanpercentile(
            X_known, [low, 50, high, 0, 100], axis=0
        )
        scale = q_high - q_low
        half_range = (maximum - minimum) / 2
        scale = np.where(scale > 0, scale, half_range)
        self.center_ = median.astype(X.dtype)
        self.scale_ = np.where(scale > 0, scale, 1).astype(X.dtype)
        return self

    def transform(self, X):
        """Scale and clip ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The data.

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features)
            The scaled values, within ``(-clip, clip)``; NaN stays NaN.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            dtype=(np.float64, np.float32),
            ensure_all_finite="allow-nan",
            reset=False,
            copy=True,
        )
        X -= self.center_
        X /= self.scale_
        if np.isfinite(self.clip):
            # x / sqrt(1 + (x/c)^2), written to stay finite for |x| near the
            # float maximum: (x/c)^2 overflows to inf and x / inf is 0, so
            # the large-|x| branch uses c * sign(x) / sqrt(1 + (c/x)^2).
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                ratio = X / self.clip
                small = np.abs(ratio) <= 1
                X = np.where(
                    small,
                    X / np.sqrt(1 + ratio * ratio),
                    np.sign(X) * self.clip / np.sqrt(1 + 1 / (ratio * ratio)),
                )
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


def _target_encoder():
    """Return a TargetEncoder whose cross-fitting folds are reproducible.

    scikit-learn 1.9 takes the shuffled folds as a ``cv`` splitter and
    deprecates ``random_state``; older versions take only ``random_state``.
    """
    if "cv_object" in TargetEncoder._parameter_constraints["cv"]:
        return TargetEncoder(cv=StratifiedKFold(5, shuffle=True, random_state=0))
    return TargetEncoder(random_state=0)


def _column_kinds(X, max_onehot_categories):
    """Split the columns of ``X`` into numeric, low- and high-cardinality ones.

    Booleans, strings, objects and pandas categories are categorical; every
    other column is numeric. An array without column types is all numeric.
    """
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None:
        return list(range(np.shape(X)[1])), [], []
    numeric, low, high = [], [], []
    for name, dtype in dtypes.items():
        kind = getattr(dtype, "kind", "O")
        if kind in "iuf":
            numeric.append(name)
        elif X[name].nunique(dropna=True) <= max_onehot_categories:
            low.append(name)
        else:
            high.append(name)
    return numeric, low, high


class TabularPreprocessor(TransformerMixin, BaseEstimator):
    """Turn a table of numeric, categorical and missing values into network input.

    The columns are sorted by their type when fitted:

    * numeric columns: missing values replaced by the column's median, then
      :class:`SmoothClipScaler`; one 0/1 indicator column per numeric column
      that had missing values in ``fit``;
    * categorical columns (bool, string, object or pandas ``category``) with
      at most ``max_onehot_categories`` distinct values: one-hot encoded, a
      missing value being a category of its own and an unseen one all zeros;
    * categorical columns with more values: target-encoded
      (:class:`~sklearn.preprocessing.TargetEncoder`, cross-fitted in
      ``fit_transform``), then scaled like the numeric columns.

    A NumPy array is all numeric.

    Parameters
    ----------
    max_onehot_categories : int, default=20
        The most distinct values a categorical column may have to be one-hot
        encoded.
    clip : float, default=3.0
        The bound of :class:`SmoothClipScaler`'s smooth clip.

    Attributes
    ----------
    column_transformer_ : ~sklearn.compose.ColumnTransformer
        The fitted column-wise preprocessing.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during ``fit``, when ``X`` has string
        column names.

    See Also
    --------
    SmoothClipScaler : The scaling of the numeric columns.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn_binnet.preprocessing import TabularPreprocessor
    >>> X = pd.DataFrame({
    ...     "age": [25.0, 32.0, np.nan, 51.0],
    ...     "city": ["Paris", "Lyon", "Paris", None],
    ... })
    >>> preprocessor = TabularPreprocessor().fit(X)
    >>> preprocessor.get_feature_names_out().tolist()
    ['numeric__age', 'missing__missingindicator_age', 'onehot__city_Lyon',
     'onehot__city_Paris', 'onehot__city_...']
    >>> preprocessor.transform(X).shape
    (4, 5)
    """

    _parameter_constraints = {
        "max_onehot_categories": [Interval(numbers.Integral, 1, None, closed="left")],
        "clip": [Interval(numbers.Real, 0, None, closed="right")],
    }

    def __init__(self, max_onehot_categories=20, clip=3.0):
        self.max_onehot_categories = max_onehot_categories
        self.clip = clip

    def _make_column_transformer(self, X):
        numeric, low, high = _column_kinds(X, self.max_onehot_categories)
        branches = [
            (
                "numeric",
                make_pipeline(
                    SimpleImputer(strategy="median"), SmoothClipScaler(clip=self.clip)
                ),
                numeric,
            ),
            (
                "missing",
                MissingIndicator(features="missing-only", error_on_new=False),
                numeric,
            ),
            (
                "onehot",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                low,
            ),
            (
                "target",
                make_pipeline(_target_encoder(), SmoothClipScaler(clip=self.clip)),
                high,
            ),
        ]
        return ColumnTransformer(
            [branch for branch in branches if len(branch[2])],
            sparse_threshold=0,
            verbose_feature_names_out=True,
        )

    def fit(self, X, y=None):
        """Choose each column's treatment and fit it.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            The table.
        y : array-like of shape (n_samples,), default=None
            The target; needed when a categorical column is target-encoded.

        Returns
        -------
        self : object
            The fitted preprocessor.
        """
        self.fit_transform(X, y)
        return self

    @_fit_context(prefer_skip_nested_validation=False)
    def fit_transform(self, X, y=None):
        """Fit to ``X`` and return its transformed values.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            The table.
        y : array-like of shape (n_samples,), default=None
            The target; needed when a categorical column is target-encoded.

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features_out)
            The network input.
        """
        if not hasattr(X, "dtypes"):
            X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=None)
        else:
            validate_data(self, X, skip_check_array=True)
        self.column_transformer_ = self._make_column_transformer(X)
        return self._as_float(self.column_transformer_.fit_transform(X, y))

    def transform(self, X):
        """Transform ``X`` with the fitted treatments.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            The table, with the columns seen in ``fit``.

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features_out)
            The network input.
        """
        check_is_fitted(self)
        if not hasattr(X, "dtypes"):
            X = validate_data(
                self, X, ensure_all_finite="allow-nan", dtype=None, reset=False
            )
        else:
            validate_data(self, X, skip_check_array=True, reset=False)
        return self._as_float(self.column_transformer_.transform(X))

    @staticmethod
    def _as_float(X):
        X = np.asarray(X)
        return X if X.dtype in (np.float32, np.float64) else X.astype(np.float64)

    def get_feature_names_out(self, input_features=None):
        """Return the names of the output columns.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Ignored; the names seen in ``fit`` are used.

        Returns
        -------
        feature_names_out : ndarray of str
            One name per output column, prefixed by its treatment.
        """
        check_is_fitted(self)
        return self.column_transformer_.get_feature_names_out()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags
