"""Output files of ``binnet``: checked before the work starts, written safely.

Each output named on the command line is planned before any work, so that a
mistake (a missing or unwritable directory, a read-only file, an output that
is one of the inputs) costs the user one line and no training time. Then:

* a regular file, or a new name, is replaced atomically: the bytes go to a
  temporary file that ``tempfile.mkstemp`` creates in the same directory
  (``O_EXCL``, mode 0600, so no planted name or symlink is followed), which
  gets the final mode and then replaces the target with ``os.replace``;
* a character device or a FIFO (``/dev/null``, a named pipe) is opened and
  written through, never replaced;
* a symbolic link is followed: its target is written by the rules above, and
  the link stays;
* ``-`` is standard output.
"""

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

from ._common import UsageError

# Modes without the set-user-ID, set-group-ID and sticky bits: a replaced file
# keeps its permissions, never a privilege.
_PERMISSION_BITS = 0o777


# The first bytes of a zip archive, which a skops model file is.
ZIP_MAGIC = b"PK\x03\x04"


def new_file_mode():
    """The mode a new file gets from the user's umask (mkstemp's 0600 does not)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


class Output:
    """Where one output goes, decided before the work.

    Parameters
    ----------
    text : str
        The name as the user gave it, for messages.
    kind : {"stdout", "through", "replace"}
        How the bytes are written.
    path : Path or None
        The file written: a symbolic link's target, not the link.
    mode : int or None
        The permissions a replaced or new file gets.
    """

    def __init__(self, text, kind, path=None, mode=None):
        self.text = text
        self.kind = kind
        self.path = path
        self.mode = mode

    def __str__(self):
        return "standard output" if self.kind == "stdout" else self.text

    def write(self, data):
        """Write ``data`` (bytes) all at once; an OSError is a one-line error."""
        try:
            if self.kind == "stdout":
                write_stdout(data)
            elif self.kind == "through":
                # O_NOCTTY: a terminal given as output must not become ours.
                fd = os.open(self.path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
                with os.fdopen(fd, "wb") as file:
                    file.write(data)
            else:
                replace_atomically(self.path, data, self.mode)
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            raise UsageError(
                f"cannot write {self.text!r}: {exc.strerror or exc}"
            ) from exc


def write_stdout(data):
    """Write bytes to standard output, after what ``print`` has buffered."""
    if sys.stdout is None:
        raise UsageError("standard output is closed: give --output FILE")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def replace_atomically(path, data, mode):
    """Replace ``path`` by a file holding ``data`` with permissions ``mode``.

    A failure leaves ``path`` as it was, and no temporary file behind.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
            # mkstemp creates with 0600; the result gets the mode planned, set
            # on the open file so that no name is followed.
            if hasattr(os, "fchmod"):
                os.fchmod(file.fileno(), mode)
        if not hasattr(os, "fchmod"):  # Windows before Python 3.13
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def plan_output(text, option, *, inputs=(), allow_stdout=False, guard=None):
    """Check that ``text`` can be written; return its :class:`Output`.

    Parameters
    ----------
    text : str
        The output as the user named it.
    option : str
        The option that named it, for messages.
    inputs : iterable of (str, str)
        ``(what, name)`` of each input file of the command: an output that is
        one of them (same device and inode, whatever the path) is refused.
    allow_stdout : bool
        Whether ``-`` means standard output; otherwise it is refused.
    guard : callable or None
        Called with the first bytes of an existing regular file; returns a
        reason to refuse replacing it, or None.
    """
    if text == "-":
        if not allow_stdout:
            raise UsageError(
                f"{option} -: this output cannot go to standard output; give a "
                "file name (./- for a file named '-')"
            )
        return Output(text, "stdout")
    if text == "":
        raise UsageError(f"{option}: the file name is empty")
    path = Path(os.path.realpath(text))  # a symbolic link: its target
    if os.path.islink(path):
        raise UsageError(f"{option} {text!r} is a loop of symbolic links")
    # Directories are named as the user named them, unless a link was followed.
    shown = path.parent if os.path.islink(text) else Path(os.path.dirname(text) or ".")
    info = _stat(path, text, option)
    if info is None:
        check_directory(path.parent, shown, text, option)
        return Output(text, "replace", path, new_file_mode())
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{option} {text!r} is a directory")
    _check_not_an_input(info, text, option, inputs)
    if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
        if not os.access(path, os.W_OK):
            raise UsageError(f"{option} {text!r}: permission denied")
        return Output(text, "through", path)
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(
            f"{option} {text!r} is not a regular file, a character device or a FIFO"
        )
    # The mode bits count even for root, who may write anyway: a read-only
    # file says "do not replace me".
    if not (info.st_mode & 0o222 and os.access(path, os.W_OK)):
        raise UsageError(
            f"{option} {text!r} is read-only: refusing to replace it (give "
            "another name, or make it writable)"
        )
    check_directory(path.parent, shown, text, option)
    if guard is not None:
        reason = guard(_head(path))
        if reason:
            raise UsageError(f"{option} {text!r} {reason}: refusing to replace it")
    return Output(text, "replace", path, stat.S_IMODE(info.st_mode) & _PERMISSION_BITS)


