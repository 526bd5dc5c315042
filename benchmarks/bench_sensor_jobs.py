"""Benchmark: status requests per job when one wait covers many jobs, against the sandbox.

A calendar of 5,000 posts is 10 jobs, of 50,000 posts 100; Publer allows 100 requests in 2 minutes
for the whole user. Each job here answers "working" to its first status request and its final
status after (the emulator's worst ordinary case). For N = 10, 50 and 100 jobs the job trigger
(:class:`~airflow_provider_publer.triggers.publer.PublerJobTrigger`, the deferrable path) waits for
all of them; the benchmark prints the status requests, the requests per job (2.0 is the floor:
one "working", one final) and how many final statuses were fetched more than once (0 expected).
The rescheduled sensor keeps the same count across pokes (tests/integration/test_mapped_sensors.py
counts it under ``airflow dags test``).

Prints figures; asserts nothing. Run with ``python benchmarks/bench_sensor_jobs.py``.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from airflow_provider_publer.sandbox import (  # noqa: E402
    SANDBOX_ACCOUNT_IDS,
    SANDBOX_API_KEY,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
)
from airflow_provider_publer.sandbox import api as sandbox_api  # noqa: E402

SIZES = (10, 50, 100)
WHEN = datetime(2031, 3, 2, 9, 0, tzinfo=timezone.utc)


def _connect(server: SandboxServer) -> None:
    import json

    os.environ["AIRFLOW_CONN_PUBLER_DEFAULT"] = json.dumps(
        {
            "conn_type": "publer",
            "password": SANDBOX_API_KEY,
            "host": server.url,
            "extra": {"workspace_id": SANDBOX_WORKSPACE_ID},
        }
    )


def _submit(count: int) -> list[str]:
    from airflow_provider_publer.hooks.publer import PublerHook

    hook = PublerHook()
    try:
        return [
            hook.schedule_posts(
                [
                    {
                        "networks": {"default": {"type": "status", "text": f"bench job {i}"}},
                        "accounts": [
                            {
                                "id": SANDBOX_ACCOUNT_IDS["facebook"],
                                "scheduled_at": (WHEN + timedelta(hours=i)).isoformat(),
                            }
                        ],
                    }
                ]
            )
            for i in range(count)
        ]
    finally:
        hook.close()


def run(count: int) -> dict[str, Any]:
    from airflow_provider_publer.triggers import publer as triggers

    real = sandbox_api.shapes.job_status
    asked: dict[str, int] = {}
    finals: dict[str, int] = {}

    def working_once(job: Any, style: str, plan: str) -> dict[str, Any]:
        asked[job.id] = asked.get(job.id, 0) + 1
        if asked[job.id] == 1:
            return {"status": "working"}
        finals[job.id] = finals.get(job.id, 0) + 1
        return real(job, style, plan)

    sandbox_api.shapes.job_status = working_once
    triggers.START_SPREAD = 0.0
    try:
        with SandboxServer(SandboxConfig(job_latency=0.0, rate_limit=100_000)) as server:
            _connect(server)
            jobs = _submit(count)
            asked.clear()
            trigger = triggers.PublerJobTrigger(job_ids=jobs, end_time=time.time() + 600, poll_interval=0.02)

            async def wait() -> dict[str, Any]:
                events = [event.payload async for event in trigger.run()]
                return events[0]

            started = time.monotonic()
            event = asyncio.run(wait())
            took = time.monotonic() - started
    finally:
        sandbox_api.shapes.job_status = real
    requests = sum(asked.values())
    return {
        "jobs": count,
        "status": event["status"],
        "requests": requests,
        "per_job": requests / count,
        "finals_fetched_twice": sum(1 for n in finals.values() if n > 1),
        "seconds": took,
    }


def main() -> None:
    print("jobs  event    status requests  per job  final statuses fetched twice  seconds")
    for count in SIZES:
        r = run(count)
        print(
            f"{r['jobs']:>4}  {r['status']:<8} {r['requests']:>15}  {r['per_job']:>7.1f}  "
            f"{r['finals_fetched_twice']:>28}  {r['seconds']:>7.1f}"
        )


if __name__ == "__main__":
    main()
