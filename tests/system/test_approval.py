"""Posts approved by a person, on a real Airflow stack: the request waits, a reviewer answers through
Airflow's REST API, and the sandbox shows what Publer got.

Every test runs on the session's stack (this virtualenv's Airflow) and on a stack of the floor
virtualenv (``.venv-floor``, Airflow 3.1.8) when it exists: 3.3 parks a waiting task in the
``awaiting_input`` state and enforces the response timeout in the scheduler; 3.1 defers it to the
triggerer, whose trigger polls every 5 s. The answers use the paths of the servers' own
``/openapi.json`` (the same in both): ``GET .../dagRuns/{run_id}/hitlDetails`` lists a run's
requests, ``PATCH .../taskInstances/{task_id}/{map_index}/hitlDetails`` answers one.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from airflow_provider_publer.review import escape_markdown
from airflow_provider_publer.sandbox import SandboxConfig
from scripts.airflow_stack import ROOT, AirflowStack, StackError
from tests.system.conftest import _dags_folder
from tests.system.stack import log_text, task_instances, task_log, xcom_value
from tests.system.test_browser import ANIMATION_MS, _open_page, browser, shots

__all__ = ["browser", "shots"]  # the browser tests' fixtures, shared

pytestmark = [pytest.mark.fullstack, pytest.mark.timeout(900)]

FLOOR_AIRFLOW = ROOT / ".venv-floor" / "bin" / "airflow"
CASES, TIMEOUT, MAPPED, EXAMPLE = (
    "publer_approval_cases",
    "publer_approval_timeout",
    "publer_approval_mapped",
    "example_publer_approval",
)
DAG_IDS = (CASES, TIMEOUT, MAPPED, EXAMPLE)
#: A request waits in ``awaiting_input`` (Airflow 3.3) or ``deferred`` (3.1, the trigger polls).
WAITING_STATES = ("awaiting_input", "deferred")
#: Seconds after a task started waiting before the tests answer (see ``_waiting``).
REPORT_DELAY = 7.0


@pytest.fixture(scope="module")
def floor_approval_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowStack]:
    """``airflow standalone`` of the floor virtualenv (Airflow 3.1.8) with the approval DAGs."""
    if not FLOOR_AIRFLOW.exists():
        pytest.skip(f"{FLOOR_AIRFLOW} is missing (make floor)")
    stack = AirflowStack(
        tmp_path_factory.mktemp("airflow-floor-approval"),
        dags_folder=_dags_folder(tmp_path_factory.mktemp("floor-approval-dags")),
        airflow=FLOOR_AIRFLOW,
        sandbox_config=SandboxConfig(job_latency=2.0),
    )
    stack.start()
    try:
        stack.wait_for_dags(DAG_IDS)
        yield stack
    finally:
        stack.stop()


@pytest.fixture(params=["newest", "floor"])
def stack(request: pytest.FixtureRequest) -> AirflowStack:
    name = "airflow_stack" if request.param == "newest" else "floor_approval_stack"
    chosen: AirflowStack = request.getfixturevalue(name)
    if request.param == "newest":
        chosen.wait_for_dags(DAG_IDS)
    return chosen


@pytest.fixture
def api(stack: AirflowStack) -> Iterator[httpx.Client]:
    with stack.client() as client:
        yield client


# -- helpers ---------------------------------------------------------------------------------------


def _waiting(api: httpx.Client, dag_id: str, run_id: str, count: int = 1, timeout: float = 180) -> list[dict]:
    """The run's requests once ``count`` of them wait for an answer."""
    deadline = time.monotonic() + timeout
    details: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        response = api.get(f"dags/{dag_id}/dagRuns/{run_id}/hitlDetails")
        response.raise_for_status()
        details = [d for d in response.json()["hitl_details"] if not d["response_received"]]
        parked = [d for d in details if d["task_instance"]["state"] in WAITING_STATES]
        if len(parked) >= count:
            # The worker reports the parked try to the scheduler only after its select() timeout
            # ([workers] min_heartbeat_interval, 5 s). An answer before that report resumes the task
            # first, and Airflow 3.3.2's scheduler then fails it on the stale report
            # (apache/airflow#71172). A person never answers that fast; the test waits as long.
            time.sleep(REPORT_DELAY)
            return sorted(details, key=lambda d: d["task_instance"]["map_index"])
        time.sleep(1)
    raise StackError(f"{dag_id}/{run_id}: {len(details)} request(s) waiting after {timeout:.0f}s")


