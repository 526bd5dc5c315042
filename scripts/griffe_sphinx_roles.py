"""The docs site's Griffe extension: Sphinx cross-reference roles in docstrings become links.

The provider's docstrings are in Sphinx style (``:param name:`` fields, ``:class:`PublerError```
roles), which IDEs and ``help()`` read. mkdocstrings' Sphinx parser reads the fields but leaves
the roles as text, so the API reference would print ``:class:`PublerError``` as it is written.
Before a docstring is parsed, this extension rewrites each role into mkdocs-autorefs' syntax:

- a name of the project (``PublerError``, ``~airflow_provider_publer.models.Post``,
  ``PublerError.transient``, ``find_posts``) becomes
  ``[`PublerError`][airflow_provider_publer.exceptions.PublerError]``, a link to the object's
  entry in the reference. A short name is looked up as Python would in the docstring's scope
  (the object, its parents, the module's imports), then as the one object of that name in the
  package. ``mkdocs build --strict`` fails on a name that has no entry, naming the docstring, so
  every role on the site is a working link;
- a name of Python's standard library (``pathlib.Path``) links to its entry on docs.python.org.

Other libraries' names (Airflow's ``AirflowException``) have no entry here and their inventories
are not fetched at build time: a docstring writes them as code (in double backquotes), not
as a role, or the build fails.

As in Sphinx, ``~`` shows the last part of the name only, ``title <target>`` shows the title,
and functions and methods are shown with ``()``. Two more Sphinx habits are read the Sphinx way:
``#:`` comments above an assignment document the attribute (Griffe reads only strings below it),
and an ``:attr name:`` field of a class is a class attribute (``:cvar name:``).

``mkdocs.yml`` loads this file (``extensions`` of the Python handler); it needs nothing but Griffe
and the standard library, so that each Python's docs tooling alone builds the site.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable
from typing import Any

from griffe import Docstring, Extension, NameResolutionError, Object

#: A Sphinx role of the Python domain, with the ``py:`` prefix or without.
ROLE = re.compile(
    r"(?<![\w`]):(?:py:)?(?P<role>class|mod|func|meth|data|attr|exc|obj|const):`(?P<target>[^`]+)`"
)
#: An ``:attr name:`` field, which Griffe's Sphinx parser knows as ``:cvar name:``.
ATTR_FIELD = re.compile(r"^(?P<indent>\s*):attr (?P<name>\w+):", flags=re.MULTILINE)
#: The roles Sphinx shows with ``()`` after the name.
CALLABLE_ROLES = {"func", "meth"}
PYTHON_DOCS = "https://docs.python.org/3/library/"


def _stdlib_module(path: str) -> str | None:
    """The standard library module that documents ``path`` (``pathlib`` for ``pathlib.Path``)."""
    if path.split(".", 1)[0] not in sys.stdlib_module_names:
        return None
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        try:
            if importlib.util.find_spec(candidate) is not None:
                return candidate
        except (ImportError, ValueError):
            continue
    return None


def crossref(role: str, target: str, resolve: Callable[[str], str] = str) -> str:
    """The Markdown that stands for ``:role:`target``` (see the module docstring); ``resolve``
    turns a name of the project into the full path of its object."""
    title, explicit = target, re.fullmatch(r"(?P<title>.+?)\s*<(?P<path>[^<>]+)>", target.strip())
    if explicit:
        title, path = explicit["title"], explicit["path"]
    else:
        path = target.strip().lstrip("!")
        title = path.lstrip("~")
        if path.startswith("~"):
            title = title.rsplit(".", 1)[-1]
        if role in CALLABLE_ROLES:
            title += "()"
    path = path.lstrip("~!").strip()
    module = _stdlib_module(path)
    if module is not None:
        anchor = "" if role == "mod" and path == module else f"#{path}"
        return f"[`{title}`]({PYTHON_DOCS}{module}.html{anchor})"
    return f"[`{title}`][{resolve(path)}]"


def rewrite(text: str, resolve: Callable[[str], str] = str) -> str:
    """``text`` with each Sphinx role of the Python domain rewritten as a cross-reference."""
    text = ATTR_FIELD.sub(lambda m: f"{m['indent']}:cvar {m['name']}:", text)
    return ROLE.sub(lambda m: crossref(m["role"], m["target"], resolve), text)


def _objects_by_name(package: Object) -> dict[str, list[str]]:
    """The paths of the objects (not imports) of a package, by name."""
    found: dict[str, list[str]] = {}
    todo = [package]
    while todo:
        obj = todo.pop()
        for member in obj.members.values():
            if not member.is_alias:
                found.setdefault(member.name, []).append(member.path)
                todo.append(member)  # type: ignore[arg-type]
    return found


def resolver(obj: Object, index: dict[str, list[str]]) -> Callable[[str], str]:
    """How the names in ``obj``'s docstring become full paths (see the module docstring); a name
    found nowhere is kept, so that the build reports it."""

    def resolve(path: str) -> str:
        head, dot, rest = path.partition(".")
        if head == obj.package.name:
            return path
        try:
            return obj.resolve(head) + dot + rest
        except NameResolutionError:
            pass
        matches = index.get(head, [])
        return matches[0] + dot + rest if len(matches) == 1 else path

    return resolve


def comment_docstring(obj: Object) -> Docstring | None:
    """The docstring of an attribute written as ``#:`` comment lines right above it."""
    if not obj.is_attribute or obj.lineno is None:
        return None
    lines = obj.module.lines
    comment: list[str] = []
    index = obj.lineno - 2
    while index >= 0 and lines[index].strip().startswith("#:"):
        comment.insert(0, lines[index].strip()[2:].strip())
        index -= 1
    if not comment:
        return None
    scope: Object | None = obj.parent
    while scope is not None and scope.docstring is None:
        scope = scope.parent
    return Docstring(
        "\n".join(comment),
        lineno=index + 2,
        endlineno=obj.lineno - 1,
        parent=obj,
        parser=scope.docstring.parser if scope and scope.docstring else None,
        parser_options=scope.docstring.parser_options if scope and scope.docstring else None,
    )


class SphinxRoles(Extension):
    """Rewrites the Sphinx roles of every docstring once the package's object tree is built."""

    def __init__(self) -> None:
        super().__init__()
        self._indexes: dict[str, dict[str, list[str]]] = {}

    def _rewrite(self, obj: Object) -> None:
        if obj.docstring is None:
            obj.docstring = comment_docstring(obj)
        if obj.docstring is not None:
            package = obj.package
            if package.path not in self._indexes:
                self._indexes[package.path] = _objects_by_name(package)
            obj.docstring.value = rewrite(obj.docstring.value, resolver(obj, self._indexes[package.path]))

    def on_package(self, *, pkg: Object, **kwargs: Any) -> None:
        self._indexes.pop(pkg.path, None)  # a package loaded again is indexed again
        self._rewrite(pkg)

    def on_object(self, *, obj: Object, **kwargs: Any) -> None:
        self._rewrite(obj)
