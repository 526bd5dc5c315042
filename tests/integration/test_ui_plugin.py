"""The Publer plugin's routes on a real ``airflow api-server``, with Airflow's auth manager.

The DAGs of ``dags/publer_ui.py`` run first (``airflow dags test``, against the sandbox), so the
metadata DB holds what real task instances recorded. Then ``airflow api-server`` serves the plugin
with ``DagRestrictedAuthManager`` (SimpleAuthManager, except that the user ``outsider`` may not
read ``publer_ui_hidden``), and every request carries a token from ``POST /auth/token``:

- anonymous requests get 401 from the plugin itself (Airflow answers unknown UI paths with its own
  page and status 200, so the body is checked, not only the status);
- the admin sees the posts of every DAG, traced to their task instances: given as a list, from a
  CSV calendar file, and cut off by ``[core] max_templated_field_length`` (traced by the posts the
  task recorded sending, or, for a task that did not record them, by the post ids the sensor
  returned); a published post's tab shows its insights;
- ``outsider`` sees nothing of ``publer_ui_hidden``: none of its posts on the page or in the JSON,
  and 403 on its task instances' tab;
- the connection's API key is in no answer.

Runs on whichever Airflow this interpreter has (3.3.2 in ``.venv``, 3.1.8 in ``.venv-floor``).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from airflow_provider_publer.sandbox import SANDBOX_WORKSPACE_ID, SandboxConfig, SandboxServer
from scripts.airflow_stack import free_port
from tests.conftest import publer_conn_json
from tests.integration.dags.support import publish_now_posts
from tests.integration.ui_auth import HIDDEN_DAG, OUTSIDER

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
DAGS = Path(__file__).resolve().parent / "dags"
SECRET_KEY = f"publer-ui-secret-{secrets.token_hex(12)}"
PASSWORDS = {"admin": f"admin-{secrets.token_hex(4)}", OUTSIDER: f"outsider-{secrets.token_hex(4)}"}
MONTH = {"view": "month", "start": "2031-03-01"}
#: Every route of the plugin, with the query a request needs.
ROUTES = {
    "/publer/calendar": MONTH,
    "/publer/api/calendar": MONTH,
    "/publer/task-instance": {"dag_id": "publer_ui_visible", "run_id": "x", "task_id": "schedule"},
    "/publer/api/task-instance": {"dag_id": "publer_ui_visible", "run_id": "x", "task_id": "schedule"},
}
PUBLISHED_DAG = "publer_ui_published"
UI_DAGS = ("publer_ui_visible", HIDDEN_DAG, "publer_ui_calendar", "publer_ui_long", PUBLISHED_DAG)
PUBLISHED_FILE = f'''
from datetime import datetime, timezone
from airflow.sdk import DAG
from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from tests.integration.dags.support import publish_now_posts

with DAG("{PUBLISHED_DAG}", schedule=None, start_date=datetime(2025, 1, 1, tzinfo=timezone.utc)):
    PublerSchedulePostOperator(
        task_id="publish", posts=publish_now_posts("ui published"), publish_now=True, retries=0
    )
'''


@dataclass
class UiServer:
    url: str
    env: dict[str, str]
    runs: dict[str, str]
    answers: list[httpx.Response] = field(default_factory=list)

    def get(self, path: str, user: str | None, **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        response = httpx.get(f"{self.url}{path}", params=params, headers=headers, timeout=120)
        self.answers.append(response)
        return response

    def token(self, user: str | None) -> str:
        response = httpx.post(
            f"{self.url}/auth/token", json={"username": user, "password": PASSWORDS[str(user)]}, timeout=30
        )
        assert response.status_code in (200, 201), response.text
        return str(response.json()["access_token"])


def _airflow(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    airflow = str(Path(sys.executable).with_name("airflow"))
    return subprocess.run(
        [airflow, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    home = tmp_path_factory.mktemp("ui-plugin-home")
    dags = home / "dags"
    dags.mkdir()
    for name in ("publer_ui.py", "publer_ui_calendar.csv"):
        shutil.copy(DAGS / name, dags / name)
    (dags / "publer_ui_published.py").write_text(PUBLISHED_FILE)
    (home / "passwords.json").write_text(json.dumps(PASSWORDS))
    port = free_port()
    with SandboxServer(SandboxConfig(api_keys=(SECRET_KEY,), job_latency=0.5)) as sandbox:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_"))}
        env.update(
            {
                "AIRFLOW_HOME": str(home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
                "AIRFLOW__CORE__AUTH_MANAGER": "tests.integration.ui_auth.DagRestrictedAuthManager",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"admin:admin,{OUTSIDER}:viewer",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
                "AIRFLOW__API__PORT": str(port),
                "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
                "AIRFLOW_CONN_PUBLER_DEFAULT": publer_conn_json(
                    api_key=SECRET_KEY, host=sandbox.url, workspace_id=SANDBOX_WORKSPACE_ID
                ),
                "PYTHONPATH": str(ROOT),
            }
        )
        migrated = _airflow(env, "db", "migrate")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        for dag_id in UI_DAGS:
            # These DAGs' rendered posts are cut off, as a long calendar's are.
            cut_off = dag_id in ("publer_ui_long", "publer_ui_visible")
            extra = {"AIRFLOW__CORE__MAX_TEMPLATED_FIELD_LENGTH": "60"} if cut_off else {}
            ran = _airflow({**env, **extra}, "dags", "test", dag_id)
            assert ran.returncode == 0, f"{dag_id}:\n{ran.stdout[-3000:]}\n{ran.stderr[-3000:]}"
        with sqlite3.connect(home / "airflow.db") as db:
            runs = dict(db.execute("SELECT dag_id, run_id FROM dag_run").fetchall())
            # The long DAG's task as a provider version that did not record the posts it sent.
            removed = db.execute(
                "DELETE FROM xcom WHERE dag_id = 'publer_ui_long' AND key = 'publer_submitted_posts'"
            ).rowcount
            assert removed == 1
        log = (home / "api-server.log").open("wb")
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("airflow")), "api-server", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                assert server.poll() is None, (home / "api-server.log").read_text()[-3000:]
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/api/v2/monitor/health", timeout=5).status_code == 200:
                        break
                time.sleep(1)
            yield UiServer(url, env, runs)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(10)
            log.close()


def _texts(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text[:2000]
    return [str(p["text"]) for p in answer.json()["posts"]]


@pytest.mark.parametrize("path", sorted(ROUTES))
def test_an_anonymous_request_gets_401_from_the_plugin(ui_server: UiServer, path: str) -> None:
    answer = ui_server.get(path, None, **ROUTES[path])
    assert answer.status_code == 401, answer.text[:500]
    assert answer.json() == {"detail": "Not authenticated"}  # the plugin's answer, not the UI's page
    assert "<html" not in answer.text.lower()


def test_an_unknown_ui_path_gets_airflows_page_not_the_plugins(ui_server: UiServer) -> None:
    """Why the test above reads the body: Airflow serves its UI's page, status 200, for any path."""
    answer = ui_server.get("/publer-nothing-here", None)
    assert answer.status_code in (200, 404)
    assert "Not authenticated" not in answer.text


