"""The API reference reads well: Sphinx roles in docstrings are links, never raw markup.

The docstrings are in Sphinx style (``:param name:`` fields, ``:class:`PublerError``` roles);
scripts/griffe_sphinx_roles.py rewrites the roles into cross-references when the site is built.
The site is built here as ``make test`` builds it (``mkdocs build --strict``, which fails on a
reference to a name the reference does not document), and its HTML is read.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.markdown import ROOT

pytest.importorskip("mkdocs", reason="the docs tooling is not installed in this venv")
pytest.importorskip("mkdocstrings_handlers.python")

from scripts.griffe_sphinx_roles import crossref, rewrite

#: Sphinx markup that must never reach a page: roles and docstring fields.
RAW_SPHINX = re.compile(
    r"(?<![\w`]):(?:py:)?(?:class|mod|func|meth|data|attr|exc|obj|const):"
    r"|(?<![\w`]):(?:param|parameter|type|returns?|rtype|raises?|cvar|ivar|var|attr)\b[^:\n]*:"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def page_text(path: Path) -> str:
    """The text a reader sees on a page, without its code blocks (which show files as they are)."""
    body = re.sub(r"<pre.*?</pre>", "", path.read_text(encoding="utf-8"), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def reference_pages(site: Path) -> list[Path]:
    return sorted((site / "reference").glob("*/index.html"))


def test_no_page_shows_raw_sphinx_markup(site):
    pages = sorted(site.rglob("*.html"))
    assert len(reference_pages(site)) >= 9
    found = [
        f"{page.relative_to(site)}: {text[max(m.start() - 40, 0) : m.end() + 40]!r}"
        for page in pages
        for text in [page_text(page)]
        for m in RAW_SPHINX.finditer(text)
    ]
    assert found == []


def test_no_cross_reference_is_left_unresolved(site):
    left = [
        f"{page.relative_to(site)}: {m.group(0)}"
        for page in reference_pages(site)
        for m in re.finditer(r"\[<code>[^<]*</code>\]\[[^\]]*\]|<autoref[^>]*>", page.read_text())
    ]
    assert left == []


def links(site: Path) -> set[tuple[str, str]]:
    """(text, target) of every link in the reference whose text is code, targets made absolute."""
    found = set()
    for page in reference_pages(site):
        for m in re.finditer(r'<a [^>]*href="([^"]+)"[^>]*><code>([^<]+)</code></a>', page.read_text()):
            href = m[1]
            if not href.startswith("http"):
                href = (page.parent / href.split("#")[0]).resolve().relative_to(site.resolve()).as_posix()
                href += "#" + m[1].split("#", 1)[1] if "#" in m[1] else ""
            found.add((m[2], href))
    return found


@pytest.mark.parametrize(
    ("text", "target"),
    [
        # :class:`PublerOutcomeUnknownError` in another module than the class's
        ("PublerOutcomeUnknownError", "#airflow_provider_publer.exceptions.PublerOutcomeUnknownError"),
        # :class:`~airflow_provider_publer.models.Post`
        ("Post", "#airflow_provider_publer.models.Post"),
        # :mod:`airflow_provider_publer.ledger`
        ("airflow_provider_publer.ledger", "reference/ledger#airflow_provider_publer.ledger"),
        # :attr:`PublerError.transient`
        ("PublerError.transient", "#airflow_provider_publer.exceptions.PublerError.transient"),
        # :func:`is_transient`
        ("is_transient()", "#airflow_provider_publer.exceptions.is_transient"),
        # :class:`pathlib.Path`, from the standard library
        ("pathlib.Path", "https://docs.python.org/3/library/pathlib.html#pathlib.Path"),
    ],
)
def test_cross_references_of_each_kind_are_links(site, text, target):
    assert any(t == text and href.endswith(target) for t, href in links(site)), sorted(
        (t, h) for t, h in links(site) if t == text
    )


def test_every_link_into_the_reference_lands_on_an_entry(site):
    missing = []
    for text, href in links(site):
        if href.startswith("http") or "#" not in href:
            continue
        page, anchor = href.split("#", 1)
        if f'id="{anchor}"' not in (site / page / "index.html").read_text():
            missing.append((text, href))
    assert missing == []


# The rewriting itself, on docstrings written for it.
@pytest.mark.parametrize(
    ("role", "target", "expected"),
    [
        ("class", "PublerError", "[`PublerError`][PublerError]"),
        ("class", "~airflow_provider_publer.models.Post", "[`Post`][airflow_provider_publer.models.Post]"),
        ("func", "validate_posts", "[`validate_posts()`][validate_posts]"),
        (
            "meth",
            "~airflow_provider_publer.hooks.publer.PublerHook.find_posts",
            "[`find_posts()`][airflow_provider_publer.hooks.publer.PublerHook.find_posts]",
        ),
        (
            "mod",
            "the ledger <airflow_provider_publer.ledger>",
            "[`the ledger`][airflow_provider_publer.ledger]",
        ),
        ("class", "os.PathLike", "[`os.PathLike`](https://docs.python.org/3/library/os.html#os.PathLike)"),
        (
            "mod",
            "collections.abc",
            "[`collections.abc`](https://docs.python.org/3/library/collections.abc.html)",
        ),
    ],
)
def test_a_role_becomes_a_cross_reference(role, target, expected):
    assert crossref(role, target) == expected


def test_roles_are_rewritten_and_fields_kept():
    text = (
        "Raises :py:exc:`PublerError`.\n\n:param job_id: see :data:`DAILY_POST_LIMITS`.\n:attr transient: why"
    )
    assert rewrite(text, resolve=lambda name: f"pkg.{name}") == (
        "Raises [`PublerError`][pkg.PublerError].\n\n"
        ":param job_id: see [`DAILY_POST_LIMITS`][pkg.DAILY_POST_LIMITS].\n:cvar transient: why"
    )
