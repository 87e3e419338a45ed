"""``binnet export``: a model of ``binnet fit`` as an ONNX file for onnxruntime."""

import numpy as np
import pandas as pd
import pytest
import skops.io
from cli_support import (
    assert_one_line_error,
    binnet,
    fitted_directory,
    fresh_copy,
    main_in_process,
    snapshot,
)

ort = pytest.importorskip("onnxruntime", reason="the [onnx] extra is not installed")


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    return fitted_directory(tmp_path_factory, "export")


@pytest.fixture
def work(tmp_path, fitted):
    return fresh_copy(fitted, tmp_path)


def _feeds(session, frame):
    types = {"tensor(float)": np.float32, "tensor(double)": np.float64}
    return {
        node.name: frame[[node.name]].to_numpy().astype(types.get(node.type, object))
        for node in session.get_inputs()
    }


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_export_runs_in_onnxruntime_like_the_model(work, dtype):
    # Through the console script once, in-process for the other dtype.
    run = binnet if dtype == "float32" else main_in_process
    result = run(
        "export", "model.skops", "-o", "model.onnx", "--dtype", dtype, cwd=work
    )
    assert result.returncode == 0, result.stderr
    assert "model.onnx" in result.stdout
    session = ort.InferenceSession(str(work / "model.onnx"))
    frame = pd.read_csv(work / "new.csv")
    label, proba = session.run(None, _feeds(session, frame))
    model = skops.io.load(
        work / "model.skops",
        trusted=skops.io.get_untrusted_types(file=work / "model.skops"),
    )
    np.testing.assert_array_equal(label, model.predict(frame))
    np.testing.assert_allclose(proba, model.predict_proba(frame), rtol=0, atol=1e-6)


def test_export_mistakes_are_one_line_and_write_nothing(work):
    before = snapshot(work)
    cases = {
        "missing model": (["export", "none.skops", "-o", "m.onnx"], "none.skops"),
        "output is the model": (
            ["export", "model.skops", "-o", "model.skops"],
            "model.skops",
        ),
        "not a model": (["export", "train.csv", "-o", "m.onnx"], "train.csv"),
        "zipmap in float64": (
            ["export", "model.skops", "-o", "m.onnx", "--zipmap", "--dtype", "float64"],
            "--zipmap",
        ),
    }
    for args, message in cases.values():
        assert_one_line_error(main_in_process(*args, cwd=work), "export", message)
    assert snapshot(work) == before
