"""PUT /posts/{id}: the PostDetail answer, 403 for posts published with approval, 422 when Publer refuses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS, SandboxConfig, SandboxServer
from airflow_provider_publer.sandbox.updates import MSG_APPROVAL
from tests.sandbox.helpers import api_client, at, bulk, failure_messages, post, run_job

IDS = SANDBOX_ACCOUNT_IDS
DETAIL_KEYS = {
    "id", "text", "state", "type", "account_id", "account", "user", "scheduled_at", "created_at",
    "updated_at", "post_link", "media", "link", "labels", "auto", "recycling", "recurring",
}  # fmt: skip


def _publish(client: httpx.Client, network: str, text: str = "live", **block: Any) -> dict[str, Any]:
    """Publish one post now on the network's sandbox account; returns its summary."""
    body = {
        "networks": {network: {"type": "status", "text": text, **block}},
        "accounts": [{"id": IDS[network]}],
    }
    assert failure_messages(run_job(client, bulk(body), "posts/schedule/publish")) == []
    listed = client.get("posts", params={"account_ids[]": IDS[network], "query": text}).json()["posts"]
    assert listed[0]["state"] == "published"
    return listed[0]


def _schedule(client: httpx.Client, network: str, text: str) -> dict[str, Any]:
    assert failure_messages(run_job(client, bulk(post(network, text, (IDS[network], at(30)))))) == []
    return client.get("posts", params={"state": "scheduled", "query": text}).json()["posts"][0]


def _put(client: httpx.Client, post_id: str, **changes: Any) -> httpx.Response:
    return client.put(f"posts/{post_id}", json={"post": changes})


def test_update_answers_the_post_detail(client):
    target = _schedule(client, "linkedin", "before")
    link = {"url": "https://example.com/a", "title": "A"}
    response = _put(client, target["id"], text="after", title="T", link=link, labels=["promo"])
    assert response.status_code == 200, response.text
    detail = response.json()
    assert set(detail) >= DETAIL_KEYS
    assert (detail["id"], detail["text"], detail["state"], detail["account_id"]) == (
        target["id"],
        "after",
        "scheduled",
        IDS["linkedin"],
    )
    assert detail["account"] == {
        "id": IDS["linkedin"],
        "type": "page",
        "name": "Sandbox LinkedIn Page",
        "picture": detail["account"]["picture"],
    }
    assert set(detail["user"]) == {"id", "name", "picture"}
    assert detail["link"] == {
        "url": "https://example.com/a",
        "title": "A",
        "description": None,
        "image_url": None,
    }
    assert detail["labels"] == [{"id": "promo", "name": "promo", "color": None}]
    assert detail["updated_at"] >= detail["created_at"]
    assert (detail["recycling"], detail["recurring"], detail["auto"]) == (None, None, False)
    assert client.get("posts").json()["posts"][0]["text"] == "after"


def test_detail_media_shape(client):
    media = [{"id": "m1", "type": "photo", "path": "https://cdn.example.com/m1.png", "alt_text": "a cat"}]
    target = _schedule(client, "facebook", "pic")
    detail = _put(client, target["id"], media=media).json()
    assert detail["media"] == [
        {"id": "m1", "type": "photo", "url": "https://cdn.example.com/m1.png", "alt_text": "a cat"}
    ]


def test_unknown_post_is_404_and_the_body_needs_a_post_object(client):
    assert _put(client, "f" * 24, text="x").status_code == 404
    target = _schedule(client, "facebook", "x")
    response = client.put(f"posts/{target['id']}", json={"text": "flat"})
    assert response.status_code == 400
    assert "'post'" in response.json()["errors"][0]


@pytest.mark.parametrize("text", ["", "   ", None])
def test_blank_text_is_422(client, text):
    target = _schedule(client, "facebook", "x")
    response = _put(client, target["id"], text=text)
    assert response.status_code == 422
    assert response.json() == {"errors": ["Text can't be blank"]}


@pytest.mark.parametrize("network", ["twitter", "instagram", "bluesky", "threads", "pinterest"])
def test_published_posts_of_label_only_networks_refuse_content_changes(client, network):
    target = _publish(client, network)
    response = _put(client, target["id"], text="edited")
    assert response.status_code == 422
    assert response.json()["errors"][0].endswith("cannot be edited, only their labels")
    assert (
        _put(client, target["id"], labels=[{"id": "l1", "name": "Launch", "color": "#f00"}]).status_code
        == 200
    )
    assert _put(client, target["id"], text="live").status_code == 200  # unchanged text is no change


@pytest.mark.parametrize(
    ("network", "block", "changes", "status"),
    [
        ("linkedin", {}, {"text": "new"}, 200),
        ("linkedin", {}, {"title": "new"}, 422),
        ("facebook", {}, {"title": "new"}, 422),
        ("facebook", {"type": "video"}, {"title": "new"}, 200),
        ("mastodon", {}, {"text": "new", "title": "new"}, 200),
        ("mastodon", {}, {"url": "https://example.com"}, 422),
        ("youtube", {}, {"title": "t" * 100}, 200),
        ("youtube", {}, {"title": "t" * 101}, 422),
        ("google", {}, {"text": "g" * 1501}, 422),
        ("telegram", {}, {"text": "new"}, 200),
        ("telegram", {"type": "photo"}, {"text": "new"}, 422),
        ("wordpress", {}, {"title": "new", "text": "new"}, 200),
    ],
)
def test_what_a_published_post_lets_change(client, network, block, changes, status):
    key = "wordpress_oauth" if network == "wordpress" else network
    body = {
        "networks": {key: {"type": "status", "text": "live", **block}},
        "accounts": [{"id": IDS[network]}],
    }
    assert failure_messages(run_job(client, bulk(body), "posts/schedule/publish")) == []
    target = client.get("posts", params={"account_ids[]": IDS[network]}).json()["posts"][0]
    response = _put(client, target["id"], **changes)
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["errors"]


def test_scheduled_and_failed_posts_take_any_change(client):
    scheduled = _schedule(client, "twitter", "tweet")
    assert _put(client, scheduled["id"], text="edited", url="https://example.com").status_code == 200
    gram = {"networks": {"instagram": {"type": "photo", "text": "gram [sandbox:fail]"}}}
    gram["accounts"] = [{"id": IDS["instagram"]}]
    assert failure_messages(run_job(client, bulk(gram), "posts/schedule/publish")) == []
    failed = client.get("posts", params={"state": "failed"}).json()["posts"][0]
    assert _put(client, failed["id"], text="second try").status_code == 200


def test_published_with_approval_is_403():
    config = SandboxConfig(job_latency=0, approval_accounts=(IDS["linkedin"],))
    with SandboxServer(config) as server, api_client(server) as client:
        by_account = _publish(client, "linkedin")
        by_marker = _publish(client, "facebook", "approved [sandbox:approval]")
        for target in (by_account, by_marker):
            response = _put(client, target["id"], text="edited")
            assert response.status_code == 403
            assert response.json() == {"errors": [MSG_APPROVAL]}
        assert _put(client, _schedule(client, "linkedin", "not yet live")["id"], text="ok").status_code == 200
