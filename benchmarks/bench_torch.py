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

Workloads, in float32 on the CPU with ``torch.set_num_threads(2)`` (targets
of issue 16; floors, those of issue 3):

* T1, the tutorial's job: ``make_xor(200, random_state=0)``, hidden (4,), relu,
  full-batch gradient descent (SGD, learning rate 0.1, no momentum, no
  penalty, no shuffling), 1000 epochs. TorchBinaryMLP <= 1.2x (floor 2.5x).
* T2, tabular training: ``make_classification`` 100,000 x 20, hidden (64,),
  Adam, batch 256 with shuffling, 10 epochs. TorchBinaryMLP <= 1.05x (floor
  1.25x).

In each of ``--repeats`` rounds the three jobs run once, in an order that
rotates from round to round, after one untimed warm-up run each; a round's
ratios are its jobs' times over its hand loop's time (paired ratios), and the
table gives their median and spread. The largest difference between the loss
curves of TorchBinaryMLP and of the hand loop confirms that they did the same
job.

Run it from the repository root::

    .venv/bin/python benchmarks/bench_torch.py            # full run, ~1 minute
    .venv/bin/python benchmarks/bench_torch.py --quick    # smoke run, seconds
    .venv/bin/python benchmarks/bench_torch.py --repeats 9
"""

import argparse
import warnings
from dataclasses import dataclass

import numpy as np
import skorch
import torch
from _bench_results import (
    environment,
    paired_times,
    print_environment,
    print_target_rows,
    ratios,
    spread,
    target_rows,
    write_section,
)
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

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

    id: str
    name: str
    target: float
    floor: float
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
        "T1",
        "tutorial fit (200x2, (4,), full batch)",
        1.2,
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
        "T2",
        f"tabular fit ({sizes['w2_samples']:,}x20, (64,), adam, batch 256)",
        1.05,
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
    """Rows of ``workload``: each job's paired ratios to the hand loop."""
    jobs = {name: (lambda f=_JOB_FUNCTIONS[name]: f(workload)) for name in JOBS}
    times, outputs = paired_times(jobs, repeats)
    agreement = float(
        np.max(
            np.abs(
                np.asarray(outputs["TorchBinaryMLP"]) - np.asarray(outputs["hand loop"])
            )
        )
    )
    hand = times["hand loop"]
    rows = []
    for name, target, floor in [
        ("TorchBinaryMLP", workload.target, workload.floor),
        ("plain skorch", None, None),
    ]:
        rows.append(
            {
                "id": workload.id,
                "workload": workload.name
                + ("" if name == "TorchBinaryMLP" else ", plain skorch"),
                "reference": "hand-written PyTorch loop",
                "unit": "x",
                "spread": spread(ratios(times[name], hand)),
                "target": target and {"op": "<=", "value": target},
                "floor": floor and {"op": "<=", "value": floor},
                "ours_s": float(np.median(times[name])),
                "reference_s": float(np.median(hand)),
                "agreement": agreement if name == "TorchBinaryMLP" else None,
            }
        )
    return rows


def _parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: fewer T1 epochs, smaller T2 data and fewer repeats "
        "(targets are meant for the full sizes)",
    )
    parser.add_argument("--repeats", type=int, default=None, help="paired rounds")
    parser.add_argument("--results", help="write the section 'torch' of this file")
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
    env = environment()
    env["torch_threads"] = torch.get_num_threads()
    print_environment(env)
    print(
        f"mode {'quick' if args.quick else 'full'}: T1 {sizes['w1_epochs']} "
        f"epochs, T2 {sizes['w2_samples']:,} rows, {repeats} paired rounds, "
        f"torch threads {env['torch_threads']}\n"
    )
    rows = []
    for workload in _workloads(sizes):
        rows.extend(_measure(workload, repeats))
    print_target_rows(target_rows({"torch": {"rows": rows}}))
    print("\nAgreement (max |TorchBinaryMLP - hand loop| over loss_curve_):")
    for row in rows:
        if row["agreement"] is not None:
            print(f"  {row['id']} {row['workload']}: {row['agreement']:.2e}")
    if args.results:
        section = {"environment": env, "mode": "quick" if args.quick else "full"}
        write_section(args.results, "torch", {**section, "rows": rows})


if __name__ == "__main__":
    main()
