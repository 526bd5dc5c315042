"""The Airflow web UI in a real browser: the Publer connection form, its Test button, a run, the extra link.

Playwright (from PyPI) drives Debian's Chromium (``/usr/bin/chromium``; ``make browser-deps``
installs it) headless against the session's stack. Screenshots go to a temporary folder,
or to ``docs/images/`` with ``PUBLER_UPDATE_SCREENSHOTS=1`` (how the docs' images are made).

The Test button is clicked, never imitated: the test reads the message the page shows for
what Airflow's own UI sent. The connection tests run on the session's Airflow and, when the
project's floor virtualenv (``.venv-floor``, Airflow 3.1.8) exists, on a second stack started
from it, so both UIs and both APIs are clicked through.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest

from airflow_provider_publer.sandbox import SANDBOX_API_KEY, SANDBOX_WORKSPACE_ID, SandboxConfig
from scripts.airflow_stack import (
    DEFAULT_CONN_ID,
    EXAMPLE_DAG_IDS,
    ROOT,
    SCHEDULED_EXAMPLE_DAG_IDS,
    AirflowStack,
)
from tests.system.conftest import UI_TRIGGERED_RUNS
from tests.system.stack import RunRecord, executor_race, explain, xcom_value

pytestmark = [pytest.mark.browser, pytest.mark.fullstack, pytest.mark.timeout(900)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FLOOR_AIRFLOW = ROOT / ".venv-floor" / "bin" / "airflow"
QUICKSTART = "example_publer_quickstart"
FAILURE = "example_publer_failure_handling"
TEST_OK, TEST_FAILED = "Test Connection Successful", "Test Connection Failed"
#: The end of the provider's success message for the sandbox: its two workspaces, the default found.
CONNECTED = "2 workspace(s); default workspace 'Sandbox Workspace'."
#: What Airflow 3.3.2 answers for a connection stored without a port (apache/airflow#73298).
BAD_REQUEST = "Bad Request"
ANIMATION_MS = 800  # before a screenshot: dialogs, accordions and toasts animate


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the 'playwright' package is not installed")
    if not CHROMIUM.exists():
        # Installs it with apt when running as root; says what to do otherwise.
        subprocess.run(["bash", str(ROOT / "scripts" / "ensure_chromium.sh")], check=False)
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing and could not be installed (run 'make browser-deps' as root)")
    # The UI may be slow on a busy machine: expectations wait as long as actions do.
    sync_api.expect.set_options(timeout=30_000)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def _open_page(browser: Any, stack: AirflowStack) -> Iterator[Any]:
    from playwright.sync_api import expect

    context = browser.new_context(base_url=stack.url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        # Sign in first (all admins, no password): Airflow 3.1 sends a first visit of a deeper
        # page through its login and back to the home page.
        page.goto("/")
        expect(page.get_by_role("button", name="Admin")).to_be_visible()
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser: Any, airflow_stack: AirflowStack) -> Iterator[Any]:
    with _open_page(browser, airflow_stack) as opened:
        yield opened


@pytest.fixture(scope="module")
def floor_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowStack]:
    """``airflow standalone`` of the floor virtualenv (Airflow 3.1.8), without DAGs: only its UI is used."""
    if not FLOOR_AIRFLOW.exists():
        pytest.skip(f"{FLOOR_AIRFLOW} is missing (make floor)")
    home = tmp_path_factory.mktemp("airflow-floor-home")
    dags = tmp_path_factory.mktemp("no-dags")
    stack = AirflowStack(home, dags_folder=dags, airflow=FLOOR_AIRFLOW, sandbox_config=SandboxConfig())
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(params=["newest", "floor"])
def ui_stack(request: pytest.FixtureRequest) -> AirflowStack:
    """The session's stack (this virtualenv's Airflow), then the floor virtualenv's."""
    name = "airflow_stack" if request.param == "newest" else "floor_stack"
    stack: AirflowStack = request.getfixturevalue(name)
    return stack


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("PUBLER_UPDATE_SCREENSHOTS") == "1":
        folder = ROOT / "docs" / "images"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


# -- First: publer_default typed into the form, then every example DAG triggered from its dialog, so
# -- that the session's runs (``finished_runs``) are the ones the UI started, with that connection.


