"""``main``: parse the arguments, run a command, turn mistakes into one line."""

import os
import sys
import warnings

from ._common import PROG, USAGE_ERROR, UsageError, warning_printer
from ._parser import build_parser


def _command(name):
    """The ``run`` function of a command, imported only when it runs."""
    if name == "demo":
        from ._demo import run
    elif name == "fit":
        from ._fit import run
    elif name == "export":
        from ._export import run
    else:
        from ._predict import run
    return run


def _silence_stdout():
    """Point stdout at /dev/null, so that Python's final flush cannot fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv=None):
    """Run the ``binnet`` command.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name; None means ``sys.argv[1:]``.

    Returns
    -------
    status : int
        The exit status: 0 on success (``--help`` and ``--version`` too), 2 on
        a mistake in the input (reported as one line on stderr).

    See Also
    --------
    build_parser : The parser of the arguments.
    sklearn_binnet.plotting.LossCurveDisplay : The loss plot of ``binnet demo``.

    Examples
    --------
    >>> from sklearn_binnet.cli import main
    >>> main(["fit", "no-such-file.csv", "--target", "y"])
    2
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        # --help, --version, or a bad argument already reported by the parser.
        return exc.code
    prog = f"{PROG} {args.command}"
    with warnings.catch_warnings():
        # Every warning reaches the printer, which shows each one once.
        warnings.simplefilter("always")
        warnings.showwarning = warning_printer(prog)
        try:
            status = _command(args.command)(args)
            if sys.stdout is not None:
                sys.stdout.flush()  # a closed pipe is reported here, not at exit
            return status
        except UsageError as exc:
            print(f"{prog}: error: {exc}", file=sys.stderr)
            return USAGE_ERROR
        except KeyboardInterrupt:
            print(f"{prog}: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:
            # The reader of stdout went away (``binnet predict ... | head``):
            # not an error of ours, and nothing to report.
            _silence_stdout()
            return 1
