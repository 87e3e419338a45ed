"""What ``binnet predict`` loads: only models of ``binnet fit``, checked before use."""

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io
from cli_support import (
    assert_one_line_error,
    binnet_all,
    fitted_directory,
    main_in_process,
)
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import sklearn_binnet.cli
from sklearn_binnet import NumpyBinaryMLP


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    return fitted_directory(tmp_path_factory, "trust")


def _load(path):
    return skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))


def test_a_saved_model_loads_with_the_trusted_list(fitted):
    from sklearn_binnet.cli._trust import file_types, trusted_types, type_name

    # Every type in a file of binnet fit is on the list, and skops loads the
    # file with nothing but the list.
    path = fitted / "model.skops"
    assert file_types(path, "model") <= trusted_types()
    model = skops.io.load(path, trusted=sorted(trusted_types()))
    new = pd.read_csv(fitted / "new.csv")
    np.testing.assert_array_equal(model.predict(new), _load(path).predict(new))
    # Named from the classes, wherever their modules are.
    assert type_name(NumpyBinaryMLP) in trusted_types()
    assert type_name(type(model[-1]._optimizer)) in trusted_types()


def test_the_trusted_list_is_not_typed_out_by_hand():
    source = "\n".join(
        path.read_text()
        for path in Path(sklearn_binnet.cli.__file__).parent.glob("*.py")
    )
    assert not re.search(r"[\"']sklearn_binnet\._\w+\.\w+[\"']", source)


def _logistic_model(directory):
    train = pd.read_csv(directory / "train.csv")
    X, y = train.drop(columns="label"), train["label"]
    preprocess = ColumnTransformer(
        [
            ("categorical", OneHotEncoder(handle_unknown="ignore"), ["colour"]),
            ("numeric", StandardScaler(), ["x0", "count"]),
        ]
    )
    model = Pipeline([("preprocess", preprocess), ("classifier", LogisticRegression())])
    skops.io.dump(model.fit(X, y), directory / "logistic.skops")


def _crafted(directory, name, change):
    """A model of trusted types only, with a fitted state that ``change`` breaks."""
    model = _load(directory / "model.skops")
    change(model[-1])
    skops.io.dump(model, directory / name)


def _bogus_activation(clf):
    clf.activation = "bogus"


def _string_coefs(clf):
    clf.coefs_ = ["a", "b"]


def _short_coefs(clf):
    clf.coefs_ = [c[:1] for c in clf.coefs_]


def test_only_models_of_binnet_fit_load_and_a_bad_state_is_one_line(tmp_path, fitted):
    for name in ("train.csv", "new.csv", "model.skops"):
        shutil.copy(fitted / name, tmp_path)
    _logistic_model(tmp_path)
    _crafted(tmp_path, "activation.skops", _bogus_activation)
    _crafted(tmp_path, "strings.skops", _string_coefs)
    _crafted(tmp_path, "shapes.skops", _short_coefs)
    frame = pd.read_csv(tmp_path / "new.csv")
    frame.assign(colour=np.arange(len(frame))).to_csv(
        tmp_path / "numbers.csv", index=False
    )
    frame.assign(colour=np.arange(len(frame)) % 2 == 0).to_csv(
        tmp_path / "booleans.csv", index=False
    )
    cases = {
        "logistic": (
            ["logistic.skops", "new.csv"],
            "refusing to load 'logistic.skops': it holds types that binnet fit does "
            "not write ('sklearn.linear_model._logistic.LogisticRegression')",
        ),
        "activation": (
            ["activation.skops", "new.csv"],
            "'activation.skops' is not a usable model of 'binnet fit': The "
            "'activation' parameter of NumpyBinaryMLP must be a str among",
        ),
        "strings": (
            ["strings.skops", "new.csv"],
            "'strings.skops' is not a usable model of 'binnet fit': coefs_ are not "
            "float32 or float64 arrays",
        ),
        "shapes": (
            ["shapes.skops", "new.csv"],
            "'shapes.skops' is not a usable model of 'binnet fit': coefs_[0] is not",
        ),
        "numbers": (
            ["model.skops", "numbers.csv"],
            "column 'colour' of 'numbers.csv' holds numbers (such as 0), but the "
            "model was trained on it as text (categories 'blue', 'green', 'red')",
        ),
        "booleans": (
            ["model.skops", "booleans.csv"],
            "column 'colour' of 'booleans.csv' holds booleans (such as True)",
        ),
    }
    # One subprocess for each kind of defect; the variants in-process.
    in_subprocess = ["logistic", "activation", "numbers"]
    results = binnet_all(
        {key: (["predict", *cases[key][0]], tmp_path) for key in in_subprocess}
    )
    for key in set(cases) - set(in_subprocess):
        results[key] = main_in_process("predict", *cases[key][0], cwd=tmp_path)
    for key, (_, message) in cases.items():
        assert_one_line_error(results[key], "predict", message)
