"""The documentation site: its examples run, and its internal links resolve.

- The ``>>>`` examples of the hand-written pages run here as doctests, so a
  page cannot show code that fails or output that the code does not print.
- ``broken_links`` walks a tree of HTML files and reports every internal link
  to a missing file or to a missing anchor. It is tested here on a small
  synthetic site with known broken links.
- The built site itself is checked by ``make docs``, which runs this file
  with ``SKLEARN_BINNET_DOCS_HTML`` set to the tree it just built (building
  the site takes minutes, too long for ``make test``). Without that variable
  the tests of the built site are skipped.
"""

import doctest
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BUILT_SITE = os.environ.get("SKLEARN_BINNET_DOCS_HTML")

# The pages whose code is written as doctests (every Python example of the
# pages below runs here; their shell sessions run during the docs build).
DOCTEST_PAGES = ["index.rst", "install.rst", "faq.rst", "limitations.rst", "tuning.rst"]
# The pages that issue "the docs a user looks for" asks for, reachable from
# the top navigation of every page.
NAVIGATION_PAGES = [
    "install.html",
    "faq.html",
    "limitations.html",
    "cli.html",
    "tuning.html",
    "changelog.html",
    "api.html",
]


# --------------------------------------------------------------- link checker


class _Page(HTMLParser):
    """The anchors (``id``, ``<a name>``) and the links of one HTML page."""

    _LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src"}

    def __init__(self):
        super().__init__()
        self.anchors = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.anchors.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.anchors.add(attrs["name"])
        url = attrs.get(self._LINK_ATTRIBUTES.get(tag, ""))
        if url:
            self.links.append(url)


