"""The ``binnet`` command (also ``python -m sklearn_binnet``).

Three subcommands, each with its own ``--help``:

``binnet demo [--backend numpy|torch|both] [--init tutorial|glorot] [--out DIR]``
    The tutorial end to end: trains its network from its own starting weights
    on its data, prints its loss lines and writes the plots ``data.png``,
    ``loss.png`` and ``predictions.png`` into ``DIR``.
``binnet fit DATA.csv --target COLUMN [options]``
    Cross-validates and fits a pipeline (one-hot encoding of the non-numeric
    columns, scaling of the numeric ones, a binary MLP) on a CSV file and
    saves it with ``skops.io``.
``binnet predict MODEL.skops DATA.csv [--proba] [--output OUT.csv]``
    Loads a model written by ``binnet fit`` and writes its predictions.

A mistake in the input (a missing file, a missing column, a target that is not
binary, a file that is not CSV, an output that cannot be written, a model that
``binnet fit`` did not write, a bad option) is reported as one line on stderr,
``binnet <command>: error: ...``, with exit status 2, and nothing is written.
Warnings of the libraries are shown once each, as one line
``binnet <command>: warning: ...``. Apart from these, the commands print only
the lines their ``--help`` describes.

The modules: ``_parser`` (the arguments), ``_main`` (running a command),
``_csv`` (reading input), ``_output`` (writing files safely), ``_trust``
(loading a model), and one module per command. matplotlib (``demo``), pandas
and skops (``fit``, ``predict``) and torch with skorch (``--backend torch``)
are imported only by the commands that need them.
"""

from ._main import main
from ._parser import build_parser

__all__ = ["build_parser", "main"]