def test_publer_default_added_in_the_form_tests_green(
    page: Any, airflow_stack: AirflowStack, tmp_path: Path
) -> None:
    """What ``make stack`` stored is deleted; the user types ``publer_default`` in; the DAGs use it."""
    from playwright.sync_api import expect

    assert airflow_stack.sandbox is not None
    with airflow_stack.client() as api:
        assert api.delete(f"connections/{DEFAULT_CONN_ID}").status_code == 204
    page.goto("/connections")
    # The stack's own key: test_fullstack.py checks that the stored connection carries it.
    _add_connection(page, DEFAULT_CONN_ID, airflow_stack.api_key, airflow_stack.sandbox.port)
    expect(page.get_by_role("cell", name=DEFAULT_CONN_ID, exact=True)).to_be_visible()
    with airflow_stack.client() as api:
        stored = api.get(f"connections/{DEFAULT_CONN_ID}").json()
    expected = airflow_stack.connection_body()
    assert (stored["host"], stored["port"], stored["schema"]) == (
        expected["host"],
        expected["port"],
        expected["schema"],
    )
    assert json.loads(stored["extra"]) == json.loads(expected["extra"])
    _assert_connected(*_click_test(page, DEFAULT_CONN_ID, screenshot=tmp_path / "publer-default-test.png"))


def test_every_example_dag_triggers_from_its_dialog_with_the_defaults(
    page: Any, airflow_stack: AirflowStack, request: pytest.FixtureRequest, shots: Path
) -> None:
    from playwright.sync_api import expect

    # The runs of the DAGs already triggered keep the machine busy while the next dialog opens.
    page.set_default_timeout(90_000)
    for dag_id in EXAMPLE_DAG_IDS:
        if dag_id in SCHEDULED_EXAMPLE_DAG_IDS:
            airflow_stack.unpause(dag_id)  # a paused DAG's run would wait
        page.goto(f"/dags/{dag_id}")
        page.get_by_role("button", name="Trigger Dag").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("heading", name=f"Trigger Dag - {dag_id}")).to_be_visible(timeout=90_000)
        confirm = dialog.get_by_role("button", name="Trigger", exact=True)
        expect(confirm).to_be_enabled(timeout=90_000)  # every param's default is valid in the form
        if dag_id == QUICKSTART:
            page.wait_for_timeout(ANIMATION_MS)
            page.screenshot(path=shots / "trigger-quickstart.png")
        confirm.click()
        expect(dialog).to_be_hidden(timeout=90_000)
        # The UI opens the new run: its URL names it.
        expect(page).to_have_url(re.compile(f"/dags/{dag_id}/runs/[^/]+$"), timeout=90_000)
        UI_TRIGGERED_RUNS[dag_id] = unquote(page.url.rsplit("/runs/", 1)[1])
    runs: dict[str, RunRecord] = request.getfixturevalue("finished_runs")
    for dag_id in EXAMPLE_DAG_IDS:
        run = runs[dag_id]
        # example_publer_failure_handling shows a failure on purpose (test_fullstack.py reads why).
        assert run.state == ("failed" if dag_id == FAILURE else "success"), explain(airflow_stack, run)
        if not executor_race(airflow_stack, run):
            assert run.run_id == UI_TRIGGERED_RUNS[dag_id]


def test_the_publer_page_lists_the_quickstarts_posts(
    page: Any, airflow_stack: AirflowStack, finished_runs: dict[str, RunRecord], shots: Path
) -> None:
    """Browse > Publer: the week's posts of the user's DAGs, their state, and the ids to copy."""
    from playwright.sync_api import expect

    run = finished_runs[QUICKSTART]
    assert run.state == "success", explain(airflow_stack, run)
    page.get_by_role("button", name="Browse").click()
    page.get_by_role("menuitem", name="Publer").click()
    expect(page).to_have_url(f"{airflow_stack.url}/plugin/publer")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name="Publer", exact=True)).to_be_visible()
    rows = frame.locator("table.posts tr").filter(has_text=run.run_id)
    if not rows.count():  # the posts go out in 15 minutes: next week on a Sunday night
        frame.get_by_role("link", name="Later →").click()
    expect(rows).to_have_count(3)
    for account in ("Sandbox Facebook Page", "Sandbox LinkedIn Page", "Sandbox X Profile"):
        row = rows.filter(has_text=account)
        expect(row.locator("td.state")).to_have_text("scheduled")
        expect(row.locator("a.ti")).to_have_text(f"{QUICKSTART}.schedule_posts")
    ids = frame.locator("table.ids")
    expect(ids.get_by_role("cell", name=SANDBOX_WORKSPACE_ID)).to_be_visible()
    expect(ids.get_by_role("button", name="Copy").first).to_be_visible()
    page.wait_for_timeout(ANIMATION_MS)
    page.screenshot(path=shots / "publer-page.png", full_page=True)


