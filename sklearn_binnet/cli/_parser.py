"""The argument parser of ``binnet``: every command, option and help text."""

import argparse
import math

from ._common import CLI_EXTRA, PLOT_EXTRA, PROG, USAGE_ERROR


class _ArgumentParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr.

    argparse prints the whole usage before its error message; a single line
    reads better in a log, and ``--help`` is named in it.
    """

    def error(self, message):
        self.exit(
            USAGE_ERROR,
            f"{self.prog}: error: {message} (see '{self.prog} --help')\n",
        )


def _hidden_layer_sizes(text):
    """Parse ``--hidden``: comma-separated positive integers, e.g. ``64,32``."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of positive integers such as 64,32"
        )
    return sizes


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return value


def _batch_size(text):
    return "auto" if text == "auto" else _positive_int(text)


def _number(text):
    """A float for the estimator; its own constraints judge the value."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isnan(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number")
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a seed: give an integer from 0 to 2**32 - 1"
        )
    return value


def _cv_folds(text):
    try:
        value = int(text)
    except ValueError:
        value = 1
    if value == 1 or value < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of folds: give an integer >= 2, or 0 to "
            "skip cross-validation"
        )
    return value


def _precision(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 17:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a precision: give a number of significant digits "
            "from 1 to 17"
        )
    return value


def _separator(text):
    text = {"\\t": "\t", "tab": "\t"}.get(text, text)
    if len(text) != 1 or text in "\"'\r\n":
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a separator: give one character, such as ';' or tab"
        )
    return text


def _param(text):
    name, equals, value = text.partition("=")
    if not equals or not name.isidentifier():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not NAME=VALUE, e.g. solver=sgd or tol=1e-3"
        )
    return name, value


def _version():
    from .. import __version__

    return __version__


def build_parser():
    """Return the argument parser of the ``binnet`` command.

    The documentation generates its command-line reference from it.

    Returns
    -------
    parser : argparse.ArgumentParser
        The parser, with one subparser per command (``demo``, ``fit``,
        ``predict``, ``export``). The command's name is ``args.command``.

    See Also
    --------
    main : Run the command.

    Examples
    --------
    >>> from sklearn_binnet.cli import build_parser
    >>> build_parser().prog
    'binnet'
    >>> build_parser().parse_args(["predict", "model.skops", "new.csv"]).command
    'predict'
    """
    parser = _ArgumentParser(
        prog=PROG,
        description=(
            "Binary classifiers built on small neural networks "
            "(sklearn-binnet): the tutorial demo, and fit / predict on CSV "
            "files."
        ),
        epilog=(
            "Each command has its own --help. Errors in the input are one line "
            "on stderr with exit status 2, and write nothing."
        ),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {_version()}",
        help="print the version of sklearn-binnet and exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_demo(commands)
    _add_fit(commands)
    _add_predict(commands)
    _add_export(commands)
    return parser


def _add_demo(commands):
    demo = commands.add_parser(
        "demo",
        help="train the tutorial's network and plot it",
        description=(
            "The tutorial end to end on its data, make_xor(200, "
            "random_state=0): a network with one hidden layer of 4 ReLU units, "
            "started as the tutorial starts it (np.random.seed(1), weights "
            "randn * 0.01, zero biases) and trained by full-batch gradient "
            "descent (learning rate 0.1) for 1000 epochs. Prints the "
            "tutorial's lines 'Epoch N, Loss: L' every 100 epochs (N counted "
            "from 0, the loss before that epoch's step), the final loss and "
            "the training accuracy, then writes data.png (the data), loss.png "
            "(the loss per epoch) and predictions.png (the decision boundary "
            "with the points) into DIR, replacing all three or none, and "
            "prints where. With --backend both, each line is prefixed with the "
            "backend's name and both loss curves are drawn (the torch network "
            "in float64, so that both print the same numbers). Needs "
            f"matplotlib ({PLOT_EXTRA})."
        ),
    )
    demo.add_argument(
        "--backend",
        choices=["numpy", "torch", "both"],
        default="numpy",
        help="NumpyBinaryMLP, TorchBinaryMLP or both (default: %(default)s)",
    )
    demo.add_argument(
        "--init",
        choices=["tutorial", "glorot"],
        default="tutorial",
        help=(
            "the starting weights: the tutorial's (default), or the library's "
            "own Glorot-uniform start from random_state=0, which scales the "
            "weights to each layer's size instead of 0.01, so the loss starts "
            "at another value and the printed numbers differ from the "
            "tutorial's"
        ),
    )
    demo.add_argument(
        "--out",
        default="binnet-demo",
        metavar="DIR",
        help="directory for the three plots, created if needed (default: %(default)s)",
    )


def _add_fit(commands):
    fit = commands.add_parser(
        "fit",
        help="cross-validate and fit a model on a CSV file",
        description=(
            "Reads DATA.csv (a header row, one sample per row; - reads standard "
            "input), builds a pipeline that one-hot encodes the non-numeric "
            "columns (unknown categories are ignored at prediction time), "
            "standardises the numeric ones and feeds a binary MLP classifier; "
            "prints one line per fold of stratified K-fold cross-validation "
            "and the mean ± std of accuracy, ROC AUC and log loss; fits on all "
            "rows, saves the pipeline with skops.io and prints a one-line "
            "summary. The target must have exactly two classes and no missing "
            "values; numeric features must have no missing values. Estimator "
            "options left out keep the estimator's defaults; every option is "
            "checked by the estimator's own constraints before any work. "
            f"Needs pandas and skops ({CLI_EXTRA})."
        ),
    )
    fit.add_argument("data", metavar="DATA.csv", help="the training data, or -")
    fit.add_argument(
        "--target", required=True, metavar="COLUMN", help="name of the label column"
    )
    fit.add_argument(
        "--backend",
        choices=["numpy", "torch"],
        default="numpy",
        help="NumpyBinaryMLP or TorchBinaryMLP (default: %(default)s)",
    )
    fit.add_argument(
        "--hidden-layer-sizes",
        "--hidden",
        dest="hidden_layer_sizes",
        type=_hidden_layer_sizes,
        metavar="SIZES",
        help="hidden layer sizes, comma-separated, e.g. 64,32 (default: 100)",
    )
    fit.add_argument(
        "--max-iter",
        type=_positive_int,
        metavar="N",
        help="maximum number of epochs (default: 200)",
    )
    fit.add_argument(
        "--early-stopping",
        action="store_true",
        default=None,
        help="stop when the score on a held-out 10%% of the rows stops improving",
    )
    fit.add_argument(
        "--learning-rate-init",
        type=_number,
        metavar="RATE",
        help="the initial learning rate (default: 0.001)",
    )
    fit.add_argument(
        "--batch-size",
        type=_batch_size,
        metavar="N",
        help="rows per mini-batch, or auto: min(200, rows) (default: auto)",
    )
    fit.add_argument(
        "--alpha",
        type=_number,
        metavar="ALPHA",
        help="strength of the L2 penalty (default: 0.0001)",
    )
    fit.add_argument(
        "--param",
        type=_param,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=(
            "any other parameter of the estimator, e.g. solver=sgd or "
            "activation=tanh; VALUE is read as a Python literal when it is one, "
            "as text otherwise; repeat for several"
        ),
    )
    fit.add_argument(
        "--cv",
        type=_cv_folds,
        default=5,
        metavar="K",
        help="number of cross-validation folds, 0 to skip (default: %(default)s)",
    )
    fit.add_argument(
        "--random-state",
        type=_seed,
        default=0,
        metavar="SEED",
        help="seed of the folds and of the network (default: %(default)s)",
    )
    _add_sep(fit)
    fit.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help=(
            "no progress bars (drawn on stderr, and only when it is a "
            "terminal: one per fit, with epochs, rate and ETA)"
        ),
    )
    fit.add_argument(
        "--model",
        default="model.skops",
        metavar="OUT.skops",
        help=(
            "where to save the fitted pipeline; an existing model file is "
            "replaced, any other existing file is refused (default: %(default)s)"
        ),
    )


def _add_predict(commands):
    predict = commands.add_parser(
        "predict",
        help="predict with a model saved by 'binnet fit'",
        description=(
            "Loads MODEL.skops, checking that every type it holds is one that "
            "'binnet fit' writes (anything else is refused) and that the "
            "fitted network is sound, and writes a CSV with one row per row of "
            "DATA.csv (- reads standard input): a 'prediction' column and, "
            "with --proba, one probability column per class, named after the "
            "class. DATA.csv needs the feature columns of the training data; "
            "other columns are ignored. Writes to standard output unless "
            f"--output is given. Needs pandas and skops ({CLI_EXTRA})."
        ),
    )
    predict.add_argument("model", metavar="MODEL.skops", help="a model file")
    predict.add_argument(
        "data", metavar="DATA.csv", help="the samples to predict, or -"
    )
    predict.add_argument(
        "--proba", action="store_true", help="add the class probabilities"
    )
    predict.add_argument(
        "--precision",
        type=_precision,
        default=6,
        metavar="DIGITS",
        help="significant digits of the probabilities (default: %(default)s)",
    )
    _add_sep(predict)
    predict.add_argument(
        "--output",
        metavar="OUT.csv",
        help=(
            "write the predictions to this file (written whole, or not at "
            "all; an input is never overwritten) and print a line saying so; "
            "- is standard output"
        ),
    )


def _add_export(commands):
    export = commands.add_parser(
        "export",
        help="convert a model saved by 'binnet fit' to ONNX",
        description=(
            "Loads MODEL.skops with the checks of 'binnet predict' and writes "
            "the whole pipeline (encoder, scaler and network) as an ONNX "
            "model, to run with onnxruntime outside Python. Its inputs are "
            "the training columns, one (N, 1) tensor each: text for the "
            "one-hot encoded columns, numbers for the others. Its outputs are "
            "'label' and 'probabilities'. Needs skops and skl2onnx "
            f'({CLI_EXTRA}; pip install "sklearn-binnet[onnx]").'
        ),
    )
    export.add_argument("model", metavar="MODEL.skops", help="a model file")
    export.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="MODEL.onnx",
        help="the ONNX file to write (written whole, or not at all); - is "
        "standard output",
    )
    export.add_argument(
        "--dtype",
        choices=["float32", "float64"],
        default="float32",
        help="the type of the numeric inputs and of the computation "
        "(default: %(default)s)",
    )
    export.add_argument(
        "--zipmap",
        action="store_true",
        help="output the probabilities as a list of {class: probability} maps "
        "(float32 only), as skl2onnx does by default, instead of a tensor",
    )


def _add_sep(command):
    command.add_argument(
        "--sep",
        type=_separator,
        metavar="CHAR",
        help=(
            "the column separator of DATA.csv (tab: 'tab'); by default the one "
            "of , ; tab | that splits every one of the first lines alike"
        ),
    )
