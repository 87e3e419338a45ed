"""The API reference (docs/api.rst) lists every public name, and only real ones."""

import importlib
import inspect
import re
from pathlib import Path

import pytest

import sklearn_binnet
from sklearn_binnet import datasets, plotting

API_RST = Path(__file__).resolve().parents[1] / "docs" / "api.rst"


def _documented_names():
    """Full names that docs/api.rst documents.

    Entries of ``autosummary`` tables are resolved against the current module
    (``.. currentmodule::``), as Sphinx resolves them; ``automodule``, ``data``
    and the other object directives name their object in full or relative to
    the current module.
    """
    names = set()
    module = None
    in_autosummary = False
    for line in API_RST.read_text(encoding="utf-8").splitlines():
        directive = re.match(r"\.\. ([\w:-]+)::\s*(\S*)", line)
        if directive:
            kind, argument = directive.groups()
            in_autosummary = kind == "autosummary"
            if kind in {"currentmodule", "module", "py:currentmodule"}:
                module = argument
            elif kind in {"automodule", "py:module"}:
                names.add(argument)
            elif argument:
                names.add(argument if "." in argument else f"{module}.{argument}")
            continue
        if in_autosummary:
            entry = re.fullmatch(r"   ([\w.]+)", line)
            if entry:
                names.add(f"{module}.{entry.group(1)}")
            elif line and not line.startswith(" "):
                in_autosummary = False
    return names


def _public_names(module):
    """``module.__all__``, or the public names it defines itself."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and getattr(obj, "__module__", None) == module.__name__
    ]


def _expected_names():
    names = [f"sklearn_binnet.{name}" for name in sklearn_binnet.__all__]
    for module in (datasets, plotting):
        names.append(module.__name__)
        names += [f"{module.__name__}.{name}" for name in _public_names(module)]
    return sorted(set(names))


def _resolve(full_name):
    """Import the object that ``full_name`` names, or raise."""
    try:
        return importlib.import_module(full_name)
    except ModuleNotFoundError:
        module_name, _, attribute = full_name.rpartition(".")
        return getattr(_resolve(module_name), attribute)


def test_parser_sees_the_api_page():
    documented = _documented_names()
    assert "sklearn_binnet.NumpyBinaryMLP" in documented
    assert "sklearn_binnet.datasets.make_xor" in documented


@pytest.mark.parametrize("name", _expected_names())
def test_public_name_is_in_the_api_reference(name):
    assert name in _documented_names(), (
        f"{name} is public but docs/api.rst does not document it: add it to an "
        "autosummary table there."
    )


@pytest.mark.parametrize("name", sorted(_documented_names()))
def test_documented_name_exists(name):
    obj = _resolve(name)
    if not inspect.ismodule(obj) and name != "sklearn_binnet.__version__":
        assert obj.__name__ == name.rpartition(".")[2]
