"""The example DAGs on a real Airflow stack: scheduler, LocalExecutor workers, triggerer and API server.

Unlike ``airflow dags test`` (tests/integration), here the reschedule sensor is really put back
by the scheduler, the deferrable tasks really wait in a separate triggerer process, and the
results are read the way a user reads them: through the REST API and the task logs.
"""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS
from scripts.airflow_stack import AirflowStack
from tests.system.conftest import SECRET_API_KEY
from tests.system.stack import (
    RunRecord,
    events,
    explain,
    extra_links,
    files_containing,
    log_text,
    process_environ,
    reschedule_count,
    task_instance,
    task_instances,
    task_log,
    xcom_value,
)

pytestmark = [pytest.mark.fullstack, pytest.mark.timeout(900)]

QUICKSTART = "example_publer_quickstart"
FAILURE = "example_publer_failure_handling"
DEFERRABLE = "example_publer_deferrable"
LAUNCH = "example_publer_launch_with_image"
MAPPED = "example_publer_mapped_calendars"
WEEKLY = "example_publer_weekly_insights"
EXAMPLES = Path(__file__).resolve().parents[2] / "example_dags"
TRIGGER_LOGGER = "airflow_provider_publer.triggers.publer.PublerJobTrigger"
POST_TRIGGER_LOGGER = "airflow_provider_publer.triggers.publer.PublerPostTrigger"


@pytest.fixture
def api(airflow_stack: AirflowStack) -> Iterator[httpx.Client]:
    with airflow_stack.client() as client:
        yield client


def _sandbox_state(stack: AirflowStack) -> dict:
    assert stack.sandbox is not None
    return stack.sandbox.state_snapshot()


def test_stack_is_healthy_and_serves_the_provider(airflow_stack: AirflowStack, api: httpx.Client) -> None:
    health = httpx.get(f"{airflow_stack.url}/api/v2/monitor/health", timeout=10).json()
    for component in ("metadatabase", "scheduler", "triggerer", "dag_processor"):
        assert health[component]["status"] == "healthy", health
    providers = api.get("providers", params={"limit": 100}).json()["providers"]
    assert "airflow-provider-publer" in {p["package_name"] for p in providers}
    assert api.get("importErrors").json()["total_entries"] == 0


def test_quickstart_succeeds_and_its_sensor_was_rescheduled(
    airflow_stack: AirflowStack, api: httpx.Client, finished_runs: dict[str, RunRecord]
) -> None:
    run = finished_runs[QUICKSTART]
    assert run.state == "success", explain(airflow_stack, run)
    instances = {ti["task_id"]: ti for ti in task_instances(api, QUICKSTART, run.run_id)}
    assert {t: ti["state"] for t, ti in instances.items()} == {
        "list_accounts": "success",
        "build_posts": "success",
        "schedule_posts": "success",
        "wait_for_job": "success",
        "verify_posts": "success",
    }
    sensor = instances["wait_for_job"]
    # The scheduler recorded each poke that ended "not yet" as a reschedule of the same try.
    assert reschedule_count(airflow_stack.db_path, sensor["id"]) >= 1
    assert sensor["try_number"] == 1
    entries = task_log(api, QUICKSTART, run.run_id, "wait_for_job")
    said = events(entries)
    assert said.count("Rescheduling task, marking task as UP_FOR_RESCHEDULE") >= 1, said
    job_id = xcom_value(api, QUICKSTART, run.run_id, "schedule_posts")
    assert f"Publer job {job_id}: complete" in said
    assert "Success criteria met. Exiting." in said
    verify_log = log_text(task_log(api, QUICKSTART, run.run_id, "verify_posts"))
    assert f"Job {job_id}: 3 post(s) scheduled and listed on Publer." in verify_log
    # What Publer (the sandbox) now holds: the job's three scheduled posts.
    posts = [p for p in _sandbox_state(airflow_stack)["posts"] if p["job_id"] == job_id]
    assert sorted(p["network"] for p in posts) == ["facebook", "linkedin", "twitter"]
    assert {p["state"] for p in posts} == {"scheduled"}
    assert all(run.run_id in p["text"] for p in posts)


