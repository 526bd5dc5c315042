"""The example DAGs and the README's DAG, run by real Airflow (`airflow dags test`) against the sandbox."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from airflow_provider_publer.sandbox import SANDBOX_API_KEY, SandboxConfig, SandboxServer
from tests.integration.conftest import ROOT, run_dag_test, sandbox_env, sandbox_state

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]


@pytest.mark.parametrize("style", ["flat", "envelope"])
def test_quickstart_succeeds_in_both_response_styles(style):
    with SandboxServer(SandboxConfig(job_latency=1.5, response_style=style)) as server:
        result = run_dag_test("example_publer_quickstart", sandbox_env(server))
        state = sandbox_state(server)
    assert result.succeeded, result.output[-4000:]
    scheduled = [p for p in state["posts"] if p["state"] == "scheduled"]
    assert {p["network"] for p in scheduled} == {"facebook", "linkedin", "twitter"}
    assert len(state["jobs"]) == 1
    assert "3 post(s) scheduled and listed on Publer" in result.output


def test_failures_fail_the_sensor_with_each_account_and_reason(sandbox):
    result = run_dag_test("example_publer_failure_handling", sandbox_env(sandbox))
    assert not result.succeeded
    assert "Sandbox Instagram" in result.output
    assert "No content provided for instagram" in result.output
    assert re.search(r"finished '(complete|completed)' with 1 failed account", result.output)
    assert "Publer refused some posts" in result.output
    state = sandbox_state(sandbox)
    assert [p["network"] for p in state["posts"]] == ["facebook"]


def test_deferrable_sensor_and_wait_for_completion(sandbox):
    result = run_dag_test("example_publer_deferrable", sandbox_env(sandbox))
    assert result.succeeded, result.output[-4000:]
    states = sorted(p["state"] for p in sandbox_state(sandbox)["posts"])
    assert states == ["published", "scheduled"]


def test_quickstart_under_the_rate_limit():
    """The run starts with the user's quota used up (5 requests per 20 s, the window longer than
    Airflow's start-up): the first request meets a 429 and waits for X-RateLimit-Reset, later
    ones are paced from the X-RateLimit-* headers, and the run still succeeds."""
    config = SandboxConfig(job_latency=1.0, rate_limit=5, rate_window=20.0)
    with SandboxServer(config) as server:
        headers = {"Authorization": f"Bearer-API {SANDBOX_API_KEY}"}
        for _ in range(5):
            assert httpx.get(f"{server.url}/workspaces", headers=headers, timeout=10).status_code == 200
        result = run_dag_test("example_publer_quickstart", sandbox_env(server))
        state = sandbox_state(server)
    assert result.succeeded, result.output[-4000:]
    assert "Pacing under Publer's rate limit" in result.output or state["rate_limited"] > 0
    assert re.search(r"retrying in|pacing under", result.output, flags=re.I)


def _readme_dag() -> str:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    return next(b for b in blocks if "PublerSchedulePostOperator" in b and "@dag" in b)


@pytest.mark.parametrize("style", ["flat", "envelope"])
def test_the_readme_dag_runs_as_written(tmp_path: Path, style):
    (tmp_path / "readme_dag.py").write_text(_readme_dag())
    with SandboxServer(SandboxConfig(job_latency=1.0, response_style=style)) as server:
        result = run_dag_test("announce_release", sandbox_env(server), dags_folder=tmp_path)
        state = sandbox_state(server)
    assert result.succeeded, result.output[-4000:]
    assert [p["network"] for p in state["posts"]] == ["facebook"]


def test_content_calendar_checks_then_schedules_every_row():
    """The CSV calendar next to the DAG: the dry run sends nothing, then every row is scheduled once."""
    with SandboxServer(SandboxConfig(job_latency=1.0)) as server:
        result = run_dag_test("example_publer_content_calendar", sandbox_env(server))
        state = sandbox_state(server)
    assert result.succeeded, result.output[-4000:]
    rows = (ROOT / "example_dags" / "content_calendar.csv").read_text().splitlines()[1:]
    assert len(state["posts"]) == len(rows) == 7
    assert len({(p["account_id"], p["text"]) for p in state["posts"]}) == 7
    assert state["requests"]["by_route"]["POST /api/v1/posts/schedule"] == 1
    assert "Dry run: 7 post(s)" in result.output
    assert "Would create 7 post(s); 0 already on Publer; 0 would be refused." in result.output


def test_mapped_calendars_schedule_every_file_and_wait_until_every_post_is_live():
    """One schedule task mapped over the calendar files; one sensor over every job; a mapped post
    sensor per calendar waits until its posts are published."""
    calendars = sorted((ROOT / "example_dags" / "calendars").glob("*.csv"))
    with SandboxServer(SandboxConfig(job_latency=1.0, publish_time_scale=60)) as server:
        result = run_dag_test("example_publer_mapped_calendars", sandbox_env(server))
        state = sandbox_state(server)
    assert result.succeeded, result.output[-6000:]
    rows = [line for path in calendars for line in path.read_text().splitlines()[1:]]
    assert len(calendars) == 2
    assert len(state["posts"]) == len(rows) == 4
    assert {p["state"] for p in state["posts"]} == {"published"}
    assert state["requests"]["by_route"]["POST /api/v1/posts/schedule"] == len(calendars)
    assert len(state["jobs"]) == len(calendars)
