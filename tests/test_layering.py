"""The package's layers, read from the source of every module.

* The base (``_base`` and the backend-neutral modules it is built from)
  imports no backend and not the package root, not even inside a function.
* The NumPy backend, with everything it imports, never imports torch.
* The core (everything but the plotting module and the ``binnet`` command)
  never imports plotting, the command or matplotlib.
* ``import sklearn_binnet`` loads no torch, skorch, matplotlib or dask.

Imports are read from each module's syntax tree, wherever they sit (module
level, functions, ``importlib.import_module("...")`` calls), so a lazy import
counts like any other.
"""

import ast
import json
import pathlib
import subprocess
import sys

import pytest

PACKAGE = "sklearn_binnet"
ROOT = pathlib.Path(__file__).resolve().parents[1] / PACKAGE

BASE = "sklearn_binnet._base"
NUMPY_BACKEND = ("sklearn_binnet._numpy_mlp", "sklearn_binnet._optimizers")
BACKENDS = (
    "sklearn_binnet._numpy_mlp",
    "sklearn_binnet._optimizers",
    "sklearn_binnet._torch_mlp",
    "sklearn_binnet._torch",
)
OUTER = ("sklearn_binnet.plotting", "sklearn_binnet.cli", "sklearn_binnet.__main__")


def _module_names():
    """Map each module of the package to its source file."""
    names = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


MODULES = _module_names()


def _within(name, prefixes):
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _imports(module):
    """Absolute names of every module that ``module``'s source imports."""
    path = MODULES[module]
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0]
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module
            found.add(source)
            for alias in node.names:
                # ``from . import name`` imports a submodule when there is one.
                if f"{source}.{alias.name}" in MODULES:
                    found.add(f"{source}.{alias.name}")
                    if source == PACKAGE:
                        found.discard(PACKAGE)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(node.args[0].value)
    return found


def _closure(module):
    """``module`` and every module of the package it imports, transitively."""
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name in seen or name not in MODULES:
            continue
        seen.add(name)
        todo.extend(_imports(name))
        # Importing a submodule runs its package first.
        parent = name.rpartition(".")[0]
        if parent != PACKAGE and parent in MODULES:
            todo.append(parent)
    return seen


def _all_imports(modules):
    return {name for module in modules for name in _imports(module)}


def test_the_module_reader_sees_lazy_and_relative_imports():
    # The reader must find the root's lazy import of the torch backend and
    # the plotting module's lazy matplotlib imports, or the tests below
    # would pass for the wrong reason.
    assert _within("sklearn_binnet._torch_mlp", _imports(PACKAGE)) or any(
        _within(name, ("sklearn_binnet._torch",)) for name in _imports(PACKAGE)
    )
    assert "matplotlib" in {n.partition(".")[0] for n in _imports(OUTER[0])}
    assert "sklearn_binnet._training" in _imports(BASE)


def test_the_base_imports_no_backend_and_not_the_package_root():
    closure = _closure(BASE)
    assert BASE in closure
    imported = _all_imports(closure)
    assert not [name for name in imported if _within(name, BACKENDS)]
    assert not [name for name in imported if _within(name, ("torch", "skorch"))]
    # The version comes from ``_version``, never from the package root.
    assert PACKAGE not in imported
    assert not [name for name in imported if _within(name, OUTER)]


@pytest.mark.parametrize("module", NUMPY_BACKEND)
def test_the_numpy_backend_never_imports_torch(module):
    closure = _closure(module)
    imported = _all_imports(closure)
    assert not [name for name in imported if _within(name, ("torch", "skorch"))]
    assert not [
        name for name in imported if _within(name, ("sklearn_binnet._torch_mlp",))
    ]
    assert not [name for name in imported if _within(name, ("sklearn_binnet._torch",))]


@pytest.mark.parametrize(
    "module", sorted(name for name in MODULES if not _within(name, OUTER))
)
def test_the_core_never_imports_plotting_or_the_command(module):
    imported = _imports(module)
    assert not [name for name in imported if _within(name, OUTER)]
    assert not [name for name in imported if _within(name, ("matplotlib",))]


def test_importing_the_package_loads_no_optional_dependency():
    code = (
        "import json, sys; import sklearn_binnet; "
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.partition('.')[0] in ('torch', 'skorch', 'matplotlib', 'dask'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(result.stdout) == []
