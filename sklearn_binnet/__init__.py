"""scikit-learn compatible binary classifiers built on small neural networks.

``NumpyBinaryMLP`` needs only NumPy and scikit-learn. ``TorchBinaryMLP`` needs
PyTorch and skorch (``pip install "sklearn-binnet[torch]"``) and is imported
lazily, on first access, so that importing this package never imports torch.
"""

from . import datasets
from ._convert import to_numpy, to_torch
from ._numpy_mlp import NumpyBinaryMLP
from ._onnx import register_onnx_converters, to_onnx
from ._streaming import dask_chunks, fit_stream
from ._tabular import make_tabular_classifier
from ._version import __version__
from .exceptions import InconsistentVersionWarning

__all__ = [
    "InconsistentVersionWarning",
    "NumpyBinaryMLP",
    "TorchBinaryMLP",
    "__version__",
    "dask_chunks",
    "datasets",
    "fit_stream",
    "make_tabular_classifier",
    "register_onnx_converters",
    "to_numpy",
    "to_onnx",
    "to_torch",
]

_TORCH_EXTRA = 'pip install "sklearn-binnet[torch]"'


def __getattr__(name):
    # PEP 562: called only for names not found above, i.e. on first access.
    if name == "TorchBinaryMLP":
        try:
            from ._torch import TorchBinaryMLP
        except ModuleNotFoundError as exc:
            if (exc.name or "").partition(".")[0] not in ("torch", "skorch"):
                raise
            raise ImportError(
                "TorchBinaryMLP needs PyTorch and skorch, which are not "
                f"installed ({exc}). Install them with: {_TORCH_EXTRA}"
            ) from exc
        globals()[name] = TorchBinaryMLP
        return TorchBinaryMLP
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *__all__})
