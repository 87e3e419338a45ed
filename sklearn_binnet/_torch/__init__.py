"""TorchBinaryMLP: the binary MLP as a PyTorch module, trained by skorch.

A package of small modules, each with one job:

* ``_module``: the network (``BinaryMLPModule``) and the penalised loss;
* ``_optimizers``: scikit-learn's SGD and Adam as torch optimizers;
* ``_data``: the training data on the device and the mini-batches sliced
  from it, in the batch order of every backend;
* ``_net``: the skorch net, extended through skorch's hooks;
* ``_estimator``: ``TorchBinaryMLP`` itself.

Importing it imports torch and skorch; ``sklearn_binnet`` imports it lazily.
"""

from ._estimator import TorchBinaryMLP
from ._module import BinaryMLPModule

__all__ = ["BinaryMLPModule", "TorchBinaryMLP"]
