"""Real Airflow runs through every way users connect: a URI-form connection, and jobs submitted in a
workspace that is not the connection's default (the sensor follows the job's workspace)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from airflow_provider_publer.sandbox import (
    SANDBOX_API_KEY,
    SANDBOX_CLIENT_WORKSPACE_ID,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
)
from tests.integration.conftest import dags_folder_with, run_dag_test, sandbox_env, sandbox_state

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]


def _uri(server: SandboxServer) -> str:
    """``publer://:KEY@http%3A%2F%2F127.0.0.1:PORT/api/v1?workspace_id=WS``: what secrets backends store."""
    port = server.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1]
    return (
        f"publer://:{quote(SANDBOX_API_KEY, safe='')}@{quote('http://127.0.0.1', safe='')}:{port}"
        f"/api/v1?workspace_id={SANDBOX_WORKSPACE_ID}"
    )


def test_quickstart_runs_through_a_uri_connection():
    """Regression: a URI's port and path were dropped (https://127.0.0.1, connection refused)."""
    with SandboxServer(SandboxConfig(job_latency=1.0)) as server:
        env = {**sandbox_env(server), "AIRFLOW_CONN_PUBLER_DEFAULT": _uri(server)}
        result = run_dag_test("example_publer_quickstart", env)
        state = sandbox_state(server)
    assert result.succeeded, result.output[-4000:]
    assert len([p for p in state["posts"] if p["state"] == "scheduled"]) == 3


def test_quickstart_in_a_workspace_that_is_not_the_connections_default():
    """The operator is told the workspace, the sensor only the job id: it follows the job."""
    with SandboxServer(SandboxConfig(job_latency=1.5)) as server:
        result = run_dag_test(
            "example_publer_quickstart",
            sandbox_env(server),
            conf={"workspace_id": SANDBOX_CLIENT_WORKSPACE_ID},
        )
        state = sandbox_state(server)
    assert result.succeeded, result.output[-4000:]
    assert [p["account_name"] for p in state["posts"]] == ["Client Facebook Page"]
    assert "1 post(s) scheduled and listed on Publer" in result.output


def test_sensors_and_wait_for_completion_follow_the_jobs_workspace(tmp_path: Path):
    """Reschedule sensor, deferrable sensor and wait_for_completion, all without a workspace argument."""
    with SandboxServer(SandboxConfig(job_latency=2.0)) as server:
        result = run_dag_test(
            "publer_workspaces",
            sandbox_env(server),
            dags_folder=dags_folder_with(tmp_path, "publer_workspaces.py"),
        )
        state = sandbox_state(server)
    assert result.succeeded, result.output[-4000:]
    assert "Job not found" not in result.output
    assert sorted(p["text"] for p in state["posts"]) == [
        "client: deferrable",
        "client: reschedule",
        "client: wait_for_completion",
    ]
    assert {p["account_name"] for p in state["posts"]} == {"Client Facebook Page"}
