"""Reading the CSV input of ``binnet``: a file or ``-`` (standard input)."""

import csv
import io
import sys
from pathlib import Path

from ._common import UsageError

# Delimiters tried when --sep is not given, in order of preference on a tie.
_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 65536
_SNIFF_LINES = 20


def source_name(text):
    """How messages name an input: quoted, or ``standard input`` for ``-``."""
    return "standard input" if text == "-" else repr(str(text))


def check_input_file(text, what):
    """Fail with one line unless ``text`` names an existing regular file."""
    path = Path(text)
    if not path.exists():
        raise UsageError(f"{what} {str(path)!r} does not exist")
    if not path.is_file():
        raise UsageError(f"{what} {str(path)!r} is not a file")
    return path


def sniff_delimiter(text):
    """The delimiter of a CSV text: the candidate that splits the header into
    the most fields and every following line into as many; ``,`` if none does.

    A plain rule rather than ``csv.Sniffer``, whose guesses on short or
    numeric samples are unstable.
    """
    lines = text.splitlines()
    if len(text.encode()) >= _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line of a cut sample may be partial
    lines = [line for line in lines[:_SNIFF_LINES] if line.strip()]
    best, best_fields = ",", 1
    for delimiter in _DELIMITERS:
        rows = list(csv.reader(lines, delimiter=delimiter))
        fields = len(rows[0]) if rows else 0
        if fields > best_fields and all(len(row) == fields for row in rows):
            best, best_fields = delimiter, fields
    return best


def read_csv(text, sep=None):
    """Read a CSV file (``-``: standard input) into a DataFrame.

    Anything that is not a CSV table with a header and at least one row is a
    one-line usage error.
    """
    import pandas as pd

    name = source_name(text)
    if text == "-":
        if sys.stdin is None:
            raise UsageError("standard input is closed")
        source = io.BytesIO(sys.stdin.buffer.read())
        head = source.getvalue()[:_SNIFF_BYTES]
    else:
        source = check_input_file(text, "data file")
        try:
            with source.open("rb") as file:
                head = file.read(_SNIFF_BYTES)
        except OSError as exc:
            raise UsageError(f"cannot read {name}: {exc.strerror}") from exc
    # Text files never hold NUL bytes; binary files (images, archives, pickles)
    # nearly always do, and pandas would otherwise parse some of them.
    if b"\0" in head:
        raise UsageError(f"{name} is not a CSV file: it holds binary data")
    if sep is None:
        sep = sniff_delimiter(head.decode("utf-8", errors="replace"))
    try:
        # low_memory=False: a column is typed from all its rows, not chunk by
        # chunk (which can mix numbers and strings in one column).
        frame = pd.read_csv(source, sep=sep, low_memory=False)
    except pd.errors.EmptyDataError as exc:
        raise UsageError(f"{name} is empty") from exc
    except pd.errors.ParserError as exc:
        reason = str(exc).strip().splitlines()[-1]
        raise UsageError(f"{name} is not a valid CSV file: {reason}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name} is not a UTF-8 text CSV file") from exc
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror}") from exc
    if frame.shape[0] == 0:
        raise UsageError(f"{name} has a header but no data rows")
    return frame
