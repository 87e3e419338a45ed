"""``binnet fit``'s progress bars.

The bars, ``--quiet`` and a pipe go through the console script in a
subprocess, standard error attached to a pseudo-terminal as in a shell (or
to a pipe). The early stop and the fallbacks run ``main`` in this process,
with a pseudo-terminal as ``sys.stderr``: a process costs seconds of imports.
Where the installed scikit-learn has no callback API (``make test-min``),
the same runs check the fallback: one note on the terminal, no bar, and the
same results.
"""

import contextlib
import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from cli_support import (
    BINNET,
    FIT_QUICK,
    TIMEOUT_S,
    binnet,
    write_data,
)

from sklearn_binnet._callbacks import CallbackSupportMixin
from sklearn_binnet.cli import main

# Whether this scikit-learn has the callback API that drives the bars.
CALLBACK_API = CallbackSupportMixin is not None
NO_API_NOTE = "binnet fit: note: no progress bar: it needs scikit-learn >= 1.9"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# The summary's duration differs from run to run; nothing else on stdout may.
SECONDS = re.compile(r"; \d+\.\d s;")
# The environment of the terminals: colours and animation as in a shell.
TERMINAL_ENV = {"TERM": "xterm-256color"}
NOT_IN_TERMINAL_ENV = ("NO_COLOR", "FORCE_COLOR", "TTY_INTERACTIVE", "TTY_COMPATIBLE")


def pseudo_terminal():
    """A pseudo-terminal of 100 columns: its two ends and a thread that
    collects what the secondary end receives (call ``done`` to read it)."""
    main_fd, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    received = []

    def read():
        # Drained while the command runs, so that it never blocks on a full
        # terminal; EIO (Linux) or b"" says the writer closed its end.
        while True:
            try:
                data = os.read(main_fd, 65536)
            except OSError:
                return
            if not data:
                return
            received.append(data)

    reader = threading.Thread(target=read)
    reader.start()

    def done():
        """Wait for the secondary end to be closed; return the text, ANSI
        escape sequences removed (``\\r`` kept: it separates redraws)."""
        reader.join(TIMEOUT_S)
        os.close(main_fd)
        return ANSI.sub("", b"".join(received).decode("utf-8", "replace"))

    return secondary, done


def binnet_on_terminal(*args, cwd):
    """Run ``binnet ARGS`` with stderr on a pseudo-terminal.

    Returns the exit status, stdout, and the text of the terminal.
    """
    secondary, done = pseudo_terminal()
    environment = {**os.environ, **TERMINAL_ENV}
    for name in NOT_IN_TERMINAL_ENV:
        environment.pop(name, None)
    try:
        process = subprocess.Popen(
            [str(BINNET), *map(str, args)],
            cwd=cwd,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=secondary,
        )
    finally:
        os.close(secondary)
    try:
        stdout, _ = process.communicate(timeout=TIMEOUT_S)
    finally:
        terminal = done()
    return process.returncode, stdout.decode("utf-8"), terminal


