"""Prediction, derived from the logits that a backend computes.

``_PredictionMixin`` is mixed into ``BaseBinaryMLP``: ``decision_function``
validates ``X`` and calls the backend's ``_forward_logits``; the
probabilities, log-probabilities and labels all follow from those logits,
so every backend predicts the same way. The logits may overflow to
``+-inf`` on finite but huge input; they are never NaN.
"""

import numpy as np
from sklearn.metrics import accuracy_score
from sklearn.utils.validation import check_is_fitted, validate_data

from ._activations import log_sigmoid, sigmoid


class _PredictionMixin:
    """decision_function, predict_proba, predict_log_proba and predict."""

    def decision_function(self, X):
        """Return the logit of the positive class ``classes_[1]``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        logits : ndarray of shape (n_samples,)
            ``log(p / (1 - p))`` with ``p`` the probability of ``classes_[1]``,
            in the floating dtype of ``X`` (float64 for integer input). Finite
            input too large for the network's arithmetic gives ``+-inf``;
            a row whose logit has no sign even in float64 (``inf - inf``)
            raises a ``ValueError`` rather than a NaN.
        """
        check_is_fitted(self)
        # As in fit: non-finite X is a ValueError, not a RuntimeWarning first;
        # overflow in the forward pass is handled below.
        with np.errstate(over="ignore", invalid="ignore"):
            X = validate_data(
                self,
                X,
                accept_sparse=("csr", "csc"),
                dtype=(np.float64, np.float32),
                reset=False,
            )
            logits = self._forward_logits(X)
            unsigned = np.flatnonzero(np.isnan(logits))
            if unsigned.size and X.dtype != np.float64:
                # float32 arithmetic overflowed to inf - inf; float64 has the
                # headroom to give those rows a sign.
                logits[unsigned] = self._forward_logits(X[unsigned].astype(np.float64))
                unsigned = np.flatnonzero(np.isnan(logits))
            logits = logits.astype(X.dtype, copy=False)
        if unsigned.size:
            raise ValueError(
                f"The network's arithmetic overflows on {unsigned.size} rows of X "
                f"(the first is row {unsigned[0]}): their logits have no sign. "
                "Scale the input features."
            )
        return logits

    def predict_proba(self, X):
        """Return the probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, 2)
            Probabilities of ``classes_[0]`` and ``classes_[1]``.
        """
        logits = self.decision_function(X)
        proba = np.empty((logits.shape[0], 2), dtype=logits.dtype)
        # sigmoid(-z) rather than 1 - sigmoid(z): keeps tiny probabilities exact.
        # -z is written into its column first, sparing a temporary array.
        np.negative(logits, out=proba[:, 0])
        sigmoid(proba[:, 0], out=proba[:, 0])
        sigmoid(logits, out=proba[:, 1])
        return proba

    def predict_log_proba(self, X):
        """Return the log-probability of each class, finite for any finite logit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, 2)
            Log-probabilities of ``classes_[0]`` and ``classes_[1]``, computed
            from the logits so that they do not underflow to ``-inf``; an
            infinite logit counts as the largest finite one.
        """
        logits = self.decision_function(X)
        # An infinite logit (overflow) counts as the largest finite one, so
        # that the log-probabilities stay finite.
        largest = np.finfo(logits.dtype).max
        logits = np.clip(logits, -largest, largest)
        log_proba = np.empty((logits.shape[0], 2), dtype=logits.dtype)
        log_proba[:, 0] = log_sigmoid(-logits)
        log_proba[:, 1] = log_sigmoid(logits)
        return log_proba

    def predict(self, X):
        """Predict the class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            ``classes_[1]`` where the logit is positive, else ``classes_[0]``.
        """
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.intp)]

    def score(self, X, y, sample_weight=None):
        """Return the accuracy of ``predict`` on ``X`` against ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input samples.
        y : array-like of shape (n_samples,)
            The true labels, among ``classes_``.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples; None weighs all equally.

        Returns
        -------
        score : float
            The (weighted) share of samples whose predicted class is ``y``.
        """
        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))
