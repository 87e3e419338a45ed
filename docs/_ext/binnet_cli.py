"""The command-line reference of ``binnet``, generated from its parser.

Two directives:

``.. binnet-cli-reference::``
    Renders the parser that :func:`sklearn_binnet.cli.build_parser` returns:
    the command's usage and description, then one section per subcommand with
    its usage, description and every argument, as Sphinx ``program`` and
    ``option`` entries (so ``:option:`binnet fit --target``` links to them).
    Nothing is typed by hand, so the page cannot drift from the parser.

``.. binnet-session::``
    Runs shell commands (content lines starting with ``$``, each with the
    lines after it that do not start with ``$``) with bash during the build,
    in a scratch directory shared by the page's sessions, and shows each
    command with what it printed (stdout and stderr, in order). A command
    whose exit status is not 0 is shown followed by ``$ echo $?`` and the
    status. The build fails when a status differs from the expected one:
    0 for every command, or ``:returncode:`` for the last.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

# reStructuredText inline markup characters, escaped in the parser's help.
_RST_SPECIAL = re.compile(r"([\\`*_|<>\[\]])")
# An option named in a help text: --help, --backend, -h.
_OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")
_SESSION_TIMEOUT_S = 600


def _escape(text):
    """``text`` as reStructuredText: options as literals, the rest escaped.

    As literals, ``--help`` and its kind are neither links nor turned into
    an en dash by the typographic quotes.
    """
    parts = _OPTION.split(text)
    return "".join(
        f"``{part}``" if i % 2 else _RST_SPECIAL.sub(r"\\\1", part)
        for i, part in enumerate(parts)
    )


def _expand_help(action, prog):
    """The help of ``action`` with its ``%(default)s``-style fields filled in.

    As argparse's help formatter does it, from the action's public attributes.
    """
    if not action.help:
        return ""
    params = {k: v for k, v in vars(action).items() if v is not argparse.SUPPRESS}
    params["prog"] = prog
    if params.get("choices") is not None:
        params["choices"] = ", ".join(str(choice) for choice in params["choices"])
    return action.help % params


def _subcommands(parser):
    """``(name, help, subparser)`` of each subcommand of ``parser``.

    argparse has no public accessor for these: the subparsers action is found
    among ``parser._actions`` and the one-line help of each command in its
    ``_choices_actions``, as argparse's own help formatter finds them.
    """
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, subparser in action.choices.items():
                yield name, helps.get(name, ""), subparser


def _option_signature(action):
    if not action.option_strings:
        return action.metavar or action.dest
    if action.nargs == 0:
        return ", ".join(action.option_strings)
    if action.metavar is not None:
        metavar = action.metavar
    elif action.choices is not None:
        metavar = "{" + ",".join(str(choice) for choice in action.choices) + "}"
    else:
        metavar = action.dest.upper()
    return ", ".join(f"{option} {metavar}" for option in action.option_strings)


def _usage_block(parser):
    usage = parser.format_usage().strip()
    lines = [f"   {line}" for line in usage.splitlines()]
    return [".. code-block:: text", "", *lines, ""]


def _arguments_rst(parser):
    """``program`` and ``option`` directives for every argument of ``parser``."""
    lines = [f".. program:: {parser.prog}", ""]
    groups = (
        ("Positional arguments", [a for a in parser._actions if not a.option_strings]),
        ("Options", [a for a in parser._actions if a.option_strings]),
    )
    for title, actions in groups:
        actions = [
            action
            for action in actions
            if not isinstance(action, argparse._SubParsersAction)
        ]
        if not actions:
            continue
        lines += [f".. rubric:: {title}", ""]
        for action in actions:
            lines += [f".. option:: {_option_signature(action)}", ""]
            text = _escape(_expand_help(action, parser.prog))
            if action.required and action.option_strings:
                text = f"Required. {text}"
            lines += [f"   {text}", ""]
    return lines


def reference_rst(parser):
    """The whole command-line reference of ``parser`` as reStructuredText lines."""
    lines = _usage_block(parser)
    if parser.description:
        lines += [_escape(parser.description), ""]
    if parser.epilog:
        lines += [_escape(parser.epilog), ""]
    commands = list(_subcommands(parser))
    lines += [".. rubric:: Commands", ""]
    for name, help_text, _ in commands:
        # A link to the command's section, by its title.
        lines += [f"`{parser.prog} {name}`_", f"   {_escape(help_text or '')}", ""]
    lines += _arguments_rst(parser)
    for name, _, subparser in commands:
        title = f"{parser.prog} {name}"
        lines += [title, "-" * len(title), ""]
        lines += _usage_block(subparser)
        if subparser.description:
            lines += [_escape(subparser.description), ""]
        lines += _arguments_rst(subparser)
    return lines


class CliReference(SphinxDirective):
    """``.. binnet-cli-reference::``: every subcommand and option of ``binnet``."""

    has_content = False

    def run(self):
        from sklearn_binnet import cli

        # Re-read this page when the command's code changes (a module, or
        # every module of a package).
        source = Path(cli.__file__)
        for path in (
            source.parent.glob("*.py") if source.stem == "__init__" else [source]
        ):
            self.env.note_dependency(str(path))
        text = StringList(reference_rst(cli.build_parser()), source="binnet-cli")
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, text, container)
        return container.children


def _session_dir(env):
    """A scratch directory shared by the sessions of the page being read."""
    dirs = env.temp_data.setdefault("binnet_session_dirs", {})
    if env.docname not in dirs:
        path = Path(tempfile.mkdtemp(prefix="binnet-docs-"))
        dirs[env.docname] = path
        env.app.connect("build-finished", lambda app, exc: shutil.rmtree(path, True))
    return dirs[env.docname]


def _session_env():
    env = dict(os.environ)
    # The commands of the virtual environment that builds the docs come first.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    env.update(MPLBACKEND="Agg", OMP_NUM_THREADS="1", COLUMNS="80")
    return env


class Session(SphinxDirective):
    """``.. binnet-session::``: shell commands run during the build, with output."""

    has_content = True
    option_spec = {"returncode": directives.nonnegative_int}

    def run(self):
        # A command is a line starting with "$" and the lines after it that
        # do not (the rest of a quoted string that spans lines).
        commands = []
        for line in self.content:
            if line.startswith("$"):
                commands.append(line[1:].strip())
            elif commands:
                commands[-1] += "\n" + line
        commands = [command.rstrip() for command in commands]
        if not commands:
            raise self.error("binnet-session: no command (lines start with '$')")
        cwd = _session_dir(self.env)
        expected_last = self.options.get("returncode", 0)
        shown = []
        for i, command in enumerate(commands):
            result = subprocess.run(
                ["bash", "-c", command],
                cwd=cwd,
                env=_session_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=_SESSION_TIMEOUT_S,
                check=False,
            )
            expected = expected_last if i == len(commands) - 1 else 0
            if result.returncode != expected:
                raise self.error(
                    f"binnet-session: {command!r} exited with status "
                    f"{result.returncode}, expected {expected}; it printed:\n"
                    f"{result.stdout}"
                )
            shown.append(f"$ {command}")
            shown += result.stdout.rstrip("\n").splitlines()
            if result.returncode:
                shown += ["$ echo $?", str(result.returncode)]
        text = "\n".join(shown)
        block = nodes.literal_block(text, text, language="console")
        self.set_source_info(block)
        return [block]


def setup(app):
    app.add_directive("binnet-cli-reference", CliReference)
    app.add_directive("binnet-session", Session)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
