"""Every Python block of the docs is complete as shown: copied, it runs.

A block is read as the site shows it (each ``--8<--`` include replaced by the text it includes);
it must compile, and pyflakes must find no name in it that it neither defines nor imports. A
block that shows a part of a file (the body of a DAG without its imports) fails here: pages show
whole files and light the lines they talk about (``hl_sections``, scripts/mkdocs_hl_sections.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pyflakes import checker, messages

from scripts.mkdocs_hl_sections import hl_lines, rewrite, section_lines
from tests.docs.markdown import DOCS, ROOT, Block, blocks, doc_blocks, doc_pages

UNDEFINED = (messages.UndefinedName, messages.UndefinedLocal, messages.UndefinedExport)


def problems_of(block: Block) -> list[str]:
    text = block.shown()
    try:
        tree = ast.parse(text, filename=block.where)
        compile(tree, block.where, "exec")
    except SyntaxError as err:
        return [f"{block.where}: does not compile: {err.msg} (line {err.lineno} of the block)"]
    undefined = [m for m in checker.Checker(tree, filename=block.where).messages if isinstance(m, UNDEFINED)]
    return [
        f"{block.where}: line {m.lineno} of the block uses {m.message_args[0]!r}, which it neither "
        "defines nor imports: show the whole file and light the lines that matter "
        '(```python hl_sections="SECTION")'
        for m in undefined
    ]


def python_blocks() -> list[Block]:
    return [b for b in doc_blocks() if b.lang in {"python", "py"}]


def test_the_docs_have_python_blocks():
    assert len(python_blocks()) >= 15


def test_every_python_block_compiles_and_defines_every_name_it_uses():
    problems = [p for block in python_blocks() for p in problems_of(block)]
    assert problems == [], "\n".join(problems)


def test_every_lit_section_exists():
    """The site's hook lights sections by name; a name the file lacks fails the build, and here."""
    for page in doc_pages():
        rewrite(page.read_text(encoding="utf-8"), ROOT)


# The checks above, on blocks written to fail them.
@pytest.mark.parametrize(
    ("page", "expected"),
    [
        # The body of a DAG without its imports: the Operator page before whole files.
        ('```python\n--8<-- "example_dags/example_publer_quickstart.py:build_posts"\n```\n', "'task'"),
        # Two parts of a file glued with an elision: the imports are left out.
        (
            '```python\n--8<-- "example_dags/example_publer_failure_handling.py:callback"\n\n...\n\n'
            '--8<-- "example_dags/example_publer_failure_handling.py:sensor_with_callback"\n```\n',
            "neither defines nor imports",
        ),
        ("```python\nprint(undefined_name)\n```\n", "'undefined_name'"),
        ("```python\ndef broken(:\n```\n", "does not compile"),
    ],
)
def test_incomplete_blocks_are_found(page, expected):
    problems = [p for block in blocks(page, DOCS / "example.md") for p in problems_of(block)]
    assert expected in "\n".join(problems)


def test_a_whole_file_block_passes():
    page = '```python hl_sections="fixture"\n--8<-- "docs/snippets/sandbox_pytest.py"\n```\n'
    assert [p for block in blocks(page, DOCS / "example.md") for p in problems_of(block)] == []


def test_sections_are_lit_by_their_lines_in_the_file_as_shown(tmp_path: Path):
    (tmp_path / "dag.py").write_text(
        "import os\n"
        "# --8<-- [start:one]\n"
        "\n"
        "A = os.sep\n"
        "B = A\n"
        "\n"
        "# --8<-- [end:one]\n"
        "C = 1\n"
        "# --8<-- [start:two]\n"
        "D = C\n"
        "# --8<-- [end:two]\n"
    )
    assert section_lines((tmp_path / "dag.py").read_text()) == {"one": [3, 4], "two": [7]}
    assert hl_lines([3, 4, 7, 8, 9]) == "3-4 7-9"
    page = '```python hl_sections="one two"\n--8<-- "dag.py"\n```\n'
    assert rewrite(page, tmp_path) == '```python hl_lines="3-4 7" title="dag.py"\n--8<-- "dag.py"\n```\n'
    with pytest.raises(ValueError, match=r"dag\.py has no section three"):
        rewrite(page.replace("one two", "three"), tmp_path)
