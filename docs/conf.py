"""Sphinx configuration of the sklearn-binnet documentation.

Build it with ``make docs`` (warnings are errors). The example gallery runs
every ``examples/plot_*.py`` during the build.

Cross-references to Python, NumPy, scikit-learn, PyTorch, skorch,
matplotlib, joblib, skops and dask go through intersphinx, whose inventories
are downloaded. Where they cannot be (a machine without network), the build
stays offline: intersphinx is left out and only references to those external
projects are excused. References to ``sklearn_binnet`` itself are always
checked (``nitpicky``), online or not. ``SKLEARN_BINNET_DOCS_INTERSPHINX=1``
forces intersphinx on (the build then fails where the inventories are
unreachable), ``=0`` forces it off; unset, it is on when every inventory
answers quickly.
"""

import os
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sklearn_binnet

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

from binnet_requirements import read_project, requirement_rows  # noqa: E402

# -- Project -----------------------------------------------------------------

project = "sklearn-binnet"
author = "The sklearn-binnet developers"
copyright = "The sklearn-binnet developers, BSD 3-Clause License"
release = sklearn_binnet.__version__
version = release

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    # MathJax served with the pages, so that formulas render without network.
    "sphinx-mathjax-offline",
    # CHANGELOG.md, included by changelog.rst.
    "myst_parser",
    # Figures computed while the pages are built (the tuning guide).
    "matplotlib.sphinxext.plot_directive",
    # docs/_ext: tables read from pyproject.toml, the `binnet` reference
    # generated from its parser, shell sessions run during the build.
    "binnet_requirements",
    "binnet_cli",
    # [docs] links of the source pages that viewcode points to missing anchors.
    "viewcode_backlinks",
    # docs/_ext: benchmark tables rendered from benchmarks/results.json.
    "benchmark_results",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
# Pages are reStructuredText; Markdown (CHANGELOG.md) is only included.
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
# Read from pyproject.toml, so that the pages cannot contradict it.
_FLOORS = {name: floor for name, floor, _ in requirement_rows(read_project())}
rst_prolog = f"""
.. |python-floor| replace:: {_FLOORS["Python"]}
"""
# Every cross-reference must resolve: a typo in a name is a build error.
nitpicky = True
# Plain ``code`` stays plain text; cross-references are written explicitly.
default_role = "literal"

# -- autodoc, autosummary, numpydoc --------------------------------------------

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
# "fit()" rather than "NumpyBinaryMLP.fit()" in the "On this page" column,
# which is too narrow for the long form.
toc_object_entries_show_parents = "hide"
# The class template lists the methods itself.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Types in Parameters / Returns become links for these names only; the rest
# of a type description ("array-like of shape (n_samples,)") stays text.
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"
numpydoc_xref_aliases = {
    # numpydoc's own links, with a title: without the inventories (offline)
    # they show "int" rather than their target "python:int".
    **{
        name: f":class:`{name} <python:{name}>`"
        for name in ("list", "tuple", "str", "dict", "float", "int")
    },
    **{name: f":data:`{name} <python:{name}>`" for name in ("None", "True", "False")},
    "callable": ":func:`callable <python:callable>`",
    "array-like": ":term:`array-like <numpy:array_like>`",
    "array_like": ":term:`array-like <numpy:array_like>`",
    "ndarray": "numpy.ndarray",
    "RandomState": "numpy.random.RandomState",
    "Pipeline": "sklearn.pipeline.Pipeline",
    "NumpyBinaryMLP": "sklearn_binnet.NumpyBinaryMLP",
    "TorchBinaryMLP": "sklearn_binnet.TorchBinaryMLP",
    "LossCurveDisplay": "sklearn_binnet.plotting.LossCurveDisplay",
}
numpydoc_validation_checks = set()

# -- intersphinx ---------------------------------------------------------------

