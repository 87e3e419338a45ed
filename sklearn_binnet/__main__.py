"""``python -m sklearn_binnet``: the ``binnet`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
