"""ONNX export through skl2onnx: a shape calculator and a converter per estimator.

The graph repeats the estimators' forward pass from their fitted ``coefs_`` and
``intercepts_``, in the floating type of the input (float32 or float64)::

    A_0 = X,   A_l = f(A_{l-1} W_l + b_l)   (hidden layers, f the activation)
    z   = A_{L-1} W_L + b_L                  (the logit of classes_[1])

and then derives every output from the logit ``z`` as ``predict_proba`` and
``predict`` do: ``p = [sigmoid(-z), sigmoid(z)]``, never ``1 - sigmoid(z)``,
which would round a small probability of ``classes_[0]`` to zero, each
sigmoid written from ``exp(-|z|)`` so that it neither overflows nor flushes a
small probability to zero early; the label is
``classes_[1]`` where ``z > 0``, so that a tie at ``z = 0`` and probabilities
equal in the output precision both give ``classes_[0]``, as ``predict`` does.

The outputs follow skl2onnx's convention for classifiers: a label tensor and a
probability tensor, turned into a list of ``{label: probability}`` maps by
skl2onnx's ZipMap unless the option ``zipmap=False`` is given.
"""

import numpy as np

_ONNX_EXTRA = 'pip install "sklearn-binnet[onnx]"'

# The ONNX operator of each hidden-layer activation.
_ONNX_ACTIVATIONS = {
    "identity": "Identity",
    "logistic": "Sigmoid",
    "tanh": "Tanh",
    "relu": "Relu",
}

_CONVERTER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "output_class_labels": [False, True],
    "nocl": [False, True],
}


def _import_skl2onnx():
    try:
        import skl2onnx
    except ModuleNotFoundError as exc:
        raise ImportError(
            "ONNX export needs skl2onnx, onnx and onnxruntime, which are not "
            f"installed ({exc}). Install them with: {_ONNX_EXTRA}"
        ) from exc
    return skl2onnx


def _label_initializer(classes):
    """Return the ONNX tensor type and values of the class labels.

    Integer, boolean and float labels become int64, as skl2onnx's shape
    calculator declares them; strings stay strings.
    """
    from onnx import TensorProto

    classes = np.asarray(classes)
    if classes.dtype.kind in "biuf":
        # Float labels are integral here: fit refuses others as continuous.
        return TensorProto.INT64, classes.astype(np.int64)
    return TensorProto.STRING, np.array([str(c).encode("utf-8") for c in classes])


class _Graph:
    """Adds nodes and constants to a skl2onnx container, in one float type.

    The float type is the one skl2onnx declared for the output: float64 for
    float64 input, float32 otherwise, as skl2onnx's own converters do.
    """

    def __init__(self, scope, operator, container):
        from onnx import TensorProto
        from skl2onnx.common.data_types import guess_proto_type

        self.scope, self.container = scope, container
        # The type skl2onnx declared for the (last) output, which it derives
        # from the pipeline's input: a column transformer may hand over
        # float32 one-hot columns in an otherwise float64 graph.
        self.proto_dtype = guess_proto_type(operator.outputs[-1].type)
        if self.proto_dtype != TensorProto.DOUBLE:
            self.proto_dtype = TensorProto.FLOAT
        self.dtype = (
            np.float64 if self.proto_dtype == TensorProto.DOUBLE else np.float32
        )

    def node(self, op_type, inputs, output=None, **attributes):
        """Add one operator; return the name of its output."""
        output = output or self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type,
            inputs,
            output,
            name=self.scope.get_unique_operator_name(op_type),
            **attributes,
        )
        return output

    def constant(self, prefix, values, proto_dtype=None):
        """Add a constant tensor, in the graph's float type by default."""
        if proto_dtype is None:
            proto_dtype, values = self.proto_dtype, np.asarray(values, self.dtype)
        values = np.asarray(values)
        name = self.scope.get_unique_variable_name(prefix)
        self.container.add_initializer(
            name, proto_dtype, list(values.shape), values.ravel().tolist()
        )
        return name

    def cast_input(self, operator):
        return self.node("Cast", [operator.inputs[0].full_name], to=self.proto_dtype)


