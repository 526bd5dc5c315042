"""Helpers of the full-stack tests: run DAGs through the REST API, read task logs, look into the metadata DB.

The stack itself (``airflow standalone`` + the sandbox) is ``scripts.airflow_stack.AirflowStack``,
shared with ``make stack``; this module only holds what the tests need to observe it.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from scripts.airflow_stack import FINISHED_RUN_STATES, AirflowStack, StackError


@dataclass
class RunRecord:
    """A DAG run triggered through the REST API, and every task state the poller saw on the way."""

    dag_id: str
    run_id: str
    state: str = "queued"
    seen_states: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    def saw(self, task_id: str, state: str | None) -> None:
        states = self.seen_states.setdefault(task_id, [])
        if state and (not states or states[-1] != state):
            states.append(state)


def run_dags(
    stack: AirflowStack,
    dag_ids: Iterable[str],
    timeout: float = 300.0,
    started_runs: dict[str, str] | None = None,
) -> dict[str, RunRecord]:
    """Trigger every DAG at once, then poll their task instances until every run is finished.

    :param started_runs: ``{dag_id: run_id}`` of runs already triggered (from the UI's Trigger
        dialog): followed instead of triggering another, so no DAG runs twice in one sandbox.
    """
    started = time.monotonic()
    known = started_runs or {}
    runs = {dag_id: RunRecord(dag_id, known.get(dag_id) or stack.trigger_dag(dag_id)) for dag_id in dag_ids}
    with stack.client() as api:
        while time.monotonic() - started < timeout:
            pending = [r for r in runs.values() if r.state not in FINISHED_RUN_STATES]
            if not pending:
                return runs
            for run in pending:
                for ti in task_instances(api, run.dag_id, run.run_id):
                    run.saw(ti["task_id"], ti["state"])
                run.state = api.get(f"dags/{run.dag_id}/dagRuns/{run.run_id}").json()["state"]
                if run.state in FINISHED_RUN_STATES:
                    run.seconds = time.monotonic() - started
            time.sleep(0.5)
    unfinished = {
        r.dag_id: (r.state, r.seen_states) for r in runs.values() if r.state not in FINISHED_RUN_STATES
    }
    raise StackError(f"runs not finished after {timeout:.0f}s: {unfinished}\n{stack.tail()}")


#: What Airflow 3.3.2's scheduler logs when it fails a task because of a stale executor event:
#: a reschedule sensor's previous poke reported "success" after the next poke was queued
#: (apache/airflow#71172, fix proposed in apache/airflow#71194), or the same after a deferral.
EXECUTOR_RACE = "finished with state success, but the task instance's state attribute is"


def executor_race(stack: AirflowStack, run: RunRecord) -> str | None:
    """The scheduler's log line if Airflow's executor-event race failed a task of this run."""
    for line in stack.log_path.read_text(errors="replace").splitlines():
        if EXECUTOR_RACE in line and f"<TaskInstance: {run.dag_id}." in line and run.run_id in line:
            return line
    return None


def task_instances(api: httpx.Client, dag_id: str, run_id: str) -> list[dict[str, Any]]:
    response = api.get(f"dags/{dag_id}/dagRuns/{run_id}/taskInstances")
    response.raise_for_status()
    instances: list[dict[str, Any]] = response.json()["task_instances"]
    return instances


def task_instance(api: httpx.Client, dag_id: str, run_id: str, task_id: str) -> dict[str, Any]:
    response = api.get(f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}")
    response.raise_for_status()
    instance: dict[str, Any] = response.json()
    return instance


def task_log(
    api: httpx.Client, dag_id: str, run_id: str, task_id: str, try_number: int = 1, map_index: int = -1
) -> list[dict[str, Any]]:
    """The structured log of one try, as the UI gets it (task runner and triggerer lines together)."""
    params: dict[str, Any] = {"full_content": True}
    if map_index >= 0:
        params["map_index"] = map_index
    response = api.get(
        f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}",
        params=params,
        headers={"Accept": "application/json"},
    )
    response.raise_for_status()
    content: list[dict[str, Any]] = response.json()["content"]
    return content


def log_text(entries: list[dict[str, Any]]) -> str:
    """One JSON line per log entry: every field (event, logger, error_detail, ...) is searchable."""
    return "\n".join(json.dumps(entry, sort_keys=True, default=str) for entry in entries)


def events(entries: list[dict[str, Any]], logger: str | None = None) -> list[str]:
    """The ``event`` texts of the entries (of one logger, if given), in order."""
    return [str(e.get("event", "")) for e in entries if logger is None or e.get("logger") == logger]


def xcom_value(api: httpx.Client, dag_id: str, run_id: str, task_id: str, key: str = "return_value") -> Any:
    response = api.get(f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/{key}")
    response.raise_for_status()
    return response.json()["value"]


def extra_links(api: httpx.Client, dag_id: str, run_id: str, task_id: str) -> dict[str, str | None]:
    response = api.get(f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/links")
    response.raise_for_status()
    links: dict[str, str | None] = response.json()["extra_links"]
    return links


def reschedule_count(db_path: Path, ti_id: str) -> int:
    """Rows of ``task_reschedule`` for a task instance: one per poke that ended UP_FOR_RESCHEDULE."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT count(*) FROM task_reschedule WHERE ti_id IN (?, ?)", (uuid.UUID(ti_id).hex, ti_id)
        ).fetchone()
    return int(row[0])


def files_containing(root: Path, needle: str) -> list[Path]:
    """Every file under ``root`` whose bytes contain ``needle`` (logs, SQLite DB and WAL, airflow.cfg)."""
    wanted = needle.encode()
    found = []
    for path in sorted(root.rglob("*")):
        try:
            if path.is_file() and wanted in path.read_bytes():
                found.append(path)
        except OSError:
            continue
    return found


def explain(stack: AirflowStack, run: RunRecord) -> str:
    """A run's task states, and the warnings and errors in the logs of its unsuccessful tasks."""
    lines = [f"{run.dag_id} {run.run_id}: {run.state}; states seen: {run.seen_states}"]
    race = executor_race(stack, run)
    if race:
        lines.append(f"  Airflow's executor-event race (apache/airflow#71172) hit this run: {race}")
    with stack.client() as api:
        for ti in task_instances(api, run.dag_id, run.run_id):
            lines.append(f"  {ti['task_id']}: {ti['state']} (try {ti['try_number']})")
            if ti["state"] in ("success", "skipped") or not ti["try_number"]:
                continue
            for entry in task_log(api, run.dag_id, run.run_id, ti["task_id"], ti["try_number"]):
                if entry.get("level") in ("warning", "error", "critical"):
                    lines.append(f"    {json.dumps(entry, default=str)[:2000]}")
    return "\n".join(lines)


def process_environ(pid: int) -> str:
    """The environment a process was started with (Linux ``/proc``), NUL-separated."""
    return Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
