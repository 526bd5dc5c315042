"""The Publer sandbox in a pytest suite: a fixture per test and the environment that points
``publer_default`` at it. docs/sandbox.md includes the sections; tests/docs/test_python_snippets.py
runs this file with pytest, so the example keeps working.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from airflow_provider_publer.sandbox import (
    SANDBOX_API_KEY,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
)


# --8<-- [start:fixture]
@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fresh sandbox (flat response style) with jobs that stay 'working' for a moment."""
    with SandboxServer(SandboxConfig(job_latency=1.0)) as server:
        yield server


def sandbox_env(server: SandboxServer, **extra: str) -> dict[str, str]:
    """Environment that points the ``publer_default`` connection at the sandbox."""
    connection = {
        "conn_type": "publer",
        "password": SANDBOX_API_KEY,
        "host": server.url,
        "extra": {"workspace_id": SANDBOX_WORKSPACE_ID},
    }
    return {"AIRFLOW_CONN_PUBLER_DEFAULT": json.dumps(connection), **extra}


# --8<-- [end:fixture]


# --8<-- [start:test]
def test_the_hook_lists_the_sandbox_accounts(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow_provider_publer.hooks.publer import PublerHook

    for name, value in sandbox_env(sandbox).items():
        monkeypatch.setenv(name, value)
    accounts = PublerHook().list_accounts()
    assert {account["provider"] for account in accounts} >= {"facebook", "linkedin"}


# --8<-- [end:test]
