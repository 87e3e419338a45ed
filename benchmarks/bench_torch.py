"""Time TorchBinaryMLP and plain skorch against a hand-written PyTorch loop.

Each workload trains the same network three ways, and the table reports each
time as a ratio to the hand-written loop:

* ``hand loop``: a plain PyTorch training loop, the floor: the same
  ``BinaryMLPModule`` with the same initial weights, the same optimizer
  (``_SklearnSGD`` / ``_SklearnAdam``, scikit-learn's formulas), the same loss
  (``_PenalizedBCELoss``) and the same batches (NumPy permutations, batches
  index-sliced from tensors), recording the epoch loss as the estimators do;
* ``TorchBinaryMLP``: the estimator, everything ``fit`` does included (input
  validation, label encoding, building the skorch net, per-epoch bookkeeping);
* ``plain skorch``: ``skorch.NeuralNetBinaryClassifier`` with its defaults
  (DataLoader over a per-sample Dataset, its default callbacks), except
  ``train_split=None`` and ``verbose=0``, on the same module, optimizer,
  learning rate, batch size and epochs (its loss has no L2 penalty and it does
  not shuffle: its defaults).

Workloads (targets from issue 3), in float32 on the CPU with
``torch.set_num_threads(2)``:

* W1, the tutorial's job: ``make_xor(200, random_state=0)``, hidden (4,), relu,
  full-batch gradient descent (SGD, learning rate 0.1, no momentum, no
  penalty, no shuffling), 1000 epochs. Target TorchBinaryMLP <= 2.5x.
* W2, tabular training: ``make_classification`` 100,000 x 20, hidden (64,),
  Adam, batch 256 with shuffling, 10 epochs. Target TorchBinaryMLP <= 1.25x.

Times are medians of ``--repeats`` runs (``time.perf_counter``), the three
jobs interleaved in a rotating order after one untimed warm-up run each.
Below the table, the largest difference between the loss curves of
TorchBinaryMLP and of the hand loop confirms that they did the same job.

Run it from the repository root::

    .venv/bin/python benchmarks/bench_torch.py            # full run, ~1 minute
    .venv/bin/python benchmarks/bench_torch.py --quick    # smoke run, seconds
    .venv/bin/python benchmarks/bench_torch.py --repeats 9
"""

import argparse
import os
import platform
import statistics
import time
import warnings
from dataclasses import dataclass

import numpy as np
import skorch
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

import sklearn_binnet
from sklearn_binnet import TorchBinaryMLP
from sklearn_binnet._base import _glorot_uniform_weights
from sklearn_binnet._batching import MiniBatches, epoch_loss
from sklearn_binnet._torch import BinaryMLPModule
from sklearn_binnet._torch._module import _PenalizedBCELoss
from sklearn_binnet._torch._optimizers import _SklearnAdam, _SklearnSGD
from sklearn_binnet.datasets import make_xor

THREADS = 2
# Sizes of the full run and of the ``--quick`` smoke run.
FULL = {"w1_epochs": 1000, "w2_samples": 100_000, "repeats": 5}
QUICK = {"w1_epochs": 200, "w2_samples": 10_000, "repeats": 2}
JOBS = ("hand loop", "TorchBinaryMLP", "plain skorch")


@dataclass
class Workload:
    """One training job, described once and run by each of the three jobs."""

    name: str
    target: float
    X: np.ndarray
    y: np.ndarray
    params: dict

    @property
    def batch_size(self):
        size = self.params["batch_size"]
        return self.X.shape[0] if size is None else size


# ---------------------------------------------------------------- the jobs


def _optimizer(params, parameters):
    """The estimator's optimizer for ``params``, on ``parameters``."""
    lr = params["learning_rate_init"]
    if params["solver"] == "sgd":
        return _SklearnSGD(
            parameters,
            lr=lr,
            momentum=params["momentum"],
            nesterov=params["nesterovs_momentum"],
        )
    return _SklearnAdam(parameters, lr=lr)


def _skorch_optimizer_params(params):
    if params["solver"] == "sgd":
        return {
            "optimizer": _SklearnSGD,
            "optimizer__momentum": params["momentum"],
            "optimizer__nesterov": params["nesterovs_momentum"],
        }
    return {"optimizer": _SklearnAdam}


def hand_loop(workload):
    """Train like the estimator in a plain PyTorch loop; return the loss curve."""
    params, X, y = workload.params, workload.X, workload.y
    n_samples, n_features = X.shape
    hidden = params["hidden_layer_sizes"]
    # The estimator's initial weights and batch order: the same NumPy draws.
    rng = check_random_state(params["random_state"])
    coefs, intercepts = _glorot_uniform_weights(
        [n_features, *hidden, 1], params["activation"], np.float32, rng
    )
    module = BinaryMLPModule(n_features, hidden, params["activation"])
    module.set_weights(coefs, intercepts)
    optimizer = _optimizer(params, module.parameters())
    criterion = _PenalizedBCELoss(params["alpha"])
    X_t = torch.tensor(X, dtype=torch.float32)
    y_t = torch.tensor(y, dtype=torch.float32)
    batches = MiniBatches(
        n_samples, workload.batch_size, rng if params["shuffle"] else None
    )
    loss_curve = []
    for _ in range(params["max_iter"]):
        order = batches.start_epoch()
        index = None if order is None else torch.from_numpy(order)
        batch_losses = []
        for batch in batches.slices():
            if index is None:
                X_batch, y_batch = X_t[batch], y_t[batch]
            else:
                rows = index[batch]
                X_batch, y_batch = X_t.index_select(0, rows), y_t.index_select(0, rows)
            optimizer.zero_grad()
            loss = criterion(module(X_batch), y_batch, None, module.coefs())
            loss.backward()
            optimizer.step()
            batch_losses.append((loss.item(), X_batch.shape[0]))
        loss_curve.append(epoch_loss(batch_losses)[0])
    return loss_curve


