"""Big calendars: a job of 500 posts over ten accounts, and the index that keeps the checks fast."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from airflow_provider_publer.sandbox import SANDBOX_ACCOUNTS, SandboxConfig, SandboxServer
from airflow_provider_publer.sandbox.index import Timeline
from airflow_provider_publer.sandbox.rules import daily_limit
from tests.sandbox.helpers import api_client, failure_messages, run_job

BASE = (datetime.now(timezone.utc) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)


def test_ten_accounts_or_more_are_seeded():
    assert len(SANDBOX_ACCOUNTS) >= 10
    assert len({a["provider"] for a in SANDBOX_ACCOUNTS}) == len(SANDBOX_ACCOUNTS)


def test_a_500_post_job_over_ten_accounts_applies_each_daily_limit():
    accounts = [a for a in SANDBOX_ACCOUNTS if a["provider"] != "wordpress"][:10]
    posts = [
        {
            "networks": {"default": {"type": "status", "text": f"{a['provider']} {i}"}},
            "accounts": [{"id": a["id"], "scheduled_at": (BASE + timedelta(minutes=2 * i)).isoformat()}],
        }
        for i in range(50)
        for a in accounts
    ]
    with (
        SandboxServer(SandboxConfig(job_latency=0, rate_limit_enabled=False)) as server,
        api_client(server) as client,
    ):
        job = run_job(client, {"bulk": {"state": "scheduled", "posts": posts}})
        expected = {a["id"]: min(50, daily_limit(a, "business")) for a in accounts}
        failed = len(failure_messages(job))
        assert failed == sum(50 - n for n in expected.values())
        for account_id, count in expected.items():
            listed = client.get("posts", params={"account_ids[]": account_id}).json()
            assert listed["total"] == count
        end = (BASE + timedelta(minutes=10)).isoformat()
        window = client.get("posts", params={"account_ids[]": [a["id"] for a in accounts], "to": end}).json()
        assert window["total"] == 6 * 10  # minutes 0, 2, ... 10 on each account
        times = [p["scheduled_at"] for p in window["posts"]]
        assert times == sorted(times)


def test_timeline_answers_like_a_scan():
    rng = random.Random(7)
    base = datetime(2030, 1, 1, tzinfo=timezone.utc)
    times = [base + timedelta(seconds=rng.randrange(0, 3 * 86400, 15)) for _ in range(400)]
    timeline = Timeline()
    for when in times:
        timeline.add(when)
    for when in times[:50]:
        timeline.remove(when)
    kept = times[50:]
    for _ in range(300):
        probe = base + timedelta(seconds=rng.randrange(-3600, 4 * 86400, 5))
        gap, day = timedelta(minutes=1), timedelta(hours=24)
        assert timeline.any_within(probe, gap) == any(abs(t - probe) < gap for t in kept)
        assert timeline.count_before(probe, day) == sum(probe - day < t <= probe for t in kept)
        assert timeline.count_after(probe, day) == sum(probe <= t < probe + day for t in kept)
