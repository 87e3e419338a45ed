"""Tables of the supported versions and of the extras, read from pyproject.toml.

``.. binnet-versions:: [GROUP ...]``
    One row per package that the named groups declare (Python, then "core",
    the required dependencies, and the extras named; all when none is named),
    each package once: the oldest version declared, the oldest version tested
    (the pins of constraints-min.txt, which ``make test-min`` runs the tests
    with), which groups need it, and the version that built these pages.

``.. binnet-extras::``
    One row per extra of ``[project.optional-dependencies]``: its name, what
    it installs, and what it is for. The "what for" column comes from the
    directive's content, one ``name: text`` line per extra. An extra that
    pyproject.toml declares without a line here fails the build; a line for
    an extra that is not declared (yet) is shown as planned.

The page is read again whenever pyproject.toml changes.
"""

import re
from importlib import metadata
from pathlib import Path

from docutils import nodes
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from sphinx.util.docutils import SphinxDirective

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
# The exact versions that `make test-min` runs the test suite with.
CONSTRAINTS_MIN = PYPROJECT.parent / "constraints-min.txt"


def tested_floors(path=CONSTRAINTS_MIN):
    """``{package: version}`` of the ``name==version`` pins of ``path``."""
    floors = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.fullmatch(r"\s*([\w.-]+)\s*==\s*([\w.+!-]+)\s*(#.*)?", line)
            if match:
                floors[match.group(1).lower()] = match.group(2)
    return floors


def read_project(path=PYPROJECT):
    """The ``[project]`` table of pyproject.toml."""
    with open(path, "rb") as file:
        return tomllib.load(file)["project"]


def _floor(specifier):
    """The lowest version that a specifier set allows, as written (``>=X``)."""
    for spec in SpecifierSet(str(specifier)):
        if spec.operator in (">=", "==", "~="):
            return spec.version
    return None


def requirement_rows(project, groups=None):
    """``(package, oldest, needed by)`` for Python and each declared package.

    ``groups`` names the extras to cover, in order ("core" for the required
    dependencies); None means all, in the order pyproject.toml declares them.
    A package of several groups is one row, naming every group.
    """
    declared = {"core": project.get("dependencies", [])}
    declared.update(project.get("optional-dependencies", {}))
    groups = [(group, declared[group]) for group in (groups or declared)]
    floors, needed_by = {}, {}
    for group, requirements in groups:
        for text in requirements:
            requirement = Requirement(text)
            floors.setdefault(requirement.name, _floor(requirement.specifier))
            needed_by.setdefault(requirement.name, []).append(group)
    rows = [("Python", _floor(project["requires-python"]), "requires-python")]
    rows += [(name, floors[name], ", ".join(needed_by[name])) for name in floors]
    return rows


def _installed(name):
    if name == "Python":
        import platform

        return platform.python_version()
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _table(header, rows, widths):
    """A docutils table; a cell is a string or a list of inline nodes."""
    table = nodes.table()
    group = nodes.tgroup(cols=len(header))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)

    def row_of(cells):
        row = nodes.row()
        for cell in cells:
            paragraph = nodes.paragraph()
            paragraph += [nodes.Text(cell)] if isinstance(cell, str) else cell
            row += nodes.entry("", paragraph)
        return row

    group += nodes.thead("", row_of(header))
    group += nodes.tbody("", *(row_of(cells) for cells in rows))
    return table


class Versions(SphinxDirective):
    """``.. binnet-versions:: [GROUP ...]``: supported versions, from pyproject.toml.

    The arguments name the groups to cover ("core" and extras); none: all.
    A group that pyproject.toml does not declare (yet) is left out.
    """

    optional_arguments = 20

    def run(self):
        self.env.note_dependency(str(PYPROJECT))
        self.env.note_dependency(str(CONSTRAINTS_MIN))
        project = read_project()
        tested = tested_floors()
        # An extra named here but not declared (yet) is left out.
        declared = {"core", *project.get("optional-dependencies", {})}
        groups = [group for group in self.arguments if group in declared]
        rows = [
            (
                name,
                floor or "any",
                tested.get(name.lower(), "no"),
                where,
                _installed(name),
            )
            for name, floor, where in requirement_rows(project, groups)
        ]
        header = (
            "Package",
            "Oldest supported",
            "Oldest tested",
            "Needed by",
            "Built with",
        )
        return [_table(header, rows, (18, 14, 14, 26, 14))]


class Extras(SphinxDirective):
    """``.. binnet-extras::``: each extra, what it installs and what it is for."""

    has_content = True

    def run(self):
        self.env.note_dependency(str(PYPROJECT))
        purposes = {}
        for line in self.content:
            match = re.fullmatch(r"\s*([\w-]+)\s*:\s*(.+)", line)
            if match:
                purposes[match.group(1)] = match.group(2)
            elif line.strip():
                raise self.error(f"binnet-extras: expected 'name: text', got {line!r}")
        extras = read_project().get("optional-dependencies", {})
        missing = sorted(set(extras) - set(purposes))
        if missing:
            raise self.error(
                f"binnet-extras: pyproject.toml declares the extras {missing} "
                "that this table does not describe: add a line for each"
            )
        rows = []
        for name, purpose in purposes.items():
            if name in extras:
                packages = ", ".join(Requirement(r).name for r in extras[name])
            else:
                packages, purpose = "(not available yet)", f"Planned: {purpose}"
            # The purpose may hold inline markup, such as links to the API.
            parsed, messages = self.state.inline_text(purpose, self.lineno)
            rows.append(([nodes.literal(name, name)], packages, parsed + messages))
        return [_table(("Extra", "Installs", "For"), rows, (10, 30, 50))]


def setup(app):
    app.add_directive("binnet-versions", Versions)
    app.add_directive("binnet-extras", Extras)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
