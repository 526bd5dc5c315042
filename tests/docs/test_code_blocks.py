"""The docs show only code that the tests run: every code block is a snippet include.

A block in any language but ``text`` (program output) must consist of
``--8<-- "file[:section]"`` lines, and each of them must name a file the tests run (under
docs/snippets/, example_dags/ or tests/integration/dags/, or named by a test), with that section
in it. A page with pasted code fails here,
before the pasted code can go stale.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.markdown import (
    DOCS,
    EXAMPLE_DAGS,
    INCLUDE_ROOTS,
    PASTED_OK,
    ROOT,
    SNIPPETS,
    TEST_DAGS,
    Block,
    blocks,
    doc_blocks,
    resolve,
    section_names,
    sources_of_tests,
)


def pasted_code(all_blocks: list[Block]) -> list[str]:
    """One message per block that pastes code instead of including it, or has no language."""
    problems = []
    for block in all_blocks:
        if not block.lang:
            problems.append(
                f"{block.where}: a fenced block without a language; mark program output as ```text, "
                'and include code with --8<-- "docs/snippets/FILE:SECTION"'
            )
        elif block.lang not in PASTED_OK and block.pasted_lines():
            problems.append(
                f"{block.where}: ```{block.lang} block pastes code ({block.pasted_lines()[0].strip()!r}); "
                "move it to docs/snippets/ (or a section of an example DAG) with a test that runs it, "
                'and include it with --8<-- "FILE:SECTION"'
            )
    return problems


def test_the_docs_have_code_blocks_to_check():
    assert len(doc_blocks()) >= 10


def test_no_docs_page_pastes_code():
    problems = pasted_code(doc_blocks())
    assert not problems, "\n".join(problems)


def test_every_include_names_a_tested_file_and_an_existing_section():
    tests = sources_of_tests(exclude=Path(__file__))
    problems = []
    for block in doc_blocks():
        for spec in block.includes():
            file = (ROOT / spec.partition(":")[0]).resolve()
            named_by_a_test = file.name in tests
            if not named_by_a_test and not any(file.is_relative_to(root) for root in INCLUDE_ROOTS):
                roots = ", ".join(root.relative_to(ROOT).as_posix() for root in INCLUDE_ROOTS)
                problems.append(f"{block.where}: {spec} is outside {roots}, and no test names it")
                continue
            try:
                text = resolve(spec)
            except LookupError as err:
                problems.append(f"{block.where}: {err}")
                continue
            if not text.strip():
                problems.append(f"{block.where}: {spec} is empty")
    assert not problems, "\n".join(problems)


def test_every_snippet_file_is_run_by_a_test():
    """A snippet file no test mentions would be pasted code with extra steps. Most are run by
    tests/docs/; a snippet of one feature may be run by that feature's tests."""
    tests = sources_of_tests(exclude=Path(__file__))
    unexercised = [
        p.relative_to(ROOT).as_posix()
        for p in sorted(SNIPPETS.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.name not in tests
    ]
    assert not unexercised, f"no test runs {unexercised}"


def test_every_included_dag_file_is_run_by_the_integration_tests():
    """Example DAGs run in test_example_dags.py (or another test_*example*.py; one that waits for
    a person's answer, in tests/system/test_approval.py), test DAGs in some tests/integration/test_*.py."""
    integration = ROOT / "tests" / "integration"
    examples = "\n".join(p.read_text() for p in sorted(integration.glob("test_*example*.py")))
    # An example that waits for a person's answer runs in the full-stack tests, which answer it.
    examples += "\n" + (ROOT / "tests" / "system" / "test_approval.py").read_text()
    others = "\n".join(p.read_text() for p in integration.glob("test_*.py"))
    included = {
        ROOT / file
        for block in doc_blocks()
        for spec in block.includes()
        if (file := spec.partition(":")[0]).endswith(".py")
    }
    example_dags = [p.stem for p in included if p.parent == EXAMPLE_DAGS]
    test_dags = [p.stem for p in included if p.parent == TEST_DAGS]
    assert example_dags, "the docs include no example DAG"
    assert [d for d in example_dags if f'"{d}"' not in examples] == []
    assert [d for d in test_dags if d not in others] == []


def test_every_section_of_a_snippet_file_is_closed():
    for path in [*SNIPPETS.rglob("*.*"), *EXAMPLE_DAGS.glob("*.py"), *TEST_DAGS.glob("*.py")]:
        if "__pycache__" in path.parts:
            continue
        for name in section_names(path):
            resolve(f"{path.relative_to(ROOT).as_posix()}:{name}")


# The checks above, on pages written to fail them.
@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("```python\nprint('pasted')\n```\n", "pastes code"),
        ('```bash\n--8<-- "docs/snippets/commands.sh:make"\nmake lint\n```\n', "pastes code"),
        ('  ~~~json\n  {"a": 1}\n  ~~~\n', "pastes code"),
        ("```\nsome output\n```\n", "without a language"),
    ],
)
def test_pasted_code_is_found(page, expected):
    problems = pasted_code(list(blocks(page, DOCS / "example.md")))
    assert len(problems) == 1
    assert expected in problems[0]


def test_includes_and_program_output_pass():
    page = '```python\n--8<-- "docs/snippets/sandbox_pytest.py:fixture"\n```\n\n```text\nJob 1 done\n```\n'
    assert pasted_code(list(blocks(page, DOCS / "example.md"))) == []


def test_a_missing_section_is_reported():
    with pytest.raises(LookupError, match="no section"):
        resolve("docs/snippets/connection.sh:no-such-section")