def test_the_admin_sees_the_posts_of_every_dag_traced_to_their_tasks(ui_server: UiServer) -> None:
    answer = ui_server.get("/publer/api/calendar", "admin", **MONTH)
    posts = answer.json()["posts"]
    by_dag: dict[str, set[str]] = {}
    for post in posts:
        by_dag.setdefault(post["dag_id"], set()).add(post["text"])
        assert post["run_id"] == ui_server.runs[post["dag_id"]]
        assert post["state"] == "scheduled"
    assert by_dag == {
        "publer_ui_visible": {"ui visible: post 0", "ui visible: post 1"},
        HIDDEN_DAG: {"ui hidden: post 0", "ui hidden: post 1"},
        "publer_ui_long": {"ui long: post 0", "ui long: post 1"},
        "publer_ui_calendar": {"ui calendar: from the spreadsheet", "ui calendar: from the spreadsheet too"},
    }
    assert len(posts) == 3 + 3 + 3 + 2  # (post, account) pairs
    assert {p["task_id"] for p in posts} == {"schedule"}
    assert answer.json()["workspace_id"] == SANDBOX_WORKSPACE_ID
    assert SANDBOX_WORKSPACE_ID in {w["id"] for w in answer.json()["workspaces"]}

    page = ui_server.get("/publer/calendar", "admin", **MONTH)
    assert page.status_code == 200
    assert "ui hidden: post 0" in page.text
    assert "ui calendar: from the spreadsheet" in page.text
    assert f"<code>{SANDBOX_WORKSPACE_ID}</code>" in page.text  # the ids to copy
    assert f"/dags/{HIDDEN_DAG}/runs/" in page.text  # each post links to its task instance


