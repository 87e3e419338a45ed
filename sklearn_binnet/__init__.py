"""scikit-learn compatible binary classifiers built on small neural networks.

``NumpyBinaryMLP`` needs only NumPy and scikit-learn.
"""

from . import datasets
from ._numpy_mlp import NumpyBinaryMLP

__version__ = "0.1.0.dev0"

__all__ = ["NumpyBinaryMLP", "__version__", "datasets"]
