"""`make demo` shows a line per task step on every supported Airflow.

``scripts/demo.py`` reads the output of ``airflow dags test``. The logs under ``demo_logs/`` are
that output, unedited: the three example DAGs run against the sandbox with ``airflow dags test
<dag> 2>&1`` (stdout and stderr together, as the demo reads them) on Airflow 3.1.8 and 3.3.2.
The last test runs the demo itself.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from scripts.demo import ROOT, TaskProgress, TaskStep, describe

LOGS = Path(__file__).parent / "demo_logs"
AIRFLOW_VERSIONS = ("3.1.8", "3.3.2")


def steps(log: str) -> list[tuple[str, str]]:
    progress = TaskProgress()
    found = []
    for line in (LOGS / log).read_text().splitlines(keepends=True):
        step = progress.feed(line)
        if step is not None:
            found.append((step.task, step.state))
    return found


def run_and(task: str, *states: str) -> list[tuple[str, str]]:
    return [(task, "running"), *((task, state) for state in states)]


@pytest.mark.parametrize(
    ("version", "checks"),
    [("3.1.8", 1), ("3.3.2", 2)],  # the sensor's "not yet" answers in each recorded run
)
def test_quickstart_shows_each_task_and_each_sensor_check(version: str, checks: int) -> None:
    assert steps(f"airflow-{version}-example_publer_quickstart.log") == [
        *run_and("list_accounts", "success"),
        *run_and("build_posts", "success"),
        *run_and("schedule_posts", "success"),
        *run_and("wait_for_job", *["up_for_reschedule"] * checks, "success"),
        *run_and("verify_posts", "success"),
    ]


@pytest.mark.parametrize("version", AIRFLOW_VERSIONS)
def test_deferred_tasks_show_deferred_then_success(version: str) -> None:
    found = steps(f"airflow-{version}-example_publer_deferrable.log")
    assert run_and("publish_and_wait", "deferred", "success") == [
        s for s in found if s[0] == "publish_and_wait"
    ]
    assert {task for task, _ in found} == {
        "pick_accounts",
        "publish_now_post",
        "scheduled_post",
        "schedule_posts",
        "publish_and_wait",
        "wait_deferred",
    }
    assert [state for task, state in found if task != "publish_and_wait"].count("success") == 5


@pytest.mark.parametrize("version", AIRFLOW_VERSIONS)
def test_a_failed_sensor_shows_failed(version: str) -> None:
    found = steps(f"airflow-{version}-example_publer_failure_handling.log")
    assert found[:4] == [*run_and("build_posts", "success"), *run_and("schedule_posts", "success")]
    assert found[4] == ("wait_for_job", "running")
    assert found[-1] == ("wait_for_job", "failed")
    assert set(found[5:-1]) <= {("wait_for_job", "up_for_reschedule")}


def test_mapped_task_instances_and_coloured_output_are_read() -> None:
    progress = TaskProgress()
    colour = "\x1b[2m2026-11-29T10:16:29.883537Z\x1b[0m [\x1b[32m\x1b[1minfo     \x1b[0m] "
    assert progress.feed(colour + "[DAG TEST] starting task_id=publish map_index=2 [airflow]\n") == TaskStep(
        "publish[2]", "running"
    )
    line = "Task instance state updated [airflow.api] new_state=\x1b[36msuccess\x1b[0m rows_affected=1\n"
    assert progress.feed(colour + line) == TaskStep("publish[2]", "success")


def test_each_step_is_one_line_and_sensor_checks_are_counted() -> None:
    checks: dict[str, int] = {}
    console = Console(file=io.StringIO(), width=100, color_system=None)
    for step in [
        TaskStep("wait_for_job", "running"),
        TaskStep("wait_for_job", "up_for_reschedule"),
        TaskStep("wait_for_job", "up_for_reschedule"),
        TaskStep("wait_for_job", "success"),
    ]:
        console.print(describe(step, checks))
    assert console.file.getvalue().splitlines() == [
        "  ● wait_for_job     running",
        "  ● wait_for_job     up for reschedule (check 1: not yet, will check again)",
        "  ● wait_for_job     up for reschedule (check 2: not yet, will check again)",
        "  ● wait_for_job     success",
    ]


@pytest.mark.integration
@pytest.mark.timeout(600)
def test_make_demo_prints_a_line_per_step(tmp_path: Path) -> None:
    """``scripts/demo.py`` for real (what ``make demo`` runs), on this Airflow, in a private home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(PUBLER_DEMO_HOME=str(tmp_path / "home"), COLUMNS="100")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    for task in ("list_accounts", "build_posts", "schedule_posts", "wait_for_job", "verify_posts"):
        assert f"● {task:<16} running" in out, out
        assert f"● {task:<16} success" in out, out
    assert "The DAG run succeeded" in out
    assert (tmp_path / "home" / "demo-run.log").exists()
