"""`make demo`: the quickstart example DAG, end to end, with real Airflow against the local Publer sandbox.

Starts the sandbox on loopback, points a ``publer`` connection at it, runs
``airflow dags test example_publer_quickstart`` (real task runner, real metadata DB
in ``.airflow-demo/``, or ``$PUBLER_DEMO_HOME``), shows each task as it changes state,
then prints what Publer (the sandbox) now holds: the job, the posts per account, any
failure. Exits non-zero if the DAG run failed.

The task states come from the output of ``airflow dags test`` (:class:`TaskProgress`),
which is the same on Airflow 3.1 and 3.3: it runs one task at a time, announces each
with ``[DAG TEST] starting task_id=...``, and its in-process API logs every state the
task reports (``Task instance state updated ... new_state=...``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import httpx
from rich.console import Console
from rich.markup import escape

from airflow_provider_publer.sandbox import (
    SANDBOX_API_KEY,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
)

ROOT = Path(__file__).resolve().parents[1]
DAG_ID = "example_publer_quickstart"
AIRFLOW_HOME = Path(os.environ.get("PUBLER_DEMO_HOME") or ROOT / ".airflow-demo").resolve()
#: ``airflow dags test`` announces each task it runs (again for a sensor's next check).
TASK_STARTING = re.compile(r"\[DAG TEST\] starting task_id=(?P<task>\S+) map_index=(?P<map_index>-?\d+)")
#: Airflow's execution API logs each state a task reports:
#: ``Task instance state updated ... new_state=success``.
NEW_STATE = re.compile(r"\bnew_state=(?P<state>[a-z_]+)")
#: Colour codes, should Airflow colour its output.
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
COLOURS = {"success": "green", "failed": "red", "upstream_failed": "red", "skipped": "dim"}
console = Console(highlight=False)


class TaskStep(NamedTuple):
    """A task reached a state: ``running``, ``up_for_reschedule``, ``deferred``, ``success``, ..."""

    task: str
    state: str


@dataclass
class TaskProgress:
    """Turns the output of ``airflow dags test`` into task steps, one line at a time.

    ``airflow dags test`` runs one task at a time, so a state line belongs to the task it
    last announced. A task is shown ``running`` once; a sensor's later checks and a resumed
    deferred task show only their new states.
    """

    current: str | None = None
    started: set[str] = field(default_factory=set)

    def feed(self, line: str) -> TaskStep | None:
        """The step this line of output reports, if any."""
        line = ANSI.sub("", line)
        starting = TASK_STARTING.search(line)
        if starting:
            task = starting["task"]
            if starting["map_index"] != "-1":
                task = f"{task}[{starting['map_index']}]"
            self.current = task
            if task in self.started:
                return None
            self.started.add(task)
            return TaskStep(task, "running")
        state = NEW_STATE.search(line)
        if state and self.current is not None:
            return TaskStep(self.current, state["state"])
        return None


def main() -> int:
    console.rule("[bold]airflow-provider-publer demo")
    with console.status("Starting the Publer sandbox on loopback..."):
        server = SandboxServer(SandboxConfig(job_latency=3.0)).__enter__()
    try:
        console.print(f"[green]✓[/] Publer sandbox at {server.url}")
        env = _airflow_env(server.url)
        with console.status(f"Preparing the Airflow metadata DB ({AIRFLOW_HOME})..."):
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
    progress = TaskProgress()
    checks: dict[str, int] = {}
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
            step = progress.feed(line)
            if step is not None:
                console.print(describe(step, checks))
            doing = f" {progress.current}," if progress.current else ""
            status.update(f"Airflow is running the DAG...{doing} {time.monotonic() - started:.0f}s")
        returncode = proc.wait()
    return returncode


def describe(step: TaskStep, checks: dict[str, int]) -> str:
    """One console line for a step; ``checks`` counts each sensor's "not yet" answers."""
    label = step.state.replace("_", " ")
    if step.state == "up_for_reschedule":
        checks[step.task] = checks.get(step.task, 0) + 1
        label = f"up for reschedule (check {checks[step.task]}: not yet, will check again)"
    elif step.state == "deferred":
        label = "deferred (waiting for Publer in the triggerer)"
    colour = COLOURS.get(step.state, "yellow")
    return f"  [{colour}]●[/] {step.task:<16} {label}"


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
        text = str(post.get("text", ""))  # one line of a terminal: cut with an ellipsis
        shown = text if len(text) <= 70 else text[:69] + "…"
        console.print(f"      [dim]“{escape(shown)}”[/]")


if __name__ == "__main__":
    sys.exit(main())
