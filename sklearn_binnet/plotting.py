"""Plots of a fitted network's training history, in scikit-learn's Display style.

matplotlib is an optional dependency (``pip install "sklearn-binnet[plot]"``):
it is imported only when a display draws, so that ``import sklearn_binnet``
and this module work without it. Decision boundaries need no display of their
own: use :class:`sklearn.inspection.DecisionBoundaryDisplay`.
"""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

__all__ = ["LossCurveDisplay"]

_KINDS = ("loss", "score")


def _check_matplotlib_support(caller_name):
    """Raise an ImportError that says how to install matplotlib, if it is missing.

    The same check as scikit-learn's displays make, with the name of our extra
    added to the message.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller_name} requires matplotlib. You can install matplotlib with "
            '`pip install matplotlib` or `pip install "sklearn-binnet[plot]"`.'
        ) from exc


def _merge_line_kw(defaults, user_kw):
    """Overlay the user's Line2D keywords on ours, aliases included.

    matplotlib refuses ``color`` and ``c`` together: normalising both sides to
    the long names first lets ``c="red"`` replace our default ``color``.
    """
    from matplotlib.cbook import normalize_kwargs
    from matplotlib.lines import Line2D

    return {
        **normalize_kwargs(defaults, Line2D),
        **normalize_kwargs(user_kw or {}, Line2D),
    }


def _as_curve(values, name):
    """Return a per-epoch curve as a 1-D float array, or None."""
    if values is None:
        return None
    curve = np.asarray(values, dtype=float)
    if curve.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {curve.shape}.")
    return curve


def _score_name(scoring):
    """How an axis names an estimator's ``scoring``."""
    if scoring is None:
        return "accuracy"
    if isinstance(scoring, str):
        return "negative log-loss" if scoring == "loss" else scoring
    return getattr(scoring, "__name__", "score")


def _epochs(curve, n_epochs):
    """Epoch numbers (from 1) of a curve that ends on epoch ``n_epochs``.

    Validation histories are a suffix of the training history (see
    ``LossCurveDisplay``), so every curve ends on the last epoch.
    """
    return np.arange(n_epochs - curve.size + 1, n_epochs + 1)


