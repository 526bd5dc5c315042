"""``posts`` is templated: what a post's text looks like on Publer after Airflow rendered it.

Runs ``tests/integration/dags/publer_templating.py`` (included in docs/operator.md, "Templating")
with ``airflow dags test`` against the sandbox, and reads the texts the sandbox received.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_publer.sandbox import SandboxConfig, SandboxServer
from tests.integration.conftest import (
    DagRunResult,
    dags_folder_with,
    run_dag_test,
    sandbox_env,
    sandbox_state,
)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

#: How Airflow's structured log marks an error line: ``... [error    ] XCom not found ...``.
ERROR_LINE = re.compile(r"^.*\[error\s*\].*$", re.M)
FINISHED = re.compile(r"DagRun Finished: dag_id=publer_templating, logical_date=(\d{4}-\d{2}-\d{2})")


@pytest.fixture(scope="module")
def templating_run(
    airflow_db: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[DagRunResult, list[dict[str, Any]]]:
    """One run of the DAG, and the posts the sandbox received."""
    folder = dags_folder_with(tmp_path_factory.mktemp("templating"), "publer_templating.py")
    with SandboxServer(SandboxConfig(job_latency=0.5)) as server:
        result = run_dag_test("publer_templating", sandbox_env(server), dags_folder=folder)
        posts = sandbox_state(server)["posts"]
    assert result.succeeded, result.output[-4000:]
    return result, posts


def test_jinja_in_a_posts_text_is_rendered_and_braces_can_be_sent_literally(
    templating_run: tuple[DagRunResult, list[dict[str, Any]]],
) -> None:
    result, posts = templating_run
    finished = FINISHED.search(result.output)
    assert finished, result.output[-4000:]
    ds = finished[1]
    week_later = (date.fromisoformat(ds) + timedelta(days=7)).isoformat()

    assert sorted((p["text"], p["scheduled_at"][:16]) for p in posts if "Posted" not in p["text"]) == [
        (f"Daily report for {ds}", f"{week_later}T09:00"),
        # Both escapes: {{ '{{' }} and {% raw %}.
        ("Write {{ ds }} to get the date", f"{week_later}T10:00"),
        ("Write {{ ds }} to get the date", f"{week_later}T11:00"),
    ]
    # Through XCom: not rendered.
    assert [p["text"] for p in posts if "Posted" in p["text"]] == ["Posted as written: {{ ds }}"]


def test_a_successful_run_logs_no_error(templating_run: tuple[DagRunResult, list[dict[str, Any]]]) -> None:
    """No ``[error]`` line in a green run. The "Published post" link of a task that published nothing
    used to log ``[error] XCom not found ... key='publer_post_link'`` as the task finished."""
    result, _ = templating_run
    assert result.output.count("Publer accepted") == 2  # control: both operators submitted their posts
    assert ERROR_LINE.findall(result.output) == []


def test_an_unknown_variable_in_a_text_fails_the_task_and_sends_nothing(tmp_path: Path) -> None:
    folder = dags_folder_with(tmp_path, "publer_templating.py")
    with SandboxServer(SandboxConfig(job_latency=0.5)) as server:
        result = run_dag_test("publer_templating_undefined", sandbox_env(server), dags_folder=folder)
        state = sandbox_state(server)
    assert not result.succeeded
    assert "UndefinedError: 'first_name' is undefined" in result.output
    assert state["posts"] == []
    assert "Publer accepted" not in result.output
