"""PublerJobSensor in real DAG runs against the sandbox: it waits through trouble, never mistakes an
unknown status for success, fails with Publer's reasons, and soft-fails to skipped when asked."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_publer.sandbox import FaultConfig, SandboxConfig, SandboxServer
from airflow_provider_publer.sandbox import api as sandbox_api
from airflow_provider_publer.sensors.publer import PublerJobSensor
from tests.integration.conftest import (
    DagRunResult,
    run_recorded_dag,
    seeded_faults,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAG_FILE = "publer_sensor.py"
JOB_STATUS = "/api/v1/job_status"


def _run(
    tmp_path: Path, dag_id: str, server: SandboxServer
) -> tuple[DagRunResult, dict[str, Any], list[dict[str, Any]]]:
    return run_recorded_dag(tmp_path, DAG_FILE, dag_id, server)


def _outcomes(events: list[dict[str, Any]]) -> dict[str, list[str]]:
    outcomes: dict[str, list[str]] = {}
    for event in events:
        outcomes.setdefault(event["task_id"], []).append(event["event"])
    return outcomes


def test_sensor_keeps_waiting_through_5xx_429_and_dropped_answers(tmp_path):
    # The first three checks (all by the first sensor) meet a 5xx, a 429 and a dropped answer.
    faults = seeded_faults(
        FaultConfig(rate_5xx=0.2, rate_429=0.2, rate_drop=0.2, paths=(JOB_STATUS,), methods=("GET",)),
        ["5xx", "429", "drop"],
        "GET",
        f"{JOB_STATUS}/job",
    )
    with SandboxServer(SandboxConfig(job_latency=2.0, faults=faults)) as server:
        result, state, events = _run(tmp_path, "publer_sensor_transient", server)

    assert result.succeeded, result.output[-4000:]
    assert _outcomes(events) == {
        "schedule": ["success"],
        "wait_no_hook_retries": ["success"],
        "wait": ["success"],
    }
    assert all(state["faults"][kind] >= 1 for kind in ("5xx", "429", "drop")), state["faults"]
    # Each of the first three checks met one kind of trouble and the sensor waited on.
    assert result.output.count("will check again") >= 3
    assert "Rate limit" in result.output or "429" in result.output
    # Reschedule mode: the worker slot is released between checks.
    assert "up_for_reschedule" in result.output.lower()
    for event in events:
        if event["task_id"].startswith("wait"):
            assert event["value"]["status"] == "complete"
            assert event["value"]["succeeded"] is True


def test_a_status_the_provider_does_not_know_is_never_success(tmp_path, monkeypatch):
    """The sandbox is made to answer ``{"status": "mystery"}`` for every job: both the poking and
    the deferrable sensor keep waiting and time out; neither succeeds."""
    monkeypatch.setattr(sandbox_api.shapes, "job_status", lambda job, style, plan: {"status": "mystery"})
    with SandboxServer(SandboxConfig(job_latency=0.2)) as server:
        result, _, events = _run(tmp_path, "publer_sensor_unknown_status", server)

    assert not result.succeeded
    outcomes = _outcomes(events)
    assert outcomes["schedule"] == ["success"]
    assert outcomes["wait"] == ["failed"]
    assert outcomes["wait_deferred"] == ["failed"]
    assert "has status 'mystery', which is not a final one; waiting" in result.output
    assert "did not finish before the sensor's timeout" in result.output
    assert not [e for e in events if e["task_id"].startswith("wait") and e["event"] == "success"]


def test_failed_accounts_fail_the_sensor_and_soft_fail_skips_in_deferrable_mode(tmp_path):
    # The deferrable sensor checks once before deferring, so the job must still be working when
    # wait_soft starts: on a loaded machine that came 4.5 s after the schedule task on Airflow
    # 3.1.8, and more than ten under a heavier load. Twenty seconds keeps the deferral (asserted
    # below) on the path under test.
    with SandboxServer(SandboxConfig(job_latency=20.0)) as server:
        result, state, events = _run(tmp_path, "publer_sensor_failures", server)

    assert not result.succeeded
    assert [p["network"] for p in state["posts"]] == ["facebook"]
    outcomes = _outcomes(events)
    # Failed accounts fail the task at once: no retry (the sensor has retries=2).
    assert outcomes["wait"] == ["failed"]
    failure = next(e for e in events if e["task_id"] == "wait")
    assert failure["try_number"] == 1
    assert "Sandbox Instagram" in result.output
    assert "No content provided for instagram" in result.output
    assert "with 1 failed account" in result.output
    # soft_fail=True in deferrable mode: the same failure skips the task instead.
    assert outcomes["wait_soft"] == ["skipped"]
    # The provider's "Skipping (soft_fail)" on 3.1; Airflow 3.3's sensor re-raises its own skip.
    assert re.search(r"Skipping.{0,40}soft_fail", result.output)
    assert "Pausing task as DEFERRED" in result.output, "wait_soft did not defer: the job ended first"


def test_reschedule_is_the_default_mode():
    assert PublerJobSensor(task_id="wait", job_id="abc").mode == "reschedule"
    assert PublerJobSensor(task_id="wait", job_id="abc", mode="poke").mode == "poke"


def test_a_pokes_retries_stay_within_the_sensors_timeout(tmp_path):
    """Regression: with Publer answering 5xx, one poke retried inside the hook for up to 31 s, so
    ``timeout=10`` ended after 31 s. The waits the hook plans now end before the sensor's deadline."""
    faults = FaultConfig(rate_5xx=1.0, paths=(JOB_STATUS,), methods=("GET",))
    with SandboxServer(SandboxConfig(job_latency=1.0, faults=faults)) as server:
        result, state, events = _run(tmp_path, "publer_sensor_timeout_budget", server)

    assert not result.succeeded
    assert _outcomes(events)["wait"] == ["failed"]
    # The task log (Airflow 3.1 passes no exception to the failure callback of a timed-out sensor).
    assert "AirflowSensorTimeout" in result.output
    pokes = result.output.split("Rescheduling task, marking task as UP_FOR_RESCHEDULE")
    planned = [
        [float(w) for w in re.findall(r"Retrying in ([0-9.]+)s after attempt", poke)] for poke in pokes
    ]
    assert any(planned), "the hook retried the 5xx answers"
    assert all(sum(waits) <= 6 for waits in planned), planned
    assert state["requests"]["by_route"][f"GET {JOB_STATUS}/{state['jobs'][0]['id']}"] >= 2
