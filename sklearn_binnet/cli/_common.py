"""What every ``binnet`` command shares: the usage error, lazy imports, messages."""

import importlib.util
import sys

PROG = "binnet"
USAGE_ERROR = 2
PLOT_EXTRA = 'pip install "sklearn-binnet[plot]"'
CLI_EXTRA = 'pip install "sklearn-binnet[cli]"'
TORCH_EXTRA = 'pip install "sklearn-binnet[torch]"'


class UsageError(Exception):
    """A mistake in the user's input: one line on stderr, exit status 2."""


def require(package, purpose, extra):
    """Fail early, with the install command, if an optional package is missing.

    Only looks the package up: importing skops, for one, takes seconds (it
    imports every scikit-learn estimator), which the commands pay only when
    they get to the point of saving or loading a model.
    """
    if importlib.util.find_spec(package) is None:
        raise UsageError(f"{purpose} needs {package}, which is not installed: {extra}")


def estimator_class(backend):
    """The estimator class of ``--backend``; torch is imported only here."""
    if backend == "numpy":
        from .._numpy_mlp import NumpyBinaryMLP

        return NumpyBinaryMLP
    try:
        from .. import TorchBinaryMLP
    except ImportError as exc:
        raise UsageError(
            f"--backend {backend} needs PyTorch and skorch: {TORCH_EXTRA}"
        ) from exc
    return TorchBinaryMLP


def listing(values, limit=5):
    """``'a', 'b', ... (12 in all)``: a short, quoted list for a message."""
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def first_line(exc):
    """The first line of an exception's message, or its type's name."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def warning_printer(prog):
    """Return a ``warnings.showwarning`` that prints each warning once, in a line.

    The default format adds the file, the line number and the source line of
    the library code that warned: noise to a user of the command. The same
    warning from every cross-validation fold is shown once.
    """
    shown = set()

    def show(message, category, filename, lineno, file=None, line=None):
        text = (str(message).strip().splitlines() or [category.__name__])[0]
        if (category, text) not in shown and sys.stderr is not None:
            shown.add((category, text))
            print(f"{prog}: warning: {text}", file=sys.stderr)

    return show
