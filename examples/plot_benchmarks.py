"""
Benchmark ratios
================

The scripts in ``benchmarks/`` time each estimator against a reference
measured in the same run, and report the ratio of the two times (below 1:
ours is faster). In each repeat the two jobs run back to back, so each repeat
gives one *paired* ratio; the bars are the medians of those ratios, the error
bars their spread (min to max), and the black ticks the targets. ``make
bench`` writes every figure to ``benchmarks/results.json``; this example reads
that file, as the :ref:`benchmarks` page does, and times nothing itself.
"""

# %%
# The results file
# ----------------
#
# One section per benchmark script, each stamped with its machine, versions,
# load average and date. Rows with a target are those of the targets table.
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

try:
    ROOT = Path(__file__).resolve().parent.parent
except NameError:  # sphinx-gallery runs it in examples/, without __file__
    ROOT = Path.cwd().parent
results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
for name, section in results.items():
    env = section["environment"]
    print(f"{name:9} {env['date']}  load average {env['load_average_start']}")


# %%
# The chart
# ---------
#
# Each bar's median and spread are written under it, in its axis label, so
# that no target line crosses a number. The dashed line is the reference
# (ratio 1, or all of the GEMM speed).
VARIANTS = {
    "float64": "float64",
    "float32": "float32",
    "plain skorch": "skorch",
    "MLPClassifier": "MLPClassifier",
}


def short(row, ours):
    """An axis label: the workload's id and dtype or variant, and the figure."""
    s = row["spread"]
    unit = row["unit"]
    scale, fmt = (100, "{:.0f}%") if unit == "%" else (1, "{:.2f}x")
    value = fmt.format(s["median"] * scale)
    spread = f"{fmt.format(s['min'] * scale)} to {fmt.format(s['max'] * scale)}"
    variant = row["workload"].rsplit(", ", 1)[-1]
    variant = VARIANTS.get(variant, ours)
    return f"{row['id']} {variant}\n{value}\n({spread})"


def draw(ax, rows, color, title, ylabel, ours=""):
    x = np.arange(len(rows))
    med = np.array([r["spread"]["median"] for r in rows])
    low = med - np.array([r["spread"]["min"] for r in rows])
    high = np.array([r["spread"]["max"] for r in rows]) - med
    ax.bar(x, med, color=color, yerr=[low, high], capsize=3, ecolor="0.3")
    for i, row in enumerate(rows):
        if row.get("target"):
            ax.hlines(row["target"]["value"], i - 0.4, i + 0.4, color="k", lw=2.5)
    ax.axhline(1, color="gray", linestyle="--")
    ax.set_xticks(x, [short(r, ours) for r in rows], fontsize=7)
    ax.set(title=title, ylabel=ylabel)


# A section not measured yet draws an empty panel.
numpy_rows = results.get("numpy", {}).get("rows", [])
torch_rows = results.get("torch", {}).get("rows", [])
fig, axes = plt.subplots(1, 3, figsize=(13, 4.8), width_ratios=[6, 4, 2])
fig.set_layout_engine("constrained")
draw(
    axes[0],
    [r for r in numpy_rows if r["unit"] == "x"],
    "tab:blue",
    "NumpyBinaryMLP vs MLPClassifier",
    "time / MLPClassifier's time",
)
draw(
    axes[1],
    torch_rows,
    "tab:orange",
    "TorchBinaryMLP and plain skorch\nvs a hand-written PyTorch loop",
    "time / hand loop's time",
    ours="ours",
)
axes[1].set_yscale("log")
axes[1].yaxis.set_major_formatter("{x:g}")
axes[1].yaxis.set_minor_formatter("{x:g}")
draw(
    axes[2],
    [r for r in numpy_rows if r["unit"] == "%"],
    "tab:green",
    "W4: share of\nGEMM speed",
    "FLOP/s / float32 GEMM FLOP/s",
    ours="ours",
)
plt.show()
