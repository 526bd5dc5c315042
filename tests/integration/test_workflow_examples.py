"""The media and insights example DAGs, run by real Airflow (``airflow dags test``) against the sandbox.

``example_publer_launch_with_image`` uploads a real PNG, schedules a photo post with it, waits for
the job and (deferred, the trigger running inline) for Publer to publish the post; the sandbox's
faster publishing clock (``publish_time_scale``) makes the two minutes a few seconds.
``example_publer_weekly_insights`` reads last week's analytics of posts the sandbox published last
week (its clock is set back while they are created), and its file holds the sandbox's
deterministic numbers.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from airflow_provider_publer.sandbox import (
    SANDBOX_ACCOUNT_IDS,
    SANDBOX_API_KEY,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
)
from airflow_provider_publer.sandbox.analytics import post_numbers
from tests.integration.conftest import ROOT, run_dag_test, sandbox_env, sandbox_state

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

IMAGE = ROOT / "example_dags" / "assets" / "launch.png"


@pytest.mark.parametrize("style", ["flat", "envelope"])
def test_launch_with_image_uploads_schedules_and_follows_the_post_until_published(style):
    config = SandboxConfig(job_latency=1.0, response_style=style, publish_time_scale=60)
    with SandboxServer(config) as server:
        result = run_dag_test("example_publer_launch_with_image", sandbox_env(server))
        state = sandbox_state(server)
    assert result.succeeded, result.output[-6000:]
    [media] = state["media"]
    assert (media["name"], media["type"], media["size"]) == ("launch.png", "photo", IMAGE.stat().st_size)
    assert (media["width"], media["height"]) == (64, 64)
    [post] = state["posts"]
    assert (post["network"], post["state"]) == ("facebook", "published")
    assert post["account_id"] == SANDBOX_ACCOUNT_IDS["facebook"]
    assert [m["id"] for m in post["media"]] == [media["id"]]
    assert f"Post {post['id']} is published on facebook: {post['post_link']}" in result.output


def _monday(day: datetime) -> datetime:
    start = day.replace(hour=0, minute=0, second=0, microsecond=0)
    return start - timedelta(days=start.weekday())


def _schedule_raw(server: SandboxServer, posts: list[dict[str, Any]]) -> None:
    """Submit posts straight to the sandbox (its clock is in the past, the provider's is not)."""
    headers = {"Authorization": f"Bearer-API {SANDBOX_API_KEY}", "Publer-Workspace-Id": SANDBOX_WORKSPACE_ID}
    answer = httpx.post(
        f"{server.url}/posts/schedule",
        json={"bulk": {"state": "scheduled", "posts": posts}},
        headers=headers,
        timeout=10,
    )
    answer.raise_for_status()


def test_weekly_insights_writes_last_weeks_analytics_as_json_lines(tmp_path):
    now = datetime.now(timezone.utc)
    last_monday = _monday(now) - timedelta(days=7)
    wednesday = last_monday + timedelta(days=2, hours=10)
    clock = {"now": wednesday}
    config = SandboxConfig(job_latency=0.0, clock=lambda: clock["now"])
    accounts = {name: SANDBOX_ACCOUNT_IDS[name] for name in ("facebook", "linkedin", "instagram")}
    with SandboxServer(config) as server:
        posts = []
        for index, (network, account) in enumerate(accounts.items()):
            when = wednesday + timedelta(hours=1 + index)
            block = {"type": "status", "text": f"Weekly news #{network}"}
            if network == "instagram":
                block = {
                    "type": "photo",
                    "text": "Weekly news",
                    "media": [{"path": "https://example.com/a.png"}],
                }
            posts.append(
                {
                    "networks": {network: block},
                    "accounts": [{"id": account, "scheduled_at": when.isoformat()}],
                }
            )
        # One post of the week before, which the run must leave out.
        earlier = last_monday - timedelta(days=3)
        clock["now"] = earlier - timedelta(hours=1)
        _schedule_raw(
            server,
            [
                {
                    "networks": {"facebook": {"type": "status", "text": "Older news"}},
                    "accounts": [{"id": accounts["facebook"], "scheduled_at": earlier.isoformat()}],
                }
            ],
        )
        server.state_snapshot()
        clock["now"] = wednesday
        _schedule_raw(server, posts)
        server.state_snapshot()  # the jobs settle
        clock["now"] = now  # the posts go live
        published = {p["id"]: p for p in server.state_snapshot()["posts"] if p["state"] == "published"}
        assert len(published) == 4

        out = tmp_path / "insights"
        result = run_dag_test(
            "example_publer_weekly_insights", sandbox_env(server, PUBLER_EXAMPLE_OUTPUT_DIR=str(out))
        )
        requests = server.state_snapshot()["requests"]["by_route"]

    assert result.succeeded, result.output[-6000:]
    path = out / f"publer-post-insights-{last_monday:%Y-%m-%d}.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert sorted(row["network"] for row in rows) == ["facebook", "instagram", "linkedin"]
    for row in rows:
        post = published[row["id"]]
        numbers = post_numbers(post["id"], post["network"], post["type"])
        analytics = row["analytics"]
        assert analytics["reach"] == numbers.reach
        assert analytics["likes"] == numbers.likes
        assert analytics["engagement"] == (numbers.engagement if numbers.has_engagement else None)
        assert (analytics["saves"] is None) == (row["network"] == "linkedin")
        assert row["account_id"] == post["account_id"]
    total = sum(row["analytics"]["reach"] for row in rows)
    assert re.search(rf"{path.name}: 3 post\(s\) .*total reach {total}", result.output)
    # Every account but Telegram's was asked, once each (one page each).
    asked = {route for route in requests if route.endswith("/post_insights")}
    assert len(asked) == len(SANDBOX_ACCOUNT_IDS) - 1
    assert SANDBOX_ACCOUNT_IDS["telegram"] not in " ".join(asked)
