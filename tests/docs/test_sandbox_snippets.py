"""The sandbox examples of docs/sandbox.md, run as written.

docs/snippets/sandbox.sh: the commands that start it; sandbox_config.json: a ``--config`` file;
sandbox_echo_credentials.json: the error body of ``echo_credentials``.

Each command of the ``start`` section runs (on a free port instead of 8765, which a developer's
sandbox may hold), must print the line the docs quote and must answer the API with the key it
printed; the ``state`` command then reads that sandbox.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from airflow_provider_publer.sandbox import SANDBOX_API_KEY, FaultConfig, SandboxConfig, SandboxServer
from tests.docs.markdown import SNIPPETS, resolve
from tests.docs.test_shell_snippets import commands

# A sandbox that never prints its line would block readline(): fail instead of hanging.
pytestmark = pytest.mark.timeout(300)

SNIPPET = "docs/snippets/sandbox.sh"
BIN = Path(sys.executable).parent
LISTENING = re.compile(
    r"Publer sandbox listening on (?P<url>http://127\.0\.0\.1:(?P<port>\d+)/api/v1) \(API key: (?P<key>\S+)\)"
)


def argv(cmd: list[str]) -> list[str]:
    """The command with this environment's interpreter and scripts, on a free port."""
    program = sys.executable if cmd[0] == "python" else str(BIN / cmd[0])
    args = ["0" if prev == "--port" else a for prev, a in itertools.pairwise(cmd)]
    return [program, *args]


START = [c.argv for c in commands(resolve(f"{SNIPPET}:start"), SNIPPET)]


def test_the_docs_show_both_ways_to_start_it():
    assert [c[0] for c in START] == ["python", "publer-sandbox"]


@pytest.mark.parametrize("cmd", START, ids=shlex.join)
def test_the_sandbox_starts_as_documented(cmd):
    proc = subprocess.Popen(argv(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = LISTENING.match(line)
        assert match, f"the sandbox printed {line!r}"
        assert match["key"] == SANDBOX_API_KEY
        answer = httpx.get(
            f"{match['url']}/workspaces", headers={"Authorization": f"Bearer-API {match['key']}"}, timeout=10
        )
        assert answer.status_code == 200
        (state_cmd,) = [c.argv for c in commands(resolve(f"{SNIPPET}:state"), SNIPPET)]
        state_cmd = [a.replace("127.0.0.1:8765", f"127.0.0.1:{match['port']}") for a in state_cmd]
        state = subprocess.run(
            [sys.executable, *state_cmd[1:]], capture_output=True, text=True, timeout=60, env=dict(os.environ)
        )
        assert state.returncode == 0, state.stderr
        assert json.loads(state.stdout)["requests"]["total"] >= 1
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_config_file_example_starts_a_sandbox_with_those_settings(tmp_path):
    """docs/snippets/sandbox_config.json, given to ``--config`` as docs/sandbox.md shows."""
    config = SNIPPETS / "sandbox_config.json"
    data = json.loads(config.read_text())
    parsed = SandboxConfig.from_dict(data)
    # JSON lists become tuples in the (frozen) config
    read = {name: getattr(parsed, name) for name in data}
    assert {k: list(v) if isinstance(v, tuple) else v for k, v in read.items()} == data
    proc = subprocess.Popen(
        [sys.executable, "-m", "airflow_provider_publer.sandbox", "--config", str(config), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        match = LISTENING.match(proc.stdout.readline())
        assert match
        # echo_credentials is on: a wrong key is quoted back in the 401
        answer = httpx.get(
            f"{match['url']}/workspaces", headers={"Authorization": "Bearer-API wrong"}, timeout=10
        )
        assert answer.status_code == 401
        assert answer.json() == {"errors": ["Rejected credentials 'Bearer-API wrong'"]}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_echoed_credentials_example_is_what_an_injected_5xx_answers():
    """docs/snippets/sandbox_echo_credentials.json is the body docs/sandbox.md quotes."""
    expected = json.loads((SNIPPETS / "sandbox_echo_credentials.json").read_text())
    config = SandboxConfig(echo_credentials=True, faults=FaultConfig(rate_5xx=1.0))
    with SandboxServer(config) as server:
        answer = httpx.get(
            f"{server.url}/workspaces", headers={"Authorization": f"Bearer-API {SANDBOX_API_KEY}"}, timeout=10
        )
    assert answer.status_code >= 500
    assert answer.json() == expected
