"""Every shell command the docs and the README show is checked against what it names.

The docs include shell from docs/snippets/*.sh; the README (which GitHub and PyPI render without
snippet support) pastes its commands. Each command of both is checked here: ``make`` targets
exist, paths and pytest markers exist, ``python -m`` modules import and accept the options shown,
``airflow`` subcommands and Airflow API routes are real, the clone URL is the project's. A command
no checker knows fails the test, so a new kind of command gets a check before it reaches the docs.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.docs.markdown import ROOT, SNIPPETS, blocks, resolve

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
BIN = Path(sys.executable).parent
_SEPARATORS = {"&&", "||", ";", "|"}


@dataclass
class Command:
    """One simple command of a shell snippet: environment assignments, program and arguments."""

    source: str
    env: dict[str, str] = field(default_factory=dict)
    argv: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.source}: {shlex.join(self.argv)}"


def commands(text: str, source: str) -> Iterator[Command]:
    """The simple commands of a shell text (continuations joined, comments dropped)."""
    for line in text.replace("\\\n", " ").splitlines():
        tokens = shlex.split(line, comments=True)
        current = Command(source)
        for token in [*tokens, ";"]:
            if token in _SEPARATORS:
                if current.argv:
                    yield current
                current = Command(source)
            elif not current.argv and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", token):
                name, _, value = token.partition("=")
                current.env[name] = value
            else:
                current.argv.append(token)


def snippet_commands() -> list[Command]:
    return [
        cmd
        for path in sorted(SNIPPETS.glob("*.sh"))
        for cmd in commands(resolve(path.relative_to(ROOT).as_posix()), path.relative_to(ROOT).as_posix())
    ]


def readme_commands() -> list[Command]:
    readme = ROOT / "README.md"
    return [
        cmd
        for block in blocks(readme.read_text(encoding="utf-8"), readme)
        if block.lang in {"bash", "sh", "shell", "console"}
        for cmd in commands("\n".join(block.lines), block.where)
    ]


# -- what the commands name ----------------------------------------------------------------------


@cache
def make_targets() -> set[str]:
    targets: set[str] = set()
    for line in (ROOT / "Makefile").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.%/ -]+?)\s*:(?![=:])", line)
        if match and not line.startswith("\t"):
            targets.update(match[1].split())
    return targets


@cache
def pytest_markers() -> set[str]:
    return {m.split(":")[0].strip() for m in PYPROJECT["tool"]["pytest"]["ini_options"]["markers"]}


@cache
def help_text(*argv: str) -> str:
    env = {**os.environ, "AIRFLOW_HOME": os.environ.get("AIRFLOW_HOME", "/tmp/publer-docs-airflow-home")}
    done = subprocess.run([*argv, "--help"], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, f"{shlex.join(argv)} --help failed:\n{done.stdout}{done.stderr}"
    return done.stdout


@cache
def airflow_api() -> dict:
    import airflow

    spec = (
        Path(airflow.__file__).parent / "api_fastapi" / "core_api" / "openapi" / "v2-rest-api-generated.yaml"
    )
    return yaml.safe_load(spec.read_text())


def split_options(args: list[str]) -> tuple[list[str], list[str]]:
    """Leading positional words (a subcommand path) and the ``--long`` options used."""
    words = []
    for arg in args:
        if arg.startswith("-"):
            break
        words.append(arg)
    return words, [a.split("=")[0] for a in args if a.startswith("--")]


def check_options(base: list[str], args: list[str]) -> None:
    words, options = split_options(args)
    text = help_text(*base, *words)
    for option in options:
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text), f"{option} is not an option"


# -- one checker per program ---------------------------------------------------------------------


def check_make(args: list[str]) -> None:
    for target in args:
        assert target in make_targets(), f"the Makefile has no target {target!r}"


def check_pytest(args: list[str]) -> None:
    takes_value = {"-m", "-p", "-k", "-o", "--timeout"}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-m":
            words = set(re.findall(r"[A-Za-z_]\w*", args[i + 1])) - {"and", "or", "not"}
            assert words <= pytest_markers(), f"unknown pytest marker(s) {words - pytest_markers()}"
        if arg in takes_value:
            i += 2
            continue
        if not arg.startswith("-"):
            assert (ROOT / arg.split("::")[0]).exists(), f"{arg} does not exist"
        i += 1


def check_python(args: list[str]) -> None:
    assert args[0] == "-m", "only `python -m MODULE` commands are shown"
    module, rest = args[1], args[2:]
    if module == "pytest":
        check_pytest(rest)
        return
    check_options([sys.executable, "-m", module], rest)


def check_console_script(name: str, args: list[str]) -> None:
    module, _, func = PROJECT["scripts"][name].partition(":")
    code = f"import sys; sys.argv[0] = {name!r}; from {module} import {func}; sys.exit({func}())"
    check_options([sys.executable, "-c", code], args)


def check_pip(args: list[str]) -> None:
    assert args[0] == "install"
    for arg in args[1:]:
        if arg == "-e":
            continue
        if arg == "." or arg.startswith(".["):
            extras = re.findall(r"[\w-]+", arg[1:])
            assert set(extras) <= set(PROJECT["optional-dependencies"]), f"unknown extra in {arg}"
        elif arg.startswith("dist/"):
            import airflow_provider_publer

            name, version = PROJECT["name"].replace("-", "_"), airflow_provider_publer.__version__
            wheel = f"dist/{name}-{version}-py3-none-any.whl"
            assert fnmatch.fnmatch(wheel, arg), f"{arg} does not match the wheel `make dist` builds ({wheel})"
        else:
            assert arg == PROJECT["name"], f"pip installs {arg!r}, the project is {PROJECT['name']!r}"


def check_git(args: list[str]) -> None:
    assert args[0] == "clone"
    assert args[1].removesuffix(".git") == PROJECT["urls"]["Source"], "clone the project's Source URL"


def check_cd(args: list[str]) -> None:
    assert args == [PROJECT["urls"]["Source"].rsplit("/", 1)[1]], "cd into the clone"


def check_airflow(args: list[str]) -> None:
    check_options([str(BIN / "airflow")], args)
    if args[:2] == ["dags", "test"]:
        dag_id = args[2]
        defined = [p for p in (ROOT / "example_dags").glob("*.py") if f"def {dag_id}(" in p.read_text()]
        assert defined, f"no example DAG {dag_id!r} in example_dags/"


def check_curl(args: list[str]) -> None:
    method = args[args.index("-X") + 1] if "-X" in args else "GET"
    url = next(a for a in args if a.startswith("http"))
    path = re.sub(r"^https?://[^/]+", "", url)
    operation = airflow_api()["paths"].get(path, {}).get(method.lower())
    assert operation, f"Airflow's API has no {method} {path}"
    if "-d" in args:
        body = json.loads(args[args.index("-d") + 1])
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = airflow_api()["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert set(body) <= set(schema["properties"]), (
            f"unknown fields {set(body) - set(schema['properties'])}"
        )
        assert set(schema.get("required", [])) <= set(body), "a required field is missing"


def check_export(args: list[str]) -> None:
    for assignment in args:
        name, _, value = assignment.partition("=")
        if name.startswith("AIRFLOW_CONN_"):
            assert json.loads(value)["conn_type"] == "publer"


CHECKERS: dict[str, Callable[[list[str]], None]] = {
    "make": check_make,
    "python": check_python,
    "python3": check_python,
    ".venv/bin/python": check_python,
    "pip": check_pip,
    "git": check_git,
    "cd": check_cd,
    "airflow": check_airflow,
    ".venv/bin/airflow": check_airflow,
    "curl": check_curl,
    "export": check_export,
}


def check(cmd: Command) -> None:
    program, args = cmd.argv[0], cmd.argv[1:]
    if program in PROJECT["scripts"]:
        check_console_script(program, args)
        return
    assert program in CHECKERS, f"no check for {program!r}: add one to {Path(__file__).name}"
    CHECKERS[program](args)


ALL = [*snippet_commands(), *readme_commands()]


def test_there_are_commands_to_check():
    sources = {cmd.source.split(":")[0] for cmd in ALL}
    assert "README.md" in sources
    assert {"docs/snippets/install.sh", "docs/snippets/commands.sh"} <= sources


@pytest.mark.parametrize("cmd", ALL, ids=str)
def test_command_is_real(cmd):
    check(cmd)


# The checkers, on commands written to fail them.
@pytest.mark.parametrize(
    "line",
    [
        "make no-such-target",
        ".venv/bin/python -m pytest -m nosuchmarker tests/unit",
        ".venv/bin/python -m pytest tests/no_such_dir",
        "python -m airflow_provider_publer.sandbox --no-such-option 1",
        "publer-sandbox --no-such-option",
        "pip install airflow-provider-publisher",
        'pip install ".[nosuchextra]"',
        "pip install dist/other-*.whl",
        "git clone https://example.com/other.git",
        "curl -X DELETE http://127.0.0.1:8080/api/v2/connections/test",
        """curl -X POST http://127.0.0.1:8080/api/v2/connections/test -d '{"conn_type": "publer"}'""",
        "rm -rf /",
    ],
)
def test_a_wrong_command_fails_its_check(line):
    (cmd,) = commands(line, "example")
    with pytest.raises((AssertionError, KeyError, StopIteration)):
        check(cmd)