def _parse(path):
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def broken_links(root):
    """Every internal link of the HTML tree under ``root`` that leads nowhere.

    The links of every page are followed, except those of the HTML files
    under ``_static`` (a theme's templates, shipped as they are). A link is
    internal when it has no scheme and no host. It is broken when
    the file it names does not exist (a directory stands for its
    ``index.html``), lies outside ``root``, or when its ``#fragment`` is not
    an ``id`` (or ``<a name>``) of the HTML page it names.

    Returns
    -------
    problems : list of str
        ``"page: link (reason)"``, sorted; empty when every link resolves.
    """
    root = Path(root).resolve()
    pages = {path: _parse(path) for path in root.rglob("*.html")}
    problems = []
    for page, parsed in pages.items():
        if page.parent.relative_to(root).parts[:1] == ("_static",):
            continue  # templates shipped as static files, not pages
        for url in parsed.links:
            parts = urlsplit(url)
            if parts.scheme or parts.netloc:
                continue
            target = (
                (page.parent / unquote(parts.path)).resolve() if parts.path else page
            )
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(root)}: {url}"
            if not target.is_relative_to(root):
                problems.append(f"{where} (outside the site)")
            elif not target.is_file():
                problems.append(f"{where} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                anchors = pages[target].anchors if target in pages else set()
                if unquote(parts.fragment) not in anchors:
                    problems.append(f"{where} (no such anchor)")
    return sorted(problems)


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_broken_links_finds_each_kind_of_broken_link(tmp_path):
    site = tmp_path / "site"
    _write(
        site / "index.html",
        '<h1 id="top">Home</h1>'
        '<a href="#top">ok: own anchor</a>'
        '<a href="a.html#section">ok: anchor of another page</a>'
        '<a href="a.html#legacy">ok: a name</a>'
        '<a href="sub/">ok: directory</a>'
        '<a href="a%20b.html">ok: quoted name</a>'
        '<a href="https://example.org/missing.html">ok: external</a>'
        '<a href="mailto:someone@example.org">ok: mail</a>'
        '<a href="#">ok: empty fragment</a>'
        '<a href="#nowhere">broken: own anchor</a>'
        '<a href="a.html#missing">broken: anchor</a>'
        '<a href="missing.html">broken: file</a>'
        '<a href="../outside.html">broken: outside</a>'
        '<img src="_static/missing.png">'
        '<script src="_static/app.js"></script>',
    )
    _write(site / "a.html", '<h2 id="section">A</h2><a name="legacy"></a>')
    _write(site / "a b.html", "<p>spaced</p>")
    _write(site / "sub" / "index.html", '<a href="../index.html#top">ok: up</a>')
    _write(site / "_static" / "app.js", "")
    # A theme's template among the static files: not a page, not followed.
    _write(site / "_static" / "macros.html", "<a href=\"{{ pathto('x') }}\">x</a>")
    _write(tmp_path / "outside.html", "<p>not part of the site</p>")

    assert broken_links(site) == [
        "index.html: #nowhere (no such anchor)",
        "index.html: ../outside.html (outside the site)",
        "index.html: _static/missing.png (no such file)",
        "index.html: a.html#missing (no such anchor)",
        "index.html: missing.html (no such file)",
    ]


def test_broken_links_of_a_clean_site_is_empty(tmp_path):
    _write(tmp_path / "index.html", '<a href="b.html#x">b</a>')
    _write(tmp_path / "b.html", '<p id="x"><a href="index.html">back</a></p>')
    assert broken_links(tmp_path) == []


# --------------------------------------------------------- the pages' sources


@pytest.mark.parametrize("page", DOCTEST_PAGES)
def test_examples_of_the_page_run(page):
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testfile(
        str(DOCS / page), module_relative=False, optionflags=flags, encoding="utf-8"
    )
    assert result.attempted > 0, f"{page} has no doctest"
    assert result.failed == 0, f"{result.failed} example(s) of {page} failed (above)"


@pytest.mark.parametrize("page", [*DOCTEST_PAGES, "cli.rst"])
def test_page_has_no_code_that_does_not_run(page):
    """Python on these pages is a doctest; shell is a session run by the build.

    ``console`` blocks are allowed: commands that install software or build
    the project cannot run during a docs build.
    """
    text = (DOCS / page).read_text(encoding="utf-8")
    assert not re.search(
        r"^\s*\.\. (code-block|code|sourcecode):: *(python|py|pycon)\b",
        text,
        re.MULTILINE,
    )
    assert not re.search(r"::\n\n\s+(import|from) ", text)


def test_install_page_names_only_declared_extras():
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as file:
        extras = set(tomllib.load(file)["project"]["optional-dependencies"])
    text = (DOCS / "install.rst").read_text(encoding="utf-8")
    named = {
        extra.strip()
        for group in re.findall(r"\.\[([\w,-]+)\]", text)
        for extra in group.split(",")
    }
    assert named, "the installation page installs no extra"
    assert named <= extras, f"not declared in pyproject.toml: {named - extras}"


# ------------------------------------------------------------- the built site

needs_built_site = pytest.mark.skipif(
    not BUILT_SITE,
    reason="checks the built site: run by `make docs`, which sets "
    "SKLEARN_BINNET_DOCS_HTML",
)


@needs_built_site
def test_built_site_has_no_broken_internal_link():
    problems = broken_links(BUILT_SITE)
    assert not problems, "\n".join(problems)


@needs_built_site
@pytest.mark.parametrize("page", NAVIGATION_PAGES)
def test_built_site_has_the_page_in_its_top_navigation(page):
    site = Path(BUILT_SITE)
    assert (site / page).is_file()
    for source in (
        "index.html",
        "faq.html",
        "generated/sklearn_binnet.NumpyBinaryMLP.html",
    ):
        if source == page:
            continue  # a page links to itself as "#"
        header = re.search(
            r"<header.*?</header>", (site / source).read_text(encoding="utf-8"), re.S
        )
        prefix = "../" if "/" in source else ""
        assert header and f'href="{prefix}{page}"' in header.group(0), (
            f"{page} is not linked from the top bar of {source}"
        )


@needs_built_site
def test_built_site_cli_reference_shows_every_option():
    from sklearn_binnet.cli import build_parser

    text = (Path(BUILT_SITE) / "cli.html").read_text(encoding="utf-8")
    parser = build_parser()
    parsers = [parser]
    for action in parser._actions:
        if action.choices and isinstance(action.choices, dict):
            parsers += action.choices.values()
    for command in parsers:
        assert command.prog in text
        for action in command._actions:
            for option in action.option_strings:
                assert f"{option}" in text, f"{command.prog} {option} is missing"