def main_on_terminal(monkeypatch, *args, cwd):
    """Run ``main(ARGS)`` in this process with a pseudo-terminal as stderr."""
    for name, value in TERMINAL_ENV.items():
        monkeypatch.setenv(name, value)
    for name in NOT_IN_TERMINAL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(cwd)
    secondary, done = pseudo_terminal()
    stdout = io.StringIO()
    try:
        with (
            open(secondary, "w", encoding="utf-8") as stderr,
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            status = main([str(arg) for arg in args])
    finally:
        terminal = done()
    return status, stdout.getvalue(), terminal


def final_lines(terminal):
    """Each line of the terminal as it was left: the last redraw of each."""
    lines = terminal.replace("\r\n", "\n").split("\n")
    return [
        ([part for part in line.split("\r") if part.strip()] or [""])[-1].rstrip()
        for line in lines
    ]


def bar_lines(terminal):
    """The final state of every bar, in order."""
    return [line for line in final_lines(terminal) if " epochs" in line]


def assert_no_bar(text):
    assert " epochs" not in text and "ETA" not in text, text
    assert "\r" not in text.replace("\r\n", "\n"), text


FOLDS = [*FIT_QUICK, "--cv", "2"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The console-script runs that the tests below read, side by side."""
    cases = {
        "terminal": (binnet_on_terminal, FOLDS),
        "quiet": (binnet_on_terminal, [*FOLDS, "--quiet"]),
        "pipe": (binnet, FOLDS),
    }
    directories = {key: tmp_path_factory.mktemp(key) for key in cases}
    for directory in directories.values():
        write_data(directory)
    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        futures = {
            key: pool.submit(function, *args, cwd=directories[key])
            for key, (function, args) in cases.items()
        }
        results = {key: future.result() for key, future in futures.items()}
    results["directories"] = directories
    return results


def test_a_bar_per_fold_and_for_the_final_fit(runs):
    status, _, terminal = runs["terminal"]
    assert status == 0, terminal
    if not CALLBACK_API:
        assert NO_API_NOTE in terminal
        assert_no_bar(terminal)
        return
    bars = bar_lines(terminal)
    # Each bar ends full, with the rate and the time it took.
    assert [bar.split()[:2] for bar in bars] == [
        ["fold", "1/2"],
        ["fold", "2/2"],
        ["final", "fit"],
    ], bars
    done = re.compile(r" 30/30 epochs +[\d.]+ (epochs/s|s/epoch) +took \d:\d\d:\d\d$")
    for bar in bars:
        assert done.search(bar), bar
    # A warning during a fit is printed above the bar, whole, on one line
    # (wider than the terminal: the terminal wraps it, not the command).
    (warning,) = [line for line in final_lines(terminal) if "warning" in line]
    assert warning.startswith("binnet fit: warning: Stochastic optimizer")
    assert warning.endswith("converged yet."), warning
    assert len(warning) > 100
    # While a fit runs, its bar shows an ETA (or -:--:-- before the first epoch).
    assert re.search(r"ETA (\d:\d\d:\d\d|-:--:--)", terminal), terminal


def test_stdout_is_the_same_with_and_without_bars(runs):
    pipe = runs["pipe"]
    assert pipe.returncode == 0, pipe.stderr
    assert "Fold 1/2" in pipe.stdout and "Fitted 60 rows" in pipe.stdout
    for key in ("terminal", "quiet"):
        status, stdout, terminal = runs[key]
        assert status == 0, terminal
        assert SECONDS.sub("", stdout) == SECONDS.sub("", pipe.stdout), key


def test_no_bar_when_stderr_is_not_a_terminal(runs):
    assert_no_bar(runs["pipe"].stderr)
    assert "note" not in runs["pipe"].stderr


def test_no_bar_and_no_note_with_quiet(runs):
    _, _, terminal = runs["quiet"]
    assert_no_bar(terminal)
    assert "note" not in terminal


def test_the_model_holds_no_callback(runs):
    # The callback is taken off the network after each fit: binnet predict
    # would refuse a model file that holds it. skops lists every object of
    # the file in schema.json.
    model = runs["directories"]["terminal"] / "model.skops"
    schema = zipfile.ZipFile(model).read("schema.json").decode()
    classes = set(re.findall(r'"__class__": "(\w+)"', schema))
    assert "NumpyBinaryMLP" in classes
    assert "_EpochCounter" not in classes and "Progress" not in classes
    assert "_skl_callbacks" not in schema


def test_early_stopping_ends_the_bar(tmp_path, monkeypatch):
    write_data(tmp_path)
    # A tolerance no epoch meets: the stopping rule ends the fit after
    # n_iter_no_change + 1 epochs of the 200.
    stop = ["--param", "tol=10.0", "--param", "n_iter_no_change=2"]
    status, stdout, terminal = main_on_terminal(
        monkeypatch, *FIT_QUICK, "--cv", "0", "--max-iter", "200", *stop, cwd=tmp_path
    )
    assert status == 0, terminal
    assert "Fitted 60 rows" in stdout
    if not CALLBACK_API:
        assert NO_API_NOTE in terminal
        assert_no_bar(terminal)
        return
    (bar,) = bar_lines(terminal)
    # The bar ends (it does not hang part-way), full, and says why.
    match = re.search(r"^fit .* (\d+)/200 epochs .* took \S+ +stopped early$", bar)
    assert match, bar
    assert int(match[1]) < 200


def test_without_rich_a_note_and_no_bar(tmp_path, monkeypatch):
    write_data(tmp_path)
    # As if rich were not installed: importing it fails.
    monkeypatch.setitem(sys.modules, "rich.progress", None)
    status, stdout, terminal = main_on_terminal(
        monkeypatch, *FIT_QUICK, "--cv", "0", cwd=tmp_path
    )
    assert status == 0, terminal
    assert "Fitted 60 rows" in stdout
    note = "it needs rich" if CALLBACK_API else "it needs scikit-learn >= 1.9"
    assert f"binnet fit: note: no progress bar: {note}" in terminal, terminal
    assert terminal.count("note:") == 1
    assert_no_bar(terminal)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_without_the_callback_api_a_note(monkeypatch):
    # As with scikit-learn < 1.9, where _callbacks finds no sklearn.callback.
    from sklearn_binnet import _callbacks
    from sklearn_binnet.cli import _progress

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(_callbacks, "CallbackSupportMixin", None)
    reporter = _progress.progress("binnet fit", quiet=False)
    assert isinstance(reporter, _progress._NoBars)
    assert terminal.getvalue().startswith(NO_API_NOTE + " (")
    assert terminal.getvalue().count("\n") == 1
