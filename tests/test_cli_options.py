"""The options of ``binnet`` a user expects: --version, ``-``, --sep,
--precision, every estimator parameter, a one-line summary."""

import io

import numpy as np
import pandas as pd
import pytest
import skops.io
from cli_support import (
    FIT_QUICK,
    assert_one_line_error,
    binnet,
    binnet_all,
    fit_in_process,
    fitted_directory,
    fresh_copy,
    main_in_process,
    run_cases,
    snapshot,
)

import sklearn_binnet


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    return fitted_directory(tmp_path_factory, "options")


@pytest.fixture
def work(tmp_path, fitted):
    return fresh_copy(fitted, tmp_path)


def _load(path):
    return skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))


def _significant_digits(text):
    mantissa = text.lower().split("e")[0].replace("-", "").replace(".", "")
    return len(mantissa.lstrip("0"))


def test_version_and_standard_input_with_a_sniffed_separator(work):
    semicolons = pd.read_csv(work / "new.csv").to_csv(sep=";", index=False)
    results = binnet_all({"version": (["--version"], work)})
    piped = binnet(
        "predict", "model.skops", "-", "--proba", "--precision", "3", cwd=work,
        stdin=semicolons,
    )  # fmt: skip
    assert results["version"].returncode == 0
    assert results["version"].stdout == f"binnet {sklearn_binnet.__version__}\n"
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == ""
    table = pd.read_csv(io.StringIO(piped.stdout), dtype=str)
    assert list(table.columns) == ["prediction", "ham", "spam"]
    assert len(table) == 12
    assert (
        max(_significant_digits(v) for v in table[["ham", "spam"]].values.ravel()) <= 3
    )
    model = _load(work / "model.skops")
    np.testing.assert_allclose(
        table[["ham", "spam"]].astype(float),
        model.predict_proba(pd.read_csv(work / "new.csv")),
        rtol=5e-3,
        atol=0,
    )


def test_precision_and_stdout_output(work):
    model = _load(work / "model.skops")
    expected = model.predict_proba(pd.read_csv(work / "new.csv"))
    default = main_in_process("predict", "model.skops", "new.csv", "--proba", cwd=work)
    full = main_in_process(
        "predict", "model.skops", "new.csv", "--proba", "--precision", "17",
        "--output", "-", cwd=work,
    )  # fmt: skip
    assert default.returncode == full.returncode == 0
    table = pd.read_csv(io.StringIO(default.stdout), dtype=str)
    digits = [_significant_digits(v) for v in table[["ham", "spam"]].values.ravel()]
    assert max(digits) == 6
    # 17 significant digits give back every float64 exactly.
    # (pandas' default float parser is not exact before pandas 3.)
    exact = pd.read_csv(io.StringIO(full.stdout), float_precision="round_trip")
    np.testing.assert_array_equal(exact[["ham", "spam"]].to_numpy(), expected)


def test_separator_sniffed_or_given(work):
    train = pd.read_csv(work / "train.csv")
    train.to_csv(work / "semi.csv", sep=";", index=False)
    train.to_csv(work / "tabs.csv", sep="\t", index=False)
    options = [*FIT_QUICK[2:], "--cv", "0"]
    results = run_cases(
        {
            "sniffed": ["fit", "semi.csv", *options, "--model", "a.skops"],
            "given": ["fit", "tabs.csv", *options, "--sep", "tab", "--model", "b.sk"],
            "wrong": ["fit", "semi.csv", *options, "--sep", ","],
        },
        work,
        in_subprocess=[],
    )  # fmt: skip
    for key in ("sniffed", "given"):
        assert results[key].returncode == 0, results[key].stderr
    for name in ("a.skops", "b.sk"):
        assert list(_load(work / name).feature_names_in_) == ["x0", "count", "colour"]
    assert_one_line_error(results["wrong"], "fit", "no column 'label' in 'semi.csv'")


def test_every_estimator_parameter_is_reachable(work):
    out = fit_in_process(
        work,
        "--model", "tuned.skops", "--alpha", "0.5", "--learning-rate-init", "0.01",
        "--batch-size", "16", "--early-stopping", "--hidden-layer-sizes", "5,3",
        "--param", "solver=sgd", "--param", "momentum=0.5",
        "--param", "n_iter_no_change=inf",
    )  # fmt: skip
    assert "model saved to tuned.skops" in out
    params = _load(work / "tuned.skops")[-1].get_params()
    expected = {
        "alpha": 0.5,
        "learning_rate_init": 0.01,
        "batch_size": 16,
        "early_stopping": True,
        "hidden_layer_sizes": (5, 3),
        "solver": "sgd",
        "momentum": 0.5,
        "n_iter_no_change": np.inf,
        "max_iter": 30,
        "random_state": 0,
    }
    assert {name: params[name] for name in expected} == expected


def test_bad_estimator_options_are_one_line_before_the_work(work):
    cases = {
        "negative alpha": (
            ["--alpha", "-1"],
            "The 'alpha' parameter of NumpyBinaryMLP must be a float in the range "
            "[0.0, inf). Got -1.0 instead.",
        ),
        "bad activation": (
            ["--param", "activation=bogus"],
            "The 'activation' parameter of NumpyBinaryMLP must be a str among",
        ),
        "unknown": (
            ["--param", "nope=1"],
            "--param nope: NumpyBinaryMLP has no parameter",
        ),
        "flag by param": (["--param", "alpha=1"], "--param alpha: use --alpha instead"),
        "twice": (
            ["--param", "tol=1", "--param", "tol=2"],
            "--param tol is given twice",
        ),
        "not name=value": (["--param", "tol"], "'tol' is not NAME=VALUE"),
        "model to stdout": (["--model", "-"], "--model -: this output cannot go to"),
    }
    before = snapshot(work)
    results = run_cases(
        {key: [*FIT_QUICK, *args] for key, (args, _) in cases.items()},
        work,
        in_subprocess=["negative alpha"],
    )
    for key, (_, message) in cases.items():
        assert_one_line_error(results[key], "fit", message)
    assert snapshot(work) == before