def _convert_binary_mlp(scope, operator, container):
    """skl2onnx converter shared by NumpyBinaryMLP and TorchBinaryMLP."""
    from onnx import TensorProto
    from skl2onnx.common.utils_classifier import get_label_classes

    estimator = operator.raw_operator
    if estimator.activation not in _ONNX_ACTIVATIONS:
        raise NotImplementedError(
            f"No ONNX operator for activation={estimator.activation!r}."
        )
    graph = _Graph(scope, operator, container)
    node, constant = graph.node, graph.constant

    activation = graph.cast_input(operator)
    n_layers = len(estimator.coefs_)
    for layer, (W, b) in enumerate(zip(estimator.coefs_, estimator.intercepts_)):
        activation = node(
            "Add",
            [node("MatMul", [activation, constant("coef", W)]), constant("bias", b)],
        )
        if layer < n_layers - 1:
            activation = node(_ONNX_ACTIVATIONS[estimator.activation], [activation])
    logit = activation  # shape (n, 1)

    # sigmoid(z) and sigmoid(-z) from e = exp(-|z|), which never overflows:
    # 1 / (1 + e) is the larger probability, e / (1 + e) the smaller one.
    # onnxruntime's Sigmoid flushes sigmoid(z) to 0 below z = -17 in float32.
    exp_minus_abs = node("Exp", [node("Neg", [node("Abs", [logit])])])
    denominator = node("Add", [constant("one", [1]), exp_minus_abs])
    larger = node("Reciprocal", [denominator])
    smaller = node("Div", [exp_minus_abs, denominator])
    positive = node("Greater", [logit, constant("zero", [0])])
    node(
        "Concat",
        [
            node("Where", [positive, smaller, larger]),
            node("Where", [positive, larger, smaller]),
        ],
        operator.outputs[1].full_name,
        axis=1,
    )

    # With the option nocl=True, skl2onnx asks for the indices 0 and 1.
    label_type, labels = _label_initializer(get_label_classes(scope, estimator))
    index = node(
        "Reshape",
        [
            node("Cast", [positive], to=TensorProto.INT64),
            constant("flat", [-1], TensorProto.INT64),
        ],
    )
    labels_name = constant("classes", labels, label_type)
    node("Gather", [labels_name, index], operator.outputs[0].full_name, axis=0)


def _convert_smooth_clip_scaler(scope, operator, container):
    """skl2onnx converter of SmoothClipScaler: the formula of its transform."""
    scaler = operator.raw_operator
    graph = _Graph(scope, operator, container)
    node, constant = graph.node, graph.constant
    output = operator.outputs[0].full_name
    X = node(
        "Div",
        [
            node(
                "Sub", [graph.cast_input(operator), constant("center", scaler.center_)]
            ),
            constant("scale", scaler.scale_),
        ],
        output if not np.isfinite(scaler.clip) else None,
    )
    if not np.isfinite(scaler.clip):
        return
    one = constant("one", [1])
    ratio = node("Div", [X, constant("clip", [scaler.clip])])
    near = node(
        "Div", [X, node("Sqrt", [node("Add", [one, node("Mul", [ratio, ratio])])])]
    )
    inverse = node("Reciprocal", [ratio])
    far = node(
        "Div",
        [
            node("Mul", [node("Sign", [X]), constant("clip", [scaler.clip])]),
            node("Sqrt", [node("Add", [one, node("Mul", [inverse, inverse])])]),
        ],
    )
    small = node("LessOrEqual", [node("Abs", [ratio]), one])
    node("Where", [small, near, far], output)


def _convert_missing_indicator(scope, operator, container):
    """skl2onnx converter of MissingIndicator: IsNaN on the columns it reports."""
    from onnx import TensorProto

    indicator = operator.raw_operator
    graph = _Graph(scope, operator, container)
    columns = graph.node(
        "Gather",
        [
            graph.cast_input(operator),
            graph.constant("features", indicator.features_, TensorProto.INT64),
        ],
        axis=1,
    )
    graph.node(
        "Cast",
        [graph.node("IsNaN", [columns])],
        operator.outputs[0].full_name,
        to=graph.proto_dtype,
    )


def _missing_indicator_shape(operator):
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    n_rows = operator.inputs[0].get_first_dimension()
    n_columns = len(operator.raw_operator.features_)
    float_type = (
        DoubleTensorType
        if isinstance(operator.inputs[0].type, DoubleTensorType)
        else FloatTensorType
    )
    operator.outputs[0].type = float_type([n_rows, n_columns])


def _parse_tabular_preprocessor(scope, model, inputs, custom_parsers=None):
    """Parse a TabularPreprocessor as the column transformer it built."""
    from skl2onnx._parse import _parse_sklearn

    return _parse_sklearn(
        scope, model.column_transformer_, inputs, custom_parsers=custom_parsers
    )