def test_a_user_without_access_to_a_dag_sees_nothing_of_it(ui_server: UiServer) -> None:
    answer = ui_server.get("/publer/api/calendar", OUTSIDER, **MONTH)
    texts = _texts(answer)
    assert "ui visible: post 0" in texts
    assert "ui calendar: from the spreadsheet" in texts
    assert not [t for t in texts if "hidden" in t]
    assert HIDDEN_DAG not in answer.text
    filtered = ui_server.get("/publer/api/calendar", OUTSIDER, dag_id=HIDDEN_DAG, **MONTH)
    assert _texts(filtered) == []

    page = ui_server.get("/publer/calendar", OUTSIDER, **MONTH)
    assert page.status_code == 200
    assert "ui visible: post 0" in page.text
    assert "ui hidden" not in page.text
    assert HIDDEN_DAG not in page.text

    run_id = ui_server.runs[HIDDEN_DAG]
    for path in ("/publer/task-instance", "/publer/api/task-instance"):
        tab = ui_server.get(path, OUTSIDER, dag_id=HIDDEN_DAG, run_id=run_id, task_id="schedule")
        assert tab.status_code == 403, tab.text[:500]
        assert "ui hidden" not in tab.text
    # The admin may open the same tab.
    tab = ui_server.get(
        "/publer/api/task-instance", "admin", dag_id=HIDDEN_DAG, run_id=run_id, task_id="schedule"
    )
    assert sorted(p["text"] for p in tab.json()["posts"]) == [
        "ui hidden: post 0",
        "ui hidden: post 0",
        "ui hidden: post 1",
    ]


def test_the_posts_as_sent_trace_a_task_whose_rendered_field_airflow_cut_off(ui_server: UiServer) -> None:
    """The visible DAG ran with a tiny ``[core] max_templated_field_length``: its posts are traced
    from what the task recorded sending, not from the cut-off field."""
    run_id = ui_server.runs["publer_ui_visible"]
    tab = ui_server.get(
        "/publer/api/task-instance", "admin", dag_id="publer_ui_visible", run_id=run_id, task_id="schedule"
    ).json()
    assert tab["untraced"] == ""
    assert sorted(p["text"] for p in tab["posts"]) == [
        "ui visible: post 0",
        "ui visible: post 0",
        "ui visible: post 1",
    ]


def test_the_tab_traces_a_cut_off_task_by_its_sensors_post_ids(ui_server: UiServer) -> None:
    run_id = ui_server.runs["publer_ui_long"]
    tab = ui_server.get(
        "/publer/api/task-instance", "admin", dag_id="publer_ui_long", run_id=run_id, task_id="schedule"
    ).json()
    assert "max_templated_field_length" in tab["untraced"]
    assert sorted(p["text"] for p in tab["posts"]) == [
        "ui long: post 0",
        "ui long: post 0",
        "ui long: post 1",
    ]
    # The sensor's own tab: the posts it waited for.
    sensor = ui_server.get(
        "/publer/api/task-instance",
        "admin",
        dag_id="publer_ui_visible",
        run_id=ui_server.runs["publer_ui_visible"],
        task_id="wait",
    ).json()
    assert sorted(p["text"] for p in sensor["posts"]) == [
        "ui visible: post 0",
        "ui visible: post 0",
        "ui visible: post 1",
    ]


def test_the_tab_shows_a_published_posts_insights(ui_server: UiServer) -> None:
    run_id = ui_server.runs[PUBLISHED_DAG]
    tab = ui_server.get(
        "/publer/api/task-instance", "admin", dag_id=PUBLISHED_DAG, run_id=run_id, task_id="publish"
    )
    posts = tab.json()["posts"]
    assert len(posts) == len([a for p in publish_now_posts("x") for a in p["accounts"]])
    assert {p["state"] for p in posts} == {"published"}
    assert all(isinstance(p["insights"], dict) and "reach" in p["insights"] for p in posts), posts
    page = ui_server.get(
        "/publer/task-instance", "admin", dag_id=PUBLISHED_DAG, run_id=run_id, task_id="publish"
    )
    assert "reach:" in page.text
    assert "Live post" in page.text


def test_the_api_key_is_in_no_answer(ui_server: UiServer) -> None:
    # Runs last: every answer of this module's tests was kept.
    ui_server.get("/publer/calendar", "admin", **MONTH, conn_id="no_such_connection")
    assert len(ui_server.answers) > 10
    for answer in ui_server.answers:
        assert SECRET_KEY not in answer.text
        assert SECRET_KEY not in str(answer.headers)