def test_quickstart_links_to_the_jobs_posts(
    airflow_stack: AirflowStack, api: httpx.Client, finished_runs: dict[str, RunRecord]
) -> None:
    run = finished_runs[QUICKSTART]
    job_id = xcom_value(api, QUICKSTART, run.run_id, "schedule_posts")
    assert airflow_stack.sandbox is not None
    expected = f"{airflow_stack.sandbox.base_url}/?job_id={job_id}"
    assert extra_links(api, QUICKSTART, run.run_id, "schedule_posts")["Publer posts"] == expected
    assert extra_links(api, QUICKSTART, run.run_id, "wait_for_job")["Publer posts"] == expected
    page = httpx.get(expected, headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200
    assert f"Posts of job {job_id}" in page.text
    assert page.text.count("/sandbox/posts/") == 3


def test_failure_handling_run_fails_with_publers_reason_in_the_task_log(
    airflow_stack: AirflowStack, api: httpx.Client, finished_runs: dict[str, RunRecord]
) -> None:
    run = finished_runs[FAILURE]
    assert run.state == "failed", explain(airflow_stack, run)
    states = {ti["task_id"]: ti["state"] for ti in task_instances(api, FAILURE, run.run_id)}
    assert states == {"build_posts": "success", "schedule_posts": "success", "wait_for_job": "failed"}
    sensor = task_instance(api, FAILURE, run.run_id, "wait_for_job")
    assert sensor["try_number"] == 1  # AirflowFailException: no useless retry
    entries = task_log(api, FAILURE, run.run_id, "wait_for_job")
    text = log_text(entries)
    assert "AirflowFailException" in text
    assert "Sandbox Instagram" in text
    assert "No content provided for instagram" in text
    assert f"account {SANDBOX_ACCOUNT_IDS['instagram']}" in text
    # The DAG's on_failure_callback ran and named the account too.
    callback = [e for e in events(entries) if "Sandbox Instagram" in e or "Publer refused" in e]
    assert any(e.startswith("Publer refused some posts") for e in callback), callback
    # The sensor had been rescheduled before Publer finished the job.
    assert reschedule_count(airflow_stack.db_path, sensor["id"]) >= 1
    job_id = xcom_value(api, FAILURE, run.run_id, "schedule_posts")
    job = next(j for j in _sandbox_state(airflow_stack)["jobs"] if j["id"] == job_id)
    assert [f["account_name"] for f in job["failures"]] == ["Sandbox Instagram"]


@pytest.mark.parametrize("task_id", ["wait_deferred", "publish_and_wait"])
def test_deferrable_tasks_waited_in_the_triggerer_and_resumed(
    airflow_stack: AirflowStack, api: httpx.Client, finished_runs: dict[str, RunRecord], task_id: str
) -> None:
    run = finished_runs[DEFERRABLE]
    assert run.state == "success", explain(airflow_stack, run)
    ti = task_instance(api, DEFERRABLE, run.run_id, task_id)
    assert ti["state"] == "success"
    assert ti["try_number"] == 1
    entries = task_log(api, DEFERRABLE, run.run_id, task_id)
    said = events(entries)
    deferred_at = said.index("Pausing task as DEFERRED. ")
    trigger_lines = events(entries, logger=TRIGGER_LOGGER)
    # The trigger ran in the triggerer process (its lines come from the triggerer's log file) ...
    assert trigger_lines, said
    assert trigger_lines[0].startswith("Waiting for Publer job(s) "), trigger_lines
    assert all(line.startswith("Publer job ") for line in trigger_lines[1:]), trigger_lines
    fired = [e for e in entries if e.get("event") == "Trigger fired event"]
    assert len(fired) == 1, said
    assert "'status': 'success'" in fired[0]["result"]
    assert "trigger completed" in said
    # ... and the task was resumed on a worker after the event: a second execution pushed its result.
    resumed = said.index("trigger completed")
    assert deferred_at < resumed < len(said) - 1
    assert said[resumed + 1 :].count("::group::Pre Execute") == 1
    assert "Pushing xcom" in said[resumed:]
    trigger_logs = list((airflow_stack.home / "logs").rglob(f"task_id={task_id}/attempt=1.log.trigger.*.log"))
    assert trigger_logs, "the triggerer wrote no log file for the trigger"


def test_deferrable_run_published_and_links_the_post(
    airflow_stack: AirflowStack, api: httpx.Client, finished_runs: dict[str, RunRecord]
) -> None:
    run = finished_runs[DEFERRABLE]
    job_id = xcom_value(api, DEFERRABLE, run.run_id, "publish_and_wait", key="publer_job_id")
    posts = [p for p in _sandbox_state(airflow_stack)["posts"] if p["job_id"] == job_id]
    assert [(p["network"], p["state"]) for p in posts] == [("mastodon", "published")]
    link = extra_links(api, DEFERRABLE, run.run_id, "publish_and_wait")["Published post"]
    assert airflow_stack.sandbox is not None
    assert link == f"{airflow_stack.sandbox.base_url}/sandbox/posts/{posts[0]['id']}"
    assert httpx.get(link, timeout=10).status_code == 200


@pytest.mark.parametrize("dag_id", [QUICKSTART, DEFERRABLE, LAUNCH, WEEKLY, MAPPED])
def test_a_green_run_logs_no_error(
    airflow_stack: AirflowStack, api: httpx.Client, finished_runs: dict[str, RunRecord], dag_id: str
) -> None:
    """No task log of a successful run holds an error line (as the UI shows the logs, triggerer
    lines included). The extra links used to log ``XCom not found`` for a URL never pushed."""
    run = finished_runs[dag_id]
    assert run.state == "success", explain(airflow_stack, run)
    errors = {}
    read = 0
    for ti in task_instances(api, dag_id, run.run_id):
        for try_number in range(1, ti["try_number"] + 1):
            entries = task_log(api, dag_id, run.run_id, ti["task_id"], try_number, ti["map_index"])
            read += sum(1 for e in entries if e.get("level"))
            bad = [e for e in entries if str(e.get("level", "")).lower() in ("error", "critical")]
            if bad:
                errors[f"{ti['task_id']} try {try_number}"] = bad
    # Control: log lines were read, each with its level (the weekly DAG has three short tasks).
    assert read > (25 if dag_id == WEEKLY else 50)
    assert errors == {}


def test_the_api_key_is_in_no_task_log_and_no_file(
    airflow_stack: AirflowStack, api: httpx.Client, finished_runs: dict[str, RunRecord]
) -> None:
    assert airflow_stack.process is not None
    # Control: the stack really runs with the secret key (the DAGs' connection, stored in the
    # metadata DB, carries it; Airflow's CLI decrypts it) ...
    stored = subprocess.run(
        [str(airflow_stack.airflow), "connections", "get", "publer_default", "-o", "json"],
        env=airflow_stack.env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert SECRET_API_KEY in stored
    assert "AIRFLOW_CONN_PUBLER_DEFAULT" not in process_environ(airflow_stack.process.pid)
    assert all(run.state in ("success", "failed") for run in finished_runs.values())
    # ... and no task log shows it, on any try of any task of the three runs ...
    checked = 0
    for run in finished_runs.values():
        for ti in task_instances(api, run.dag_id, run.run_id):
            for try_number in range(1, ti["try_number"] + 1):
                entries = task_log(api, run.dag_id, run.run_id, ti["task_id"], try_number, ti["map_index"])
                text = log_text(entries)
                assert SECRET_API_KEY not in text, f"{run.dag_id}.{ti['task_id']} try {try_number}"
                checked += 1
    assert checked >= 13
    # ... and no file under AIRFLOW_HOME does: task and triggerer logs, the SQLite DB and its WAL
    # (rendered fields, XComs, trigger kwargs), airflow.cfg and Airflow's own output.
    assert files_containing(airflow_stack.home, SECRET_API_KEY) == []


def test_launch_uploads_the_image_and_follows_the_post_until_published(
    airflow_stack: AirflowStack, api: httpx.Client, finished_runs: dict[str, RunRecord]
) -> None:
    """Upload -> schedule with the image -> job -> published (the post sensor waiting in the
    triggerer for Publer's time to come) -> the link logged, linked and the asset updated."""
    run = finished_runs[LAUNCH]
    assert run.state == "success", explain(airflow_stack, run)
    states = {ti["task_id"]: ti["state"] for ti in task_instances(api, LAUNCH, run.run_id)}
    assert set(states.values()) == {"success"}, states
    assert set(states) == {
        "upload_image",
        "pick_page",
        "build_post",
        "schedule_post",
        "wait_for_job",
        "wait_until_published",
        "log_link",
    }
    # The image reached Publer once, and the post carries it.
    [media] = xcom_value(api, LAUNCH, run.run_id, "upload_image")
    sandbox = _sandbox_state(airflow_stack)
    assert [m["name"] for m in sandbox["media"] if m["id"] == media["id"]] == ["launch.png"]
    job_id = xcom_value(api, LAUNCH, run.run_id, "schedule_post")
    [post] = [p for p in sandbox["posts"] if p["job_id"] == job_id]
    assert (post["network"], post["state"]) == ("facebook", "published")
    assert [m["id"] for m in post["media"]] == [media["id"]]
    # The post sensor deferred: its trigger ran in the triggerer and saw the post published.
    entries = task_log(api, LAUNCH, run.run_id, "wait_until_published")
    said = events(entries)
    assert "Pausing task as DEFERRED. " in said
    trigger_lines = events(entries, logger=POST_TRIGGER_LOGGER)
    assert trigger_lines, said
    assert trigger_lines[0] == "Waiting until 1 Publer post(s) are published, a check every 10s"
    [returned] = xcom_value(api, LAUNCH, run.run_id, "wait_until_published")
    assert (returned["id"], returned["state"], returned["post_link"]) == (
        post["id"],
        "published",
        post["post_link"],
    )
    links = extra_links(api, LAUNCH, run.run_id, "wait_until_published")
    assert links["Published post"] == post["post_link"]
    assert not links.get("Published post 2")
    assert httpx.get(post["post_link"], timeout=10).status_code == 200
    logged = log_text(task_log(api, LAUNCH, run.run_id, "log_link"))
    assert f"Post {post['id']} is published on facebook: {post['post_link']}" in logged
    # The sensor's outlet: a reporting DAG scheduled on the asset would run now.
    assets = api.get("assets/events", params={"limit": 100}).json()["asset_events"]
    assert any(
        e.get("source_dag_id") == LAUNCH and e.get("source_run_id") == run.run_id
        for e in assets
        if "publer_launch_posts_live" in (e.get("uri"), e.get("name"))
    ), assets


def test_weekly_insights_wrote_last_weeks_file(
    airflow_stack: AirflowStack, api: httpx.Client, finished_runs: dict[str, RunRecord]
) -> None:
    """Triggered without a logical date, the run has no data interval: the operator takes the
    week the timetable gives a manual run, asks Publer for every account but Telegram's, and
    writes the JSON Lines file the summary reads back."""
    run = finished_runs[WEEKLY]
    assert run.state == "success", explain(airflow_stack, run)
    path = Path(xcom_value(api, WEEKLY, run.run_id, "post_insights"))
    assert path.parent == airflow_stack.home / "publer-insights"
    today = datetime.now(timezone.utc).date()
    last_monday = today - timedelta(days=today.weekday() + 7)
    assert path.name == f"publer-post-insights-{last_monday:%Y-%m-%d}.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    summary = xcom_value(api, WEEKLY, run.run_id, "summarize")
    assert summary == {"posts": len(rows), "reach": sum(r["analytics"]["reach"] or 0 for r in rows)}
    asked = [
        route
        for route in _sandbox_state(airflow_stack)["requests"]["by_route"]
        if route.endswith("/post_insights")
    ]
    assert len(asked) == len(SANDBOX_ACCOUNT_IDS) - 1
    logged = log_text(task_log(api, WEEKLY, run.run_id, "post_insights"))
    assert f"from {last_monday:%Y-%m-%d} to {last_monday + timedelta(days=6):%Y-%m-%d}" in logged


def test_mapped_calendars_run_green_and_every_post_went_live(
    airflow_stack: AirflowStack, api: httpx.Client, finished_runs: dict[str, RunRecord]
) -> None:
    """One schedule task mapped over the calendar files, a sensor over every job, and a post sensor
    per calendar, under the real scheduler and triggerer."""
    run = finished_runs[MAPPED]
    assert run.state == "success", explain(airflow_stack, run)
    instances = task_instances(api, MAPPED, run.run_id)
    assert {ti["state"] for ti in instances} == {"success"}, instances
    mapped = sorted((ti["task_id"], ti["map_index"]) for ti in instances if ti["map_index"] >= 0)
    assert mapped == [
        ("schedule_calendars", 0),
        ("schedule_calendars", 1),
        ("wait_until_live", 0),
        ("wait_until_live", 1),
    ]
    # The calendars' rows (account and text) are this run's posts: the other examples post other texts.
    rows = set()
    for calendar in sorted((EXAMPLES / "calendars").glob("*.csv")):
        with calendar.open(newline="", encoding="utf-8") as handle:
            rows |= {(row["account_id"], row["text"]) for row in csv.DictReader(handle)}
    posts = [p for p in _sandbox_state(airflow_stack)["posts"] if (p["account_id"], p["text"]) in rows]
    assert len(rows) == 4
    assert sorted((p["account_id"], p["text"]) for p in posts) == sorted(rows), posts
    assert {p["state"] for p in posts} == {"published"}, posts
