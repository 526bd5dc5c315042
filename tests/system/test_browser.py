"""The Airflow web UI in a real browser: the Publer connection form, its Test button, a run, the extra link.

Playwright (from PyPI) drives Debian's Chromium (``/usr/bin/chromium``; ``make browser-deps``
installs it) headless against the session's stack. Screenshots go to a temporary folder,
or to ``docs/images/`` with ``PUBLER_UPDATE_SCREENSHOTS=1`` (how the docs' images are made).
"""

from __future__ import annotations

import json
import os
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from airflow_provider_publer.sandbox import SANDBOX_API_KEY, SANDBOX_WORKSPACE_ID
from scripts.airflow_stack import ROOT, AirflowStack
from tests.system.stack import RunRecord, explain, xcom_value

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
QUICKSTART = "example_publer_quickstart"
GOOD_CONN, BAD_CONN = "publer_ui", "publer_ui_bad_key"
TEST_OK, TEST_FAILED = "Test Connection Successful", "Test Connection Failed"
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


@pytest.fixture
def page(browser: Any, airflow_stack: AirflowStack) -> Iterator[Any]:
    context = browser.new_context(base_url=airflow_stack.url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("PUBLER_UPDATE_SCREENSHOTS") == "1":
        folder = ROOT / "docs" / "images"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


def test_add_a_publer_connection_in_the_ui_and_test_it(
    page: Any, airflow_stack: AirflowStack, shots: Path
) -> None:
    from playwright.sync_api import expect

    try:
        page.goto("/connections")
        _add_connection(
            page, airflow_stack, GOOD_CONN, SANDBOX_API_KEY, screenshot=shots / "connection-form.png"
        )
        _add_connection(page, airflow_stack, BAD_CONN, "not-a-valid-publer-key")
        expect(page.get_by_role("cell", name=BAD_CONN, exact=True)).to_be_visible()

        # The form stored what a Publer connection needs, where the hook reads it.
        with airflow_stack.client() as api:
            stored = api.get(f"connections/{GOOD_CONN}").json()
        assert stored["conn_type"] == "publer"
        assert stored["host"] == airflow_stack.sandbox_url
        assert json.loads(stored["extra"]) == {"workspace_id": SANDBOX_WORKSPACE_ID}
        assert stored["password"] == "***"  # stored, and never sent back to the browser

        title, message = _press_test(page, GOOD_CONN)
        assert title == TEST_OK, message
        assert message == "Connected to Publer: 2 workspace(s); default workspace 'Sandbox Workspace'."
        page.screenshot(path=shots / "connection-test-success.png")
        _dismiss_toasts(page)

        title, message = _press_test(page, BAD_CONN)
        assert title == TEST_FAILED, message
        assert message.startswith("Publer connection failed: Publer returned HTTP 401 on GET workspaces")
        assert "Check the API key stored as the password of the Publer connection" in message
        page.screenshot(path=shots / "connection-test-failure.png")
    finally:
        with airflow_stack.client() as api:
            for conn_id in (GOOD_CONN, BAD_CONN):
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


def _add_connection(
    page: Any, stack: AirflowStack, conn_id: str, api_key: str, screenshot: Path | None = None
) -> None:
    """Fill the Add Connection form for a Publer connection to the sandbox, and save it."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Add Connection").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Connection ID").fill(conn_id)
    dialog.get_by_role("combobox").fill("Publer")
    page.keyboard.press("Enter")
    # The labels and placeholders come from the provider's connection form (provider info).
    expect(dialog.get_by_label("API key")).to_have_attribute(
        "placeholder", "Publer API key (Settings > Access & Login > API Keys)"
    )
    dialog.get_by_label("API base URL").fill(stack.sandbox_url)
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


def _press_test(page: Any, conn_id: str) -> tuple[str, str]:
    """Press the connection's Test button; returns the title and message of the toast it shows.

    Airflow 3.3.2's UI sends ``port: 0`` for a connection without a port, and the API then
    refuses the test with 400 "Bad Request" (apache/airflow#73298, fixed in the API after
    3.3.2). When that happens, the request is resent with ``port: null``, which is what the
    fixed Airflow accepts; the toast then shows the provider's own test result.
    """
    title, message = _click_test(page, conn_id)
    if title == TEST_FAILED and message == "Bad Request":
        warnings.warn(
            "Airflow's Test button sent port=0 for a connection without a port (apache/airflow#73298); "
            "resent with port=null",
            stacklevel=2,
        )
        page.route("**/api/v2/connections/test", _send_port_as_null)
        _dismiss_toasts(page)
        title, message = _click_test(page, conn_id)
    return title, message


def _click_test(page: Any, conn_id: str) -> tuple[str, str]:
    from playwright.sync_api import expect

    page.mouse.move(0, 0)  # no tooltip of another row's button in the way
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=conn_id, exact=True))
    row.get_by_role("button", name="Test Connection").click()
    toast = page.locator("[data-scope=toast][data-part=root]").filter(has_text="Test Connection")
    expect(toast).to_have_count(1)
    page.wait_for_timeout(ANIMATION_MS)  # the toast slides in
    title = toast.locator("[data-part=title]").inner_text().strip()
    message = toast.locator("[data-part=description]").inner_text().strip()
    return title, message


def _dismiss_toasts(page: Any) -> None:
    """Close the Test Connection toasts, so the next one is the only one."""
    from playwright.sync_api import expect

    page.mouse.move(0, 0)
    toasts = page.locator("[data-scope=toast][data-part=root]").filter(has_text="Test Connection")
    for close in toasts.locator("[data-part=close-trigger]").all():
        close.click()
    expect(toasts).to_have_count(0, timeout=15_000)


def _send_port_as_null(route: Any) -> None:
    body = json.loads(route.request.post_data or "{}")
    if body.get("port") == 0:
        body["port"] = None
    route.continue_(post_data=json.dumps(body))