def test_the_publer_tab_of_a_schedule_task(
    page: Any, airflow_stack: AirflowStack, finished_runs: dict[str, RunRecord], shots: Path
) -> None:
    from playwright.sync_api import expect

    run = finished_runs[QUICKSTART]
    page.goto(f"/dags/{QUICKSTART}/runs/{quote(run.run_id, safe='')}/tasks/schedule_posts")
    page.get_by_role("link", name="Publer", exact=True).click()
    expect(page).to_have_url(re.compile(r"/tasks/schedule_posts/plugin/publer_task_instance$"))
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name="Publer: schedule_posts")).to_be_visible()
    with airflow_stack.client() as api:
        job_id = xcom_value(api, QUICKSTART, run.run_id, "schedule_posts")
    expect(frame.get_by_text(f"Job(s) {job_id}")).to_be_visible()
    rows = frame.locator("table.posts tr").filter(has_text=run.run_id)
    expect(rows).to_have_count(3)
    expect(rows.locator("td.state")).to_have_text(["scheduled"] * 3)
    page.wait_for_timeout(ANIMATION_MS)
    page.screenshot(path=shots / "publer-tab.png")


def test_the_publer_page_on_the_floor_airflow(browser: Any, floor_stack: AirflowStack) -> None:
    """Airflow 3.1.8 shows the same page in Browse > Publer (no DAG ran there: no posts, the ids)."""
    from playwright.sync_api import expect

    with _open_page(browser, floor_stack) as floor_page:
        floor_page.get_by_role("button", name="Browse").click()
        floor_page.get_by_role("menuitem", name="Publer").click()
        frame = floor_page.frame_locator("iframe")
        expect(frame.get_by_role("heading", name="Publer", exact=True)).to_be_visible()
        expect(frame.get_by_text("No posts.")).to_be_visible()
        expect(frame.locator("table.ids").get_by_role("cell", name=SANDBOX_WORKSPACE_ID)).to_be_visible()


def test_add_a_publer_connection_and_click_test(
    browser: Any, ui_stack: AirflowStack, shots: Path, tmp_path: Path
) -> None:
    """Add dialog: API host, port, API path, key and workspace; then the row's Test button."""
    from playwright.sync_api import expect

    docs = _docs_shots(ui_stack, shots, tmp_path)
    assert ui_stack.sandbox is not None
    port = ui_stack.sandbox.port
    good, bad = "publer_ui", "publer_ui_bad_key"
    try:
        with _open_page(browser, ui_stack) as page:
            page.goto("/connections")
            _add_connection(page, good, SANDBOX_API_KEY, port, screenshot=docs / "connection-form.png")
            _add_connection(page, bad, "not-a-valid-publer-key", port)
            expect(page.get_by_role("cell", name=bad, exact=True)).to_be_visible()

            # The form stored what a Publer connection needs, where the hook reads it.
            with ui_stack.client() as api:
                stored = api.get(f"connections/{good}").json()
            assert stored["conn_type"] == "publer"
            assert (stored["host"], stored["port"], stored["schema"]) == ("http://127.0.0.1", port, "api/v1")
            assert json.loads(stored["extra"]) == {"workspace_id": SANDBOX_WORKSPACE_ID}
            assert stored["password"] == "***"  # stored, and never sent back to the browser

            _assert_connected(*_click_test(page, good, screenshot=docs / "connection-test-success.png"))
            _dismiss_toasts(page)

            title, message = _click_test(page, bad, screenshot=docs / "connection-test-failure.png")
            assert title == TEST_FAILED, message
            assert "401" in message  # the provider's message: Publer (the sandbox) refused the key
            assert "API key" in message
    finally:
        with ui_stack.client() as api:
            for conn_id in (good, bad):
                api.delete(f"connections/{conn_id}")


