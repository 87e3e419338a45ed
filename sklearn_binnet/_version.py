"""The version of sklearn-binnet, kept apart so that any module can read it.

The package root re-exports it; modules inside the package import it from
here, never from the root, which would make the root's import order matter.
"""

__version__ = "0.1.0.dev0"
