"""Every public name has a numpydoc docstring in scikit-learn's form."""

import inspect

import pytest
from numpydoc.validate import validate

import sklearn_binnet

# Checks scikit-learn does not enforce either: an extended summary is optional,
# `self : object` names what fit returns, and methods need no See Also or
# Examples sections of their own.
IGNORED = {"ES01", "GL01", "GL02", "RT02", "SA04"}
IGNORED_FOR_METHODS = IGNORED | {"SA01", "EX01"}


def _public_names():
    """Public functions and classes, and the methods our package defines."""
    names = ["sklearn_binnet.datasets.make_xor"]
    for name in sklearn_binnet.__all__:
        obj = getattr(sklearn_binnet, name)
        if inspect.isfunction(obj):
            names.append(f"sklearn_binnet.{name}")
        elif inspect.isclass(obj):
            names.append(f"sklearn_binnet.{name}")
            names += [
                f"sklearn_binnet.{name}.{method}"
                for method, member in inspect.getmembers(obj, inspect.isfunction)
                if not method.startswith("_")
                and member.__module__.startswith("sklearn_binnet")
            ]
    return sorted(names)


@pytest.mark.parametrize("name", _public_names())
def test_docstring_is_valid_numpydoc(name):
    result = validate(name)
    is_method = name.count(".") >= 2 and name.split(".")[-2][0].isupper()
    ignored = IGNORED_FOR_METHODS if is_method else IGNORED
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in ignored
    ]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name", [n for n in sklearn_binnet.__all__ if n[0].isupper()])
def test_class_docstring_has_scikit_learn_sections(name):
    doc = getattr(sklearn_binnet, name).__doc__
    for section in ["Parameters", "Attributes", "See Also", "Examples"]:
        assert f"\n    {section}\n    {'-' * len(section)}" in doc, section


def test_score_docstring_speaks_of_binary_accuracy():
    # ClassifierMixin's docstring is about multi-label subset accuracy.
    from sklearn_binnet import NumpyBinaryMLP

    doc = NumpyBinaryMLP.score.__doc__
    assert "multi-label" not in doc and "accuracy" in doc