def test_a_stored_connection_without_a_port_then_edited(
    browser: Any, ui_stack: AirflowStack, shots: Path, tmp_path: Path
) -> None:
    """A connection stored without a port (its URL in the host, as JSON and URIs often have it).

    Airflow 3.3.2 answers its Test button with "Bad Request" before the provider is asked
    (apache/airflow#73298); Airflow 3.1.8 runs the test. Typing the port in the Edit dialog
    makes the button work on both.
    """
    from playwright.sync_api import expect

    docs = _docs_shots(ui_stack, shots, tmp_path)
    conn_id = "publer_stored"
    with ui_stack.client() as api:
        created = api.post(
            "connections",
            json={
                "connection_id": conn_id,
                "conn_type": "publer",
                "host": ui_stack.sandbox_url,
                "password": SANDBOX_API_KEY,
                "extra": json.dumps({"workspace_id": SANDBOX_WORKSPACE_ID}),
            },
        )
    assert created.status_code == 201, created.text
    assert ui_stack.sandbox is not None
    port = ui_stack.sandbox.port
    try:
        with _open_page(browser, ui_stack) as page:
            page.goto("/connections")
            title, message = _click_test(page, conn_id, screenshot=tmp_path / "no-port.png")
            if _refuses_a_connection_without_port(ui_stack):
                assert (title, message) == (TEST_FAILED, BAD_REQUEST)
                (tmp_path / "no-port.png").replace(docs / "connection-test-no-port.png")
            else:
                _assert_connected(title, message)
            _dismiss_toasts(page)

            row = _row(page, conn_id)
            row.get_by_role("button", name="Edit Connection").click()
            dialog = page.get_by_role("dialog")
            dialog.get_by_label("Port").fill(str(port))
            page.mouse.move(0, 0)
            page.wait_for_timeout(ANIMATION_MS)
            page.screenshot(path=docs / "connection-edit-port.png")
            dialog.get_by_role("button", name="Save").click()
            expect(dialog).to_be_hidden()
            with ui_stack.client() as api:
                stored = api.get(f"connections/{conn_id}").json()
            assert (stored["host"], stored["port"]) == (ui_stack.sandbox_url, port)

            _assert_connected(*_click_test(page, conn_id))
    finally:
        with ui_stack.client() as api:
            api.delete(f"connections/{conn_id}")


def test_a_successful_run_and_the_publer_posts_link(
    page: Any, airflow_stack: AirflowStack, finished_runs: dict[str, RunRecord], shots: Path
) -> None:
    from playwright.sync_api import expect

    run = finished_runs[QUICKSTART]
    assert run.state == "success", explain(airflow_stack, run)
    with airflow_stack.client() as api:
        job_id = xcom_value(api, QUICKSTART, run.run_id, "schedule_posts")
    assert airflow_stack.sandbox is not None
    posts_url = f"{airflow_stack.sandbox.base_url}/?job_id={job_id}"
    run_path = f"/dags/{QUICKSTART}/runs/{quote(run.run_id, safe='')}"

    # The run: every task green, in the grid and in the graph.
    page.goto(run_path)
    expect(page.get_by_role("heading", name=run.run_id)).to_be_visible()
    rows = page.get_by_role("row").filter(has=page.get_by_role("link", name="schedule_posts", exact=True))
    expect(rows.get_by_text("Success")).to_be_visible()
    expect(page.get_by_text("5 Task Instances")).to_be_visible()
    page.screenshot(path=shots / "quickstart-run-grid.png")
    page.get_by_role("button", name="Show Graph (Press g)").click()
    expect(page.locator(".react-flow__node").first).to_be_visible()
    page.wait_for_timeout(ANIMATION_MS)  # let the layout settle before the picture
    page.screenshot(path=shots / "quickstart-run-graph.png")

    # The schedule_posts task: its "Publer posts" extra link points at the sandbox's page of the job.
    page.goto(f"{run_path}/tasks/schedule_posts/details")
    link = page.get_by_role("link", name="Publer posts")
    expect(link).to_be_visible()
    assert link.get_attribute("href") == posts_url
    page.get_by_role("button", name="Show Graph (Press g)").click()
    expect(page.locator(".react-flow__node").first).to_be_visible()
    page.wait_for_timeout(ANIMATION_MS)
    page.screenshot(path=shots / "extra-link-publer-posts.png")
    with page.context.expect_page() as opened:
        link.click()
    posts_page = opened.value
    posts_page.wait_for_load_state()
    assert posts_page.url == posts_url
    expect(posts_page.get_by_role("heading", name=f"Posts of job {job_id}")).to_be_visible()
    table_rows = posts_page.get_by_role("row")
    expect(table_rows).to_have_count(4)  # a header and the three scheduled posts
    for account in ("Sandbox Facebook Page", "Sandbox LinkedIn Page", "Sandbox X Profile"):
        expect(posts_page.get_by_role("cell", name=account, exact=True)).to_be_visible()
    posts_page.screenshot(path=shots / "publer-posts-page.png")


