"""Point the ``[docs]`` links of the source pages to anchors that exist.

``sphinx.ext.viewcode`` builds the link from a source page back to an
object's documentation as ``<module>.<name>``, with one ``<module>`` per
source file: the module under which the *first* object of that file was
documented. This documentation shows objects of one file under two module
names: the public ``sklearn_binnet.NumpyBinaryMLP`` (defined in
``sklearn_binnet._numpy_mlp``) in the API reference, and private helpers such
as ``sklearn_binnet._numpy_mlp._Backprop`` on the internals page. The links
of the latter then lead to anchors that do not exist
(``internals.html#sklearn_binnet._Backprop``).

This extension rewrites each such link, when the source pages are written,
to the anchor of the object that the Python domain recorded on the target
page for that name.
"""

import re

_BACKLINK = re.compile(
    r'(<div class="viewcode-block" id="(?P<name>[^"]+)">\s*'
    r'<a class="viewcode-back" href="[^"#]*#)(?P<anchor>[^"]*)(")'
)


def _anchors_by_page(env):
    """``{docname: {fullname: anchor}}`` of every Python object documented."""
    pages = {}
    for fullname, entry in env.get_domain("py").objects.items():
        pages.setdefault(entry.docname, {})[fullname] = entry.node_id
    return pages


def _fix_backlinks(app, pagename, templatename, context, doctree):
    if not pagename.startswith("_modules/") or "body" not in context:
        return
    modname = pagename.removeprefix("_modules/").replace("/", ".")
    entry = getattr(app.env, "_viewcode_modules", {}).get(modname)
    if not entry:
        return
    used = entry[2]  # {qualified name in the module: docname}
    pages = _anchors_by_page(app.env)

    def fix(match):
        name, anchor = match.group("name"), match.group("anchor")
        objects = pages.get(used.get(name), {})
        if anchor in objects.values():
            return match.group(0)
        exact = objects.get(f"{modname}.{name}")
        candidates = [a for full, a in objects.items() if full.endswith(f".{name}")]
        target = exact or (candidates[0] if len(candidates) == 1 else None)
        if target is None:
            return match.group(0)
        return match.group(1) + target + match.group(4)

    context["body"] = _BACKLINK.sub(fix, context["body"])


def setup(app):
    # After viewcode has built the pages' bodies.
    app.connect("html-page-context", _fix_backlinks, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
