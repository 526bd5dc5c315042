"""Scheduled posts go live (published or failed) when their time comes, lazily and deterministically."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS, SandboxConfig, SandboxServer
from airflow_provider_publer.sandbox.publishing import DEFAULT_FAILURE, live_time
from tests.sandbox.helpers import api_client, at, bulk, failure_messages, post, run_job, submit

FB = SANDBOX_ACCOUNT_IDS["facebook"]
LI = SANDBOX_ACCOUNT_IDS["linkedin"]
MASTODON = SANDBOX_ACCOUNT_IDS["mastodon"]
START = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)


@contextmanager
def clocked(**options: Any) -> Iterator[tuple[httpx.Client, Callable[[float], None], SandboxServer]]:
    """A sandbox on a clock the test moves (``advance(seconds)``); jobs settle at once."""
    now = [START]

    def advance(seconds: float) -> None:
        now[0] += timedelta(seconds=seconds)

    config = SandboxConfig(job_latency=0, rate_limit_enabled=False, clock=lambda: now[0], **options)
    with SandboxServer(config) as server, api_client(server) as client:
        yield client, advance, server


def _by_text(client: httpx.Client) -> dict[str, dict[str, Any]]:
    return {p["text"]: p for p in client.get("posts").json()["posts"]}


def test_a_scheduled_post_is_published_at_its_time_with_a_live_link():
    with clocked() as (client, advance, server):
        assert failure_messages(run_job(client, bulk(post("facebook", "soon", (FB, at(5, START)))))) == []
        advance(299)
        assert _by_text(client)["soon"]["state"] == "scheduled"
        assert _by_text(client)["soon"]["post_link"] is None
        advance(1)
        live = _by_text(client)["soon"]
        assert live["state"] == "published"
        assert "error" not in live
        assert live["post_link"] == f"{server.base_url}/sandbox/posts/{live['id']}"
        assert "soon" in httpx.get(live["post_link"]).text
        assert [p["text"] for p in client.get("posts", params={"state": "published"}).json()["posts"]] == [
            "soon"
        ]


def test_failures_by_marker_and_by_account():
    with clocked(fail_accounts={LI: "Token expired: reconnect the account"}) as (client, advance, server):
        posts = [
            post("facebook", "plain", (FB, at(10, START))),
            post("facebook", "bad [sandbox:fail]", (FB, at(12, START))),
            post("facebook", "why [sandbox:fail:Image too small]", (FB, at(14, START))),
            post("linkedin", "on a broken account", (LI, at(10, START))),
        ]
        assert failure_messages(run_job(client, bulk(*posts))) == []
        advance(15 * 60)
        posts_now = _by_text(client)
        assert {t: (p["state"], p.get("error")) for t, p in posts_now.items()} == {
            "plain": ("published", None),
            "bad [sandbox:fail]": ("failed", DEFAULT_FAILURE),
            "why [sandbox:fail:Image too small]": ("failed", "Image too small"),
            "on a broken account": ("failed", "Token expired: reconnect the account"),
        }
        assert all(p["post_link"] is None for t, p in posts_now.items() if p["state"] == "failed")
        failed = client.get("posts", params={"state": "failed"}).json()["posts"]
        assert len(failed) == 3
        assert [p["error"] for p in server.state_snapshot()["posts"] if p["text"] == "plain"] == [None]


def test_publish_now_goes_live_at_once_and_may_fail():
    with clocked(fail_accounts={MASTODON: ""}) as (client, _advance, _server):
        body = bulk(
            post("facebook", "now [sandbox:fail:Rejected]", (FB, None)),
            post("mastodon", "toot", (MASTODON, None)),
        )
        assert failure_messages(run_job(client, body, "posts/schedule/publish")) == []
        posts = _by_text(client)
        assert (
            posts["now [sandbox:fail:Rejected]"]["state"],
            posts["now [sandbox:fail:Rejected]"]["error"],
        ) == ("failed", "Rejected")
        assert (posts["toot"]["state"], posts["toot"]["error"]) == ("failed", DEFAULT_FAILURE)


def test_outcomes_do_not_depend_on_when_anybody_polls():
    def run(poll: bool) -> list[tuple[str, str, str | None]]:
        with clocked() as (client, advance, server):
            job = submit(
                client,
                bulk(
                    *(
                        post("facebook", f"p{i}{' [sandbox:fail]' * (i % 2)}", (FB, at(2 + i, START)))
                        for i in range(6)
                    )
                ),
            )
            for _ in range(10):
                advance(60)
                if poll:
                    client.get("posts")
                    client.get(f"job_status/{job}")
            return [(p["text"], p["state"], p["error"]) for p in server.state_snapshot()["posts"]]

    polled, unpolled = run(poll=True), run(poll=False)
    assert polled == unpolled
    assert [state for _, state, _ in polled] == ["published", "failed"] * 3


def test_drafts_recurring_and_auto_posts():
    with clocked() as (client, advance, _server):
        run_job(client, bulk(post("facebook", "a draft", (FB, at(3, START))), state="draft"))
        run_job(client, bulk(post("linkedin", "queued", (LI, None))))  # auto-scheduled an hour ahead
        advance(2 * 3600)
        assert {t: p["state"] for t, p in _by_text(client).items()} == {
            "a draft": "draft",
            "queued": "published",
        }


def test_time_scale_brings_posts_live_sooner_but_validation_keeps_real_time():
    with clocked(publish_time_scale=60) as (client, advance, _server):
        assert (
            failure_messages(run_job(client, bulk(post("facebook", "in five minutes", (FB, at(5, START))))))
            == []
        )
        advance(4.9)
        assert _by_text(client)["in five minutes"]["state"] == "scheduled"
        advance(0.1)
        live = _by_text(client)["in five minutes"]
        assert live["state"] == "published"
        assert live["scheduled_at"] == "2030-01-01T12:05:00.000+00:00"  # the time asked for is kept
        too_soon = run_job(client, bulk(post("facebook", "too soon", (FB, at(0.5, START)))))
        assert failure_messages(too_soon) == ["The scheduled time must be at least 1 minute in the future"]


def test_time_scale_in_real_time():
    with (
        SandboxServer(SandboxConfig(job_latency=0, publish_time_scale=600)) as server,
        api_client(server) as client,
    ):
        run_job(client, bulk(post("facebook", "two minutes ahead", (FB, at(2)))))  # live ~0.2 s later
        deadline = time.monotonic() + 10
        while client.get("posts").json()["posts"][0]["state"] == "scheduled" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("posts").json()["posts"][0]["state"] == "published"


@pytest.mark.parametrize("scale", [0, -1])
def test_time_scale_must_be_positive(scale):
    with pytest.raises(ValueError, match="publish_time_scale"):
        SandboxConfig(publish_time_scale=scale)


def test_live_time():
    created = START
    assert live_time(created, created + timedelta(minutes=10), 1) == created + timedelta(minutes=10)
    assert live_time(created, created + timedelta(minutes=10), 60) == created + timedelta(seconds=10)
    assert live_time(created, created - timedelta(minutes=1), 60) == created


def test_a_post_scheduled_before_a_restart_goes_live_after_it(tmp_path):
    now = [datetime.now(timezone.utc)]
    db = str(tmp_path / "sandbox.sqlite")
    config = {"job_latency": 0, "db_path": db, "clock": lambda: now[0]}
    with SandboxServer(SandboxConfig(**config)) as first, api_client(first) as client:
        run_job(client, bulk(post("facebook", "kept [sandbox:fail:later]", (FB, at(3, now[0])))))
    now[0] += timedelta(minutes=4)
    with SandboxServer(SandboxConfig(**config)) as second:
        posts = second.state_snapshot()["posts"]
        assert [(p["state"], p["error"]) for p in posts] == [("failed", "later")]
