"""Benchmark of the Publer page: a month of 2,000 posts, its time and its Publer requests per view.

The sandbox holds 2,000 posts scheduled over next month on 20 accounts, all of them submitted by
one task instance (what the page traces them to), and keeps Publer's real request limit (100 per
2 minutes per key). The page reads them through ``PublerHook`` exactly as the API server does
(``load_calendar``: ``GET /workspaces``, ``GET /accounts``, one ``GET /posts`` per 20 posts of
the month) and renders its HTML table. Printed per view:

- cold: nothing cached (the first view after the API server started);
- cold list: the ids cached (``IDS_CACHE_SECONDS``), the month's list not (a view more than
  ``CACHE_SECONDS`` after the last);
- cached: within ``CACHE_SECONDS`` of the last view, whoever looked;
- a week of the same month, cold list;
- the old cap of 25 pages, to show what it left out.

Each line gives the wall time (load + trace + HTML), the Publer requests the view made (counted on
the hook's HTTP session), their share of the key's 2-minute budget, and the posts shown. Prints
figures and ratios; asserts nothing. Run with ``make bench`` (or ``python benchmarks/bench_ui.py``).
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="publer-bench-ui-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")

from airflow_provider_publer.sandbox import (  # noqa: E402
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
    default_workspaces,
)

POSTS = 2000
ACCOUNTS = 20
VIEW_KEY, SEED_KEY = "bench-ui-view-key-0123456789", "bench-ui-seed-key-0123456789"
BUDGET = 100  # Publer: requests per 2 minutes per key


def _accounts() -> list[dict[str, str]]:
    return [
        {
            "id": f"{0x64B000000000000000000000 + i:024x}",
            "name": f"Bench page {i}",
            "provider": "facebook",
            "type": "page",
            "picture": "",
            "status": "active",
        }
        for i in range(ACCOUNTS)
    ]


def _month() -> tuple[date, date]:
    today = datetime.now(timezone.utc).date()
    first = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, last


def _posts(accounts: list[dict[str, str]], first: date, days: int) -> list[dict[str, Any]]:
    """POSTS posts round-robin over the accounts, spread evenly over the month."""
    per_account = math.ceil(POSTS / len(accounts))
    step = timedelta(minutes=(days * 24 * 60 - 120) // per_account)
    start = datetime(first.year, first.month, first.day, 1, tzinfo=timezone.utc)
    return [
        {
            "networks": {"facebook": {"type": "status", "text": f"Bench month post {i}"}},
            "accounts": [
                {
                    "id": accounts[i % len(accounts)]["id"],
                    "scheduled_at": (start + step * (i // len(accounts))).isoformat(),
                }
            ],
        }
        for i in range(POSTS)
    ]


def _conn(server: SandboxServer, key: str) -> str:
    return json.dumps(
        {
            "conn_type": "publer",
            "password": key,
            "host": server.url,
            "extra": {"workspace_id": SANDBOX_WORKSPACE_ID},
        }
    )


def main() -> None:
    from airflow_provider_publer import retries
    from airflow_provider_publer.hooks.publer import PublerHook
    from airflow_provider_publer.plugins import calendar
    from airflow_provider_publer.plugins.app import _post_rows
    from airflow_provider_publer.plugins.records import TaskRecord

    accounts = _accounts()
    first, last = _month()
    posts = _posts(accounts, first, (last - first).days + 1)
    config = SandboxConfig(
        api_keys=(VIEW_KEY, SEED_KEY),
        job_latency=0.2,
        workspaces=default_workspaces(),
        accounts={SANDBOX_WORKSPACE_ID: accounts},
    )
    with SandboxServer(config) as server:
        os.environ["AIRFLOW_CONN_PUBLER_SEED"] = _conn(server, SEED_KEY)
        os.environ["AIRFLOW_CONN_PUBLER_VIEW"] = _conn(server, VIEW_KEY)
        seed = PublerHook(publer_conn_id="publer_seed")
        jobs = [seed.schedule_posts(posts[i : i + 500]) for i in range(0, POSTS, 500)]
        for job in jobs:
            while not seed.get_job_status(job).is_finished:
                time.sleep(0.2)
        seed.close()
        record = TaskRecord("bench_month", "manual__bench", "schedule", job_ids=jobs, posts=posts)
        record.workspaces = dict.fromkeys(jobs, SANDBOX_WORKSPACE_ID)
        print(
            f"The Publer page: {POSTS} posts over {first:%B %Y} ({ACCOUNTS} accounts) against the sandbox "
            f"with Publer's limit ({BUDGET} requests / 120 s per key); {calendar.PAGE_SIZE} posts per page"
        )
        print(f"{'view':<34} {'wall s':>7} {'requests':>9} {'budget':>7} {'shown':>6} {'listed':>7}")

        def view(name: str, start: date, end: date, max_pages: int = calendar.MAX_PAGES) -> None:
            # Each view starts with the key's budget untouched (no DAG used it in the last 2 minutes).
            server.runtime.limiter.reset()
            retries._BUDGETS.clear()
            began = time.perf_counter()
            shown = calendar.load_calendar(
                "publer_view", [record], from_=start.isoformat(), to=end.isoformat(), max_pages=max_pages
            )
            html = _post_rows(shown.posts, "https://app.publer.com/")
            wall = time.perf_counter() - began
            assert html
            print(
                f"{name:<34} {wall:>7.2f} {shown.publer_requests:>9} "
                f"{shown.publer_requests / BUDGET:>7.0%} {len(shown.posts):>6} {shown.listed:>7}"
                + ("  (cut off)" if shown.truncated else "")
            )

        calendar.clear_cache()
        view("month, cold", first, last)
        view("month, cached", first, last)
        with calendar._lock:  # the list expired, the ids not
            for key in [k for k in calendar._cache if k[0] == "posts"]:
                del calendar._cache[key]
        view("month, cold list (ids cached)", first, last)
        view("week, cold list", first + timedelta(days=7), first + timedelta(days=13))
        calendar.clear_cache()
        view("month, old cap of 25 pages, cold", first, last, max_pages=25)
        state = server.state_snapshot()
        print(f"Sandbox: {state['rate_limited']} answer(s) 429 (the hook paced every view under the limit)")


if __name__ == "__main__":
    main()
