"""What the tests of the ``binnet`` command share (imported by tests/test_cli*.py).

The command is run as users run it: the installed console script, in a
subprocess. Most of a short command's second goes into imports, so the tests
start the subprocesses they need side by side with :func:`binnet_all`.
"""

import contextlib
import io
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

# The console script installed next to this Python (.venv/bin/binnet).
BINNET = Path(sys.executable).with_name("binnet")
TIMEOUT_S = 300


def binnet(*args, cwd, stdin=None):
    """Run ``binnet ARGS`` in ``cwd``; ``stdin``: text for standard input."""
    return subprocess.run(
        [str(BINNET), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        timeout=TIMEOUT_S,
    )


def binnet_all(runs):
    """Run ``{key: (args, cwd)}`` side by side; return ``{key: result}``."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        futures = {
            key: pool.submit(binnet, *args, cwd=cwd)
            for key, (args, cwd) in runs.items()
        }
        return {key: future.result() for key, future in futures.items()}


def main_in_process(*args, cwd):
    """Run ``main(ARGS)`` in this process, in ``cwd``; return it as :func:`binnet`.

    For the cases that need no new process: the subprocess tests cover the
    console script itself.
    """
    from sklearn_binnet.cli import main

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.StringIO()
    old_cwd = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main([str(arg) for arg in args])
            out.flush()
    finally:
        os.chdir(old_cwd)
    stdout = out.buffer.getvalue().decode()
    return subprocess.CompletedProcess(args, status, stdout, err.getvalue())


def run_cases(cases, cwd, in_subprocess):
    """Run ``{key: args}`` in ``cwd``: the keys ``in_subprocess`` side by side
    through the console script, the others in-process; return the results."""
    results = binnet_all({key: (cases[key], cwd) for key in in_subprocess})
    for key in cases:
        if key not in results:
            results[key] = main_in_process(*cases[key], cwd=cwd)
    return results


def assert_one_line_error(result, command, message):
    """Exit status 2, nothing on stdout, one line on stderr that says ``message``."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith(f"binnet {command}: error: "), result.stderr
    assert message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), (
        result.stderr
    )


def snapshot(directory):
    """Every path under ``directory``: file bytes, link targets, None for others."""
    state = {}
    for path in sorted(Path(directory).rglob("*")):
        key = path.relative_to(directory)
        if path.is_symlink():
            state[key] = ("link", os.readlink(path))
        elif path.is_file():
            state[key] = path.read_bytes()
        else:
            state[key] = None
    return state


def mixed_frame(n_samples, seed):
    """Numeric, integer and categorical columns; a learnable string label."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x0": rng.normal(size=n_samples).round(3),
            "count": rng.integers(0, 5, n_samples),
            "colour": rng.choice(["red", "green", "blue"], n_samples),
        }
    )
    signal = frame["x0"] + 1.5 * (frame["colour"] == "red") - 0.5
    frame["label"] = np.where(signal > 0, "spam", "ham")
    return frame


def write_data(directory, n_train=60, n_new=12):
    """train.csv and new.csv (with an unseen category and the label column)."""
    mixed_frame(n_train, seed=0).to_csv(directory / "train.csv", index=False)
    new = mixed_frame(n_new, seed=1)
    new.loc[0, "colour"] = "purple"
    new.to_csv(directory / "new.csv", index=False)


# A fit of a few hundred milliseconds.
FIT_QUICK = [
    "fit",
    "train.csv",
    "--target",
    "label",
    "--hidden",
    "6",
    "--max-iter",
    "30",
]


def fit_in_process(directory, *options):
    """Fit ``model.skops`` on train.csv with ``binnet fit``, in this process.

    Faster than a subprocess for a fixture; the subprocess path is tested
    on its own. Returns the stdout of the command.
    """
    from sklearn_binnet.cli import main

    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(directory)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main([*FIT_QUICK, "--cv", "0", *options])
    finally:
        os.chdir(cwd)
    assert status == 0, err.getvalue()
    return out.getvalue()


def fitted_directory(tmp_path_factory, name):
    """A new directory holding train.csv, new.csv and model.skops (for a fixture)."""
    directory = tmp_path_factory.mktemp(name)
    write_data(directory)
    fit_in_process(directory)
    return directory


def fresh_copy(fitted, tmp_path):
    """Copy the files of :func:`fitted_directory` into ``tmp_path``; return it."""
    for name in ("train.csv", "new.csv", "model.skops"):
        shutil.copy(fitted / name, tmp_path)
    return tmp_path
