"""
Benchmark ratios
================

The scripts in ``benchmarks/`` time each estimator against a reference
measured in the same run, and report the ratio of the two times (below 1:
ours is faster). This example draws the ratios of one full run of both
scripts, recorded on a machine with 2 CPU cores; the tables, and how the
numbers were obtained, are on the :ref:`benchmarks` page. Nothing is timed
here: the numbers are copied from the scripts' output.
"""

# %%
# The recorded ratios
# -------------------
#
# ``bench_numpy.py``: time of :class:`~sklearn_binnet.NumpyBinaryMLP` over
# time of :class:`~sklearn.neural_network.MLPClassifier` doing the same job.
# ``bench_torch.py``: time of :class:`~sklearn_binnet.TorchBinaryMLP`, and of
# skorch's ``NeuralNetBinaryClassifier`` with its defaults, over a plain
# PyTorch training loop of the same network.
numpy_ratios = {
    # workload: (ratio, target)
    "W1 tutorial fit\nfloat64": (0.389, 0.4),
    "W2 tabular fit\nfloat64": (0.348, 0.6),
    "W2 tabular fit\nfloat32": (0.252, 0.45),
    "W3 predict_proba\nfloat64": (0.520, 0.7),
    "W3 predict_proba\nfloat32": (0.594, 0.4),
}
torch_ratios = {
    # workload: (TorchBinaryMLP, plain skorch, target for TorchBinaryMLP)
    "W1 tutorial\n(200x2, full batch)": (1.39, 7.54, 2.5),
    "W2 tabular\n(100,000x20, batch 256)": (1.22, 3.30, 1.25),
}

# %%
# The chart
# ---------
#
# Bars are the measured ratios, black ticks the targets set for them, and the
# dashed line the reference (ratio 1).
import matplotlib.pyplot as plt
import numpy as np

fig, (ax_numpy, ax_torch) = plt.subplots(
    1, 2, figsize=(11, 4.5), width_ratios=[5, 3], layout="constrained"
)

names = list(numpy_ratios)
ratios, targets = np.array(list(numpy_ratios.values())).T
x = np.arange(len(names))
bars = ax_numpy.bar(x, ratios, color="tab:blue", label="NumpyBinaryMLP")
ax_numpy.bar_label(bars, fmt="%.2f")
ax_numpy.scatter(x, targets, marker="_", s=900, color="k", zorder=3, label="target")
ax_numpy.axhline(1, color="gray", linestyle="--")
ax_numpy.set_xticks(x, names, fontsize=8)
ax_numpy.set(
    ylabel="time / MLPClassifier's time",
    title="NumpyBinaryMLP vs MLPClassifier",
    ylim=(0, 1.2),
)
ax_numpy.legend(loc="upper left")

names = list(torch_ratios)
ours, skorch, targets = np.array(list(torch_ratios.values())).T
x = np.arange(len(names))
width = 0.38
bars = ax_torch.bar(
    x - width / 2, ours, width, color="tab:orange", label="TorchBinaryMLP"
)
ax_torch.bar_label(bars, fmt="%.2fx")
bars = ax_torch.bar(
    x + width / 2, skorch, width, color="tab:gray", label="plain skorch"
)
ax_torch.bar_label(bars, fmt="%.2fx")
ax_torch.scatter(
    x - width / 2, targets, marker="_", s=500, color="k", zorder=3, label="target"
)
ax_torch.axhline(1, color="gray", linestyle="--")
ax_torch.set_yscale("log")
ax_torch.set_xticks(x, names, fontsize=8)
ax_torch.set(
    ylabel="time / hand-written loop's time",
    title="TorchBinaryMLP vs a plain PyTorch loop",
    ylim=(0.5, 30),
)
ax_torch.legend(loc="upper right")
plt.show()
