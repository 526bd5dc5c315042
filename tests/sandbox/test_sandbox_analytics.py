"""Analytics endpoints: Publer's shapes, numbers a test can predict, and Publer's reported quirks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import httpx
import pytest

from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS, SANDBOX_USER, SandboxConfig, SandboxServer
from airflow_provider_publer.sandbox.analytics import (
    WEEKDAYS,
    followers,
    post_numbers,
)
from tests.sandbox.helpers import api_client, bulk, failure_messages, post, run_job

FB = SANDBOX_ACCOUNT_IDS["facebook"]
X = SANDBOX_ACCOUNT_IDS["twitter"]
TELEGRAM = SANDBOX_ACCOUNT_IDS["telegram"]
START = datetime(2030, 1, 7, 0, 0, tzinfo=timezone.utc)  # a Monday
RANGE = {"from": "2030-01-07", "to": "2030-01-09"}
FB_POSTS = 23  # published on the 7th, 8th and 9th, 3 hours apart


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[httpx.Client, dict[str, dict]]]:
    """Published posts on Facebook and X in the days of RANGE, plus posts that do not count."""
    now = [START - timedelta(days=1)]
    config = SandboxConfig(job_latency=0, rate_limit_enabled=False, clock=lambda: now[0])
    with SandboxServer(config) as server, api_client(server) as client:
        fb = [
            post(
                "facebook",
                f"fb {i} #Launch{' #video' * (i % 3 == 0)}",
                (FB, (START + timedelta(hours=3 * i + 1)).isoformat()),
            )
            for i in range(FB_POSTS)
        ]
        x = [
            post("twitter", f"x {i} #launch", (X, (START + timedelta(hours=5 * i + 2)).isoformat()))
            for i in range(4)
        ]
        excluded = [
            post("facebook", "fails #launch [sandbox:fail]", (FB, (START + timedelta(hours=2)).isoformat())),
            post("facebook", "still scheduled #launch", (FB, (START + timedelta(days=30)).isoformat())),
        ]
        assert failure_messages(run_job(client, bulk(*fb, *x, *excluded))) == []
        now[0] = START + timedelta(days=5)
        posts = {p["text"]: p for p in server.state_snapshot()["posts"]}
        yield client, posts


def _published(posts: dict[str, dict], account: str) -> list[dict]:
    return [p for p in posts.values() if p["account_id"] == account and p["state"] == "published"]


def test_numbers_are_stable_across_runs_and_versions():
    n = post_numbers("0123456789abcdef01234567", "instagram", "reel")
    figures = (n.reach, n.likes, n.comments, n.shares, n.saves, n.video_views, n.link_clicks, n.post_clicks)
    assert figures == (2273, 113, 6, 3, 2, 909, 22, 68)
    assert followers(FB, date(2030, 1, 7)) == 14460


def test_post_insights_pages_of_ten_with_metric_objects(sandbox):
    client, posts = sandbox
    pages = [
        client.get(f"analytics/{FB}/post_insights", params={**RANGE, "page": p}).json() for p in range(4)
    ]
    assert [len(p["posts"]) for p in pages] == [10, 10, 3, 0]
    assert {p["total"] for p in pages} == {FB_POSTS}
    items = [item for page in pages for item in page["posts"]]
    assert {i["id"] for i in items} == {p["id"] for p in _published(posts, FB)}
    times = [i["scheduled_at"] for i in items]
    assert times == sorted(times, reverse=True)  # scheduled_at DESC by default
    for item in items:
        numbers = post_numbers(item["id"], "facebook", "status")
        analytics = item["analytics"]
        assert analytics["reach"] == {
            "name": "Reach",
            "value": numbers.reach,
            "tooltip": analytics["reach"]["tooltip"],
        }
        assert analytics["saves"]["value"] == numbers.saves  # Facebook reports saves
        assert ("engagement" in analytics) is numbers.has_engagement
        if numbers.has_engagement:
            assert analytics["engagement"]["value"] == numbers.engagement
        assert item["post_link"].endswith(f"/sandbox/posts/{item['id']}")
    assert any("engagement" not in i["analytics"] for i in items)  # absent on some posts, as on Publer


def test_post_insights_without_saves_on_networks_that_have_none(sandbox):
    client, _ = sandbox
    items = client.get(f"analytics/{X}/post_insights", params=RANGE).json()["posts"]
    assert len(items) == 4
    assert all("saves" not in i["analytics"] for i in items)


def test_post_insights_without_dates_is_500(sandbox):
    client, _ = sandbox
    for params in ({}, {"from": RANGE["from"]}, {"to": RANGE["to"]}):
        assert client.get(f"analytics/{FB}/post_insights", params=params).status_code == 500


def test_post_insights_sort_filter_and_paging_variants(sandbox):
    client, _ = sandbox
    url = f"analytics/{FB}/post_insights"
    by_reach = client.get(url, params={**RANGE, "sort_by": "reach", "sort_type": "asc"}).json()["posts"]
    reach = [i["analytics"]["reach"]["value"] for i in by_reach]
    assert reach == sorted(reach)
    assert client.get(url, params={**RANGE, "query": "#VIDEO"}).json()["total"] == 8  # i = 0, 3, ..., 21
    assert client.get(url, params={"from": "2030-01-08", "to": "2030-01-08"}).json()["total"] == 8
    assert client.get(url, params={**RANGE, "competitors": "true"}).json() == {"posts": [], "total": 0}
    assert set(client.get(url, params=RANGE, headers={"X-Sandbox-Page-Echo": "none"}).json()) == {"posts"}
    last = client.get(url, params={**RANGE, "page": 9}, headers={"X-Sandbox-Past-End": "last"}).json()
    assert len(last["posts"]) == 3
    assert client.get(url, params={**RANGE, "sort_by": "likes_count"}).status_code == 400


def test_only_published_posts_count(sandbox):
    client, posts = sandbox
    wide = {"from": "2030-01-01", "to": "2030-03-01"}
    ids = {
        i["id"]
        for i in client.get(f"analytics/{FB}/post_insights", params={**wide, "page": 0}).json()["posts"]
    }
    assert posts["fails #launch [sandbox:fail]"]["id"] not in ids
    assert client.get(f"analytics/{FB}/post_insights", params=wide).json()["total"] == FB_POSTS


def test_hashtag_insights_sum_the_posts_numbers(sandbox):
    client, posts = sandbox
    body = client.get(f"analytics/{FB}/hashtag_insights", params=RANGE).json()
    assert body["total"] == 2
    launch, video = body["records"]  # sorted by posts, most first
    assert (launch["hashtag"], launch["posts"], video["hashtag"], video["posts"]) == (
        "#launch",
        FB_POSTS,
        "#video",
        8,
    )
    numbers = [post_numbers(p["id"], "facebook", "status") for p in _published(posts, FB)]
    assert launch["reach"] == sum(n.reach for n in numbers)
    assert launch["engagement"] == sum(n.engagement for n in numbers)
    assert set(launch) >= {
        "hashtag", "posts", "reach", "likes", "comments", "shares", "engagement", "video_views",
        "link_clicks", "post_clicks", "saves", "hashtag_score", "recent_posts",
    }  # fmt: skip
    assert len(launch["recent_posts"]) == 3
    ascending = client.get(f"analytics/{FB}/hashtag_insights", params={**RANGE, "sort_type": "ASC"}).json()
    assert [r["hashtag"] for r in ascending["records"]] == ["#video", "#launch"]
    assert client.get(f"analytics/{FB}/hashtag_insights", params={"query": "#vid"}).json()["total"] == 1
    top = client.get(f"analytics/{FB}/hashtag_performing_posts", params={"hashtag": "#video"}).json()
    assert len(top) == 6
    engagement = [post_numbers(i["id"], "facebook", "status").engagement for i in top]
    assert engagement == sorted(engagement, reverse=True)


def test_best_times(sandbox):
    client, _ = sandbox
    assert client.get(f"analytics/{FB}/best_times").json() == []
    scores = client.get(f"analytics/{FB}/best_times", params=RANGE).json()
    assert list(scores) == list(WEEKDAYS)
    assert all(len(hours) == 24 and all(0 <= s <= 100 for s in hours) for hours in scores.values())
    baseline = client.get(
        f"analytics/{FB}/best_times", params={"from": "2029-01-01", "to": "2029-01-02"}
    ).json()
    # Monday 01:00 UTC has one post: ten points over the baseline; Sunday has none.
    assert scores["monday"][1] == baseline["monday"][1] + 10
    assert scores["sunday"] == baseline["sunday"]
    assert all(0 <= s <= 9 for hours in baseline.values() for s in hours)


def test_members(sandbox):
    client, posts = sandbox
    owner, editor = client.get("analytics/members", params=RANGE).json()
    published = _published(posts, FB) + _published(posts, X)
    numbers = [post_numbers(p["id"], p["network"], p["type"]) for p in published]
    assert owner == {
        "engagements": sum(n.engagement for n in numbers),
        "posts": FB_POSTS + 4,
        "reach": sum(n.reach for n in numbers),
        "account_ids": sorted([FB, X]),
        "user": {k: SANDBOX_USER[k] for k in ("id", "name", "picture")},
    }
    assert editor["posts"] == 0
    assert "reach" not in editor
    only_x = client.get("analytics/members", params={**RANGE, "account_id": X}).json()[0]
    assert (only_x["posts"], only_x["account_ids"]) == (4, [X])
    nothing = client.get("analytics/members", params={"from": "2029-01-01", "to": "2029-01-02"}).json()[0]
    assert "reach" not in nothing


def test_charts_per_account_type(sandbox):
    client, _ = sandbox
    charts = client.get("analytics/charts", params={"account_type": "fb_page"}).json()
    assert set(charts[0]) == {"id", "title", "group_id", "tooltip", "type", "last_value", "show_percentage"}
    ids = [c["id"] for c in charts]
    assert {"followers", "reach", "engagement", "posts", "video_views", "audience_age"} <= set(ids)
    assert {c["group_id"] for c in charts} == {"growth", "insights", "demographics"}
    mastodon = [c["id"] for c in client.get("analytics/charts", params={"account_type": "mastodon"}).json()]
    assert "audience_age" not in mastodon
    assert client.get("analytics/charts", params={"account_type": "myspace"}).status_code == 400


def test_chart_data_current_and_previous(sandbox):
    client, posts = sandbox
    params = {**RANGE, "chart_ids[]": ["posts", "reach", "followers", "audience_gender"]}
    body = client.get(f"analytics/{FB}/chart_data", params=params).json()
    assert set(body) == {"current", "previous"}
    current, previous = body["current"], body["previous"]
    assert [d["date"] for d in current["posts"]["data"]] == ["2030-01-07", "2030-01-08", "2030-01-09"]
    assert [d["date"] for d in previous["posts"]["data"]] == ["2030-01-04", "2030-01-05", "2030-01-06"]
    assert [d["value"] for d in current["posts"]["data"]] == [8, 8, 7]
    assert current["posts"]["total"] == FB_POSTS
    assert previous["posts"]["total"] == 0
    reach = sum(post_numbers(p["id"], "facebook", "status").reach for p in _published(posts, FB))
    assert current["reach"]["total"] == reach
    assert [d["value"] for d in current["followers"]["data"]] == [
        followers(FB, date(2030, 1, d)) for d in (7, 8, 9)
    ]
    assert current["followers"]["last_value"] == followers(FB, date(2030, 1, 9))
    assert sum(d["value"] for d in current["audience_gender"]["data"]) == 100
    same = client.get("analytics/chart_data", params={**params, "account_id": FB}).json()
    assert same == body


@pytest.mark.parametrize(
    ("account", "params", "status"),
    [
        (FB, {}, 400),  # chart_ids[] is required
        (FB, {"chart_ids[]": "nope"}, 400),
        (FB, {"chart_ids[]": "posts", "from": "2030-01-09", "to": "2030-01-01"}, 400),
        (FB, {"chart_ids[]": "posts", "from": "2020-01-01", "to": "2030-01-01"}, 400),
        (TELEGRAM, {"chart_ids[]": "posts"}, 422),
        ("0" * 24, {"chart_ids[]": "posts"}, 404),
    ],
)
def test_chart_data_refusals(sandbox, account, params, status):
    client, _ = sandbox
    response = client.get(f"analytics/{account}/chart_data", params=params)
    assert response.status_code == status
    assert response.json()["errors"]


def test_chart_data_defaults_to_the_last_thirty_days(sandbox):
    client, _ = sandbox
    body = client.get(f"analytics/{FB}/chart_data", params={"chart_ids[]": "posts"}).json()
    data = body["current"]["posts"]["data"]
    assert (len(data), data[-1]["date"]) == (30, "2030-01-12")
    assert body["current"]["posts"]["total"] == FB_POSTS


def test_free_plan_has_no_analytics():
    with SandboxServer(SandboxConfig(plan="free")) as server, api_client(server) as client:
        for path in (
            f"analytics/{FB}/best_times",
            "analytics/members",
            "analytics/charts?account_type=fb_page",
        ):
            response = client.get(path)
            assert response.status_code == 403
            assert response.json() == {
                "errors": ["Permission denied - requires analytics access or paying subscription"]
            }


def test_competitors_and_their_analytics(sandbox):
    client, posts = sandbox
    tracked = client.get(f"competitors/{FB}").json()
    assert len(tracked) == 12
    assert set(tracked[0]) >= {
        "provider", "name", "social_id", "picture", "type",
        "competitor_sync_in_queue", "username", "verified",
    }  # fmt: skip
    assert {c["provider"] for c in tracked} == {"facebook"}
    url = f"competitors/{FB}/analytics"
    first, second = (client.get(url, params={**RANGE, "page": p}).json() for p in (0, 1))
    assert (len(first["insights"]), len(second["insights"]), first["total"]) == (10, 3, 13)
    rows = first["insights"] + second["insights"]
    followers_desc = [r["followers"] for r in rows]
    assert followers_desc == sorted(followers_desc, reverse=True)  # followers, desc by default
    mine = next(r for r in rows if r["account"]["my_account"])
    assert mine["account"]["id"] == FB
    assert (mine["posts_count"], mine["statuses_count"]) == (FB_POSTS, FB_POSTS)
    assert mine["reach"] == sum(
        post_numbers(p["id"], "facebook", "status").reach for p in _published(posts, FB)
    )
    assert mine["followers"] == followers(FB, date(2030, 1, 9))
    by_posts = client.get(url, params={**RANGE, "sort_by": "posts_count", "sort_type": "asc"}).json()[
        "insights"
    ]
    assert [r["posts_count"] for r in by_posts] == sorted(r["posts_count"] for r in by_posts)
    one = client.get(url, params={**RANGE, "competitor_id": tracked[3]["id"]}).json()
    assert [r["account"]["name"] for r in one["insights"]] == ["Competitor 04"]
    assert client.get(url, params={"competitor_id": "nope"}).status_code == 404
    assert client.get(url, params={"sort_by": "likes"}).status_code == 400
    last = client.get(url, params={**RANGE, "page": 4}, headers={"X-Sandbox-Past-End": "last"}).json()
    assert len(last["insights"]) == 3
    assert set(client.get(url, headers={"X-Sandbox-Page-Echo": "none"}).json()) == {"insights"}
