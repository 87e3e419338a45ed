"""``binnet predict``: apply a model of ``binnet fit`` to a CSV file."""

import sys

from ._common import CLI_EXTRA, UsageError, first_line, listing, require
from ._csv import check_input_file, read_csv, source_name
from ._output import ZIP_MAGIC, plan_output
from ._trust import load_model


def _a_model(head):
    """``--output`` writes a CSV: it never replaces a model file."""
    if head.startswith(ZIP_MAGIC):
        return "is a model file (a zip archive)"
    return None


def _text_categories(encoder, index):
    """The categories of a one-hot encoded column, if all of them are text."""
    known = [value for value in encoder.categories_[index] if value == value]
    if known and all(isinstance(value, str) for value in known):
        return known
    return None


def check_categorical_columns(model, frame, name):
    """A column encoded as text at training must not hold numbers or booleans.

    OneHotEncoder would compare them with its text categories and fail with a
    TypeError, or a message about "y"; one line naming the column is clearer.
    """
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    preprocess = model.steps[0][1]
    for _, encoder, columns in preprocess.transformers_:
        if not hasattr(encoder, "categories_"):
            continue
        for index, column in enumerate(columns):
            if column not in frame.columns:
                continue  # reported by predict, with every missing column
            known = _text_categories(encoder, index)
            values = frame[column].dropna()
            if known is None or values.empty:
                continue
            if is_numeric_dtype(values.dtype):
                wrong = values
            else:
                wrong = values[[not isinstance(value, str) for value in values]]
            if len(wrong):
                kind = (
                    "booleans"
                    if is_bool_dtype(wrong.dtype)
                    or all(isinstance(value, bool) for value in wrong)
                    else "numbers"
                )
                raise UsageError(
                    f"column {column!r} of {name} holds {kind} (such as "
                    f"{wrong.iloc[0]}), but the model was trained on it as text "
                    f"(categories {listing(known)})"
                )


def run(args):
    """Run ``binnet predict``; return the exit status."""
    for package in ("pandas", "skops"):
        require(package, "binnet predict", CLI_EXTRA)
    model_name = repr(str(args.model))
    inputs = [("model file", args.model), ("data file", args.data)]
    output = (
        None
        if args.output is None
        else plan_output(
            args.output, "--output", inputs=inputs, allow_stdout=True, guard=_a_model
        )
    )
    if (output is None or output.kind == "stdout") and sys.stdout is None:
        raise UsageError("standard output is closed: give --output FILE")
    if args.model == "-":
        raise UsageError("the model cannot come from standard input")
    check_input_file(args.model, "model file")
    frame = read_csv(args.data, args.sep)
    name = source_name(args.data)
    model = load_model(args.model, model_name)
    try:
        check_categorical_columns(model, frame, name)
        labels = model.predict(frame)
        proba = model.predict_proba(frame) if args.proba else None
    except UsageError:
        raise
    except Exception as exc:
        # The usual cause is a column of the training data missing from the
        # data; any other failure of a loaded model is reported the same way.
        raise UsageError(f"cannot predict on {name}: {first_line(exc)}") from exc

    import pandas as pd

    result = pd.DataFrame({"prediction": labels})
    if proba is not None:
        names = [str(label) for label in model.classes_]
        if "prediction" in names:
            # A class literally named "prediction" would overwrite the labels.
            names = [f"proba_{name}" for name in names]
        for column, values in zip(names, proba.T):
            result[column] = values
    data = result.to_csv(index=False, float_format=f"%.{args.precision}g").encode()
    if output is None or output.kind == "stdout":
        plan_output("-", "--output", allow_stdout=True).write(data)
    else:
        output.write(data)
        print(f"Wrote {len(result)} predictions to {output}")
    return 0
