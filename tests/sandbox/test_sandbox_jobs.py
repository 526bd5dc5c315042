"""Post jobs: working -> complete in both styles, Publer's failure wording, publish, drafts, hidden errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from airflow_provider_publer.sandbox import (
    SANDBOX_ACCOUNT_IDS,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
    default_accounts,
)
from tests.sandbox.helpers import (
    api_client,
    at,
    bulk,
    failure_messages,
    post,
    run_job,
    state_of,
    submit,
    wait_job,
)

FB = SANDBOX_ACCOUNT_IDS["facebook"]
LI = SANDBOX_ACCOUNT_IDS["linkedin"]
IG = SANDBOX_ACCOUNT_IDS["instagram"]
GAP_MESSAGE = "There's another post at this time. A one minute gap is required between posts"


def test_flat_job_goes_from_working_to_complete(client):
    response = client.post("posts/schedule", json=bulk(post("facebook", "hello", (FB, at(30)))))
    assert response.status_code == 200
    job_id = response.json()["job_id"]
    assert len(job_id) == 24
    assert int(job_id, 16) >= 0
    assert client.get(f"job_status/{job_id}").json() == {"status": "working"}
    assert wait_job(client, job_id) == {
        "status": "complete",
        "payload": {"failures": {}},
        "plan": {"rate": "business", "locked": False},
    }


def test_envelope_job_answers_202_and_completed(client):
    envelope = {"X-Sandbox-Style": "envelope"}
    response = client.post(
        "posts/schedule", json=bulk(post("facebook", "hi", (FB, at(30)))), headers=envelope
    )
    assert response.status_code == 202
    body = response.json()
    assert body["success"] is True
    job_id = body["data"]["job_id"]
    assert client.get(f"job_status/{job_id}", headers=envelope).json() == {
        "success": True,
        "data": {"status": "working"},
    }
    done = wait_job(client, job_id, **envelope)
    assert done["data"]["status"] == "completed"
    assert done["data"]["result"]["status"] == "completed"
    assert done["data"]["result"]["payload"] == {"failures": {}}
    assert done["data"]["result"]["plan"] == {"rate": "business", "locked": False}


def test_failures_are_a_list_flat_and_a_dict_of_lists_envelope(client):
    job_id = submit(client, bulk(post("facebook", "fb only", (FB, at(30)), (IG, at(30)))))
    flat = wait_job(client, job_id)
    expected = {
        "account_id": IG,
        "account_name": "Sandbox Instagram",
        "provider": "instagram",
        "message": "No content provided for instagram",
    }
    assert flat["payload"]["failures"] == [expected]
    envelope = client.get(f"job_status/{job_id}", headers={"X-Sandbox-Style": "envelope"}).json()
    assert envelope["data"]["result"]["payload"]["failures"] == {IG: [expected]}


def test_gap_with_an_earlier_post_and_within_the_batch(client):
    when = at(45)
    assert failure_messages(run_job(client, bulk(post("facebook", "first", (FB, when))))) == []
    later = (datetime.fromisoformat(when) + timedelta(seconds=30)).isoformat()
    job = run_job(client, bulk(post("facebook", "second", (FB, later))))
    assert failure_messages(job) == [GAP_MESSAGE]
    same_batch = bulk(post("linkedin", "a", (LI, at(90))), post("linkedin", "b", (LI, at(90.5))))
    assert failure_messages(run_job(client, same_batch)) == [GAP_MESSAGE]
    a_minute_apart = bulk(post("linkedin", "c", (LI, at(120))), post("linkedin", "d", (LI, at(121))))
    assert failure_messages(run_job(client, a_minute_apart)) == []


@pytest.mark.parametrize(
    ("account", "scheduled_at", "message"),
    [
        (FB, "soon", "The scheduled time must be at least 1 minute in the future"),
        (FB, "naive", "scheduled_at must include a timezone offset (ISO 8601)"),
        ("0123456789abcdef01234567", "later", "Resource does not exist"),
        (LI, "later", "No content provided for linkedin"),
    ],
)
def test_each_refusal_is_worded_like_publer(client, account, scheduled_at, message):
    times = {
        "soon": at(0.5),
        "naive": (datetime.now(timezone.utc) + timedelta(hours=2)).replace(tzinfo=None).isoformat(),
        "later": at(60),
    }
    job = run_job(client, bulk(post("facebook", "x", (account, times[scheduled_at]))))
    assert job["status"] == "complete"
    assert failure_messages(job) == [message]


def test_daily_limit_per_plan():
    with SandboxServer(SandboxConfig(job_latency=0.1, plan="free")) as server, api_client(server) as client:
        posts = [post("facebook", f"post {i}", (FB, at(10 + 2 * i))) for i in range(13)]
        job = run_job(client, bulk(*posts))
        assert failure_messages(job) == ["Daily post limit reached for this account"]
        assert len(state_of(server)["posts"]) == 12


def test_media_at_post_level_is_dropped_silently(server, client):
    body = bulk(post("facebook", "with media", (FB, at(30)), media=[{"id": "abc", "type": "photo"}]))
    job = run_job(client, body)
    assert job["status"] == "complete"
    assert job["payload"]["failures"] == {}
    state = state_of(server)
    assert state["posts"] == []
    assert state["hidden_errors"][0]["message"] == "undefined method 'count' for nil:NilClass"
    assert state["hidden_errors"][0]["post_index"] == 0


def test_publish_now_creates_published_posts_with_a_live_link(server, client):
    job = run_job(
        client,
        bulk(post("mastodon", "We are live", (SANDBOX_ACCOUNT_IDS["mastodon"], None))),
        "posts/schedule/publish",
    )
    assert failure_messages(job) == []
    listed = client.get("posts", params={"state": "published"}).json()["posts"]
    assert [p["text"] for p in listed] == ["We are live"]
    link = listed[0]["post_link"]
    assert link.startswith(server.base_url + "/sandbox/posts/")
    page = httpx.get(link)
    assert page.status_code == 200
    assert "We are live" in page.text


def test_publish_endpoint_with_a_time_schedules(client):
    run_job(client, bulk(post("facebook", "later", (FB, at(30)))), "posts/schedule/publish")
    assert [p["state"] for p in client.get("posts").json()["posts"]] == ["scheduled"]


def test_posts_without_a_time_are_auto_scheduled_two_minutes_apart_and_not_deletable(client):
    body = bulk(post("facebook", "auto 1", (FB, None)), post("facebook", "auto 2", (FB, None)))
    assert failure_messages(run_job(client, body)) == []
    listed = client.get("posts").json()["posts"]
    first, second = (datetime.fromisoformat(p["scheduled_at"]) for p in listed)
    assert first - datetime.now(timezone.utc) > timedelta(minutes=55)
    assert second - first == timedelta(minutes=2)
    assert client.delete("posts", params={"post_ids[]": listed[0]["id"]}).json() == {"deleted_ids": []}


@pytest.mark.parametrize("state", ["draft", "draft_private", "draft_public"])
def test_drafts_need_no_time(client, state):
    assert failure_messages(run_job(client, bulk(post("facebook", "draft", (FB, None)), state=state))) == []
    assert [p["state"] for p in client.get("posts", params={"state": "draft"}).json()["posts"]] == [state]


def test_idea_without_accounts(server, client):
    idea = {"networks": {"default": {"type": "status", "text": "an idea"}}}
    job = run_job(client, bulk(idea, state="draft_private"))
    assert job["payload"]["failures"] == {}
    assert [(p["account_id"], p["text"]) for p in state_of(server)["posts"]] == [(None, "an idea")]


def test_default_network_and_wordpress_keys_reach_the_right_accounts():
    accounts = default_accounts()
    blog = {"id": "63c6760a4e299e9cf2b667f0", "name": "Sandbox Blog", "provider": "wordpress", "type": "blog"}
    accounts[SANDBOX_WORKSPACE_ID].append(blog)
    with (
        SandboxServer(SandboxConfig(job_latency=0.1, accounts=accounts)) as server,
        api_client(server) as client,
    ):
        article = {"networks": {"wordpress_basic": {"type": "article", "text": "Long read", "title": "T"}}}
        article["accounts"] = [{"id": blog["id"], "scheduled_at": at(30)}]
        default = {"networks": {"default": {"type": "status", "text": "everywhere"}}}
        default["accounts"] = [{"id": FB, "scheduled_at": at(40)}, {"id": LI, "scheduled_at": at(40)}]
        assert failure_messages(run_job(client, bulk(article, default))) == []
        posts = state_of(server)["posts"]
    assert [(p["network"], p["network_key"]) for p in posts] == [
        ("wordpress", "wordpress_basic"),
        ("facebook", "default"),
        ("linkedin", "default"),
    ]


def test_jobs_settle_on_the_injected_clock_whoever_reads_first():
    now = [datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)]
    config = SandboxConfig(job_latency=60, clock=lambda: now[0], rate_limit_enabled=False)
    with SandboxServer(config) as server, api_client(server) as client:
        job_id = submit(client, bulk(post("facebook", "clocked", (FB, at(5, now[0])))))
        assert client.get(f"job_status/{job_id}").json() == {"status": "working"}
        assert server.state_snapshot()["posts"] == []
        now[0] += timedelta(seconds=61)
        state = server.state_snapshot()
        assert [p["created_at"] for p in state["posts"]] == ["2030-01-01T12:01:00.000+00:00"]
        assert client.get(f"job_status/{job_id}").json()["status"] == "complete"
        assert state["jobs"][0]["post_ids"] == [state["posts"][0]["id"]]


def test_an_accounts_labels_are_kept_on_its_post(client, server):
    """``accounts[].labels`` (names or ids, as a CSV calendar's ``labels`` column sends them)."""
    body = post("facebook", "labelled", (FB, at(30)))
    body["accounts"][0]["labels"] = ["launch", "spring"]
    wait_job(client, submit(client, bulk(body, post("linkedin", "plain", (LI, at(30))))))
    labels = {p["text"]: [label["name"] for label in p["labels"]] for p in state_of(server)["posts"]}
    assert labels == {"labelled": ["launch", "spring"], "plain": []}
