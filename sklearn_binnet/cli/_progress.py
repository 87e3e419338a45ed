"""Progress bars of ``binnet fit``: one per fit, on standard error.

Each fit (every cross-validation fold, then the fit on all rows) gets a bar
that counts its epochs, with their rate and an estimate of the time left.
The epochs come from scikit-learn's callback API (``sklearn.callback``,
1.9 and later), which both estimators support: a callback set on the network
of the pipeline sees each epoch's task end, so the bar depends on no
backend, and the fit's own teardown (success, early stop or error) is where
the bar ends. rich draws the bars.

Bars are drawn only when standard error is a terminal and ``--quiet`` is not
given. Where scikit-learn has no callback API or rich is missing, one note
on standard error says why there is no bar, and the command runs as before.
Nothing here touches standard output: the results printed there are the
same with or without bars.
"""

import contextlib
import sys

from ._common import CLI_EXTRA

# Bars of the folds and of the final fit line up with descriptions this wide.
_DESCRIPTION_WIDTH = 10
# rich redraws the bar from a thread of its own; a redraw takes a few ms, so
# twice a second keeps the clock ticking for under 1% of a core.
_REFRESH_PER_SECOND = 2


def _unavailable():
    """Why bars cannot be drawn here (text for a note), or None."""
    from .._callbacks import _CALLBACK_API_VERSION, CallbackSupportMixin

    if CallbackSupportMixin is None:
        import sklearn

        return (
            f"it needs scikit-learn >= {_CALLBACK_API_VERSION} "
            f"({sklearn.__version__} is installed)"
        )
    try:
        import rich.progress  # noqa: F401
    except ImportError:
        return f"it needs rich: {CLI_EXTRA}"
    return None


def progress(prog, quiet):
    """Return the progress reporter of a command.

    Parameters
    ----------
    prog : str
        The command's name, for the note that says why there is no bar.
    quiet : bool
        True for no bars and no note (``--quiet``).

    Returns
    -------
    reporter : object
        Its ``watch(estimator, description)`` is a context manager around a
        fit of ``estimator`` (the network, which may sit in a pipeline): a
        bar when bars are shown, nothing otherwise.
    """
    stderr = sys.stderr
    if quiet or stderr is None or not stderr.isatty():
        return _NoBars()
    reason = _unavailable()
    if reason is not None:
        print(f"{prog}: note: no progress bar: {reason}", file=stderr)
        return _NoBars()
    return _Bars(stderr)


class _NoBars:
    """The reporter that shows nothing."""

    def watch(self, estimator, description):
        return contextlib.nullcontext()


class _EpochCounter:
    """A ``sklearn.callback`` callback: advances a bar at each epoch's end.

    It asks for no data (its hooks take no keyword arguments), so the
    estimator builds nothing for it, and never stops the fit.
    """

    def __init__(self, bars, task):
        self._bars, self._task = bars, task

    def setup(self, estimator, context):
        # The clock starts with the network's fit, after the preprocessing.
        if context.max_subtasks:
            self._bars.update(self._task, total=context.max_subtasks)
        self._bars.start_task(self._task)

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        if context.task_name == "epoch":
            self._bars.advance(self._task)

    def teardown(self, estimator, context):
        pass


class _Bars:
    """The reporter that draws a rich progress bar per fit on ``stderr``."""

    def __init__(self, stderr):
        from rich.console import Console

        # soft_wrap: a warning printed above a bar stays one line, as without bars.
        self._console = Console(file=stderr, highlight=False, soft_wrap=True)

    @contextlib.contextmanager
    def watch(self, estimator, description):
        """Draw a bar while the body fits ``estimator``; end it as the fit ends.

        A fit that stops before ``max_iter`` epochs fills its bar and says
        so; one that fails keeps its bar where it was and says that.
        """
        from rich.progress import BarColumn, Progress, TextColumn

        bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.fields[epochs]} epochs"),
            _column(_rate),
            _column(_time),
            TextColumn("{task.fields[note]}"),
            console=self._console,
            refresh_per_second=_REFRESH_PER_SECOND,
            # Warnings printed during the fit go above the bar, not through it;
            # standard output is left alone.
            redirect_stdout=False,
            redirect_stderr=True,
        )
        epochs = estimator.max_iter
        task = bars.add_task(
            description.ljust(_DESCRIPTION_WIDTH),
            total=epochs,
            start=False,
            epochs=epochs,
            note="",
        )
        estimator.set_callbacks(_EpochCounter(bars, task))
        bars.start()
        try:
            yield
        except BaseException as exc:
            interrupted = isinstance(exc, KeyboardInterrupt)
            bars.update(task, note="interrupted" if interrupted else "failed")
            bars.stop_task(task)
            raise
        else:
            done = bars.tasks[0].completed
            if done < bars.tasks[0].total:
                # The stopping rule ended the fit: a full bar, and why.
                bars.update(task, total=done, note="stopped early")
        finally:
            # The model file must not hold the callback (nor the bar in it).
            estimator.set_callbacks()
            bars.stop()


def _clock(seconds):
    seconds = round(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _ended(task):
    return task.finished or task.stop_time is not None


def _rate(task):
    """Epochs per second (seconds per epoch when slower than one a second).

    While the fit runs, rich's recent rate; once it has ended, its average.
    """
    if _ended(task):
        speed = task.completed / task.elapsed if task.elapsed else None
    else:
        speed = task.speed
    if not speed:
        return ""
    if speed < 1:
        return f"{1 / speed:.2f} s/epoch"
    return f"{speed:.1f} epochs/s"


def _time(task):
    """``ETA h:mm:ss`` while the fit runs, then ``took h:mm:ss``.

    The ETA is for ``max_iter`` epochs: an upper bound where the stopping
    rule may end the fit sooner.
    """
    if _ended(task):
        return f"took {_clock(task.elapsed or 0)}"
    remaining = task.time_remaining
    return "ETA " + ("-:--:--" if remaining is None else _clock(remaining))


def _column(text_of):
    """A rich progress column whose cells are ``text_of(task)``."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class _TextOf(ProgressColumn):
        def render(self, task):
            return Text(text_of(task))

    return _TextOf()