class LossCurveDisplay:
    """Training history visualization: loss, and validation curves, per epoch.

    It is recommended to use :meth:`LossCurveDisplay.from_estimator` to create
    a display from a fitted :class:`~sklearn_binnet.NumpyBinaryMLP` or
    ``TorchBinaryMLP`` (or any estimator with a ``loss_curve_``, such as
    :class:`~sklearn.neural_network.MLPClassifier`). All parameters are stored
    as attributes.

    The x-axis is the epoch number, counted from 1 as ``n_iter_`` and
    ``verbose=True`` count them: the i-th value of ``loss_curve`` (0-based)
    is drawn at ``x = i + 1``. The validation curves cover the last epochs of
    the training history (all of them, unless early stopping was switched on
    in a ``warm_start`` refit), so they are aligned on its end.

    ``kind="loss"`` (the default) draws the training loss and, when the
    estimator was fitted with ``early_stopping=True``, the validation loss on
    the same axes: both are binary cross-entropies, so the gap between them
    shows over-fitting (the training loss includes the L2 penalty, the
    validation loss does not). ``kind="score"`` draws the validation score
    per epoch (the estimator's ``scoring``, accuracy by default), the
    quantity that early stopping watches. The two
    kinds have different units, so each gets its own axes rather than a twin
    y-axis; several displays can share one axes (for example two backends).

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss of every epoch (the estimator's ``loss_curve_``).

    validation_loss_curve : array-like of shape (n_validation_epochs,), \
            default=None
        Loss on the held-out validation set of every epoch (the estimator's
        ``validation_loss_curve_``); None when there is none.

    validation_scores : array-like of shape (n_validation_epochs,), \
            default=None
        Score on the validation set of every epoch (the estimator's
        ``validation_scores_``); None when there is none.

    name : str, default=None
        Name of the estimator, added to the legend labels. If None, the labels
        carry no name.

    score_name : str, default=None
        What the validation score is, shown in the axis label with
        ``kind="score"``; None means ``"accuracy"``.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The main curve: the training loss with ``kind="loss"``, the validation
        score with ``kind="score"``.

    validation_line_ : matplotlib Line2D or None
        The validation loss with ``kind="loss"``, drawn in the colour of
        ``line_`` with a dashed line; None when there is no validation loss or
        with ``kind="score"``.

    ax_ : matplotlib Axes
        Axes with the curves.

    figure_ : matplotlib Figure
        Figure containing the curves.

    See Also
    --------
    sklearn.model_selection.LearningCurveDisplay : Scores against the number
        of training samples.
    sklearn.inspection.DecisionBoundaryDisplay : Decision boundary of a fitted
        classifier.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn_binnet import NumpyBinaryMLP
    >>> from sklearn_binnet.datasets import make_xor
    >>> from sklearn_binnet.plotting import LossCurveDisplay
    >>> X, y = make_xor(500, random_state=0)
    >>> clf = NumpyBinaryMLP((16,), learning_rate_init=0.01, early_stopping=True,
    ...                      random_state=0).fit(X, y)
    >>> fig, (ax_loss, ax_score) = plt.subplots(1, 2, figsize=(10, 4))
    >>> display = LossCurveDisplay.from_estimator(clf, ax=ax_loss)
    >>> len(display.line_.get_xdata()) == clf.n_iter_
    True
    >>> LossCurveDisplay.from_estimator(clf, kind="score", ax=ax_score)
    <...LossCurveDisplay object at ...>
    >>> plt.show()
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_loss_curve=None,
        validation_scores=None,
        name=None,
        score_name=None,
    ):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.validation_scores = validation_scores
        self.name = name
        self.score_name = score_name

    def plot(
        self, ax=None, *, kind="loss", name=None, line_kw=None, validation_line_kw=None
    ):
        """Plot visualization.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        kind : {"loss", "score"}, default="loss"
            What to draw: the training loss and the validation loss when there
            is one (``"loss"``), or the validation score, which needs an
            estimator fitted with ``early_stopping=True`` (``"score"``).

        name : str, default=None
            Name added to the legend labels. If None, the ``name`` given at
            construction is used; if that is None too, the labels carry no
            name.

        line_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for the main
            curve (``line_``).

        validation_line_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for the
            validation loss (``validation_line_``).

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the drawn artists.
        """
        _check_matplotlib_support(f"{type(self).__name__}.plot")
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}.")

        loss_curve = _as_curve(self.loss_curve, "loss_curve")
        validation_loss = _as_curve(self.validation_loss_curve, "validation_loss_curve")
        validation_scores = _as_curve(self.validation_scores, "validation_scores")
        for curve_name, curve in [
            ("validation_loss_curve", validation_loss),
            ("validation_scores", validation_scores),
        ]:
            if curve is not None and curve.size > loss_curve.size:
                raise ValueError(
                    f"{curve_name} has {curve.size} epochs, more than the "
                    f"{loss_curve.size} of loss_curve."
                )
        if kind == "score" and validation_scores is None:
            raise ValueError(
                "kind='score' needs validation scores: fit the estimator with "
                "early_stopping=True."
            )

        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        if ax is None:
            _, ax = plt.subplots()
        name = self.name if name is None else name
        suffix = "" if name is None else f" ({name})"

        if kind == "loss":
            main, main_label, ylabel = loss_curve, "Training loss", "Loss"
        else:
            main, main_label = validation_scores, "Validation score"
            ylabel = f"Validation score ({self.score_name or 'accuracy'})"
        (self.line_,) = ax.plot(
            _epochs(main, loss_curve.size),
            main,
            **_merge_line_kw({"label": main_label + suffix}, line_kw),
        )

        self.validation_line_ = None
        if kind == "loss" and validation_loss is not None:
            defaults = {
                "label": "Validation loss" + suffix,
                "color": self.line_.get_color(),
                "linestyle": "--",
            }
            (self.validation_line_,) = ax.plot(
                _epochs(validation_loss, loss_curve.size),
                validation_loss,
                **_merge_line_kw(defaults, validation_line_kw),
            )

        ax.set(xlabel="Epoch", ylabel=ylabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend()

        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        kind="loss",
        name=None,
        ax=None,
        line_kw=None,
        validation_line_kw=None,
    ):
        """Plot the training history of a fitted estimator.

        Parameters
        ----------
        estimator : estimator instance
            Fitted estimator with a ``loss_curve_`` attribute (and
            ``validation_loss_curve_`` / ``validation_scores_`` when fitted
            with early stopping), or a fitted
            :class:`~sklearn.pipeline.Pipeline` whose last step is one.

        kind : {"loss", "score"}, default="loss"
            What to draw: the training loss and the validation loss when there
            is one (``"loss"``), or the validation score, which needs an
            estimator fitted with ``early_stopping=True`` (``"score"``).

        name : str, default=None
            Name added to the legend labels. If None, the class name of the
            estimator.

        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        line_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for the main
            curve (``line_``).

        validation_line_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for the
            validation loss (``validation_line_``).

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the data and the drawn artists.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator is not fitted.

        See Also
        --------
        sklearn.inspection.DecisionBoundaryDisplay.from_estimator : Decision
            boundary of a fitted classifier.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> from sklearn_binnet import NumpyBinaryMLP
        >>> from sklearn_binnet.datasets import make_xor
        >>> from sklearn_binnet.plotting import LossCurveDisplay
        >>> X, y = make_xor(200, random_state=0)
        >>> clf = NumpyBinaryMLP((8,), learning_rate_init=0.05, max_iter=500,
        ...                      random_state=0).fit(X, y)
        >>> display = LossCurveDisplay.from_estimator(clf)
        >>> display.ax_.get_xlabel(), display.ax_.get_ylabel()
        ('Epoch', 'Loss')
        >>> plt.show()
        """
        _check_matplotlib_support(f"{cls.__name__}.from_estimator")
        if isinstance(estimator, Pipeline):
            estimator = estimator[-1]
        check_is_fitted(estimator)
        if getattr(estimator, "loss_curve_", None) is None:
            raise ValueError(
                f"{type(estimator).__name__} has no loss_curve_: LossCurveDisplay "
                "needs an estimator trained epoch by epoch, such as NumpyBinaryMLP."
            )
        display = cls(
            loss_curve=np.asarray(estimator.loss_curve_, dtype=float),
            validation_loss_curve=_as_curve(
                getattr(estimator, "validation_loss_curve_", None),
                "validation_loss_curve_",
            ),
            validation_scores=_as_curve(
                getattr(estimator, "validation_scores_", None), "validation_scores_"
            ),
            name=type(estimator).__name__ if name is None else name,
            score_name=_score_name(getattr(estimator, "scoring", None)),
        )
        return display.plot(
            ax=ax,
            kind=kind,
            line_kw=line_kw,
            validation_line_kw=validation_line_kw,
        )