def torch_binary_mlp(workload):
    estimator = TorchBinaryMLP(**workload.params)
    return clone(estimator).fit(workload.X, workload.y).loss_curve_


def plain_skorch(workload):
    params, X = workload.params, workload.X
    net = skorch.NeuralNetBinaryClassifier(
        BinaryMLPModule,
        module__n_features_in=X.shape[1],
        module__hidden_layer_sizes=params["hidden_layer_sizes"],
        module__activation=params["activation"],
        module__random_state=params["random_state"],
        lr=params["learning_rate_init"],
        **_skorch_optimizer_params(params),
        max_epochs=params["max_iter"],
        batch_size=workload.batch_size,
        train_split=None,
        verbose=0,
    )
    net.fit(X.astype(np.float32), workload.y.astype(np.float32))
    return net.history[:, "train_loss"]


_JOB_FUNCTIONS = dict(zip(JOBS, (hand_loop, torch_binary_mlp, plain_skorch)))


# --------------------------------------------------------------- workloads


def _workloads(sizes):
    X1, y1 = make_xor(200, random_state=0)
    w1 = Workload(
        "W1 tutorial (200x2, (4,), full batch)",
        2.5,
        X1.astype(np.float32),
        y1,
        {
            "hidden_layer_sizes": (4,),
            "activation": "relu",
            "solver": "sgd",
            "learning_rate_init": 0.1,
            "momentum": 0.0,
            "nesterovs_momentum": True,
            "alpha": 0.0,
            "batch_size": None,
            "max_iter": sizes["w1_epochs"],
            "tol": 0.0,
            "n_iter_no_change": sizes["w1_epochs"],
            "shuffle": False,
            "random_state": 0,
        },
    )
    X2, y2 = make_classification(sizes["w2_samples"], 20, random_state=0)
    w2 = Workload(
        f"W2 tabular ({sizes['w2_samples']:,}x20, (64,), adam, batch 256)",
        1.25,
        X2.astype(np.float32),
        y2,
        {
            "hidden_layer_sizes": (64,),
            "activation": "relu",
            "solver": "adam",
            "learning_rate_init": 1e-3,
            "alpha": 1e-4,
            "batch_size": 256,
            "max_iter": 10,
            "tol": 0.0,
            "n_iter_no_change": 10,
            "shuffle": True,
            "random_state": 0,
        },
    )
    return [w1, w2]


# ------------------------------------------------------------------ timing


def _measure(workload, repeats):
    """Median seconds of each job, interleaved, after one warm-up run each."""
    outputs = {name: _JOB_FUNCTIONS[name](workload) for name in JOBS}
    times = {name: [] for name in JOBS}
    for repeat in range(repeats):
        shift = repeat % len(JOBS)
        for name in JOBS[shift:] + JOBS[:shift]:
            start = time.perf_counter()
            _JOB_FUNCTIONS[name](workload)
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(times[name]) for name in JOBS}
    agreement = float(
        np.max(
            np.abs(
                np.asarray(outputs["TorchBinaryMLP"]) - np.asarray(outputs["hand loop"])
            )
        )
    )
    return medians, agreement


def _print_environment():
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}"
    )
    print(
        f"torch {torch.__version__}, skorch {skorch.__version__}, numpy "
        f"{np.__version__}, sklearn-binnet {sklearn_binnet.__version__}"
    )


def _print_table(rows):
    header = ["workload", "hand loop (s)", "TorchBinaryMLP", "plain skorch"]
    header += ["target", "met"]
    cells = []
    for workload, medians in rows:
        hand = medians["hand loop"]
        ours = medians["TorchBinaryMLP"] / hand
        theirs = medians["plain skorch"] / hand
        cells.append(
            [
                workload.name,
                f"{hand:.4f}",
                f"{ours:.2f}x ({medians['TorchBinaryMLP']:.3f} s)",
                f"{theirs:.2f}x ({medians['plain skorch']:.3f} s)",
                f"<= {workload.target}x",
                "yes" if ours <= workload.target else "no",
            ]
        )
    widths = [max(len(r[i]) for r in [header, *cells]) for i in range(len(header))]

    def line(row):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |"

    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print(line(row))


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: fewer W1 epochs, smaller W2 data and fewer repeats "
        "(targets are meant for the full sizes)",
    )
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per job")
    args = parser.parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


def main(argv=None):
    args = _parse_args(argv)
    sizes = QUICK if args.quick else FULL
    repeats = args.repeats or sizes["repeats"]
    torch.set_num_threads(THREADS)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    _print_environment()
    print(
        f"mode {'quick' if args.quick else 'full'}: W1 {sizes['w1_epochs']} "
        f"epochs, W2 {sizes['w2_samples']:,} rows, median of {repeats} repeats; "
        "ratios to the hand loop\n"
    )
    rows, agreements = [], []
    for workload in _workloads(sizes):
        medians, agreement = _measure(workload, repeats)
        rows.append((workload, medians))
        agreements.append((workload, agreement))
    _print_table(rows)
    print("\nAgreement (max |TorchBinaryMLP - hand loop| over loss_curve_):")
    for workload, agreement in agreements:
        print(f"  {workload.name}: {agreement:.2e}")


if __name__ == "__main__":
    main()
