"""``binnet`` and the files it writes: never a lost file, never a followed trap.

Each test names the defect it guards against; each runs the installed
console script in a subprocess, except where a subprocess cannot set up the
case (noted there).
"""

import os
import shutil
import stat
import subprocess

import pytest
from cli_support import (
    BINNET,
    FIT_QUICK,
    assert_one_line_error,
    binnet,
    fitted_directory,
    fresh_copy,
    main_in_process,
    run_cases,
    snapshot,
)

from sklearn_binnet.cli import main

ROOT = os.geteuid() == 0


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    return fitted_directory(tmp_path_factory, "fitted")


@pytest.fixture
def work(tmp_path, fitted):
    return fresh_copy(fitted, tmp_path)


PREDICT = ["predict", "model.skops", "new.csv"]


def test_a_planted_temporary_symlink_is_not_followed(work, monkeypatch, capsys):
    # The old writer used the predictable name .<name>.<pid>.tmp, opened
    # without O_EXCL: a symlink planted there redirected the write. The child's
    # pid cannot be known before it starts, so this one runs in-process, with
    # the pid pinned and a symlink planted at every name the old scheme used.
    victim = work / "victim.txt"
    victim.write_text("precious\n")
    monkeypatch.setattr(os, "getpid", lambda: 4242)
    (work / ".out.csv.4242.tmp").symlink_to(victim)
    monkeypatch.chdir(work)

    assert main([*PREDICT, "--output", "out.csv"]) == 0

    assert victim.read_text() == "precious\n"
    assert not (work / "out.csv").is_symlink()
    assert (work / "out.csv").read_text().startswith("prediction\n")
    capsys.readouterr()


def test_the_temporary_file_is_made_by_mkstemp(work, monkeypatch):
    from sklearn_binnet.cli import _output

    # mkstemp: O_CREAT | O_EXCL with a random name, in the target's directory.
    made = []
    real_mkstemp = _output.tempfile.mkstemp

    def spy(*args, **kwargs):
        made.append(kwargs.get("dir"))
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(_output.tempfile, "mkstemp", spy)
    _output.replace_atomically(work / "x.bin", b"data", 0o640)
    assert made[-1] == work
    assert (work / "x.bin").read_bytes() == b"data"
    assert stat.S_IMODE(os.stat(work / "x.bin").st_mode) == 0o640
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".")) == []


def test_special_outputs_are_written_through_never_replaced(work):
    fifo = work / "pipe.csv"
    os.mkfifo(fifo)
    # Read-write, non-blocking: the FIFO has a reader before the command
    # opens it, and the test never waits on it.
    reader = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    (work / "real.csv").write_text("old\n")
    (work / "link.csv").symlink_to("real.csv")
    runs = {
        "fifo": [*PREDICT, "--output", "pipe.csv"],
        "link": [*PREDICT, "--output", "link.csv"],
    }
    try:
        results = run_cases(runs, work, in_subprocess=["fifo"])
        piped = os.read(reader, 1 << 16).decode()
    finally:
        os.close(reader)
    for result in results.values():
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert piped.startswith("prediction\n") and piped.count("\n") == 13
    # The link stays a link; its target holds the predictions.
    assert os.readlink(work / "link.csv") == "real.csv"
    assert (work / "real.csv").read_text() == piped


@pytest.mark.skipif(not hasattr(os, "mknod"), reason="no os.mknod here")
def test_a_character_device_is_written_through(work, capsys, monkeypatch):
    # A null device of our own (major 1, minor 3 on Linux), never the
    # system's /dev/null: the old code replaced the device with a file.
    device = work / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot create a device node here: {exc}")
    monkeypatch.chdir(work)
    assert main([*PREDICT, "--output", "null"]) == 0
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert capsys.readouterr().err == ""


def test_an_output_that_is_an_input_is_refused(work):
    os.link(work / "new.csv", work / "alias.csv")  # same inode, other name
    (work / "newlink.csv").symlink_to("new.csv")
    cases = {
        "fit model over data": (
            [*FIT_QUICK, "--model", "train.csv"],
            "--model 'train.csv' is the data file 'train.csv'",
        ),
        "predict over data": (
            [*PREDICT, "--output", "new.csv"],
            "--output 'new.csv' is the data file 'new.csv'",
        ),
        "predict over a hard link of data": (
            [*PREDICT, "--output", "alias.csv"],
            "--output 'alias.csv' is the data file 'new.csv'",
        ),
        "predict over a symlink to data": (
            [*PREDICT, "--output", "newlink.csv"],
            "--output 'newlink.csv' is the data file 'new.csv'",
        ),
        "predict over the model": (
            [*PREDICT, "--output", "model.skops"],
            "--output 'model.skops' is the model file 'model.skops'",
        ),
    }
    before = snapshot(work)
    results = run_cases(
        {key: args for key, (args, _) in cases.items()},
        work,
        in_subprocess=["fit model over data", "predict over a hard link of data"],
    )
    for key, (args, message) in cases.items():
        assert_one_line_error(results[key], args[0], message)
    assert snapshot(work) == before


