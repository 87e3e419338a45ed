"""``binnet export``: a model of ``binnet fit`` as an ONNX file."""

from ._common import CLI_EXTRA, UsageError, first_line, require
from ._csv import check_input_file
from ._output import plan_output
from ._trust import load_model

ONNX_EXTRA = 'pip install "sklearn-binnet[onnx]"'


def sample_row(model, dtype):
    """One row with the training columns, in the types ONNX will take.

    The columns one-hot encoded at training are text; the others are
    numbers, in ``dtype`` (onnxruntime runs scalers in float32 and float64).
    """
    import numpy as np
    import pandas as pd

    preprocess = model.steps[0][1]
    text = {
        column
        for _, encoder, columns in preprocess.transformers_
        if hasattr(encoder, "categories_")
        for column in columns
    }
    return pd.DataFrame(
        {
            column: np.array(["a"], dtype=object)
            if column in text
            else np.zeros(1, dtype=dtype)
            for column in model.feature_names_in_
        }
    )


def run(args):
    """Run ``binnet export``; return the exit status."""
    for package, extra in (("skops", CLI_EXTRA), ("skl2onnx", ONNX_EXTRA)):
        require(package, "binnet export", extra)
    if args.model == "-":
        raise UsageError("the model cannot come from standard input")
    if args.zipmap and args.dtype == "float64":
        raise UsageError("--zipmap needs --dtype float32: ONNX's ZipMap takes float32")
    check_input_file(args.model, "model file")
    output = plan_output(
        args.output, "--output", inputs=[("model file", args.model)], allow_stdout=True
    )
    model = load_model(args.model, repr(str(args.model)))

    from sklearn_binnet import to_onnx

    try:
        onnx_model = to_onnx(
            model, sample_row(model, args.dtype), options={"zipmap": args.zipmap}
        )
    except Exception as exc:
        raise UsageError(f"cannot export {args.model!r}: {first_line(exc)}") from exc
    data = onnx_model.SerializeToString()
    output.write(data)
    if output.kind != "stdout":
        print(f"Wrote the ONNX model ({len(data)} bytes) to {output}")
    return 0
