"""Calendars of many posts as one task, against the sandbox with real Airflow: several requests
each sent exactly once across a crash, a CSV calendar, and a dry run that sends nothing."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_publer.hooks.publer import PublerHook
from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS, SandboxConfig, SandboxServer
from tests.integration.conftest import TEST_DAGS, run_dag_test, sandbox_env, sandbox_state
from tests.integration.dags.support import OUT_ENV, read_events

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

SCHEDULE_ROUTE = "POST /api/v1/posts/schedule"
HEADER = "account_id,network,type,text,scheduled_at,media,url,title,labels"


def _run(tmp_path: Path, dag_id: str, server: SandboxServer, **env: str) -> tuple[Any, dict, list[dict]]:
    folder = tmp_path / "dags"
    folder.mkdir(exist_ok=True)
    shutil.copy(TEST_DAGS / "publer_calendar.py", folder / "publer_calendar.py")
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    result = run_dag_test(
        dag_id, sandbox_env(server, **{OUT_ENV: str(out), **env}), dags_folder=folder, timeout=600
    )
    return result, sandbox_state(server), read_events(out)


def _event(events: list[dict], task_id: str, kind: str) -> dict:
    matching = [e for e in events if e["task_id"] == task_id and e["event"] == kind]
    assert len(matching) == 1, events
    return matching[0]


def test_1100_posts_go_out_as_three_requests_each_exactly_once_across_a_crash(tmp_path):
    first = (datetime.now(timezone.utc) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    with SandboxServer(SandboxConfig(job_latency=0.5, rate_limit_enabled=False)) as server:
        result, state, events = _run(
            tmp_path, "publer_calendar_batches", server, PUBLER_CALENDAR_FIRST=first.isoformat()
        )
    assert result.succeeded, result.output[-4000:]
    texts = Counter(p["text"] for p in state["posts"])
    assert len(texts) == 1100
    assert set(texts.values()) == {1}, "a post was created twice"
    assert state["requests"]["by_route"][SCHEDULE_ROUTE] == 3
    assert [len(j["request"]["bulk"]["posts"]) for j in state["jobs"]] == [500, 500, 100]
    assert "simulated worker crash after request 2" in result.output
    schedule = _event(events, "schedule", "success")
    assert schedule["try_number"] == 2
    assert schedule["value"] == [j["id"] for j in state["jobs"]]
    assert result.output.count("Reconnecting to job") == 2
    assert "GET /api/v1/posts" not in state["requests"]["by_route"], "nothing was uncertain: no listing"
    wait = _event(events, "wait", "success")
    assert wait["value"]["succeeded"] is True
    assert wait["value"]["job_ids"] == schedule["value"]


def _write_calendar(folder: Path, rows: list[str]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "calendar.csv").write_text("\n".join([HEADER, *rows]) + "\n")


def test_a_csv_calendar_is_scheduled_row_by_row(tmp_path):
    first = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    facebook = SANDBOX_ACCOUNT_IDS["facebook"]
    rows = [
        f"{facebook},facebook,status,CSV row {i},{(first + timedelta(hours=i)).isoformat()},,,,"
        for i in range(25)
    ]
    _write_calendar(tmp_path / "dags", rows)
    with SandboxServer(SandboxConfig(job_latency=0.5)) as server:
        result, state, events = _run(tmp_path, "publer_calendar_csv", server)
    assert result.succeeded, result.output[-4000:]
    assert sorted(p["text"] for p in state["posts"]) == sorted(f"CSV row {i}" for i in range(25))
    assert state["requests"]["by_route"][SCHEDULE_ROUTE] == 3  # 10 + 10 + 5
    assert len(_event(events, "schedule", "success")["value"]) == 3


def test_a_bad_csv_row_names_the_file_and_row_and_sends_nothing(tmp_path):
    first = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    rows = [
        f"{SANDBOX_ACCOUNT_IDS['facebook']},facebook,status,fine,{first.isoformat()},,,,",
        f"{SANDBOX_ACCOUNT_IDS['facebook']},facebook,status,naive time,2031-03-02T09:00:00,,,,",
    ]
    _write_calendar(tmp_path / "dags", rows)
    with SandboxServer(SandboxConfig(job_latency=0.5)) as server:
        result, state, events = _run(tmp_path, "publer_calendar_csv", server)
    assert not result.succeeded
    assert state["requests"]["total"] == 0
    _event(events, "schedule", "failed")
    # The task log (Airflow 3.1 passes no exception to failure callbacks raised while rendering).
    expected = "Nothing was sent to Publer. calendar.csv row 3: posts[1].accounts[0].scheduled_at"
    assert expected in result.output


def test_the_dry_run_predicts_refusals_and_sends_no_post(tmp_path, monkeypatch):
    """Publer holds a post at 09:00 on the Facebook page and 15 posts today on the Google location
    (the business plan's daily limit): the dry run reports the gap, the sixteenth Google post, the
    post that is already there (a real run would send it again and meet the gap), an account the
    workspace does not have, content for another network, and what it would create; no POST
    reaches the sandbox."""
    day = (datetime.now(timezone.utc) + timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
    facebook, google = SANDBOX_ACCOUNT_IDS["facebook"], SANDBOX_ACCOUNT_IDS["google"]
    linkedin = SANDBOX_ACCOUNT_IDS["linkedin"]
    existing = [
        {
            "networks": {"facebook": {"type": "status", "text": "already planned"}},
            "accounts": [{"id": facebook, "scheduled_at": (day + timedelta(hours=1)).isoformat()}],
        },
        {
            "networks": {"facebook": {"type": "status", "text": "same as the calendar"}},
            "accounts": [{"id": facebook, "scheduled_at": (day + timedelta(hours=3)).isoformat()}],
        },
        *[
            {
                "networks": {"google": {"type": "status", "text": f"google {i}"}},
                "accounts": [{"id": google, "scheduled_at": (day + timedelta(minutes=30 * i)).isoformat()}],
            }
            for i in range(15)
        ],
    ]
    rows = [
        f"{facebook},facebook,status,collides,{(day + timedelta(hours=1, seconds=30)).isoformat()},,,,",
        f"{facebook},facebook,status,same as the calendar,{(day + timedelta(hours=3)).isoformat()},,,,",
        f"{facebook},facebook,status,fine,{(day + timedelta(hours=5)).isoformat()},,,,",
        f"{google},google,status,one too many,{(day + timedelta(hours=9)).isoformat()},,,,",
        f"{'f' * 24},facebook,status,nobody's account,{(day + timedelta(hours=10)).isoformat()},,,,",
        f"{linkedin},facebook,status,wrong network,{(day + timedelta(hours=11)).isoformat()},,,,",
    ]
    _write_calendar(tmp_path / "dags", rows)
    with SandboxServer(SandboxConfig(job_latency=0.0)) as server:
        for name, value in sandbox_env(server).items():
            monkeypatch.setenv(name, value)
        hook = PublerHook()
        job = hook.schedule_posts(existing)
        assert hook.get_job_status(job).is_success
        hook.close()
        posts_before = sandbox_state(server)["requests"]["by_route"][SCHEDULE_ROUTE]
        result, state, events = _run(tmp_path, "publer_calendar_dry_run", server)
    assert result.succeeded, result.output[-4000:]
    assert state["requests"]["by_route"][SCHEDULE_ROUTE] == posts_before == 1
    report = _event(events, "plan", "success")["value"]
    assert report["dry_run"] is True
    assert (report["pairs"], report["would_create"], report["already_there"]) == (6, 1, 0)
    assert report["would_create"] + report["already_there"] + report["refused_total"] == report["pairs"]
    assert "Would create 1 post(s); 0 already on Publer; 5 would be refused." in result.output
    refused = {r["where"]: r["reason"] for r in report["refused"]}
    assert refused["posts[0].accounts[0]"].startswith("There's another post at this time")
    assert "the same post is already on Publer" in refused["posts[1].accounts[0]"]
    assert refused["posts[3].accounts[0]"].startswith(
        "Daily post limit reached for this account (15 google posts"
    )
    assert refused["posts[4].accounts[0]"].startswith("Resource does not exist")
    assert refused["posts[5].accounts[0]"] == "No content provided for linkedin"
    assert report["refused_total"] == 5
    assert "Dry run: 6 post(s)" in result.output


def test_a_calendar_run_again_creates_only_the_missing_posts_as_its_dry_run_predicts(tmp_path, monkeypatch):
    """11 posts of a 20-post calendar are already on Publer (same account, text and time): the dry
    run's categories are disjoint and add up to the 20 posts (the log says the same), and the run
    with ``skip_existing=True`` then creates exactly the 9 it predicted, and succeeds."""
    day = (datetime.now(timezone.utc) + timedelta(days=3)).replace(hour=6, minute=0, second=0, microsecond=0)
    facebook = SANDBOX_ACCOUNT_IDS["facebook"]
    times = [day + timedelta(minutes=20 * i) for i in range(20)]
    rows = [f"{facebook},facebook,status,again {i},{when.isoformat()},,,," for i, when in enumerate(times)]
    _write_calendar(tmp_path / "dags", rows)
    existing = [
        {
            "networks": {"facebook": {"type": "status", "text": f"again {i}"}},
            "accounts": [{"id": facebook, "scheduled_at": times[i].isoformat()}],
        }
        for i in range(0, 20, 2)
    ] + [
        {
            "networks": {"facebook": {"type": "status", "text": "again 19"}},
            "accounts": [{"id": facebook, "scheduled_at": times[19].isoformat()}],
        }
    ]
    with SandboxServer(SandboxConfig(job_latency=0.0)) as server:
        for name, value in sandbox_env(server).items():
            monkeypatch.setenv(name, value)
        hook = PublerHook()
        assert hook.get_job_status(hook.schedule_posts(existing)).is_success
        hook.close()
        posts_before = sandbox_state(server)["requests"]["by_route"][SCHEDULE_ROUTE]
        result, state, events = _run(tmp_path, "publer_calendar_again", server)

    assert result.succeeded, result.output[-4000:]
    report = _event(events, "plan", "success")["value"]
    counts = (report["pairs"], report["would_create"], report["already_there"], report["refused_total"])
    assert counts == (20, 9, 11, 0)
    assert "Would create 9 post(s); 11 already on Publer; 0 would be refused." in result.output
    texts = Counter(p["text"] for p in state["posts"])
    assert set(texts.values()) == {1}, "a post was created twice"
    assert sorted(texts) == sorted(f"again {i}" for i in range(20))
    schedule = _event(events, "schedule", "success")["value"]
    assert schedule["succeeded"] is True
    # Each request of 4 calendar posts sends only its missing ones: 9 posts in 5 requests.
    sent = state["requests"]["by_route"][SCHEDULE_ROUTE] - posts_before
    assert sum(len(j["request"]["bulk"]["posts"]) for j in state["jobs"][1:]) == 9
    assert sent == len(state["jobs"]) - 1
