"""PublerPostTrigger.run() against the sandbox over loopback (pytest-asyncio, no mocked HTTP): one
JSON-only event when the posts are published, when Publer fails one (with its reason), when the
wall-clock end time passes, and through server errors."""

from __future__ import annotations

import importlib
import json
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from airflow_provider_publer.hooks.publer import PublerHook
from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS, FaultConfig, SandboxConfig, SandboxServer
from airflow_provider_publer.triggers.publer import PublerPostTrigger
from tests.integration.conftest import sandbox_env

pytestmark = pytest.mark.integration

FACEBOOK = SANDBOX_ACCOUNT_IDS["facebook"]
MASTODON = SANDBOX_ACCOUNT_IDS["mastodon"]


@pytest.fixture
def posted(monkeypatch):
    """Schedule posts two minutes ahead on a sandbox with the real hook; return their ids once created."""

    def schedule(server: SandboxServer, texts: dict[str, str]) -> list[str]:
        for name, value in sandbox_env(server).items():
            monkeypatch.setenv(name, value)
        when = (datetime.now(timezone.utc) + timedelta(minutes=2)).replace(microsecond=0).isoformat()
        hook = PublerHook()
        try:
            hook.schedule_posts(
                [
                    {
                        "networks": {"default": {"type": "status", "text": text}},
                        "accounts": [{"id": account, "scheduled_at": when}],
                    }
                    for account, text in texts.items()
                ]
            )
            time.sleep(0.3)  # the job settles
            return [str(p["id"]) for p in hook.list_posts()]
        finally:
            hook.close()

    return schedule


async def _events(trigger: PublerPostTrigger) -> list[dict[str, Any]]:
    events = [event.payload async for event in trigger.run()]
    for payload in events:
        json.dumps(payload)  # the triggerer stores events as JSON
    return events


@pytest.mark.asyncio
async def test_success_event_lists_each_post_with_its_link(posted):
    with SandboxServer(SandboxConfig(job_latency=0.1, publish_time_scale=100)) as server:
        ids = posted(server, {FACEBOOK: "Live soon", MASTODON: "Live soon too"})
        trigger = PublerPostTrigger(
            post_ids=ids, end_time=time.time() + 30, poll_interval=0.3, account_ids=[FACEBOOK, MASTODON]
        )
        [event] = await _events(trigger)
        state = {p["id"]: p for p in server.state_snapshot()["posts"]}

    assert event["status"] == "success"
    assert [p["id"] for p in event["posts"]] == ids
    assert [p["post_link"] for p in event["posts"]] == [state[i]["post_link"] for i in ids]
    assert {p["state"] for p in event["posts"]} == {"published"}


@pytest.mark.asyncio
async def test_failed_event_names_the_post_and_publers_reason(posted):
    with SandboxServer(SandboxConfig(job_latency=0.1, publish_time_scale=100)) as server:
        ids = posted(server, {FACEBOOK: "Fine", MASTODON: "Not fine [sandbox:fail:Instance is down]"})
        [event] = await _events(PublerPostTrigger(post_ids=ids, end_time=time.time() + 30, poll_interval=0.3))

    assert event["status"] == "failed"
    assert [p["id"] for p in event["failed"]] == [ids[1]]
    assert event["message"].startswith("1 Publer post(s) failed instead of becoming published:")
    assert f"post {ids[1]} (account {MASTODON}, mastodon, scheduled_at " in event["message"]
    assert event["message"].endswith("Instance is down")


@pytest.mark.asyncio
async def test_timeout_event_at_the_wall_clock_end_time(posted):
    with SandboxServer(SandboxConfig(job_latency=0.1)) as server:
        ids = posted(server, {FACEBOOK: "Two minutes away"})
        started = time.monotonic()
        [event] = await _events(PublerPostTrigger(post_ids=ids, end_time=time.time() + 1.0, poll_interval=5))
        took = time.monotonic() - started

    assert event["status"] == "timeout"
    assert event["pending"] == ids
    assert ids[0] in event["message"]
    assert took < 4.0  # it slept until end_time, not a whole poll interval


@pytest.mark.asyncio
async def test_server_errors_mean_not_yet(posted):
    faults = FaultConfig(rate_5xx=0.5, seed=3, paths=("/api/v1/posts",), methods=("GET",))
    with SandboxServer(SandboxConfig(job_latency=0.1, publish_time_scale=100)) as server:
        ids = posted(server, {FACEBOOK: "Through the storm"})
        server.set_faults(faults)
        [event] = await _events(PublerPostTrigger(post_ids=ids, end_time=time.time() + 60, poll_interval=0.2))
        injected = server.state_snapshot()["faults"]["5xx"]

    assert event["status"] == "success"
    assert injected >= 1


def test_serialize_round_trips():
    trigger = PublerPostTrigger(
        post_ids=["68176f0e8bee9dc9b0ce3427"],
        end_time=1_900_000_000.5,
        target_state="scheduled",
        publer_conn_id="publer_other",
        workspace_id="5f8d7a62c9e77e001f36e3a1",
        poll_interval=12.0,
        first_check_delay=12.0,
        account_ids=[FACEBOOK],
        from_="2030-01-01T12:00:00+00:00",
        to="2030-01-01T12:02:00+00:00",
    )
    classpath, kwargs = trigger.serialize()
    module, _, name = classpath.rpartition(".")
    rebuilt = getattr(importlib.import_module(module), name)(**kwargs)
    assert type(rebuilt) is PublerPostTrigger
    assert rebuilt.serialize() == (classpath, kwargs)
    assert json.loads(json.dumps(kwargs)) == kwargs


@pytest.mark.asyncio
async def test_a_post_deleted_in_publer_ends_the_wait_naming_it(posted):
    """A post awaited that Publer no longer lists in any state: a "gone" event naming it (it used
    to be "not yet" until the end time)."""
    with SandboxServer(SandboxConfig(job_latency=0.1)) as server:
        ids = posted(server, {FACEBOOK: "stays", MASTODON: "deleted meanwhile"})
        hook = PublerHook()
        try:
            deleted = next(p["id"] for p in hook.list_posts() if p["text"] == "deleted meanwhile")
            hook.delete_posts([deleted])
        finally:
            hook.close()
        trigger = PublerPostTrigger(post_ids=ids, end_time=time.time() + 30, poll_interval=0.2)
        [event] = await _events(trigger)

    assert event["status"] == "gone"
    assert event["post_ids"] == [deleted]
    assert f"no longer on Publer: {deleted}." in event["message"]
