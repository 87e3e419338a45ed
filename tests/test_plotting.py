"""LossCurveDisplay draws the training history it is given, the scikit-learn way."""

import warnings

import matplotlib
import numpy as np
import pytest
from matplotlib.lines import Line2D
from numpydoc.validate import validate
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from conftest import run_python
from sklearn_binnet import NumpyBinaryMLP, TorchBinaryMLP
from sklearn_binnet.datasets import make_xor
from sklearn_binnet.plotting import LossCurveDisplay

matplotlib.use("Agg")
import matplotlib.pyplot as plt

BACKENDS = [NumpyBinaryMLP, TorchBinaryMLP]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _fit(estimator_class, **params):
    X, y = make_xor(120, random_state=0)
    params = {
        "hidden_layer_sizes": (4,),
        "learning_rate_init": 0.05,
        "max_iter": 15,
        "random_state": 0,
        **params,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator_class(**params).fit(X, y)


@pytest.mark.parametrize("estimator_class", BACKENDS)
def test_training_loss_line_is_loss_curve(estimator_class):
    clf = _fit(estimator_class)
    display = LossCurveDisplay.from_estimator(clf)

    n_epochs = len(clf.loss_curve_)
    assert n_epochs == clf.n_iter_ == 15
    assert isinstance(display.line_, Line2D)
    # Epochs are counted from 1, as n_iter_ and verbose=True count them.
    np.testing.assert_array_equal(display.line_.get_xdata(), np.arange(1, 16))
    np.testing.assert_array_equal(display.line_.get_ydata(), clf.loss_curve_)
    assert display.validation_line_ is None
    assert display.ax_.get_lines() == [display.line_]
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.ax_.get_ylabel() == "Loss"
    assert display.line_.get_label() == f"Training loss ({estimator_class.__name__})"
    legend = display.ax_.get_legend()
    assert [text.get_text() for text in legend.get_texts()] == [
        display.line_.get_label()
    ]


@pytest.mark.parametrize("estimator_class", BACKENDS)
def test_early_stopping_draws_validation_loss_and_score(estimator_class):
    clf = _fit(estimator_class, early_stopping=True, validation_fraction=0.25)
    epochs = np.arange(1, len(clf.loss_curve_) + 1)

    display = LossCurveDisplay.from_estimator(clf)
    np.testing.assert_array_equal(display.line_.get_ydata(), clf.loss_curve_)
    validation = display.validation_line_
    assert isinstance(validation, Line2D)
    np.testing.assert_array_equal(validation.get_xdata(), epochs)
    np.testing.assert_array_equal(validation.get_ydata(), clf.validation_loss_curve_)
    # Same colour as the training loss, told apart by the dashes.
    assert validation.get_color() == display.line_.get_color()
    assert validation.get_linestyle() == "--"
    assert len(display.ax_.get_legend().get_texts()) == 2

    score = LossCurveDisplay.from_estimator(clf, kind="score")
    np.testing.assert_array_equal(score.line_.get_xdata(), epochs)
    np.testing.assert_array_equal(score.line_.get_ydata(), clf.validation_scores_)
    assert score.validation_line_ is None
    assert score.ax_.get_ylabel() == "Validation score (accuracy)"
    assert score.ax_ is not display.ax_


@pytest.mark.parametrize(
    "scoring, label",
    [("loss", "negative log-loss"), ("roc_auc", "roc_auc"), (None, "accuracy")],
)
def test_score_axis_names_the_scoring(scoring, label):
    clf = _fit(NumpyBinaryMLP, early_stopping=True, scoring=scoring)
    score = LossCurveDisplay.from_estimator(clf, kind="score")
    np.testing.assert_array_equal(score.line_.get_ydata(), clf.validation_scores_)
    assert score.ax_.get_ylabel() == f"Validation score ({label})"


def test_ax_is_honoured_and_shared_by_several_displays():
    fig, (ax_left, ax_right) = plt.subplots(1, 2)
    numpy_clf = _fit(NumpyBinaryMLP)
    other_clf = _fit(NumpyBinaryMLP, learning_rate_init=0.01)

    first = LossCurveDisplay.from_estimator(numpy_clf, ax=ax_right, name="fast")
    second = LossCurveDisplay.from_estimator(other_clf, ax=ax_right, name="slow")

    assert first.ax_ is second.ax_ is ax_right
    assert first.figure_ is second.figure_ is fig
    assert ax_left.get_lines() == []
    assert ax_right.get_lines() == [first.line_, second.line_]
    assert first.line_.get_color() != second.line_.get_color()
    labels = [text.get_text() for text in ax_right.get_legend().get_texts()]
    assert labels == ["Training loss (fast)", "Training loss (slow)"]
    assert len(plt.get_fignums()) == 1


def test_plot_of_a_display_built_from_arrays():
    display = LossCurveDisplay(
        loss_curve=[0.9, 0.5, 0.3, 0.2],
        validation_loss_curve=[0.6, 0.4],
        validation_scores=[0.7, 0.8],
    )
    assert display.loss_curve == [0.9, 0.5, 0.3, 0.2]
    assert display.name is None
    assert display.plot() is display
    assert display.line_.get_label() == "Training loss"
    # A validation history shorter than the training one (early stopping
    # switched on in a warm_start refit) covers the last epochs.
    np.testing.assert_array_equal(display.validation_line_.get_xdata(), [3, 4])
    np.testing.assert_array_equal(display.validation_line_.get_ydata(), [0.6, 0.4])

    _, ax = plt.subplots()
    display.plot(ax=ax, kind="score", name="net")
    assert display.ax_ is ax
    assert display.line_.get_label() == "Validation score (net)"
    np.testing.assert_array_equal(display.line_.get_xdata(), [3, 4])


def test_line_keywords_override_the_defaults_aliases_included():
    clf = _fit(NumpyBinaryMLP, early_stopping=True, validation_fraction=0.25)
    display = LossCurveDisplay.from_estimator(
        clf,
        line_kw={"c": "red", "label": "train"},
        validation_line_kw={"ls": ":", "color": "black"},
    )
    assert display.line_.get_color() == "red"
    assert display.line_.get_label() == "train"
    assert display.validation_line_.get_linestyle() == ":"
    assert display.validation_line_.get_color() == "black"


def test_pipeline_and_mlpclassifier_are_accepted():
    X, y = make_xor(120, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline = make_pipeline(
            StandardScaler(), NumpyBinaryMLP((4,), max_iter=10, random_state=0)
        ).fit(X, y)
        mlp = MLPClassifier((4,), max_iter=10, early_stopping=True, random_state=0)
        mlp.fit(X, y)

    display = LossCurveDisplay.from_estimator(pipeline)
    np.testing.assert_array_equal(display.line_.get_ydata(), pipeline[-1].loss_curve_)
    assert display.line_.get_label() == "Training loss (NumpyBinaryMLP)"

    # MLPClassifier records validation scores but no validation loss.
    display = LossCurveDisplay.from_estimator(mlp)
    assert display.validation_line_ is None
    display = LossCurveDisplay.from_estimator(mlp, kind="score")
    np.testing.assert_array_equal(display.line_.get_ydata(), mlp.validation_scores_)


def test_errors():
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(NumpyBinaryMLP())
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(make_pipeline(NumpyBinaryMLP()))

    clf = _fit(NumpyBinaryMLP)
    with pytest.raises(ValueError, match="early_stopping=True"):
        LossCurveDisplay.from_estimator(clf, kind="score")
    with pytest.raises(ValueError, match="kind must be one of"):
        LossCurveDisplay.from_estimator(clf, kind="accuracy")
    X, y = make_xor(50, random_state=0)
    with pytest.raises(ValueError, match="LogisticRegression has no loss_curve_"):
        LossCurveDisplay.from_estimator(LogisticRegression().fit(X, y))
    with pytest.raises(ValueError, match="more than the 2 of loss_curve"):
        LossCurveDisplay(loss_curve=[1, 2], validation_scores=[1, 2, 3]).plot()
    # A failed call draws nothing.
    assert plt.get_fignums() == []


def test_importing_the_package_does_not_import_matplotlib():
    run_python(
        """
        import sys
        import sklearn_binnet
        import sklearn_binnet.plotting
        import sklearn_binnet.cli
        loaded = sorted(m for m in sys.modules if m.partition(".")[0] == "matplotlib")
        assert not loaded, loaded
        """
    )


def test_clear_import_error_without_matplotlib():
    result = run_python(
        """
        from sklearn_binnet import NumpyBinaryMLP
        from sklearn_binnet.datasets import make_xor
        from sklearn_binnet.plotting import LossCurveDisplay
        clf = NumpyBinaryMLP(max_iter=300).fit(*make_xor(100, random_state=0))
        for draw in [
            lambda: LossCurveDisplay.from_estimator(clf),
            lambda: LossCurveDisplay(loss_curve=clf.loss_curve_).plot(),
        ]:
            try:
                draw()
            except ImportError as exc:
                print(exc)
        """,
        block=["matplotlib"],  # as if it were not installed
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("LossCurveDisplay.from_estimator requires matplotlib")
    assert lines[1].startswith("LossCurveDisplay.plot requires matplotlib")
    assert 'pip install "sklearn-binnet[plot]"' in lines[0]


@pytest.mark.parametrize(
    "name",
    [
        "sklearn_binnet.plotting.LossCurveDisplay",
        "sklearn_binnet.plotting.LossCurveDisplay.plot",
        "sklearn_binnet.plotting.LossCurveDisplay.from_estimator",
    ],
)
def test_docstring_is_valid_numpydoc(name):
    # The same rules as tests/test_docstrings.py, which covers the names of
    # sklearn_binnet.__all__ only.
    ignored = {"ES01", "GL01", "GL02", "RT02", "SA04"}
    if name.endswith(("plot", "from_estimator")):
        ignored |= {"SA01", "EX01"}
    errors = [
        f"{code}: {message}"
        for code, message in validate(name)["errors"]
        if code not in ignored
    ]
    assert not errors, "\n".join(errors)