INTERSPHINX_MAPPING = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
    "torch": ("https://docs.pytorch.org/docs/stable", None),
    "skorch": ("https://skorch.readthedocs.io/en/stable", None),
    "matplotlib": ("https://matplotlib.org/stable", None),
    "joblib": ("https://joblib.readthedocs.io/en/stable", None),
    "skops": ("https://skops.readthedocs.io/en/stable", None),
    "dask": ("https://docs.dask.org/en/stable", None),
}
# What is excused when the inventories are out of reach: names of the projects
# above, Python's builtins and the standard-library names these pages use,
# with or without an inventory prefix ("python:int", as numpydoc writes the
# types of parameters). The patterns are matched against the whole target, so
# "sklearn" does not cover "sklearn_binnet": our own references are checked
# offline too.
_PROJECTS = "|".join(INTERSPHINX_MAPPING)
_EXTERNAL_OBJECTS = (
    r"(numpy|np|scipy|sklearn|torch|skorch|matplotlib|pandas|joblib|skops|dask)"
    r"(\..+)?"
    r"|int|float|complex|str|bytes|bool|dict|list|tuple|set|object|type|callable"
    r"|None|True|False|Exception|ValueError|TypeError|ImportError"
    r"|(pickle|functools|os|pathlib|collections|typing)(\..+)?"
)
_OFFLINE_IGNORE = [
    (r"py:.*", rf"(({_PROJECTS}):)?({_EXTERNAL_OBJECTS})"),
    # Labels and glossary terms named with their inventory (numpydoc's
    # "numpy:array_like", "python:bltin-boolean-values").
    (r"std:(ref|term|doc|label)", rf"({_PROJECTS}):.+"),
    # Labels and glossary terms of scikit-learn's documentation, used without
    # a prefix by the docstrings that our estimators inherit from scikit-learn
    # (score, get_metadata_routing, set_*_request; set_output of the
    # transformers).
    (
        r"std:ref",
        r"metadata_routing|accuracy_score|df_output_transform"
        r"|sphx_glr_auto_examples_miscellaneous_plot_set_output\.py",
    ),
    (r"std:term", r"meta-estimator"),
]


def _inventories_reachable(timeout=3.0):
    """Whether every intersphinx inventory can be downloaded within ``timeout``."""

    def fetch(base):
        with urllib.request.urlopen(f"{base}/objects.inv", timeout=timeout) as reply:
            reply.read(64)

    try:
        with ThreadPoolExecutor(len(INTERSPHINX_MAPPING)) as pool:
            list(pool.map(fetch, [url for url, _ in INTERSPHINX_MAPPING.values()]))
    except OSError:
        return False
    return True


def _use_intersphinx():
    setting = os.environ.get("SKLEARN_BINNET_DOCS_INTERSPHINX", "").strip().lower()
    if setting in {"1", "true", "yes", "on"}:
        return True
    if setting in {"0", "false", "no", "off"}:
        return False
    return _inventories_reachable()


# Projects that publish no inventory: references to them are never checked.
_NO_INVENTORY_IGNORE = [(r"py:.*", r"(skl2onnx|onnx|onnxruntime)(\..+)?")]

if _use_intersphinx():
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = INTERSPHINX_MAPPING
    intersphinx_timeout = 10
    nitpick_ignore_regex = _NO_INVENTORY_IGNORE
else:
    nitpick_ignore_regex = _OFFLINE_IGNORE + _NO_INVENTORY_IGNORE

# -- sphinx-gallery --------------------------------------------------------------

# The examples train small networks, for which PyTorch is fastest on one
# thread; its default pool of one thread per core only adds contention on the
# small (2-core) machines that build these pages.
try:
    import torch
except ImportError:  # the torch examples then fail, and say why
    pass
else:
    torch.set_num_threads(1)

sphinx_gallery_conf = {
    "examples_dirs": str(DOCS.parent / "examples"),
    "gallery_dirs": "auto_examples",
    # Only plot_*.py files belong to the gallery and run; the other scripts in
    # examples/ (tutorial_numpy.py, run by `make demo`) are not collected.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"^(?!plot_).*\.py$",
    "within_subsection_order": "gallery_order.GallerySortKey",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("sklearn_binnet",),
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    # A failing example fails the build.
    "only_warn_on_example_error": False,
    "abort_on_example_error": False,
}

# -- HTML ------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-binnet {release}"
html_static_path = ["_static"]
html_css_files = ["binnet.css"]
html_theme_options = {
    "github_url": "https://github.com/sklearn-binnet/sklearn-binnet",
    "navigation_with_keys": False,
    "show_prev_next": True,
    # The first entries of the top bar, up to the API reference, stay in
    # view; the rest are under "More".
    "header_links_before_dropdown": 6,
    # "On this page" lists sections and their subsections (the commands of
    # the command-line reference).
    "show_toc_level": 2,
    # The search field as an icon, to leave the top bar's room to the links.
    "navbar_persistent": ["search-button"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}
html_show_sourcelink = False
# Pages without sub-pages need no left sidebar.
html_sidebars = {
    page: []
    for page in (
        "index",
        "install",
        "getting_started",
        "tutorial",
        "user_guide",
        "tuning",
        "cli",
        "faq",
        "limitations",
        "scaling",
        "benchmarks",
        "internals",
        "changelog",
    )
}

# -- matplotlib's plot directive (figures computed during the build) ------------

plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.autolayout": True}

# The prompts of console and Python sessions are not copied.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
