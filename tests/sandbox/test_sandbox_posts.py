"""GET /posts (filters, order, pagination), DELETE /posts and PUT /posts/{id} against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS, SandboxConfig, SandboxServer
from tests.sandbox.helpers import api_client, bulk, failure_messages, post, run_job

FB = SANDBOX_ACCOUNT_IDS["facebook"]
LI = SANDBOX_ACCOUNT_IDS["linkedin"]
X = SANDBOX_ACCOUNT_IDS["twitter"]
BASE = (datetime.now(timezone.utc) + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)


def _time(minutes: int) -> str:
    return (BASE + timedelta(minutes=minutes)).isoformat()


def _create_posts(client: httpx.Client) -> httpx.Client:
    """25 Facebook posts 5 minutes apart (submitted in reverse), 1 LinkedIn post, 1 X draft."""
    posts = [post("facebook", f"fb number {i}", (FB, _time(5 * i))) for i in reversed(range(25))]
    posts.append(post("linkedin", "linkedin hello", (LI, _time(7))))
    assert failure_messages(run_job(client, bulk(*posts))) == []
    draft = bulk(post("twitter", "draft tweet", (X, None)), state="draft")
    assert failure_messages(run_job(client, draft)) == []
    return client


@pytest.fixture(scope="module")
def listed() -> Iterator[httpx.Client]:
    """A read-only sandbox of its own holding the posts of :func:`_create_posts` (instant jobs)."""
    with (
        SandboxServer(SandboxConfig(job_latency=0, rate_limit_enabled=False)) as server,
        api_client(server) as c,
    ):
        yield _create_posts(c)


@pytest.fixture
def many_posts(client: httpx.Client) -> httpx.Client:
    """The shared sandbox with the posts of :func:`_create_posts`, for tests that change them."""
    return _create_posts(client)


def test_pages_of_twenty_sorted_by_time(listed):
    first = listed.get("posts").json()
    assert (first["total"], first["page"], first["per_page"], first["total_pages"]) == (27, 0, 20, 2)
    assert len(first["posts"]) == 20
    second = listed.get("posts", params={"page": 1}).json()
    assert len(second["posts"]) == 7
    everything = first["posts"] + second["posts"]
    times = [p["scheduled_at"] for p in everything if p["scheduled_at"]]
    assert times == sorted(times)
    assert everything[-1]["text"] == "draft tweet"  # undated drafts last
    assert listed.get("posts", params={"page": 2}).json()["posts"] == []


def test_summary_fields(listed):
    summary = listed.get("posts", params={"account_ids[]": LI}).json()["posts"][0]
    assert set(summary) == {
        "id", "text", "url", "title", "state", "type", "account_id", "network",
        "user", "scheduled_at", "post_link", "has_media",
    }  # fmt: skip
    assert summary["scheduled_at"] == (BASE + timedelta(minutes=7)).isoformat(timespec="milliseconds")
    assert (summary["network"], summary["state"], summary["type"]) == ("linkedin", "scheduled", "status")
    assert set(summary["user"]) == {"id", "name", "picture"}


@pytest.mark.parametrize(
    ("params", "total"),
    [
        ({"state": "scheduled"}, 26),
        ({"state": "draft"}, 1),
        ({"state": "all"}, 27),
        ([("state[]", "draft"), ("state[]", "scheduled")], 27),
        ({"account_ids[]": [FB, X]}, 26),
        ({"account_ids[]": LI}, 1),
        ({"query": "NUMBER 1"}, 11),  # 1, 10..19
        ({"query": "hello"}, 1),
        ({"from": _time(0), "to": _time(10)}, 4),  # fb 0, 5, 10 and linkedin at 7
        ({"from": _time(100)}, 5),  # fb 20..24
        ({"from": BASE.date().isoformat(), "to": BASE.date().isoformat()}, 26),
        ({"to": (BASE - timedelta(days=1)).date().isoformat()}, 0),
        ({"from": _time(0).replace("+00:00", "")}, 26),
        ({"postType": "status"}, 27),
    ],
)
def test_filters(listed, params, total):
    assert listed.get("posts", params=params).json()["total"] == total


@pytest.mark.parametrize("params", [{"page": "-1"}, {"page": "x"}, {"from": "yesterday"}])
def test_bad_filters_are_400(client, params):
    response = client.get("posts", params=params)
    assert response.status_code == 400
    assert response.json()["errors"]


def test_delete_accepts_both_array_spellings_and_reports_what_went(many_posts):
    ids = [p["id"] for p in many_posts.get("posts").json()["posts"][:3]]
    response = many_posts.delete("posts", params=[("post_ids[]", ids[0]), ("post_ids[]", "f" * 24)])
    assert response.json() == {"deleted_ids": [ids[0]]}
    response = many_posts.delete("posts", params=[("post_ids", ids[1]), ("post_ids", ids[2])])
    assert response.json() == {"deleted_ids": ids[1:]}
    assert many_posts.get("posts").json()["total"] == 24
    assert many_posts.delete("posts", params={"post_ids[]": ids[0]}).json() == {"deleted_ids": []}
    assert many_posts.delete("posts").status_code == 400


def test_update_post(many_posts):
    target = many_posts.get("posts", params={"account_ids[]": LI}).json()["posts"][0]
    response = many_posts.put(f"posts/{target['id']}", json={"post": {"text": "edited"}})
    assert response.status_code == 200
    detail = response.json()
    assert (detail["id"], detail["text"], detail["account"]["id"]) == (target["id"], "edited", LI)
    assert many_posts.put("posts/" + "f" * 24, json={"post": {"text": "x"}}).status_code == 404


def test_a_deleted_post_frees_its_slot_and_leaves_every_listing(client):
    when = _time(600)
    assert failure_messages(run_job(client, bulk(post("facebook", "first", (FB, when))))) == []
    first = client.get("posts", params={"account_ids[]": FB, "from": when, "to": when}).json()["posts"]
    assert [p["text"] for p in first] == ["first"]
    assert client.delete("posts", params={"post_ids[]": first[0]["id"]}).json() == {
        "deleted_ids": [first[0]["id"]]
    }
    for params in (
        {},
        {"account_ids[]": FB},
        {"from": when, "to": when},
        {"account_ids[]": FB, "from": when},
    ):
        assert client.get("posts", params=params).json()["total"] == 0
    assert failure_messages(run_job(client, bulk(post("facebook", "again", (FB, when))))) == []
    assert [p["text"] for p in client.get("posts", params={"account_ids[]": FB}).json()["posts"]] == ["again"]


def test_several_accounts_in_a_range_are_listed_in_time_order(listed):
    params = {"account_ids[]": [LI, FB, X], "from": _time(5), "to": _time(15)}
    body = listed.get("posts", params=params).json()
    assert [p["text"] for p in body["posts"]] == [
        "fb number 1",
        "linkedin hello",
        "fb number 2",
        "fb number 3",
    ]
    assert listed.get("posts", params={"account_ids[]": [FB, FB]}).json()["total"] == 25
