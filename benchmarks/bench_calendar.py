"""Benchmarks of calendars at scale and of many waits in one triggerer, against the sandbox.

Part 1, calendars: N = 500, 2,000 and 10,000 posts over 20 accounts, scheduled by one
``PublerSchedulePostOperator(wait_for_completion=True)`` task run by ``airflow dags test``
against the sandbox with its rate limit on. Publer allows 100 requests per 120 s; the sandbox
here allows 10 per 12 s: the same rate (0.83 requests/s) with a tenth of the burst, so the limit
binds at these sizes and the wall times are what Publer's rate imposes. Per N it prints the
requests made against the floor (one submit per 500 posts plus one status check per job), the
wall time (first submission to last confirmed job) against the time floor (what the rate limit
imposes on the floor's requests, plus one poll interval: a job is checked no sooner), the 429s
met, the tasks failed by a 429 and the duplicates.

Part 2, waits: 1,000 ``PublerJobTrigger`` waits in one event loop (a triggerer's default
capacity) on jobs that stay working, against the sandbox with Publer's real limit (100 per
120 s). It prints the memory growth, the longest stall of the event loop, and the requests per
minute against the budget.

Prints figures and ratios; asserts nothing (timings on shared machines are noisy). Run with
``make bench`` (or ``python benchmarks/bench_calendar.py [calendars|waits]``).
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from airflow_provider_publer.sandbox import (  # noqa: E402
    SANDBOX_API_KEY,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
    default_workspaces,
)

ACCOUNTS = 20
RATE_LIMIT, RATE_WINDOW = 10, 12.0
JOB_LATENCY = 1.0
POLL_INTERVAL = 2.0
SIZES = (500, 2000, 10000)

DAG = textwrap.dedent(
    """
    import json, os
    from datetime import datetime, timezone
    from airflow.sdk import DAG
    from airflow_provider_publer.operators.publer import PublerSchedulePostOperator

    with DAG("bench_calendar", schedule=None, start_date=datetime(2025, 1, 1, tzinfo=timezone.utc)):
        PublerSchedulePostOperator(
            task_id="schedule",
            posts=json.load(open(os.environ["BENCH_POSTS"])),
            wait_for_completion=True,
            poll_interval=float(os.environ["BENCH_POLL"]),
            retries=0,
        )
    """
)


def _accounts() -> list[dict[str, str]]:
    return [
        {
            "id": f"{0x64A000000000000000000000 + i:024x}",
            "name": f"Bench X {i}",
            "provider": "twitter",
            "type": "profile",
            "picture": "",
            "status": "active",
        }
        for i in range(ACCOUNTS)
    ]


def _calendar(n: int, accounts: list[dict[str, str]]) -> list[dict[str, Any]]:
    """n posts round-robin over the accounts, 15 minutes apart per account (96 a day, under 100)."""
    first = (datetime.now(timezone.utc) + timedelta(days=1)).replace(second=0, microsecond=0)
    return [
        {
            "networks": {"twitter": {"type": "status", "text": f"Bench post {i}"}},
            "accounts": [
                {
                    "id": accounts[i % len(accounts)]["id"],
                    "scheduled_at": (first + timedelta(minutes=15 * (i // len(accounts)))).isoformat(),
                }
            ],
        }
        for i in range(n)
    ]


def _time_floor(requests: int) -> float:
    """Least time RATE_LIMIT per RATE_WINDOW allows for ``requests``, plus one poll interval."""
    windows = max(0, math.ceil(requests / RATE_LIMIT) - 1)
    return windows * RATE_WINDOW + POLL_INTERVAL


def _airflow_env(home: Path, server: SandboxServer, posts_file: Path, dags: Path) -> dict[str, str]:
    conn = {
        "conn_type": "publer",
        "password": SANDBOX_API_KEY,
        "host": server.url,
        "extra": {
            "workspace_id": SANDBOX_WORKSPACE_ID,
            "rate_limit": RATE_LIMIT,
            "rate_limit_window": RATE_WINDOW,
        },
    }
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW_CONN_PUBLER_DEFAULT": json.dumps(conn),
        "BENCH_POSTS": str(posts_file),
        "BENCH_POLL": str(POLL_INTERVAL),
        "PYTHONPATH": str(ROOT),
    }


def bench_calendars(sizes: tuple[int, ...] = SIZES) -> None:
    airflow = str(Path(sys.executable).with_name("airflow"))
    accounts = _accounts()
    with tempfile.TemporaryDirectory(prefix="publer-bench-") as tmp:
        home, dags = Path(tmp) / "home", Path(tmp) / "dags"
        dags.mkdir()
        (dags / "bench_calendar.py").write_text(DAG)
        print(
            f"Calendars: one task, {ACCOUNTS} accounts, sandbox limit {RATE_LIMIT} per {RATE_WINDOW} s "
            f"(Publer's rate, a tenth of its burst), jobs take {JOB_LATENCY:.0f} s, "
            f"checks every {POLL_INTERVAL:.0f} s"
        )
        print(
            f"{'N':>6} {'requests':>9} {'floor':>6} {'ratio':>6} {'wall s':>8} {'floor s':>8} {'ratio':>6} "
            f"{'429s':>5} {'failed':>7} {'dups':>5} {'posts':>6}"
        )
        for n in sizes:
            config = SandboxConfig(
                job_latency=JOB_LATENCY,
                rate_limit=RATE_LIMIT,
                rate_window=RATE_WINDOW,
                workspaces=default_workspaces(),
                accounts={SANDBOX_WORKSPACE_ID: accounts},
            )
            posts_file = Path(tmp) / f"posts-{n}.json"
            posts_file.write_text(json.dumps(_calendar(n, accounts)))
            with SandboxServer(config) as server:
                env = _airflow_env(home, server, posts_file, dags)
                subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True)
                started = time.monotonic()
                run = subprocess.run(
                    [airflow, "dags", "test", "bench_calendar"], env=env, capture_output=True, text=True
                )
                wall = time.monotonic() - started
                state = server.state_snapshot()
            output = run.stdout + run.stderr
            wall = _task_seconds(output) or wall
            requests = state["requests"]["total"]
            jobs = math.ceil(n / 500)
            floor = 2 * jobs  # one submit and one status check per job
            texts = Counter(p["text"] for p in state["posts"])
            dups = sum(c - 1 for c in texts.values() if c > 1)
            failed_by_429 = int(run.returncode != 0 and "HTTP 429" in output)
            tf = _time_floor(floor)
            print(
                f"{n:>6} {requests:>9} {floor:>6} {requests / floor:>6.2f} {wall:>8.1f} {tf:>8.1f} "
                f"{wall / tf:>6.2f} {state['rate_limited']:>5} {failed_by_429:>7} {dups:>5} {len(texts):>6}"
            )
            if run.returncode != 0:
                print(textwrap.indent(output[-3000:], "    | "))


def _task_seconds(output: str) -> float | None:
    """Seconds from the first submission to the last job found complete, from the task log."""
    first = re.search(r"^(\S+Z) .*Submitting \d+ post", output, re.M)
    last = re.findall(r"^(\S+Z) .*Publer job \S+: complete", output, re.M)
    if not first or not last:
        return None
    start = datetime.fromisoformat(first.group(1).replace("Z", "+00:00"))
    end = datetime.fromisoformat(last[-1].replace("Z", "+00:00"))
    return (end - start).total_seconds()


# -- part 2: 1,000 waits in one event loop ----------------------------------------------------------


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _waits(count: int, seconds: float) -> None:
    import contextlib
    import logging

    from airflow_provider_publer.hooks.publer import PublerHook, aclose_clients
    from airflow_provider_publer.sandbox.state import SandboxStore
    from airflow_provider_publer.triggers.publer import PublerJobTrigger

    logging.getLogger("airflow_provider_publer").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="publer-waits-") as tmp:
        # The jobs are made in the sandbox's SQLite file, then the sandbox serves them from a process
        # of its own, so its request handling does not compete with the event loop measured here.
        db = str(Path(tmp) / "sandbox.db")
        store = SandboxStore(SandboxConfig(job_latency=3600.0, db_path=db))
        job_ids = [
            store.submit_posts(SANDBOX_WORKSPACE_ID, "schedule", {"state": "scheduled", "posts": []}, "")
            for _ in range(count)
        ]
        store.close()
        port = _free_port()
        sandbox = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "airflow_provider_publer.sandbox",
                "--port",
                str(port),
                "--db",
                db,
                "--job-latency",
                "3600",
                "--rate-limit",
                "100",
                "--rate-window",
                "120",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        stack = contextlib.ExitStack()
        try:
            assert sandbox.stdout is not None
            sandbox.stdout.readline()  # "Publer sandbox listening on ..."
            base = f"http://127.0.0.1:{port}"
            os.environ["AIRFLOW_CONN_PUBLER_DEFAULT"] = json.dumps(
                {
                    "conn_type": "publer",
                    "password": SANDBOX_API_KEY,
                    "host": f"{base}/api/v1",
                    "extra": {"workspace_id": SANDBOX_WORKSPACE_ID},
                }
            )
            PublerHook().get_current_user()  # one request: this process knows the key's budget
            before_state = _state(base)
            # A process that imported Airflow holds millions of objects: Python's full collections
            # of them pause any event loop for 100+ ms, with or without this provider. Freezing
            # what start-up made (as Airflow's DAG processor does) keeps them out, so the stalls
            # measured are the waits' own; the collections' own pauses are reported apart.
            gc.collect()
            gc.freeze()
            pauses = _gc_pauses()
            before = _rss_mb()
            stalls: list[float] = []

            async def heartbeat() -> None:
                while True:
                    start = time.perf_counter()
                    await asyncio.sleep(0.01)
                    stalls.append(time.perf_counter() - start - 0.01)

            log_file = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 (closed by the stack)
            stack.enter_context(_stdout_to(log_file))  # the triggers' logs go to a file, as in a triggerer
            beat = asyncio.create_task(heartbeat())
            started = time.monotonic()
            end_time = time.time() + 7200  # sensors wait for hours: no wait here reaches its deadline
            triggers = [PublerJobTrigger(job_id=j, end_time=end_time, poll_interval=30.0) for j in job_ids]
            tasks = [asyncio.create_task(_drain(t)) for t in triggers]
            await asyncio.sleep(seconds)
            elapsed = time.monotonic() - started
            after = _rss_mb()
            for task in tasks:
                task.cancel()
            beat.cancel()
            await asyncio.gather(*tasks, beat, return_exceptions=True)
            await aclose_clients()
            stack.close()
            state = _state(base)
        finally:
            stack.close()
            sandbox.terminate()
            sandbox.wait(timeout=30)
    made = state["requests"]["total"] - before_state["requests"]["total"]
    limited = state["rate_limited"] - before_state["rate_limited"]
    per_minute = made / elapsed * 60
    # The most a 100-per-120-s window lets through in ``elapsed`` seconds (a full window, then its rate).
    allowed = 100 * (1 + max(0.0, elapsed - 120) / 120)
    print(
        f"Waits: {count} PublerJobTrigger in one event loop for {elapsed:.0f} s, sandbox limit 100 per 120 s"
    )
    print(f"  memory growth          {after - before:8.1f} MB  (goal: at most 150 MB)")
    print(f"  longest loop stall     {max(stalls) * 1000:8.1f} ms  (goal: at most 100 ms)")
    print(
        f"  longest GC pause       {max(pauses, default=0.0) * 1000:8.1f} ms  (Python's, after gc.freeze())"
    )
    print(f"  requests               {made:8d}     ({per_minute:.1f}/min; the window allows {allowed:.0f})")
    print(f"  ratio to the budget    {made / allowed:8.2f}")
    print(f"  429s met               {limited:8d}")


class _stdout_to:
    """Send file descriptor 1 to ``target`` for a while (structlog writes there directly)."""

    def __init__(self, target: Any) -> None:
        self.target = target

    def __enter__(self) -> None:
        sys.stdout.flush()
        self.saved = os.dup(1)
        os.dup2(self.target.fileno(), 1)

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()
        os.dup2(self.saved, 1)
        os.close(self.saved)


def _gc_pauses() -> list[float]:
    """Durations of the garbage collector's runs from now on (seconds), filled in as they happen."""
    pauses: list[float] = []
    started: list[float] = []

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            pauses.append(time.perf_counter() - started[0])

    gc.callbacks.append(callback)
    return pauses


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _state(base: str) -> dict[str, Any]:
    import httpx

    return dict(httpx.get(f"{base}/sandbox/state", timeout=60).json())


async def _drain(trigger: Any) -> None:
    async for _ in trigger.run():
        return


def bench_waits(count: int = 1000, seconds: float = 150.0) -> None:
    asyncio.run(_waits(count, seconds))


if __name__ == "__main__":
    which = sys.argv[1:] or ["calendars", "waits"]
    if "calendars" in which:
        bench_calendars()
    if "waits" in which:
        bench_waits()
