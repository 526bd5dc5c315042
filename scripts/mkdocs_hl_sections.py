"""The docs site's mkdocs hook: a code block shows a whole file, with the lines that matter lit.

Each code example on the site is a whole file that runs when copied (imports included), as the
tests run it. A page includes it with pymdownx.snippets and names the parts it talks about by
their section markers (``# --8<-- [start:NAME]`` ... ``# --8<-- [end:NAME]`` in the file)::

    ```python hl_sections="upload build_post"
    --8<-- "example_dags/example_publer_launch_with_image.py"
    ```

Before the page is converted, this hook replaces ``hl_sections`` with the line numbers of those
sections in the file as shown (the marker lines are left out of a whole-file include), as
pymdownx.highlight's ``hl_lines``, and titles the block with the file's path. The highlight moves
with the code when the file changes; a section that does not exist fails the build.
``mkdocs.yml`` loads this file (``hooks``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: The opening line of a fenced block with ``hl_sections``, and the include line that follows.
BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<lang>[\w+-]+)"
    r'(?P<before>[^\n]*?)\s*hl_sections="(?P<names>[^"]*)"'
    r'(?P<after>[^\n]*)\n(?P<include>[ \t]*-{2,}8<-{2,}[ \t]+"(?P<file>[^":]+)"[ \t]*\n)',
    flags=re.MULTILINE,
)
SECTION = re.compile(r"-{2,}8<-{2,}\s*\[(?P<kind>start|end):(?P<name>[\w-]+)\]")


def section_lines(text: str) -> dict[str, list[int]]:
    """The 1-based line numbers of each section's lines, in the file without its marker lines.

    Blank lines at a section's edges are not lit.
    """
    shown: list[str] = []
    open_sections: list[str] = []
    found: dict[str, list[int]] = {}
    for line in text.splitlines():
        marker = SECTION.search(line)
        if marker:
            if marker["kind"] == "start":
                open_sections.append(marker["name"])
                found.setdefault(marker["name"], [])
            elif marker["name"] in open_sections:
                open_sections.remove(marker["name"])
            continue
        shown.append(line)
        for name in open_sections:
            found[name].append(len(shown))
    for numbers in found.values():
        while numbers and not shown[numbers[0] - 1].strip():
            numbers.pop(0)
        while numbers and not shown[numbers[-1] - 1].strip():
            numbers.pop()
    return found


def hl_lines(numbers: list[int]) -> str:
    """``[3, 4, 5, 9]`` as pymdownx.highlight writes it: ``3-5 9``."""
    ranges: list[str] = []
    for n in sorted(set(numbers)):
        if ranges and n == int(ranges[-1].split("-")[-1]) + 1:
            ranges[-1] = f"{ranges[-1].split('-')[0]}-{n}"
        else:
            ranges.append(str(n))
    return " ".join(ranges)


def lit_lines(root: Path, file: str, names: list[str]) -> str:
    """The ``hl_lines`` value of the sections ``names`` of ``file`` (a path from ``root``)."""
    sections = section_lines((root / file).read_text(encoding="utf-8"))
    missing = [name for name in names if name not in sections]
    if missing:
        raise ValueError(f"{file} has no section {', '.join(missing)} (hl_sections)")
    return hl_lines([n for name in names for n in sections[name]])


def rewrite(markdown: str, root: Path) -> str:
    """``markdown`` with each ``hl_sections`` block given its ``hl_lines`` and its file's title."""

    def replace(m: re.Match[str]) -> str:
        options = f'{m["before"]} hl_lines="{lit_lines(root, m["file"], m["names"].split())}"{m["after"]}'
        if "title=" not in options:
            options += f' title="{m["file"]}"'
        return f"{m['indent']}{m['fence']}{m['lang']}{options}\n{m['include']}"

    return BLOCK.sub(replace, markdown)


def on_page_markdown(markdown: str, *, config: Any, **kwargs: Any) -> str:
    return rewrite(markdown, Path(config["config_file_path"]).parent)