def _answer(
    api: httpx.Client,
    dag_id: str,
    run_id: str,
    option: str,
    params: dict[str, Any],
    map_index: int = -1,
    task_id: str = "approve",
) -> httpx.Response:
    return api.patch(
        f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/{map_index}/hitlDetails",
        json={"chosen_options": [option], "params_input": params},
    )


def _responder(api: httpx.Client, dag_id: str, run_id: str) -> dict[str, Any]:
    """Who answered, as Airflow recorded it (with all-admins, the auth manager's anonymous admin)."""
    response = api.get(f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/approve/-1/hitlDetails")
    response.raise_for_status()
    user: dict[str, Any] = response.json()["responded_by_user"]
    return user


def _form(detail: dict[str, Any]) -> dict[str, Any]:
    """The form as the request shows it (what the UI sends when the reviewer changes nothing)."""
    return {name: param["value"] for name, param in detail["params"].items()}


def _states(api: httpx.Client, dag_id: str, run_id: str) -> dict[str, str]:
    return {
        f"{ti['task_id']}[{ti['map_index']}]" if ti["map_index"] >= 0 else ti["task_id"]: ti["state"]
        for ti in task_instances(api, dag_id, run_id)
    }


def _posts(stack: AirflowStack, marker: str) -> list[dict[str, Any]]:
    assert stack.sandbox is not None
    return [p for p in stack.sandbox.state_snapshot()["posts"] if marker in str(p.get("text"))]


def _posts_created(stack: AirflowStack, marker: str, count: int, timeout: float = 90) -> list[dict[str, Any]]:
    """The posts once Publer's jobs (the sandbox's, which take a few seconds) created ``count``."""
    deadline = time.monotonic() + timeout
    while len(posts := _posts(stack, marker)) < count and time.monotonic() < deadline:
        time.sleep(1)
    return posts


def _approve_log(api: httpx.Client, dag_id: str, run_id: str, task_id: str = "approve") -> str:
    ti = next(t for t in task_instances(api, dag_id, run_id) if t["task_id"] == task_id)
    return log_text(task_log(api, dag_id, run_id, task_id, ti["try_number"]))


# -- the tests -------------------------------------------------------------------------------------


def test_approve_all_schedules_every_post_once_and_a_clear_posts_nothing_twice(
    stack: AirflowStack, api: httpx.Client
) -> None:
    run_id = stack.trigger_dag(CASES)
    (detail,) = _waiting(api, CASES, run_id)
    # The request: the preview, the form, who may answer.
    assert detail["subject"].startswith("Approve 3 post(s) to Publer: ")
    for seen in ("Sandbox Facebook Page", "Sandbox LinkedIn Page", "Sandbox X Profile", "Times in **UTC**"):
        assert seen in detail["body"]
    assert escape_markdown(f"approval {run_id} twitter") in detail["body"]
    assert detail["options"] == ["Approve", "Reject"]
    assert detail["defaults"] is None
    assert [u["id"] for u in detail["assigned_users"]] == ["admin"]
    form = _form(detail)
    assert form["approve"] == ["1", "2", "3"]
    assert set(form["texts"]) == {"1.facebook", "2.linkedin", "3.twitter"}

    assert _answer(api, CASES, run_id, "Approve", form).status_code == 200
    again = _answer(api, CASES, run_id, "Reject", form)
    assert again.status_code == 409, again.text  # a second answer changes nothing
    run = stack.wait_for_run(CASES, run_id)
    assert run["state"] == "success", _states(api, CASES, run_id)
    posts = _posts_created(stack, f"approval {run_id}", 3)
    assert sorted(p["network"] for p in posts) == ["facebook", "linkedin", "twitter"]
    record = xcom_value(api, CASES, run_id, "approve", "publer_approval")
    assert record["decision"] == "approved"
    assert record["approved"] == [1, 2, 3]
    reviewer = _responder(api, CASES, run_id)
    assert record["responded_by"] == {"id": reviewer["id"], "name": reviewer["name"]}
    assert record["responded_at"]
    assert f"Approved by {reviewer['name']} (id {reviewer['id']})" in _approve_log(api, CASES, run_id)

    # A clear of the schedule task after the approval: not asked again, nothing posted twice.
    cleared = api.post(
        f"dags/{CASES}/clearTaskInstances",
        json={"dry_run": False, "task_ids": ["schedule"], "dag_run_id": run_id, "only_failed": False},
    )
    assert cleared.status_code == 200, cleared.text
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        schedule = next(t for t in task_instances(api, CASES, run_id) if t["task_id"] == "schedule")
        if schedule["try_number"] == 2 and schedule["state"] == "success":
            break
        time.sleep(1)
    assert (schedule["try_number"], schedule["state"]) == (2, "success")
    approve = next(t for t in task_instances(api, CASES, run_id) if t["task_id"] == "approve")
    assert (approve["try_number"], approve["state"]) == (1, "success")
    time.sleep(10)  # longer than a sandbox job: a second submission would have created posts by now
    assert len(_posts(stack, f"approval {run_id}")) == 3


def test_approve_two_of_three_with_an_edited_text(stack: AirflowStack, api: httpx.Client) -> None:
    run_id = stack.trigger_dag(CASES)
    (detail,) = _waiting(api, CASES, run_id)
    form = _form(detail)
    form["approve"] = ["1", "3"]
    form["texts"]["3.twitter"] = f"Edited by the reviewer ({run_id})"
    form["reason"] = "LinkedIn waits for legal"
    assert _answer(api, CASES, run_id, "Approve", form).status_code == 200
    run = stack.wait_for_run(CASES, run_id)
    assert run["state"] == "success", _states(api, CASES, run_id)
    texts = sorted(p["text"] for p in _posts_created(stack, run_id, 2))
    assert texts == [f"Edited by the reviewer ({run_id})", f"approval {run_id} facebook"]
    record = xcom_value(api, CASES, run_id, "approve", "publer_approval")
    assert record["approved"] == [1, 3]
    assert record["rejected"] == [{"post": 2, "reason": "LinkedIn waits for legal"}]
    assert record["edited"] == ["3.twitter"]


def test_an_invalid_edit_is_refused_naming_the_field_and_nothing_is_sent(
    stack: AirflowStack, api: httpx.Client
) -> None:
    run_id = stack.trigger_dag(CASES)
    (detail,) = _waiting(api, CASES, run_id)
    form = _form(detail)
    form["texts"]["3.twitter"] = "x" * 281
    assert _answer(api, CASES, run_id, "Approve", form).status_code == 200
    run = stack.wait_for_run(CASES, run_id)
    assert run["state"] == "failed"
    assert _states(api, CASES, run_id) == {
        "build": "success",
        "approve": "failed",
        "schedule": "upstream_failed",
    }
    assert _posts(stack, run_id) == []
    log = _approve_log(api, CASES, run_id)
    assert "is refused and nothing was sent to Publer" in log
    assert "texts['3.twitter'] (post 3)" in log
    assert "X allows at most 280" in log


def test_reject_sends_nothing_skips_scheduling_and_keeps_the_reason(
    stack: AirflowStack, api: httpx.Client
) -> None:
    run_id = stack.trigger_dag(CASES)
    (detail,) = _waiting(api, CASES, run_id)
    form = {**_form(detail), "reason": "Wrong campaign"}
    assert _answer(api, CASES, run_id, "Reject", form).status_code == 200
    run = stack.wait_for_run(CASES, run_id)
    assert _states(api, CASES, run_id) == {"build": "success", "approve": "success", "schedule": "skipped"}
    assert run["state"] == "success"
    assert _posts(stack, run_id) == []
    record = xcom_value(api, CASES, run_id, "approve", "publer_approval")
    assert record["decision"] == "rejected"
    assert record["reason"] == "Wrong campaign"
    assert f"Rejected by {_responder(api, CASES, run_id)['name']}" in _approve_log(api, CASES, run_id)
    assert "Wrong campaign" in _approve_log(api, CASES, run_id)


def test_no_answer_within_the_timeout_sends_nothing(stack: AirflowStack, api: httpx.Client) -> None:
    run_id = stack.trigger_dag(TIMEOUT)
    run = stack.wait_for_run(TIMEOUT, run_id, timeout=180)
    assert run["state"] == "failed"
    assert _states(api, TIMEOUT, run_id) == {
        "build_soon": "success",
        "approve": "failed",
        "schedule": "upstream_failed",
    }
    assert _posts(stack, run_id) == []
    assert "No answer within the response timeout (0:00:05): nothing was sent" in _approve_log(
        api, TIMEOUT, run_id
    )


def test_a_mapped_approval_one_per_calendar(stack: AirflowStack, api: httpx.Client) -> None:
    run_id = stack.trigger_dag(MAPPED)
    details = _waiting(api, MAPPED, run_id, count=2)
    assert [d["task_instance"]["map_index"] for d in details] == [0, 1]
    first = _form(details[0])
    second = {**_form(details[1]), "approve": ["2"]}
    assert _answer(api, MAPPED, run_id, "Approve", first, map_index=0).status_code == 200
    assert _answer(api, MAPPED, run_id, "Approve", second, map_index=1).status_code == 200
    run = stack.wait_for_run(MAPPED, run_id)
    assert run["state"] == "success", _states(api, MAPPED, run_id)
    texts = sorted(p["text"] for p in _posts_created(stack, f"mapped {run_id}", 4))
    assert texts == sorted(
        [f"mapped {run_id} a {n}" for n in ("facebook", "linkedin", "twitter")]
        + [f"mapped {run_id} b linkedin"]
    )


def test_the_example_calendar_approval_schedule_live(stack: AirflowStack, api: httpx.Client) -> None:
    run_id = stack.trigger_dag(EXAMPLE)
    (detail,) = _waiting(api, EXAMPLE, run_id)
    assert detail["body"].startswith("The spring launch.")
    assert "Times in **Europe/Berlin**" in detail["body"]
    answered = _answer(api, EXAMPLE, run_id, "Approve", _form(detail), task_id="approve_calendar")
    assert answered.status_code == 200, answered.text
    run = stack.wait_for_run(EXAMPLE, run_id, timeout=600)
    assert run["state"] == "success", _states(api, EXAMPLE, run_id)
    posts = _posts(stack, run_id)
    assert sorted(p["network"] for p in posts) == ["facebook", "linkedin", "twitter"]
    assert {p["state"] for p in posts} == {"published"}
    assert "Posts are waiting for your approval: http" in _approve_log(
        api, EXAMPLE, run_id, "approve_calendar"
    )


# -- in the browser --------------------------------------------------------------------------------


@contextmanager
def _image_server() -> Iterator[str]:
    """The launch image over HTTP on loopback: what a post's media path points at."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(ROOT / "example_dags" / "assets"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/launch.png"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_the_reviewer_sees_the_preview_and_approves_by_clicking(
    stack: AirflowStack, api: httpx.Client, browser: Any, shots: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    docs = tmp_path if stack.airflow == FLOOR_AIRFLOW else shots
    with _image_server() as image:
        run_id = stack.trigger_dag(CASES, conf={"image": image})
        _waiting(api, CASES, run_id)
        with _open_page(browser, stack) as page:
            page.goto(f"/dags/{CASES}/runs/{quote(run_id, safe='')}/tasks/approve/required_actions")
            expect(page.get_by_text("Approve 3 post(s) to Publer").first).to_be_visible()
            # The preview: account, time zone, text, image.
            expect(page.get_by_text(f"approval {run_id} twitter", exact=True)).to_be_visible()
            expect(page.get_by_text("#3 ·").first).to_contain_text("Sandbox X Profile")
            expect(page.get_by_text("Times in").first).to_contain_text("UTC")
            thumbnail = page.locator(f"img[src='{image}']")
            expect(thumbnail).to_be_visible()
            assert thumbnail.evaluate("img => img.naturalWidth") > 0  # the image loaded
            page.wait_for_timeout(ANIMATION_MS)
            page.screenshot(path=docs / "approval-required-action.png", full_page=True)
            sent: list[str | None] = []
            page.on("request", lambda r: sent.append(r.post_data) if r.method == "PATCH" else None)
            page.get_by_role("button", name="Approve", exact=True).click()
            page.wait_for_timeout(ANIMATION_MS)
            page.screenshot(path=docs / "approval-answered.png")
        run = stack.wait_for_run(CASES, run_id)
    assert run["state"] == "success", f"{_states(api, CASES, run_id)} {sent}"
    posts = _posts_created(stack, f"approval {run_id}", 3)
    assert sorted(p["network"] for p in posts) == ["facebook", "linkedin", "twitter"]
    record = xcom_value(api, CASES, run_id, "approve", "publer_approval")
    assert (record["decision"], record["approved"]) == ("approved", [1, 2, 3])
    # The schedule task's Publer tab, on this Airflow too: the job and the three approved posts.
    job_id = xcom_value(api, CASES, run_id, "schedule")
    with _open_page(browser, stack) as page:
        page.goto(f"/dags/{CASES}/runs/{quote(run_id, safe='')}/tasks/schedule")
        page.get_by_role("link", name="Publer", exact=True).click()
        expect(page).to_have_url(re.compile(r"/tasks/schedule/plugin/publer_task_instance$"))
        frame = page.frame_locator("iframe")
        expect(frame.get_by_role("heading", name="Publer: schedule")).to_be_visible()
        expect(frame.get_by_text(f"Job(s) {job_id}")).to_be_visible()
        rows = frame.locator("table.posts tr").filter(has_text=f"approval {run_id}")
        expect(rows).to_have_count(3)
        for account in ("Sandbox Facebook Page", "Sandbox LinkedIn Page", "Sandbox X Profile"):
            expect(rows.filter(has_text=account)).to_have_count(1)
