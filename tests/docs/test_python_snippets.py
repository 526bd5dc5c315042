"""The Python files under docs/snippets/ run as the docs present them.

Each is a test module (``sandbox_pytest.py`` for the reader's own suite, ``sandbox_clock.py`` for
the sandbox's clock): it runs here with pytest, in a fresh interpreter and Airflow home, exactly
as a reader would run it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.markdown import ROOT, SNIPPETS, sources_of_tests


def test_every_python_snippet_is_run_here_or_by_its_features_tests():
    others = sources_of_tests(exclude=Path(__file__))
    unrun = [p.name for p in SNIPPETS.glob("*.py") if p.name not in SNIPPET_TESTS and p.name not in others]
    assert unrun == []


#: Each Python snippet is a pytest module; how many tests it holds.
SNIPPET_TESTS = {"sandbox_pytest.py": 1, "sandbox_clock.py": 1}


@pytest.mark.parametrize(("name", "count"), SNIPPET_TESTS.items())
def test_python_snippet_runs_and_passes(tmp_path, name, count):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            str(SNIPPETS / name),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "AIRFLOW_HOME": str(tmp_path)},
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"{count} passed" in done.stdout
