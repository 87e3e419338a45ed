"""The ``binnet`` command, run as users run it: in a subprocess."""

import functools
import io
import re
import shutil
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path

import matplotlib.image
import numpy as np
import pandas as pd
import pytest
import skops.io
from cli_support import binnet, binnet_all
from numpydoc.validate import validate
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import sklearn_binnet
from sklearn_binnet import NumpyBinaryMLP, TorchBinaryMLP
from sklearn_binnet.cli import main
from sklearn_binnet.datasets import make_xor

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LABELS = {"ham", "spam"}


_binnet = binnet
_binnet_concurrently = binnet_all


def _snapshot(directory):
    """Every path under ``directory``, with the bytes of the files."""
    return {
        path.relative_to(directory): path.read_bytes() if path.is_file() else None
        for path in Path(directory).rglob("*")
    }


def _mixed_frame(n_samples, seed):
    """Numeric, integer and categorical columns; a learnable string label."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x0": rng.normal(size=n_samples).round(3),
            "count": rng.integers(0, 5, n_samples),
            "colour": rng.choice(["red", "green", "blue"], n_samples),
        }
    )
    signal = frame["x0"] + 1.5 * (frame["colour"] == "red") - 0.5
    frame["label"] = np.where(signal > 0, "spam", "ham")
    return frame


def _write_train_csv(directory):
    _mixed_frame(90, seed=0).to_csv(directory / "train.csv", index=False)


def _write_new_csv(directory):
    frame = _mixed_frame(25, seed=1)
    frame.loc[0, "colour"] = "purple"  # a category unseen in training
    # The label column is kept: columns the model does not use are ignored.
    frame.to_csv(directory / "new.csv", index=False)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """A directory with train.csv, new.csv and model.skops, and the fit's output."""
    directory = tmp_path_factory.mktemp("fitted")
    _write_train_csv(directory)
    _write_new_csv(directory)
    result = _binnet(
        "fit",
        "train.csv",
        "--target",
        "label",
        "--hidden",
        "8,4",
        "--max-iter",
        "40",
        "--cv",
        "3",
        "--model",
        "model.skops",
        cwd=directory,
    )
    return directory, result


# -------------------------------------------------------------------- help


def test_help(tmp_path):
    result = _binnet("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: binnet ")
    for command in ["demo", "fit", "predict"]:
        assert re.search(rf"^    {command} ", result.stdout, re.MULTILINE), command
    assert result.stderr == ""
    assert _snapshot(tmp_path) == {}


def test_python_dash_m_is_the_same_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_binnet", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"binnet {sklearn_binnet.__version__}\n"