# -- UI steps --------------------------------------------------------------------------------------


def _docs_shots(stack: AirflowStack, shots: Path, tmp_path: Path) -> Path:
    """Where a test's screenshots go: the docs' folder for the session's stack, else a temporary one."""
    return tmp_path if stack.airflow == FLOOR_AIRFLOW else shots


def _add_connection(page: Any, conn_id: str, api_key: str, port: int, screenshot: Path | None = None) -> None:
    """Fill the Add Connection form for a Publer connection to the sandbox, and save it."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Add Connection").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Connection ID").fill(conn_id)
    dialog.get_by_role("combobox").fill("Publer")
    page.keyboard.press("Enter")
    # The labels and placeholders come from the provider's connection form.
    expect(dialog.get_by_label("API key")).to_have_attribute(
        "placeholder", "Publer API key (Settings > Access & Login > API Keys)"
    )
    expect(dialog.get_by_label("API path")).to_have_attribute("placeholder", "api/v1")
    dialog.get_by_label("API host").fill("http://127.0.0.1")
    dialog.get_by_label("Port").fill(str(port))
    dialog.get_by_label("API path").fill("api/v1")
    dialog.get_by_label("API key").fill(api_key)
    if screenshot is not None:
        dialog.get_by_label("Connection ID").focus()
        page.wait_for_timeout(ANIMATION_MS)
        page.screenshot(path=screenshot)
    dialog.get_by_role("button", name="Extra Fields", exact=True).click()
    # Airflow 3.3.2 does not tie this label to its input, so find the input by name.
    workspace = dialog.locator("input[name=element_workspace_id]")
    workspace.fill(SANDBOX_WORKSPACE_ID)
    if screenshot is not None:
        page.wait_for_timeout(ANIMATION_MS)
        page.screenshot(path=screenshot.with_name(f"{screenshot.stem}-workspace{screenshot.suffix}"))
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()


def _row(page: Any, conn_id: str) -> Any:
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=conn_id, exact=True))


def _click_test(page: Any, conn_id: str, screenshot: Path | None = None) -> tuple[str, str]:
    """Click the connection's Test button; returns the title and message of the toast it shows.

    In Airflow 3.1 and 3.3 the button is in the connection's row of the list (the Add and Edit
    dialogs have none). Whatever the page sent is what Airflow's UI sends.
    """
    from playwright.sync_api import expect

    page.mouse.move(0, 0)  # no tooltip of another row's button in the way
    _row(page, conn_id).get_by_role("button", name="Test Connection").click()
    toast = page.locator("[data-scope=toast][data-part=root]").filter(has_text="Test Connection")
    expect(toast).to_have_count(1)
    title = toast.locator("[data-part=title]").inner_text().strip()
    message = toast.locator("[data-part=description]").inner_text().strip()
    if screenshot is not None:
        page.wait_for_timeout(ANIMATION_MS)  # the toast slides in
        page.screenshot(path=screenshot)
    return title, message


def _assert_connected(title: str, message: str) -> None:
    """The provider's own success message (its wording is the hook's, tested in tests/unit)."""
    assert title == TEST_OK, message
    assert message.startswith("Connected to Publer"), message
    assert message.endswith(CONNECTED), message


def _dismiss_toasts(page: Any) -> None:
    """Close the Test Connection toasts, so the next one is the only one."""
    from playwright.sync_api import expect

    page.mouse.move(0, 0)
    toasts = page.locator("[data-scope=toast][data-part=root]").filter(has_text="Test Connection")
    for close in toasts.locator("[data-part=close-trigger]").all():
        close.click()
    expect(toasts).to_have_count(0, timeout=15_000)


def _refuses_a_connection_without_port(stack: AirflowStack) -> bool:
    """Whether the stack's Airflow API refuses ``port: 0`` for a connection stored without a port.

    Airflow 3.3.2's ``_same_endpoint`` treats the ``0`` its UI sends as another destination
    than the stored NULL (apache/airflow#73298); 3.1.8 has no such check.
    """
    probe = (
        "from airflow.api_fastapi.core_api.routes.public import connections as c\n"
        "same = getattr(c, '_same_endpoint', None)\n"
        "print(same is not None and not same(0, None))"
    )
    python = stack.airflow.with_name("python")
    out = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, check=True, env=stack.env()
    ).stdout
    return out.strip().splitlines()[-1] == "True"