def register_onnx_converters():
    """Register the estimators and transformers of sklearn-binnet with skl2onnx.

    After this call, ``skl2onnx.to_onnx`` converts, alone or as steps of a
    scikit-learn pipeline: a fitted :class:`NumpyBinaryMLP`; a fitted
    :class:`TorchBinaryMLP` once its class has been imported in this
    process; :class:`~sklearn_binnet.preprocessing.SmoothClipScaler` and
    :class:`~sklearn_binnet.preprocessing.TabularPreprocessor`; and
    scikit-learn's :class:`~sklearn.impute.MissingIndicator`, which
    skl2onnx does not convert itself. :func:`to_onnx` calls it for you.
    Calling it again is harmless.

    Returns
    -------
    registered : list of type
        The classes registered by this call.

    See Also
    --------
    to_onnx : Register, then convert an estimator or a pipeline.

    Examples
    --------
    >>> from sklearn_binnet import NumpyBinaryMLP, register_onnx_converters
    >>> NumpyBinaryMLP in register_onnx_converters()
    True
    """
    skl2onnx = _import_skl2onnx()
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
    )
    from skl2onnx.shape_calculators.scaler import (
        calculate_sklearn_scaler_output_shapes,
    )
    from sklearn.impute import MissingIndicator

    from ._base import BaseBinaryMLP
    from .preprocessing import SmoothClipScaler, TabularPreprocessor

    def register(cls, shape_calculator, converter, **kwargs):
        skl2onnx.update_registered_converter(
            cls, f"SklearnBinnet{cls.__name__}", shape_calculator, converter, **kwargs
        )
        registered.append(cls)

    registered = []
    # Every concrete estimator class loaded now: TorchBinaryMLP is defined
    # only once its module is imported, and registering it must not import
    # torch for a user who exports a NumPy model.
    pending = list(BaseBinaryMLP.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__name__.startswith("_"):
            register(
                cls,
                calculate_linear_classifier_output_shapes,
                _convert_binary_mlp,
                options=_CONVERTER_OPTIONS,
            )
    register(
        SmoothClipScaler,
        calculate_sklearn_scaler_output_shapes,
        _convert_smooth_clip_scaler,
    )
    register(MissingIndicator, _missing_indicator_shape, _convert_missing_indicator)
    # Parsed as the column transformer it holds: no operator of its own.
    register(
        TabularPreprocessor,
        calculate_sklearn_scaler_output_shapes,
        _convert_smooth_clip_scaler,
        parser=_parse_tabular_preprocessor,
    )
    return registered


def to_onnx(estimator, X_sample, *, options=None, target_opset=None):
    """Convert a fitted estimator or pipeline to an ONNX model.

    A thin wrapper over ``skl2onnx.to_onnx`` that first registers the
    converters of this library, so that a whole fitted pipeline converts:
    scalers, encoders and column transformers by skl2onnx, our networks by
    this module.

    Parameters
    ----------
    estimator : estimator or Pipeline
        A fitted :class:`NumpyBinaryMLP`, :class:`TorchBinaryMLP`, or a
        scikit-learn pipeline (or other composite skl2onnx converts) that
        contains one.
    X_sample : array-like or DataFrame
        A few rows of input, from which skl2onnx infers the input names and
        types: float32 rows give a float32 graph, float64 rows a float64
        graph.
    options : dict, default=None
        Conversion options of skl2onnx, for example
        ``{id(estimator): {"zipmap": False}}`` or ``{"zipmap": False}`` for
        every classifier, to output the probabilities as a tensor instead of
        a list of ``{label: probability}`` maps.
    target_opset : int, default=None
        The ONNX opset; None lets skl2onnx choose its latest tested one.

    Returns
    -------
    onnx_model : onnx.ModelProto
        The model, ready for ``onnxruntime.InferenceSession(
        onnx_model.SerializeToString())``. It outputs ``label`` (the
        predicted class) and ``probabilities``.

    See Also
    --------
    register_onnx_converters : Make ``skl2onnx.to_onnx`` itself know this
        library's estimators and transformers.

    Notes
    -----
    ONNX's ZipMap operator takes float32 only: a float64 graph needs
    ``options={"zipmap": False}``. skl2onnx's one-hot encoder does not take
    boolean columns; give them as strings. onnxruntime's imputer takes float32
    only: give numeric DataFrame columns as float32 when a pipeline imputes.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from sklearn_binnet import NumpyBinaryMLP, to_onnx
    >>> from sklearn_binnet.datasets import make_xor
    >>> X, y = make_xor(200, random_state=0)
    >>> X = X.astype(np.float32)
    >>> clf = NumpyBinaryMLP((8,), max_iter=300, random_state=0).fit(X, y)
    >>> onx = to_onnx(clf, X[:1], options={"zipmap": False})
    >>> session = ort.InferenceSession(onx.SerializeToString())
    >>> label, proba = session.run(None, {"X": X[:3]})
    >>> bool(np.array_equal(label, clf.predict(X[:3])))
    True
    >>> bool(np.allclose(proba, clf.predict_proba(X[:3]), atol=1e-6))
    True
    """
    skl2onnx = _import_skl2onnx()
    register_onnx_converters()
    return skl2onnx.to_onnx(
        estimator, X_sample, options=options, target_opset=target_opset
    )
