"""Paging against the sandbox's paging variants: the hook ends on the pages it requested, so listing,
reconciliation and verification find all 45 posts whatever page number the server echoes."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from airflow_provider_publer.hooks.publer import PublerHook
from airflow_provider_publer.reconcile import reconcile
from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS, SandboxConfig, SandboxServer
from tests.integration.conftest import sandbox_env

pytestmark = pytest.mark.integration

#: Three accounts, 15 posts each: under every network's daily post limit (Facebook allows 36).
NETWORKS = ("facebook", "linkedin", "twitter")
ACCOUNTS = [SANDBOX_ACCOUNT_IDS[n] for n in NETWORKS]
START = datetime(2031, 5, 4, 9, 0, tzinfo=timezone.utc)
POSTS = [
    {
        "networks": {NETWORKS[i % 3]: {"type": "status", "text": f"paged post {i}"}},
        "accounts": [{"id": ACCOUNTS[i % 3], "scheduled_at": (START + timedelta(minutes=2 * i)).isoformat()}],
    }
    for i in range(45)
]


@pytest.mark.parametrize(
    ("page_echo", "past_end"),
    [
        ("zero", "empty"),
        ("one", "empty"),
        ("none", "empty"),
        ("zero", "last"),
        ("one", "last"),
        ("none", "last"),
    ],
)
def test_every_post_is_found_whatever_page_publer_echoes(monkeypatch, page_echo, past_end):
    with SandboxServer(SandboxConfig(job_latency=0.0, page_echo=page_echo, past_end=past_end)) as server:
        for name, value in sandbox_env(server).items():
            monkeypatch.setenv(name, value)
        hook = PublerHook()
        job_id = hook.schedule_posts(POSTS)
        while not hook.get_job_status(job_id).is_finished:
            time.sleep(0.2)
        listed = hook.list_posts(account_ids=ACCOUNTS)
        found = reconcile(hook, POSTS, since=START - timedelta(days=1))
        requests = server.state_snapshot()["requests"]["by_route"]["GET /api/v1/posts"]
        hook.close()

    assert len(listed) == len({p["id"] for p in listed}) == 45
    assert found.complete
    assert len(found.found_post_ids) == 45
    assert requests <= 2 * 4  # three pages of 20 each time, plus at most one to see the end
