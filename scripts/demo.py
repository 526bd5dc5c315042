"""`make demo`: the quickstart example DAG, end to end, with real Airflow against the local Publer sandbox.

Starts the sandbox on loopback, points a ``publer`` connection at it, runs
``airflow dags test example_publer_quickstart`` (real task runner, real metadata DB
in ``.airflow-demo/``), shows each task as it changes state, then prints what Publer
(the sandbox) now holds: the job, the posts per account, any failure. Exits non-zero
if the DAG run failed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from airflow_provider_publer.sandbox import (
    SANDBOX_API_KEY,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
)

ROOT = Path(__file__).resolve().parents[1]
DAG_ID = "example_publer_quickstart"
AIRFLOW_HOME = ROOT / ".airflow-demo"
TASK_LINE = re.compile(
    r"task_id=(?P<task>[\w.]+).*?(?P<state>success|failed|up_for_reschedule|deferred)", re.I
)
console = Console(highlight=False)


def main() -> int:
    console.rule("[bold]airflow-provider-publer demo")
    with console.status("Starting the Publer sandbox on loopback..."):
        server = SandboxServer(SandboxConfig(job_latency=3.0)).__enter__()
    try:
        console.print(f"[green]✓[/] Publer sandbox at {server.url}")
        env = _airflow_env(server.url)
        with console.status("Preparing the Airflow metadata DB (.airflow-demo/)..."):
            _run(["db", "migrate"], env)
        console.print("[green]✓[/] Airflow metadata DB ready")
        returncode = _run_dag(env)
        _report(server.url)
    finally:
        with console.status("Stopping the sandbox..."):
            server.__exit__(None, None, None)
    if returncode:
        console.print(f"[bold red]✗ The DAG run failed[/] (full log: {AIRFLOW_HOME / 'demo-run.log'})")
        return 1
    console.print("[bold green]✓ The DAG run succeeded[/]: every post was scheduled and verified.")
    return 0


def _airflow_env(url: str) -> dict[str, str]:
    conn = {
        "conn_type": "publer",
        "password": SANDBOX_API_KEY,
        "host": url,
        "extra": {"workspace_id": SANDBOX_WORKSPACE_ID},
    }
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(AIRFLOW_HOME),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "example_dags"),
            "AIRFLOW_CONN_PUBLER_DEFAULT": json.dumps(conn),
            "PUBLER_EXAMPLE_POKE_INTERVAL": "2",
        }
    )
    return env


def _airflow() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([_airflow(), *args], env=env, check=True, capture_output=True)


def _run_dag(env: dict[str, str]) -> int:
    """Run the DAG, echoing each task's state changes as Airflow reports them."""
    log_path = AIRFLOW_HOME / "demo-run.log"
    console.print(f"[bold]Running[/] airflow dags test {DAG_ID}")
    seen: set[tuple[str, str]] = set()
    started = time.monotonic()
    with log_path.open("w") as log, console.status("Airflow is running the DAG...") as status:
        proc = subprocess.Popen(
            [_airflow(), "dags", "test", DAG_ID],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            _show_task_line(line, seen)
            status.update(f"Airflow is running the DAG... {time.monotonic() - started:.0f}s")
        returncode = proc.wait()
    return returncode


def _show_task_line(line: str, seen: set[tuple[str, str]]) -> None:
    match = TASK_LINE.search(line)
    if not match:
        return
    key = (match["task"], match["state"].lower())
    if key in seen:
        return
    seen.add(key)
    colour = {"success": "green", "failed": "red"}.get(key[1], "yellow")
    console.print(f"  [{colour}]●[/] {key[0]:<16} {key[1]}")


def _report(url: str) -> None:
    state: dict[str, Any] = httpx.get(url.split("/api/")[0] + "/sandbox/state", timeout=10).json()
    jobs = state.get("jobs", [])
    posts = state.get("posts", [])
    for job in jobs:
        console.print(f"Publer job [bold]{job.get('id')}[/]: {job.get('status')}")
        for failure in job.get("failures") or []:
            console.print(f"  [red]failure[/] {failure.get('account_name')}: {failure.get('message')}")
    console.print(f"[bold]Posts now on Publer (sandbox)[/]: {len(posts)}")
    for post in posts:
        when = str(post.get("scheduled_at") or "")[:16].replace("T", " ")
        console.print(
            f"  • {post.get('network', ''):<9} {post.get('account_name') or post.get('account_id')}"
            f"  [cyan]{post.get('state', '')}[/] for {when} UTC"
        )
        console.print(f"      [dim]post {post.get('id')}: {str(post.get('text', ''))[:40]}[/]")


if __name__ == "__main__":
    sys.exit(main())
