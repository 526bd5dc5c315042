"""PublerJobTrigger.run() against the sandbox over loopback (pytest-asyncio, no mocked HTTP).

The trigger reads the ``publer_default`` connection from ``AIRFLOW_CONN_PUBLER_DEFAULT``; jobs are
created with the real hook. Every event must be JSON-serialisable: the triggerer stores it.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import time
from datetime import timedelta
from typing import Any

import pytest

from airflow_provider_publer.hooks.publer import PublerHook
from airflow_provider_publer.sandbox import (
    SANDBOX_ACCOUNT_IDS,
    FaultConfig,
    SandboxConfig,
    SandboxServer,
)
from airflow_provider_publer.triggers.publer import PublerJobTrigger
from tests.integration.conftest import sandbox_env, seeded_faults
from tests.integration.dags.support import WHEN, scheduled_posts

pytestmark = pytest.mark.integration

JOB_STATUS = "/api/v1/job_status"

FACEBOOK_ONLY_TO_INSTAGRAM = [
    {
        "networks": {"facebook": {"type": "status", "text": "Facebook-only note"}},
        "accounts": [
            {"id": SANDBOX_ACCOUNT_IDS["facebook"], "scheduled_at": WHEN.isoformat()},
            {"id": SANDBOX_ACCOUNT_IDS["instagram"], "scheduled_at": WHEN.isoformat()},
        ],
    }
]


@pytest.fixture
def connect(monkeypatch):
    """Point ``publer_default`` at a sandbox and submit a job there with the real hook."""

    def submit(server: SandboxServer, posts: list[dict[str, Any]]) -> str:
        for name, value in sandbox_env(server).items():
            monkeypatch.setenv(name, value)
        hook = PublerHook()
        try:
            return hook.schedule_posts(posts)
        finally:
            hook.close()

    return submit


async def _events(trigger: PublerJobTrigger) -> list[dict[str, Any]]:
    events = [event.payload async for event in trigger.run()]
    for payload in events:
        json.dumps(payload)  # the triggerer stores events as JSON
    return events


@pytest.mark.asyncio
@pytest.mark.parametrize(("style", "status"), [("flat", "complete"), ("envelope", "completed")])
async def test_success_event_carries_the_normalised_result(connect, style, status):
    with SandboxServer(SandboxConfig(job_latency=0.5, response_style=style)) as server:
        job_id = connect(server, scheduled_posts(f"trigger success {style}"))
        trigger = PublerJobTrigger(job_id=job_id, end_time=time.time() + 30, poll_interval=0.2)
        events = await _events(trigger)

    assert len(events) == 1
    [event] = events
    assert event["status"] == "success"
    assert event["job_id"] == job_id
    result = event["result"]
    assert result["job_id"] == job_id
    assert result["status"] == status
    assert result["succeeded"] is True
    assert result["failures"] == []


@pytest.mark.asyncio
@pytest.mark.parametrize("style", ["flat", "envelope"])
async def test_failed_event_lists_every_failed_account(connect, style):
    with SandboxServer(SandboxConfig(job_latency=0.3, response_style=style)) as server:
        job_id = connect(server, FACEBOOK_ONLY_TO_INSTAGRAM)
        [event] = await _events(PublerJobTrigger(job_id=job_id, end_time=time.time() + 30, poll_interval=0.2))

    assert event["status"] == "failed"
    result = event["result"]
    assert result["succeeded"] is False
    [failure] = result["failures"]
    assert failure["account_id"] == SANDBOX_ACCOUNT_IDS["instagram"]
    assert failure["account_name"] == "Sandbox Instagram"
    assert failure["message"] == "No content provided for instagram"


@pytest.mark.asyncio
async def test_timeout_event_honours_the_wall_clock_end_time(connect):
    with SandboxServer(SandboxConfig(job_latency=120)) as server:
        job_id = connect(server, scheduled_posts("trigger timeout"))
        started = time.monotonic()
        [event] = await _events(PublerJobTrigger(job_id=job_id, end_time=time.time() + 1.5, poll_interval=5))
        took = time.monotonic() - started
        # An end_time already past (the triggerer restarted late): one look, then timeout.
        [late] = await _events(PublerJobTrigger(job_id=job_id, end_time=time.time() - 60, poll_interval=5))
        checks = server.state_snapshot()["requests"]["by_route"][f"GET /api/v1/job_status/{job_id}"]

    assert event["status"] == "timeout"
    assert job_id in event["message"]
    # The poll interval is 5 s, but the trigger sleeps only until end_time.
    assert 1.2 <= took < 4.0, took
    assert late["status"] == "timeout"
    assert checks == 3


@pytest.mark.asyncio
async def test_backs_off_under_server_errors_and_rate_limits_and_still_succeeds(connect, monkeypatch):
    """Two 5xx then a 429 on the first checks: the hook's retry policy (shared with the sync hook)
    backs off exponentially with jitter, the 429 waits for the reset it announced, and once a check
    answers the trigger is back to its poll interval."""
    faults = seeded_faults(
        FaultConfig(rate_5xx=0.3, rate_429=0.2, paths=(JOB_STATUS,), methods=("GET",)),
        ["5xx", "5xx", "429", None],
        "GET",
        f"{JOB_STATUS}/job",
    )
    slept: list[float] = []
    real_sleep = asyncio.sleep
    loop = asyncio.get_running_loop()

    async def sleep(delay: float, *args: Any) -> None:  # records this loop's waits, then really waits
        if asyncio.get_running_loop() is loop:  # not the sandbox server's own loop
            slept.append(delay)
        await real_sleep(delay, *args)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    monkeypatch.setattr("airflow_provider_publer.triggers.publer.START_SPREAD", 0.0)
    with SandboxServer(SandboxConfig(job_latency=10.0, faults=faults)) as server:
        job_id = connect(server, scheduled_posts("trigger backoff"))
        [event] = await _events(PublerJobTrigger(job_id=job_id, end_time=time.time() + 60, poll_interval=0.1))
        state = server.state_snapshot()

    assert event["status"] == "success"
    assert event["result"]["succeeded"] is True
    assert state["faults"]["5xx"] >= 2
    assert state["faults"]["429"] >= 1
    slept = [s for s in slept if s > 0]  # the start spread is off
    assert 1.0 <= slept[0] <= 2.0  # backoff 1 s + jitter
    assert 2.0 <= slept[1] <= 3.0  # doubled
    assert 0.0 <= slept[2] <= 3.0  # the reset the 429 announced (1-2 s: a whole second) + jitter
    assert 0.1 in slept[3:]  # a check answered: back to the poll interval


def test_serialize_round_trips():
    trigger = PublerJobTrigger(
        job_id="68176fa0f0eb419444bee686",
        end_time=1_900_000_000.5,
        publer_conn_id="publer_other",
        workspace_id="5f8d7a62c9e77e001f36e3a1",
        poll_interval=12.0,
    )
    classpath, kwargs = trigger.serialize()
    module, _, name = classpath.rpartition(".")
    rebuilt = getattr(importlib.import_module(module), name)(**kwargs)
    assert type(rebuilt) is PublerJobTrigger
    assert rebuilt.serialize() == (classpath, kwargs)
    assert json.loads(json.dumps(kwargs)) == kwargs


@pytest.mark.asyncio
async def test_many_jobs_each_final_status_is_fetched_once(connect, monkeypatch):
    """Ten jobs, each answering "working" to its first status request: the trigger asks each job
    twice, 20 requests (a poll stops at the first job still working and never asks again about a
    finished one)."""
    from airflow_provider_publer.sandbox import api as sandbox_api

    real = sandbox_api.shapes.job_status
    asked: dict[str, int] = {}

    def working_once(job: Any, style: str, plan: str) -> dict[str, Any]:
        asked[job.id] = asked.get(job.id, 0) + 1
        return {"status": "working"} if asked[job.id] == 1 else real(job, style, plan)

    monkeypatch.setattr(sandbox_api.shapes, "job_status", working_once)
    monkeypatch.setattr("airflow_provider_publer.triggers.publer.START_SPREAD", 0.0)
    with SandboxServer(SandboxConfig(job_latency=0.0)) as server:
        hours = range(10)
        jobs = [connect(server, scheduled_posts(f"jobs {i}", when=WHEN + timedelta(hours=i))) for i in hours]
        trigger = PublerJobTrigger(job_ids=jobs, end_time=time.time() + 60, poll_interval=0.05)
        [event] = await _events(trigger)
        by_route = server.state_snapshot()["requests"]["by_route"]

    assert event["status"] == "success"
    assert event["result"]["job_ids"] == jobs
    assert [by_route[f"GET {JOB_STATUS}/{job}"] for job in jobs] == [2] * 10
