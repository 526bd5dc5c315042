"""The connection examples of the docs, run as written: bash sets the variable, Airflow and the
hook read it. The sandbox example is also used against a real sandbox over loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from airflow_provider_publer.sandbox import SANDBOX_API_KEY, SANDBOX_WORKSPACE_ID, SandboxServer
from tests.docs.markdown import resolve

SNIPPET = "docs/snippets/connection.sh"
# What a task would see: the connection Airflow builds from the variable, and the hook's reading of it.
READ = """
import json
from airflow.sdk import BaseHook
from airflow_provider_publer.hooks.publer import PublerHook

conn = BaseHook.get_connection("publer_default")
hook = PublerHook()
out = {
    "conn_type": conn.conn_type,
    "api_key": hook.settings.api_key,
    "base_url": hook.settings.base_url,
    "workspace_id": hook.resolve_workspace(),
}
if "127.0.0.1" in out["base_url"]:
    out["accounts"] = sorted(a["provider"] for a in hook.list_accounts())
print(json.dumps(out))
"""


def run_section(section: str, tmp_path: Path, replace: tuple[str, str] | None = None) -> dict:
    """``bash``: the section's lines, then Python reading the connection; returns what it read."""
    script = resolve(f"{SNIPPET}:{section}")
    if replace:
        script = script.replace(*replace)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")}
    env["AIRFLOW_HOME"] = str(tmp_path)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", f'{script}\nexec "$0" -c "$1"', sys.executable, READ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_publer_connection_is_read_as_documented(tmp_path):
    read = run_section("publer", tmp_path)
    assert read == {
        "conn_type": "publer",
        "api_key": "YOUR_API_KEY",
        "base_url": "https://app.publer.com/api/v1",
        "workspace_id": "YOUR_WORKSPACE_ID",
    }


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_the_sandbox_connection_reaches_the_sandbox(tmp_path):
    # The snippet names the sandbox's default port; when something else holds it on this machine
    # the test runs the same lines against a sandbox on a free port.
    port = 8765 if _port_is_free(8765) else 0
    with SandboxServer(port=port) as server:
        replace = None if port else ("127.0.0.1:8765", f"127.0.0.1:{server.port}")
        read = run_section("sandbox", tmp_path, replace)
        url = server.url
    assert read["conn_type"] == "publer"
    assert read["api_key"] == SANDBOX_API_KEY
    assert read["base_url"] == url
    assert read["workspace_id"] == SANDBOX_WORKSPACE_ID
    assert {"facebook", "linkedin"} <= set(read["accounts"])