def _stat(path, text, option):
    """``os.stat`` of ``path``, None if it does not exist; errors are one line."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError as exc:
        raise UsageError(
            f"{option} {text!r}: a part of the path is a file, not a directory"
        ) from exc
    except OSError as exc:
        raise UsageError(f"{option} {text!r}: {exc.strerror or exc}") from exc


def check_directory(directory, shown, text, option):
    """The directory where a file is created or replaced must let us do it."""
    if not directory.exists():
        raise UsageError(f"{option} {text!r}: directory {str(shown)!r} does not exist")
    if not directory.is_dir():
        raise UsageError(f"{option} {text!r}: {str(shown)!r} is not a directory")
    # Creating a file is the one check that holds for every case: permissions,
    # access control lists, read-only file systems, root on /proc.
    try:
        fd, probe = tempfile.mkstemp(prefix=".binnet-", suffix=".tmp", dir=directory)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise UsageError(
            f"{option} {text!r}: cannot create files in directory {str(shown)!r} "
            f"({exc.strerror or exc})"
        ) from exc


def _check_not_an_input(info, text, option, inputs):
    for what, name in inputs:
        if name == "-":
            continue
        with contextlib.suppress(OSError):
            other = os.stat(name)
            if (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino):
                raise UsageError(
                    f"{option} {text!r} is the {what} {name!r}: refusing to "
                    "overwrite an input"
                )


def _head(path, size=8):
    try:
        with open(path, "rb") as file:
            return file.read(size)
    except OSError:
        return b""


def replace_all(directory, files, modes):
    """Replace the files ``{name: bytes}`` in ``directory``: all of them, or none.

    Each new file is written in a private staging directory next to them,
    and each old one is kept there (as a hard link, or a copy) until every
    new file is in place; a failure puts the old files back and removes the
    new ones.
    """
    staging = Path(tempfile.mkdtemp(prefix=".binnet-", dir=directory))
    try:
        for name, data in files.items():
            fd = os.open(staging / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            # In the private staging directory, no one else can swap the name.
            os.chmod(staging / name, modes[name])
        kept = {}
        for name in files:
            target = directory / name
            if target.exists():
                kept[name] = staging / f"{name}.old"
                try:
                    os.link(target, kept[name])
                except OSError:
                    shutil.copy2(target, kept[name])
        placed = []
        try:
            for name in files:
                os.replace(staging / name, directory / name)
                placed.append(name)
        except BaseException:
            for name in reversed(placed):
                with contextlib.suppress(OSError):
                    if name in kept:
                        os.replace(kept[name], directory / name)
                    else:
                        os.unlink(directory / name)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
