"""Reading the docs as pymdownx.snippets does: fenced blocks, snippet includes and their sections.

The docs never paste code: a block is a list of ``--8<-- "file[:section]"`` lines, resolved at
build time from files the tests run. These helpers let the tests see the same text the site shows.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SNIPPETS = DOCS / "snippets"
EXAMPLE_DAGS = ROOT / "example_dags"
TEST_DAGS = ROOT / "tests" / "integration" / "dags"
#: Where included code may come from: files that the project's tests run (snippets by
#: tests/docs/, example DAGs by tests/integration/test_example_dags.py, test DAGs by
#: tests/integration/test_*.py).
INCLUDE_ROOTS = (SNIPPETS, EXAMPLE_DAGS, TEST_DAGS)
#: The one language a block may be pasted in: program output, not code.
PASTED_OK = {"text"}

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_INCLUDE = re.compile(r'^\s*-{2,}8<-{2,}\s+"(?P<spec>[^"]+)"\s*$')
_SECTION = re.compile(r"-{2,}8<-{2,}\s*\[(?P<kind>start|end):(?P<name>[\w-]+)\]")


@dataclass(frozen=True)
class Block:
    """A fenced code block of a Markdown page."""

    path: Path
    line: int
    lang: str
    lines: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    def includes(self) -> list[str]:
        """The snippet specs (``file[:section]``) of the block's include lines."""
        return [m["spec"] for line in self.lines if (m := _INCLUDE.match(line))]

    def shown(self) -> str:
        """The block's text as the site shows it: each include line replaced by what it includes."""
        return "\n".join(resolve(m["spec"]) if (m := _INCLUDE.match(line)) else line for line in self.lines)

    def pasted_lines(self) -> list[str]:
        """Lines that are neither blank, nor a snippet include, nor ``...`` (the elision between two)."""
        return [line for line in self.lines if line.strip() not in {"", "..."} and not _INCLUDE.match(line)]


def blocks(text: str, path: Path) -> Iterator[Block]:
    """Every fenced block of a Markdown text, with its language (``""`` when it has none)."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence = opening["fence"]
        lang = opening["info"].strip().split(" ")[0].lstrip(".").lower() if opening["info"].strip() else ""
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not re.match(rf"^\s*{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[j]):
            body.append(lines[j])
            j += 1
        yield Block(path=path, line=i + 1, lang=lang, lines=tuple(body))
        i = j + 1


def sources_of_tests(exclude: Path | None = None) -> str:
    """The text of every test module of the project (to see which files the tests name)."""
    return "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "tests").rglob("test_*.py"))
        if exclude is None or p.resolve() != exclude.resolve()
    )


def doc_pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def doc_blocks() -> list[Block]:
    return [b for page in doc_pages() for b in blocks(page.read_text(encoding="utf-8"), page)]


def resolve(spec: str) -> str:
    """The text pymdownx.snippets puts in place of ``--8<-- "spec"`` (base path: the repository).

    ``file`` is the whole file without section markers, ``file:name`` one section, dedented.
    Raises ``LookupError`` naming what is missing.
    """
    file, _, section = spec.partition(":")
    path = ROOT / file
    if not path.is_file():
        raise LookupError(f"snippet file {file} does not exist")
    lines = path.read_text(encoding="utf-8").splitlines()
    if not section:
        return "\n".join(line for line in lines if not _SECTION.search(line))
    inside = False
    found = False
    out: list[str] = []
    for line in lines:
        marker = _SECTION.search(line)
        if marker:
            if marker["name"] == section:
                inside = marker["kind"] == "start"
                found = found or inside
            continue
        if inside:
            out.append(line)
    if not found:
        raise LookupError(f"{file} has no section [start:{section}]")
    if inside:
        raise LookupError(f"{file}: section {section} has no [end:{section}]")
    return textwrap.dedent("\n".join(out))  # mkdocs.yml: dedent_subsections


def section_names(path: Path) -> list[str]:
    """The section names of a snippet file, in order of their start markers."""
    return [m["name"] for m in _SECTION.finditer(path.read_text(encoding="utf-8")) if m["kind"] == "start"]
