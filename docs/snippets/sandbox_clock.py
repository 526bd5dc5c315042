"""A sandbox on a clock the test moves: posts go live (or fail) when the clock reaches them.

docs/sandbox.md includes the ``clock`` section; tests/docs/test_python_snippets.py runs this file
with pytest.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from airflow_provider_publer.hooks.publer import PublerHook
from airflow_provider_publer.sandbox import (
    SANDBOX_ACCOUNT_IDS,
    SANDBOX_API_KEY,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
)

FACEBOOK = SANDBOX_ACCOUNT_IDS["facebook"]
LINKEDIN = SANDBOX_ACCOUNT_IDS["linkedin"]


def schedule_posts_at(at: datetime, server: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """One post on Facebook and one on LinkedIn at ``at``, through the provider's hook."""
    connection = {
        "conn_type": "publer",
        "password": SANDBOX_API_KEY,
        "host": server.url,
        "extra": {"workspace_id": SANDBOX_WORKSPACE_ID},
    }
    monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", json.dumps(connection))
    hook = PublerHook()
    hook.schedule_posts(
        [
            {
                "networks": {network: {"type": "status", "text": f"New year on {network}"}},
                "accounts": [account],
            }
            for network, account in (
                ("facebook", {"id": FACEBOOK, "scheduled_at": at}),
                ("linkedin", {"id": LINKEDIN, "scheduled_at": at}),
            )
        ]
    )


def test_posts_go_live_when_the_clock_reaches_their_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # --8<-- [start:clock]
    # The provider refuses past times and Publer more than five years ahead: a month from today.
    now = [datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)]
    config = SandboxConfig(job_latency=0, clock=lambda: now[0], fail_accounts={LINKEDIN: "Token expired"})
    with SandboxServer(config) as server:
        schedule_posts_at(now[0] + timedelta(minutes=5), server, monkeypatch)  # through the provider
        before = server.state_snapshot()["posts"]  # both scheduled
        now[0] += timedelta(minutes=5)
        after = server.state_snapshot()["posts"]  # published, or failed with "error"
    # --8<-- [end:clock]
    assert sorted(p["state"] for p in before) == ["scheduled", "scheduled"]
    assert {p["account_id"]: (p["state"], p.get("error")) for p in after} == {
        FACEBOOK: ("published", None),
        LINKEDIN: ("failed", "Token expired"),
    }
