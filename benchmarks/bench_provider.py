"""Benchmarks of the provider's costs that users feel: DAG-parse import cost, validation, parsing,
reconciliation, and request throughput against the sandbox over loopback.

Prints figures and ratios; asserts nothing (timings on shared machines are noisy, so
tests never check them). Run with ``make bench``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

ACCOUNT = "63c675b54e299e9cf2b667ea"


def _best_of(func: Callable[[], Any], repeat: int = 5, number: int = 1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            func()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def _import_time(statement: str, repeat: int = 5) -> float:
    """Median wall time of a fresh interpreter running ``statement``."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_parse_cost() -> None:
    base = _import_time("import airflow.sdk")
    ops = _import_time(
        "import airflow.sdk, airflow_provider_publer.operators.publer, airflow_provider_publer.sensors.publer"
    )
    hook = _import_time("import airflow.sdk, airflow_provider_publer.hooks.publer")
    print("DAG-parse cost (fresh interpreter, median of 5)")
    print(f"  import airflow.sdk                     {base * 1000:8.1f} ms")
    print(f"  + operator and sensor modules          {ops * 1000:8.1f} ms  (+{(ops - base) * 1000:.1f} ms)")
    print(f"  + hook module (execution only)         {hook * 1000:8.1f} ms  (+{(hook - base) * 1000:.1f} ms)")
    print(f"  ratio operator-import / airflow.sdk    {ops / base:8.3f}")


_PROVIDER_IMPORT = r"""
import json, sys, time
import airflow.sdk
before = set(sys.modules)
start = time.perf_counter()
import airflow_provider_publer.operators.publer, airflow_provider_publer.sensors.publer
took = time.perf_counter() - start
loaded = set(sys.modules) - before
print(json.dumps({"ms": took * 1000, "modules": len(loaded),
                  "provider": len([m for m in loaded if m.startswith("airflow_provider_publer")])}))
"""


def bench_provider_import(repeat: int = 15) -> None:
    """What the operator and sensor modules themselves cost once ``airflow.sdk`` is loaded, timed
    inside each fresh interpreter (its start-up is not counted): the minimum of ``repeat`` runs,
    the figure least disturbed by other work on a shared machine."""
    import json

    rows = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", _PROVIDER_IMPORT], check=True, capture_output=True, text=True
        )
        rows.append(json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1]))
    best = min(row["ms"] for row in rows)
    median = statistics.median(row["ms"] for row in rows)
    print(f"Operator and sensor modules after airflow.sdk (in-process, {repeat} fresh interpreters)")
    print(
        f"  min {best:6.1f} ms, median {median:6.1f} ms; {rows[0]['modules']} modules loaded, "
        f"{rows[0]['provider']} of them the provider's"
    )


def _posts(n: int) -> list[dict[str, Any]]:
    start = datetime.now(timezone.utc) + timedelta(hours=1)
    return [
        {
            "networks": {"facebook": {"type": "status", "text": f"Post {i}"}},
            "accounts": [{"id": f"{i:024x}", "scheduled_at": start + timedelta(minutes=2 * i)}],
        }
        for i in range(n)
    ]


def bench_validation() -> None:
    from airflow_provider_publer.validation import validate_posts

    posts = _posts(500)
    per_call = _best_of(lambda: validate_posts(posts), repeat=5)
    print("Validation of a full bulk request (500 posts, datetimes to normalise)")
    print(f"  {per_call * 1000:8.2f} ms per request  ({500 / per_call:,.0f} posts/s)")


def bench_normalisation() -> None:
    from airflow_provider_publer.responses import parse_job_status

    flat = {"status": "complete", "payload": {"failures": {}}}
    failures = [
        {"account_id": str(i), "account_name": "A", "provider": "facebook", "message": "x"} for i in range(50)
    ]
    envelope = {
        "success": True,
        "data": {"status": "completed", "result": {"payload": {"failures": failures}}},
    }
    t_flat = _best_of(lambda: parse_job_status("j", flat), number=2000)
    t_env = _best_of(lambda: parse_job_status("j", envelope), number=2000)
    print("Job-status normalisation")
    print(f"  flat, no failures       {t_flat * 1e6:8.2f} µs")
    print(f"  envelope, 50 failures   {t_env * 1e6:8.2f} µs   ratio {t_env / t_flat:.1f}x")


def bench_reconcile() -> None:
    from airflow_provider_publer.reconcile import intended_posts, match

    posts = _posts(500)
    from airflow_provider_publer.validation import validate_posts

    checked = validate_posts(posts)
    existing = [
        {
            "id": f"p{i}",
            "account_id": a["id"],
            "text": p["networks"]["facebook"]["text"],
            "scheduled_at": a["scheduled_at"],
        }
        for i, p in enumerate(checked)
        for a in p["accounts"]
    ] + [
        {"id": f"o{i}", "account_id": f"{i:024x}", "text": "other", "scheduled_at": "2030-01-01T00:00:00Z"}
        for i in range(5000)
    ]
    entries = intended_posts(checked)
    since = datetime.now(timezone.utc)
    per_call = _best_of(lambda: match(checked, entries, existing, since=since), repeat=3)
    print("Reconciliation matching (500 intended posts against 5,500 listed)")
    print(f"  {per_call * 1000:8.2f} ms")


def bench_http() -> None:
    try:
        from airflow_provider_publer.sandbox import (
            SANDBOX_API_KEY,
            SANDBOX_WORKSPACE_ID,
            SandboxConfig,
            SandboxServer,
        )
    except ImportError:
        print("HTTP: sandbox not available, skipped")
        return
    import json
    import os

    from airflow_provider_publer.hooks.publer import PublerHook

    n = 300
    with SandboxServer(SandboxConfig(rate_limit_enabled=False, job_latency=0.0)) as server:
        os.environ["AIRFLOW_CONN_PUBLER_BENCH"] = json.dumps(
            {
                "conn_type": "publer",
                "password": SANDBOX_API_KEY,
                "host": server.url,
                "extra": {"workspace_id": SANDBOX_WORKSPACE_ID},
            }
        )
        hook = PublerHook("publer_bench")
        hook.list_accounts()
        start = time.perf_counter()
        for _ in range(n):
            hook.list_accounts()
        reused = (time.perf_counter() - start) / n
        start = time.perf_counter()
        for _ in range(n // 3):
            fresh = PublerHook("publer_bench")
            fresh.list_accounts()
            fresh.close()
        fresh_t = (time.perf_counter() - start) / (n // 3)
        hook.close()
    print(f"GET /accounts against the sandbox over loopback ({n} requests)")
    print(f"  reused client   {reused * 1000:8.2f} ms/request  ({1 / reused:,.0f} req/s)")
    print(f"  new hook each   {fresh_t * 1000:8.2f} ms/request   ratio {fresh_t / reused:.2f}x")


def main() -> None:
    bench_parse_cost()
    bench_provider_import()
    bench_validation()
    bench_normalisation()
    bench_reconcile()
    bench_http()


if __name__ == "__main__":
    main()