def test_read_only_model_and_other_data_are_not_replaced(work):
    os.chmod(work / "model.skops", 0o444)
    (work / "notes.txt").write_text("not a model\n")
    other = work / "other.skops"
    shutil.copy(work / "model.skops", other)
    os.chmod(other, 0o644)
    before = snapshot(work)
    results = run_cases(
        {
            "read-only": [*FIT_QUICK, "--cv", "0"],
            "not a model": [*FIT_QUICK, "--cv", "0", "--model", "notes.txt"],
            "csv over a model": [*PREDICT, "--output", "other.skops"],
        },
        work,
        in_subprocess=["read-only"],
    )
    assert_one_line_error(
        results["read-only"], "fit", "--model 'model.skops' is read-only"
    )
    assert_one_line_error(
        results["not a model"],
        "fit",
        "--model 'notes.txt' exists and is not a model file: refusing to replace it",
    )
    assert_one_line_error(
        results["csv over a model"],
        "predict",
        "--output 'other.skops' is a model file (a zip archive)",
    )
    assert snapshot(work) == before
    assert stat.S_IMODE(os.stat(work / "model.skops").st_mode) == 0o444


def test_a_replaced_file_keeps_its_mode(work):
    # In-process: the subprocess tests above already write through the script.
    os.chmod(work / "model.skops", 0o640)
    old = (work / "model.skops").read_bytes()
    result = main_in_process(*FIT_QUICK, "--cv", "0", "--max-iter", "5", cwd=work)
    assert result.returncode == 0, result.stderr
    assert (work / "model.skops").read_bytes() != old
    assert stat.S_IMODE(os.stat(work / "model.skops").st_mode) == 0o640


def test_demo_replaces_all_three_plots_or_none(tmp_path):
    out = tmp_path / "plots"
    out.mkdir()
    (out / "data.png").write_bytes(b"the user's data.png")
    (out / "loss.png").write_bytes(b"the user's loss.png")
    (out / "predictions.png").mkdir()  # cannot be replaced by a file
    before = snapshot(tmp_path)
    result = binnet("demo", "--out", "plots", cwd=tmp_path)
    assert_one_line_error(
        result, "demo", "predictions.png exists and is not a regular file"
    )
    assert snapshot(tmp_path) == before


def test_replace_all_puts_the_old_files_back_on_failure(tmp_path, monkeypatch):
    from sklearn_binnet.cli import _output

    # The rollback itself, with the third rename failing: no subprocess can
    # make a rename fail after two have succeeded.
    for name in ("a", "b"):
        (tmp_path / name).write_text(f"old {name}")
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(_output.os, "replace", failing_replace)
    files = {"a": b"new a", "b": b"new b", "c": b"new c"}
    with pytest.raises(OSError, match="No space"):
        _output.replace_all(tmp_path, files, dict.fromkeys(files, 0o644))
    monkeypatch.undo()
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {
        "a": "old a",
        "b": "old b",
    }


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
def test_unwritable_outputs_are_reported_before_the_work(work):
    # /proc refuses new files even to root, which the permission bits do not.
    (work / "ro").mkdir()
    os.chmod(work / "ro", 0o555)
    cases = {
        "proc": ([*FIT_QUICK, "--model", "/proc/model.skops"], "fit"),
        "under a file": ([*FIT_QUICK, "--model", "train.csv/model.skops"], "fit"),
        "missing dir": ([*PREDICT, "--output", "nowhere/out.csv"], "predict"),
        "demo in proc": (["demo", "--out", "/proc/plots"], "demo"),
    }
    if not ROOT:
        cases["no permission"] = ([*FIT_QUICK, "--model", "ro/model.skops"], "fit")
    before = snapshot(work)
    results = run_cases(
        {key: args for key, (args, _) in cases.items()},
        work,
        in_subprocess=["proc", "under a file"],
    )
    messages = {
        "proc": "--model '/proc/model.skops': cannot create files in directory",
        "under a file": "a part of the path is a file, not a directory",
        "missing dir": "directory 'nowhere' does not exist",
        "demo in proc": "--out '/proc/plots': cannot create files in directory '/proc'",
        "no permission": "cannot create files in directory 'ro'",
    }
    for key, (_, command) in cases.items():
        # One line and nothing else: no fold was trained first.
        assert_one_line_error(results[key], command, messages[key])
    assert snapshot(work) == before


def test_closed_or_broken_stdout_gives_no_traceback(work):
    # Enough rows that the output overflows the pipe while `head -1` is gone.
    big = work / "big.csv"
    rows = (work / "new.csv").read_text().splitlines()
    big.write_text("\n".join([rows[0], *rows[1:] * 600]) + "\n")
    head = subprocess.Popen(
        [str(BINNET), "predict", "model.skops", "big.csv", "--proba"],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = head.stdout.readline()
    head.stdout.close()  # what `| head -1` does
    stderr = head.stderr.read().decode()
    head.wait(timeout=300)
    head.stderr.close()
    assert first == b"prediction,ham,spam\n"
    assert stderr == ""
    assert head.returncode in (0, 1)

    # Standard output closed (`>&-`): one line, exit 2.
    closed = subprocess.run(
        ["sh", "-c", 'exec "$0" "$@" >&-', str(BINNET), *PREDICT],
        cwd=work,
        capture_output=False,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
    )
    assert closed.returncode == 2, closed.stderr
    assert closed.stderr == (
        "binnet predict: error: standard output is closed: give --output FILE\n"
    )


def test_no_file_is_left_behind_by_a_failed_write(work, monkeypatch, capsys):
    from sklearn_binnet.cli import _output

    monkeypatch.chdir(work)

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_output.os, "fsync", fail)
    assert main([*PREDICT, "--output", "out.csv"]) == 2
    err = capsys.readouterr().err
    assert (
        err
        == "binnet predict: error: cannot write 'out.csv': No space left on device\n"
    )
    assert sorted(p.name for p in work.iterdir()) == [
        "model.skops",
        "new.csv",
        "train.csv",
    ]
