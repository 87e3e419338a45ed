"""What ``binnet predict`` loads: only the types ``binnet fit`` writes, checked.

A skops file describes the objects it rebuilds; its ``schema.json`` names the
type of each. Every one of those types must be in :func:`trusted_types`, the
types of the pipelines that ``binnet fit`` itself builds and saves, found by
building, fitting and saving small ones (so a module that moves, or a new
solver, changes the list with it), plus the plain data types a data set can
bring (numbers, strings, NumPy scalars). skops then loads with exactly the
types of the file. The loaded pipeline is checked before use: its shape, the
classifier's parameters against its own constraints, and its fitted weights.
"""

import functools
import io
import json
import warnings
import zipfile

import numpy as np

from ._common import UsageError, first_line, listing

# Larger schemas are refused unread: a model of binnet fit's shape has a few
# kilobytes of schema whatever its size (the arrays are stored apart).
_SCHEMA_LIMIT = 16 * 2**20

# A training set in the smallest form that still takes every path of
# ``binnet fit``: a float, an integer and a boolean column (scaled), a text
# column with a missing value and a boolean column with a missing value (both
# one-hot encoded), and string labels.
_PROBE_CSV = (
    "x,n,b,text,flag,label\n"
    "0.5,1,True,a,True,no\n"
    "-1.5,2,False,,False,yes\n"
    "2.0,3,True,b,,no\n"
    "1.0,4,False,a,True,yes\n"
)

# The plain data types a model's arrays and scalars may come in, named from
# the types themselves.
_DATA_TYPES = (
    dict,
    list,
    tuple,
    str,
    int,
    float,
    bool,
    slice,
    np.ndarray,
    np.bool_,
    np.str_,
    np.int32,
    np.int64,
    np.float32,
    np.float64,
)


def type_name(cls):
    """``module.name`` of a class: how skops names the types in a file."""
    return f"{cls.__module__}.{cls.__qualname__}"


def _schema_types(schema):
    """Every ``module.class`` that a skops schema names, nested ones included."""
    names = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__class__" in node:
                names.add(f"{node.get('__module__')}.{node['__class__']}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return names


def file_types(path, name):
    """The types a skops file holds, read from its schema without loading it."""
    try:
        with zipfile.ZipFile(path) as archive:
            if archive.getinfo("schema.json").file_size > _SCHEMA_LIMIT:
                raise UsageError(f"{name} is too large to be a model of 'binnet fit'")
            schema = json.loads(archive.read("schema.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, RuntimeError) as exc:
        raise UsageError(f"{name} is not a skops model file") from exc
    return _schema_types(schema)


@functools.cache
def trusted_types():
    """The types ``binnet fit`` writes, as ``module.name`` strings."""
    import pandas as pd
    import skops.io as sio
    from sklearn.exceptions import ConvergenceWarning

    from ._fit import make_estimator, make_pipeline, solvers

    frame = pd.read_csv(io.StringIO(_PROBE_CSV))
    y = frame.pop("label")
    names = {type_name(cls) for cls in _DATA_TYPES}
    for solver in solvers():
        estimator = make_estimator("numpy", {"solver": solver, "max_iter": 1})
        pipeline = make_pipeline(frame, estimator)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            pipeline.fit(frame, y)
        saved = sio.dumps(pipeline)
        with zipfile.ZipFile(io.BytesIO(saved)) as archive:
            names |= _schema_types(json.loads(archive.read("schema.json")))
    return frozenset(names)


def load_model(path, name):
    """Load a model of ``binnet fit`` from ``path``, checked; else a usage error."""
    found = file_types(path, name)
    refused = sorted(found - trusted_types())
    if refused:
        raise UsageError(
            f"refusing to load {name}: it holds types that binnet fit does not "
            f"write ({listing(refused)}); only models written by 'binnet fit' "
            "are loaded"
        )
    import skops.io as sio

    try:
        model = sio.load(path, trusted=sorted(found))
    except Exception as exc:
        # Whatever skops' readers raise on a damaged file.
        raise UsageError(f"cannot load {name}: {first_line(exc)}") from exc
    try:
        check_model(model)
    except UsageError as exc:
        raise UsageError(
            f"{name} is not a usable model of 'binnet fit': {exc}"
        ) from exc
    except Exception as exc:
        # A crafted state can make even the checks' attribute reads fail.
        raise UsageError(
            f"{name} is not a usable model of 'binnet fit': {first_line(exc)}"
        ) from exc
    return model


def check_model(model):
    """Check the shape of a loaded pipeline and its classifier's fitted state."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    from .._numpy_mlp import NumpyBinaryMLP

    if not (
        isinstance(model, Pipeline)
        and isinstance(model.steps, list)
        and len(model.steps) == 2
        and isinstance(model.steps[0][1], ColumnTransformer)
        and isinstance(model.steps[1][1], NumpyBinaryMLP)
    ):
        raise UsageError("it is not a pipeline of preprocessing and NumpyBinaryMLP")
    clf = model.steps[1][1]
    try:
        # The classifier's own parameter constraints.
        clf._validate_params()
    except (ValueError, TypeError) as exc:
        raise UsageError(first_line(exc)) from exc
    _check_weights(clf)


def _check_weights(clf):
    """The fitted state ``predict`` uses: two classes and a chain of weights."""
    classes = getattr(clf, "classes_", None)
    if not (isinstance(classes, np.ndarray) and classes.shape == (2,)):
        raise UsageError("classes_ is not an array of two classes")
    n_features = getattr(clf, "n_features_in_", None)
    if not (isinstance(n_features, (int, np.integer)) and n_features >= 1):
        raise UsageError("n_features_in_ is not a positive integer")
    coefs = getattr(clf, "coefs_", None)
    intercepts = getattr(clf, "intercepts_", None)
    hidden = list(np.atleast_1d(np.asarray(clf.hidden_layer_sizes)))
    units = [int(n_features), *hidden, 1]
    n_layers = len(units) - 1
    if not (
        isinstance(coefs, list)
        and isinstance(intercepts, list)
        and len(coefs) == len(intercepts) == n_layers
    ):
        raise UsageError(f"coefs_ and intercepts_ are not lists of {n_layers} arrays")
    dtype = getattr(coefs[0], "dtype", None)
    if dtype not in (np.float32, np.float64):
        raise UsageError("coefs_ are not float32 or float64 arrays")
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        expected = (units[i], units[i + 1])
        for array, shape, what in (
            (W, expected, "coefs_"),
            (b, expected[1:], "intercepts_"),
        ):
            if not (
                isinstance(array, np.ndarray)
                and array.dtype == dtype
                and array.shape == shape
            ):
                raise UsageError(f"{what}[{i}] is not a {dtype} array of shape {shape}")
            if not np.isfinite(array).all():
                raise UsageError(f"{what}[{i}] holds values that are not finite")
    if getattr(clf, "out_activation_", "logistic") != "logistic":
        raise UsageError("out_activation_ is not 'logistic'")
