"""Paging variants of every paged list: what ``page`` echoes and what a page past the end holds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS, SandboxConfig, SandboxServer
from airflow_provider_publer.sandbox.paging import Paging
from tests.sandbox.helpers import api_client, bulk, failure_messages, post, run_job, submit, wait_job

FB = SANDBOX_ACCOUNT_IDS["facebook"]
X = SANDBOX_ACCOUNT_IDS["twitter"]
BASE = (datetime.now(timezone.utc) + timedelta(days=2)).replace(hour=8, minute=0, second=0, microsecond=0)
POSTS = 45  # pages 0 and 1 of 20, page 2 of 5
MEDIA = 25  # page 0 of 20, page 1 of 5


def _fill(client: httpx.Client) -> None:
    posts = [
        post("twitter", f"tweet {i:02d}", (X, (BASE + timedelta(minutes=2 * i)).isoformat()))
        for i in range(POSTS)
    ]
    assert failure_messages(run_job(client, bulk(*posts))) == []
    media = [{"url": f"https://cdn.example.com/p{i:02d}.png", "name": f"p{i:02d}.png"} for i in range(MEDIA)]
    assert (
        wait_job(client, submit(client, {"media": media, "type": "bulk"}, "media/from-url"))["status"]
        == "complete"
    )


@pytest.fixture(scope="module")
def paged() -> Iterator[httpx.Client]:
    with (
        SandboxServer(SandboxConfig(job_latency=0, rate_limit_enabled=False)) as server,
        api_client(server) as client,
    ):
        _fill(client)
        yield client


def _texts(body: dict) -> list[str]:
    return [p["text"] for p in body["posts"]]


def test_zero_echo_is_the_default(paged):
    first = paged.get("posts").json()
    assert {k: first[k] for k in ("page", "per_page", "total", "total_pages")} == {
        "page": 0, "per_page": 20, "total": POSTS, "total_pages": 3,
    }  # fmt: skip
    assert paged.get("posts", params={"page": 2}).json()["page"] == 2


def test_one_echo_answers_page_plus_one_with_the_same_items(paged):
    one = {"X-Sandbox-Page-Echo": "one"}
    for page in range(3):
        body = paged.get("posts", params={"page": page}, headers=one).json()
        assert (body["page"], body["total_pages"], body["total"]) == (page + 1, 3, POSTS)
        assert _texts(body) == _texts(paged.get("posts", params={"page": page}).json())


def test_none_echo_leaves_out_every_paging_key(paged):
    body = paged.get("posts", headers={"X-Sandbox-Page-Echo": "none"}).json()
    assert set(body) == {"posts"}
    assert len(body["posts"]) == 20
    media = paged.get("media", headers={"X-Sandbox-Page-Echo": "none"}).json()
    assert set(media) == {"media"}


@pytest.mark.parametrize("page", [3, 4, 99])
def test_past_end_empty_or_last(paged, page):
    assert paged.get("posts", params={"page": page}).json()["posts"] == []
    last = paged.get("posts", params={"page": page}, headers={"X-Sandbox-Past-End": "last"}).json()
    assert _texts(last) == [f"tweet {i:02d}" for i in range(40, 45)]
    assert last["page"] == page  # the requested page is echoed, not the page served
    media_last = paged.get("media", params={"page": page}, headers={"X-Sandbox-Past-End": "last"}).json()
    assert [m["name"] for m in media_last["media"]] == [f"p{i:02d}.png" for i in range(20, 25)]
    assert paged.get("media", params={"page": page}).json()["media"] == []


def test_past_end_last_on_an_empty_list_is_empty(paged):
    headers = {"X-Sandbox-Past-End": "last"}
    body = paged.get("posts", params={"page": 5, "state": "draft"}, headers=headers).json()
    assert (body["posts"], body["total"], body["total_pages"]) == ([], 0, 0)


def test_media_pages_and_total(paged):
    first, second = (paged.get("media", params={"page": p}).json() for p in (0, 1))
    assert set(first) == {"media", "total"}
    assert (len(first["media"]), len(second["media"]), first["total"]) == (20, 5, MEDIA)
    assert paged.get("media", headers={"X-Sandbox-Page-Echo": "one"}).json()["total"] == MEDIA


def test_config_sets_the_behaviour_and_headers_override_it():
    config = SandboxConfig(job_latency=0, page_echo="one", past_end="last", rate_limit_enabled=False)
    with SandboxServer(config) as server, api_client(server) as client:
        run_job(client, bulk(post("facebook", "only", (FB, (BASE + timedelta(hours=1)).isoformat()))))
        body = client.get("posts", params={"page": 7}).json()
        assert (body["page"], body["total_pages"], _texts(body)) == (8, 1, ["only"])
        plain = client.get(
            "posts",
            params={"page": 7},
            headers={"X-Sandbox-Page-Echo": "zero", "X-Sandbox-Past-End": "empty"},
        ).json()
        assert (plain["page"], plain["posts"]) == (7, [])
        assert client.get("posts", headers={"X-Sandbox-Page-Echo": "bogus"}).json()["page"] == 1


@pytest.mark.parametrize(("field", "value"), [("page_echo", "two"), ("past_end", "wrap")])
def test_unknown_behaviours_are_refused(field, value):
    with pytest.raises(ValueError, match=field):
        SandboxConfig(**{field: value})
    with pytest.raises(ValueError, match=field):
        Paging(**{"echo" if field == "page_echo" else "past_end": value})