@pytest.mark.parametrize(
    "command, options",
    [
        ("demo", ["--backend", "--out"]),
        ("fit", ["--target", "--backend", "--hidden", "--max-iter", "--cv", "--model"]),
        ("predict", ["--proba", "--output"]),
    ],
)
def test_help_of_each_command(command, options, tmp_path, monkeypatch, capsys):
    # In-process: the parser is the one the subprocess tests run.
    monkeypatch.chdir(tmp_path)
    assert main([command, "--help"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"usage: binnet {command} ")
    for option in options:
        assert option in out
    assert err == ""
    assert _snapshot(tmp_path) == {}


def test_console_script_is_installed(tmp_path):
    script = Path(sysconfig.get_path("scripts")) / "binnet"
    result = subprocess.run(
        [script, "predict", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: binnet predict ")


# -------------------------------------------------------------------- demo


def _tutorial_losses():
    """The tutorial's own training loop, written out here as it is printed
    there: the reference the demo's lines are compared with."""
    # RandomState(seed).randn is what np.random.seed(seed); np.random.randn draws.
    X = np.random.RandomState(0).randn(200, 2)
    Y = (X[:, 0] * X[:, 1] > 0).astype(int).reshape(-1, 1)
    start = np.random.RandomState(1)
    W1 = start.randn(2, 4) * 0.01
    b1 = np.zeros((1, 4))
    W2 = start.randn(4, 1) * 0.01
    b2 = np.zeros((1, 1))
    losses = []
    for _ in range(1000):
        Z1 = X @ W1 + b1
        A1 = np.maximum(0, Z1)
        A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
        losses.append(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))
        dZ2 = A2 - Y
        dW2, db2 = A1.T @ dZ2 / 200, dZ2.sum(axis=0, keepdims=True) / 200
        dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
        dW1, db1 = X.T @ dZ1 / 200, dZ1.sum(axis=0, keepdims=True) / 200
        W1, b1, W2, b2 = W1 - 0.1 * dW1, b1 - 0.1 * db1, W2 - 0.1 * dW2, b2 - 0.1 * db2
    return losses


def _check_demo_output(stdout, prefix=""):
    pattern = re.compile(rf"{re.escape(prefix)}Epoch (\d+), Loss: (\d+\.\d{{6}})$")
    matches = [pattern.match(line) for line in stdout if pattern.match(line)]
    assert [int(m.group(1)) for m in matches] == list(range(0, 1000, 100))
    # The tutorial's numbers, as its text prints them.
    assert matches[0].group(2) == "0.693191"
    final = f"{prefix}Final loss (epoch 999): 0.260582"
    assert final in stdout
    # Every line against the tutorial's loop: the same arithmetic in another
    # order, so equal to well within the printed 6 decimals.
    reference = _tutorial_losses()
    for m in matches:
        assert abs(float(m.group(2)) - reference[int(m.group(1))]) <= 5e-7 + 1e-12
    (accuracy_line,) = [
        line for line in stdout if line.startswith(f"{prefix}Training accuracy: ")
    ]
    assert float(accuracy_line.rsplit(" ", 1)[1]) >= 0.9


def _check_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), path
    image = matplotlib.image.imread(path)
    height, width = image.shape[:2]
    assert height >= 300 and width >= 400, (path, image.shape)
    assert image.std() > 0.05, path  # not a blank canvas


def test_demo_prints_the_tutorial_and_writes_three_pngs(tmp_path):
    result = _binnet("demo", "--out", "tmp/plots", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    stdout = result.stdout.splitlines()
    _check_demo_output(stdout)
    assert len(stdout) == 13
    assert stdout[-1].startswith("Wrote data.png, loss.png, predictions.png to ")
    out = tmp_path / "tmp" / "plots"
    assert sorted(p.name for p in out.iterdir()) == [
        "data.png",
        "loss.png",
        "predictions.png",
    ]
    for path in out.iterdir():
        _check_png(path)


def test_demo_glorot_start_is_the_library_default(tmp_path, monkeypatch, capsys):
    # In-process: the same command as above with --init glorot.
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--init", "glorot", "--out", "out"]) == 0
    stdout = capsys.readouterr().out.splitlines()
    clf = NumpyBinaryMLP(
        hidden_layer_sizes=(4,),
        solver="sgd",
        momentum=0.0,
        alpha=0.0,
        batch_size=None,
        learning_rate_init=0.1,
        max_iter=1000,
        n_iter_no_change=1000,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(*make_xor(200, random_state=0))
    assert stdout[0] == f"Epoch 0, Loss: {clf.loss_curve_[0]:.6f}"
    assert stdout[0] != "Epoch 0, Loss: 0.693191"
    assert stdout[10] == f"Final loss (epoch 999): {clf.loss_curve_[-1]:.6f}"


def test_demo_with_both_backends_labels_each(tmp_path):
    result = _binnet("demo", "--backend", "both", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    stdout = result.stdout.splitlines()
    _check_demo_output(stdout, prefix="[numpy] ")
    _check_demo_output(stdout, prefix="[torch] ")
    assert len(stdout) == 25
    # The loss plot holds both curves and the predictions one panel each:
    # wider than the single-backend plot.
    for name in ["data.png", "loss.png", "predictions.png"]:
        _check_png(tmp_path / "out" / name)
    predictions = matplotlib.image.imread(tmp_path / "out" / "predictions.png")
    assert predictions.shape[1] >= 900


# ------------------------------------------------------------ fit, predict


def test_fit_reports_each_fold_and_saves_the_model(fitted):
    directory, result = fitted
    assert result.returncode == 0, result.stderr
    stdout = result.stdout.splitlines()
    number = r"(\d+\.\d{3})"
    fold = re.compile(
        rf"Fold (\d)/3: accuracy {number}, ROC AUC {number}, log loss {number}$"
    )
    assert [int(fold.match(line).group(1)) for line in stdout[:3]] == [1, 2, 3]
    summary = re.match(
        rf"Cross-validation \(3 folds\): accuracy {number} ± {number}, "
        rf"ROC AUC {number} ± {number}, log loss {number} ± {number}$",
        stdout[3],
    )
    assert summary, stdout[3]
    assert float(summary.group(3)) > 0.5  # mean ROC AUC: better than chance
    summary = re.match(
        r"Fitted 90 rows x 3 feature columns; classes 'ham' and 'spam' \(positive: "
        rf"'spam'\); cross-validated accuracy {number}; (\d+\.\d) s; model saved to "
        r"model.skops$",
        stdout[4],
    )
    assert summary, stdout[4]
    assert len(stdout) == 5
    # 40 epochs is short of convergence: said once, in one line, not per fold.
    assert result.stderr.splitlines() == [
        "binnet fit: warning: Stochastic optimizer: maximum iterations (40) "
        "reached and the optimization hasn't converged yet."
    ]
    assert type(_load(directory / "model.skops")[-1]) is NumpyBinaryMLP


def _load(path):
    return skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))


def test_predict_round_trip(fitted, monkeypatch, capsys):
    directory, _ = fitted
    result = _binnet(
        "predict", "model.skops", "new.csv", "--output", "labels.csv", cwd=directory
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Wrote 25 predictions to labels.csv\n"
    assert result.stderr == ""
    labels = pd.read_csv(directory / "labels.csv")
    assert list(labels.columns) == ["prediction"]
    assert len(labels) == 25
    assert set(labels["prediction"]) <= LABELS

    # To stdout, with probabilities; in-process, to save a second start-up.
    monkeypatch.chdir(directory)
    assert main(["predict", "model.skops", "new.csv", "--proba"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    with_proba = pd.read_csv(io.StringIO(out))
    assert list(with_proba.columns) == ["prediction", "ham", "spam"]
    np.testing.assert_allclose(with_proba[["ham", "spam"]].sum(axis=1), 1.0)
    expected = np.where(with_proba["spam"] > 0.5, "spam", "ham")
    np.testing.assert_array_equal(with_proba["prediction"], expected)
    np.testing.assert_array_equal(with_proba["prediction"], labels["prediction"])

    # The same predictions as the pipeline loaded here.
    model = _load(directory / "model.skops")
    new = pd.read_csv(directory / "new.csv")
    np.testing.assert_array_equal(labels["prediction"], model.predict(new))
    # Printed with 6 significant digits (--precision's default): within half
    # a unit of the sixth digit.
    np.testing.assert_allclose(
        with_proba[["ham", "spam"]], model.predict_proba(new), rtol=5e-6, atol=0
    )


def test_fit_with_torch_saves_a_numpy_model(tmp_path):
    _write_train_csv(tmp_path)
    result = _binnet(
        "fit",
        "train.csv",
        "--target",
        "label",
        "--backend",
        "torch",
        "--hidden",
        "8",
        "--max-iter",
        "20",
        "--cv",
        "2",
        "--model",
        "torch.skops",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    stdout = result.stdout.splitlines()
    assert [line[:9] for line in stdout[:3]] == ["Fold 1/2:", "Fold 2/2:", "Cross-val"]
    assert stdout[-1].endswith(
        "model saved to torch.skops (as NumpyBinaryMLP: same weights, loads "
        "without torch)"
    )
    untrusted = skops.io.get_untrusted_types(file=tmp_path / "torch.skops")
    assert not any("torch" in name for name in untrusted), untrusted

    # The saved model predicts what the torch pipeline it was converted from
    # predicts.
    train = pd.read_csv(tmp_path / "train.csv")
    X, y = train.drop(columns="label"), train["label"]
    preprocess = ColumnTransformer(
        [
            ("categorical", OneHotEncoder(handle_unknown="ignore"), ["colour"]),
            ("numeric", StandardScaler(), ["x0", "count"]),
        ]
    )
    torch_model = make_pipeline(
        preprocess, TorchBinaryMLP((8,), max_iter=20, random_state=0)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        torch_model.fit(X, y)
    saved = _load(tmp_path / "torch.skops")
    assert type(saved[-1]).__name__ == "NumpyBinaryMLP"
    np.testing.assert_allclose(
        saved.predict_proba(X), torch_model.predict_proba(X), rtol=1e-5
    )


# --------------------------------------------------------------- bad input


def _write_three_classes(directory):
    frame = _mixed_frame(30, seed=0)
    frame.loc[:9, "label"] = "eggs"
    frame.to_csv(directory / "three.csv", index=False)


def _write_png_as_csv(directory):
    (directory / "image.csv").write_bytes(PNG_SIGNATURE + b"\0\0\0\rIHDR" * 10)


def _write_ragged(directory):
    (directory / "ragged.csv").write_text("a,b\n1,2\n3,4,5,6\n")


def _write_empty(directory):
    (directory / "empty.csv").write_text("")


def _write_untrusted_model(directory):
    # A skops file can describe any object; this one is a callable.
    skops.io.dump({"model": functools.partial(print, "hi")}, directory / "evil.skops")


def _copy_model(directory, fitted):
    shutil.copy(fitted[0] / "model.skops", directory)
    pd.DataFrame({"x0": [0.1], "count": [2]}).to_csv(directory / "few.csv", index=False)


def _write_missing_values(directory):
    (directory / "gaps.csv").write_text("x,colour,y\n1,red,a\n,blue,b\n3,,a\n4,red,b\n")


def _write_one_class(directory):
    (directory / "one.csv").write_text("x,y\n1,a\n2,a\n")


FIT = ["fit", "train.csv", "--target", "label", "--cv", "2", "--max-iter", "5"]

BAD_INPUT = {
    "missing file": (
        None,
        ["fit", "nowhere.csv", "--target", "label"],
        "data file 'nowhere.csv' does not exist",
    ),
    "missing target column": (
        None,
        ["fit", "train.csv", "--target", "spam"],
        "no column 'spam' in 'train.csv' (columns: 'x0', 'count', 'colour', 'label')",
    ),
    "three classes": (
        _write_three_classes,
        ["fit", "three.csv", "--target", "label"],
        "target column 'label' has 3 distinct value(s) ('eggs', 'ham', 'spam'); "
        "binnet fit needs exactly 2 classes",
    ),
    "binary file": (
        _write_png_as_csv,
        ["fit", "image.csv", "--target", "label"],
        "'image.csv' is not a CSV file: it holds binary data",
    ),
    "unparsable csv": (
        _write_ragged,
        ["fit", "ragged.csv", "--target", "a"],
        "'ragged.csv' is not a valid CSV file: Error tokenizing data. C error: "
        "Expected 2 fields in line 3, saw 4",
    ),
    "empty file": (
        _write_empty,
        ["fit", "empty.csv", "--target", "label"],
        "'empty.csv' is empty",
    ),
    "bad hidden": (
        None,
        [*FIT, "--hidden", "64,,32"],
        "argument --hidden-layer-sizes/--hidden: '64,,32' is not a "
        "comma-separated list of positive integers such as 64,32 "
        "(see 'binnet fit --help')",
    ),
    "zero hidden": (
        None,
        [*FIT, "--hidden", "0"],
        "argument --hidden-layer-sizes/--hidden: '0' is not a "
        "comma-separated list of positive integers such as 64,32 "
        "(see 'binnet fit --help')",
    ),
    "model in a missing directory": (
        None,
        [*FIT, "--model", "nowhere/model.skops"],
        "--model 'nowhere/model.skops': directory 'nowhere' does not exist",
    ),
    "too many folds": (
        None,
        ["fit", "train.csv", "--target", "label", "--cv", "80"],
        "--cv 80 is more folds than the",
    ),
    "missing model": (
        None,
        ["predict", "nowhere.skops", "train.csv"],
        "model file 'nowhere.skops' does not exist",
    ),
    "model is not skops": (
        None,
        ["predict", "train.csv", "train.csv", "--output", "out.csv"],
        "'train.csv' is not a skops model file",
    ),
    "untrusted model": (
        _write_untrusted_model,
        ["predict", "evil.skops", "train.csv", "--output", "out.csv"],
        "refusing to load 'evil.skops': it holds types that binnet fit does not "
        "write ('builtins.print', 'functools.partial'); only models written by "
        "'binnet fit' are loaded",
    ),
    "demo into a file": (
        None,
        ["demo", "--out", "train.csv"],
        "--out 'train.csv' exists and is not a directory",
    ),
    "training columns missing": (
        _copy_model,
        ["predict", "model.skops", "few.csv", "--output", "out.csv"],
        "cannot predict on 'few.csv': columns are missing: {'colour'}\n",
    ),
    "missing numeric values": (
        _write_missing_values,
        ["fit", "gaps.csv", "--target", "y", "--cv", "0"],
        # A missing category is fine: OneHotEncoder gives it a column.
        "numeric column(s) 'x' have missing values: fill or drop them first\n",
    ),
    "one class": (
        _write_one_class,
        ["fit", "one.csv", "--target", "y", "--cv", "0"],
        "target column 'y' has 1 distinct value(s) ('a'); binnet fit needs "
        "exactly 2 classes\n",
    ),
}


# The cases the issue names, also run as users run them: a subprocess each.
# One case of each kind (a file, a CSV, an option) also run as users run it;
# all of them run in-process above.
SUBPROCESS_CASES = ["missing file", "unparsable csv", "bad hidden"]


def _prepare(case, directory, fitted):
    """Write train.csv and what ``case`` needs into ``directory``."""
    _write_train_csv(directory)
    prepare = BAD_INPUT[case][0]
    if prepare is _copy_model:
        prepare(directory, fitted)
    elif prepare is not None:
        prepare(directory)
    return _snapshot(directory)


def _check_one_line_error(status, stdout, stderr, case):
    _, args, message = BAD_INPUT[case]
    assert status == 2, stderr
    assert stdout == ""
    assert stderr.startswith(f"binnet {args[0]}: error: {message}")
    assert stderr.endswith("\n")
    assert stderr.count("\n") == 1, stderr


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_one_line_status_2_and_writes_nothing(
    case, tmp_path, fitted, monkeypatch, capsys
):
    before = _prepare(case, tmp_path, fitted)
    monkeypatch.chdir(tmp_path)

    status = main(BAD_INPUT[case][1])

    _check_one_line_error(status, *capsys.readouterr(), case)
    assert _snapshot(tmp_path) == before


@pytest.fixture(scope="module")
def bad_input_runs(tmp_path_factory, fitted):
    """The subprocess cases, each in a directory of its own, run side by side."""
    directories = {
        case: tmp_path_factory.mktemp("bad-input") for case in SUBPROCESS_CASES
    }
    before = {case: _prepare(case, d, fitted) for case, d in directories.items()}
    results = _binnet_concurrently(
        {case: (BAD_INPUT[case][1], d) for case, d in directories.items()}
    )
    return {
        case: (results[case], before[case], _snapshot(directories[case]))
        for case in SUBPROCESS_CASES
    }


@pytest.mark.parametrize("case", SUBPROCESS_CASES)
def test_bad_input_in_a_subprocess(case, bad_input_runs):
    result, before, after = bad_input_runs[case]
    _check_one_line_error(result.returncode, result.stdout, result.stderr, case)
    assert "Traceback" not in result.stderr
    assert after == before


def test_main_docstring_is_valid_numpydoc():
    # The rules of tests/test_docstrings.py, which covers sklearn_binnet.__all__.
    ignored = {"ES01", "GL01", "GL02", "RT02", "SA04"}
    errors = [
        f"{code}: {message}"
        for code, message in validate("sklearn_binnet.cli.main")["errors"]
        if code not in ignored
    ]
    assert not errors, "\n".join(errors)
