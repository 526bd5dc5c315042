"""The UI plugin without a server: cheap to import, every route behind Airflow's authentication, and
how a Publer post is traced back to the task instance that scheduled it.

``tests/integration/test_ui_plugin.py`` serves the routes from a real ``airflow api-server``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

from airflow_provider_publer.plugins import calendar
from airflow_provider_publer.plugins.records import (
    TRUNCATED_MARK,
    TaskRecord,
    outcome_post_ids,
    posts_of_rendered,
    reconciled_post_ids,
)

FACEBOOK, LINKEDIN = "63c675b54e299e9cf2b667ea", "63c675d74e299e9cf2b667eb"
POSTS = [
    {
        "networks": {"default": {"type": "status", "text": "Spring: post 0"}},
        "accounts": [
            {"id": FACEBOOK, "scheduled_at": "2031-03-02T09:00:00+00:00"},
            {"id": LINKEDIN, "scheduled_at": "2031-03-04T09:00:00+00:00"},
        ],
    }
]


def test_importing_the_plugin_builds_no_app() -> None:
    """Every Airflow component imports the plugin; only the API server needs its FastAPI app."""
    probe = (
        "import sys, airflow.plugins_manager\n"
        "heavy = ('airflow.api_fastapi.core_api.security', 'airflow_provider_publer.plugins.app')\n"
        "before = [m for m in heavy if m in sys.modules]\n"
        "import airflow_provider_publer.plugins.publer\n"
        "print([m for m in heavy if m in sys.modules and m not in before])"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_every_route_requires_a_logged_in_airflow_user() -> None:
    from airflow.api_fastapi.core_api.security import get_user

    from airflow_provider_publer.plugins.publer import URL_PREFIX, PublerPlugin

    (entry,) = PublerPlugin().fastapi_apps
    assert entry["url_prefix"] == URL_PREFIX == "/publer"
    routes = {r.path: r for r in entry["app"].routes if getattr(r, "dependant", None) is not None}
    assert {"/calendar", "/api/calendar", "/task-instance", "/api/task-instance"} <= set(routes)
    for path, route in routes.items():
        if path.startswith(("/docs", "/openapi", "/redoc")):
            continue
        calls = set()
        stack = [route.dependant]
        while stack:
            dependant = stack.pop()
            calls.add(dependant.call)
            stack.extend(dependant.dependencies)
        assert get_user in calls, path


def test_the_tab_is_on_every_task_instance_and_the_page_in_browse() -> None:
    from airflow_provider_publer.plugins.publer import PublerPlugin

    nav, tab = PublerPlugin.external_views
    assert (nav["destination"], nav["category"], nav["href"]) == ("nav", "browse", "/publer/calendar")
    assert tab["destination"] == "task_instance"
    for placeholder in ("{DAG_ID}", "{RUN_ID}", "{TASK_ID}", "{MAP_INDEX}"):
        assert placeholder in tab["href"]


def test_rendered_posts_given_as_a_list_are_traced_by_account_and_text() -> None:
    posts, why = posts_of_rendered(json.dumps(POSTS))
    assert (posts, why) == (POSTS, "")
    record = TaskRecord("d", "r", "t", posts=posts)
    assert record.intended() == [(FACEBOOK, "Spring: post 0"), (LINKEDIN, "Spring: post 0")]
    assert record.scheduled_days() == ["2031-03-02", "2031-03-04"]


def test_a_calendar_files_rendered_content_is_read_as_its_posts() -> None:
    """Airflow renders a calendar file's content in place of its name (``template_ext``)."""
    csv_text = (
        "account_id,network,type,text,scheduled_at\n"
        f"{FACEBOOK},facebook,status,From the sheet,2031-03-02T15:00:00+00:00\n"
    )
    posts, why = posts_of_rendered(csv_text)
    assert why == ""
    assert TaskRecord("d", "r", "t", posts=posts).intended() == [(FACEBOOK, "From the sheet")]
    yaml_text = "- networks: {default: {type: status, text: From YAML}}\n  accounts: [{id: '1'}]\n"
    posts, why = posts_of_rendered(yaml_text)
    assert TaskRecord("d", "r", "t", posts=posts).intended() == [("1", "From YAML")]


def test_a_cut_off_rendered_field_says_why_it_cannot_be_traced() -> None:
    posts, why = posts_of_rendered(f"{TRUNCATED_MARK}. [{{'networks': ")
    assert posts == []
    assert "max_templated_field_length" in why
    assert posts_of_rendered(None)[1]


def test_post_ids_come_from_reconciled_references_and_sensor_outcomes() -> None:
    assert reconciled_post_ids(["reconciled:a1,b2", "6810dec617eae6d55d7a5e5b"]) == {"a1", "b2"}
    job_outcome = {"job_id": "j1", "status": "reconciled", "payload": {"post_ids": ["p1"]}}
    assert outcome_post_ids(job_outcome) == ({"j1"}, {"p1": {}})
    several = {"job_id": "j1, j2", "job_ids": ["j1", "j2"], "jobs": [job_outcome, {"job_id": "j2"}]}
    assert outcome_post_ids(several) == ({"j1", "j2"}, {"p1": {}})
    p7 = {"id": "p7", "account_id": FACEBOOK, "state": "scheduled", "scheduled_at": "2031-03-05T10:00:00Z"}
    jobs, posts = outcome_post_ids([p7, {"id": "p8"}])
    assert (jobs, set(posts)) == (set(), {"p7", "p8"})
    # What the sensor saw of a post dates it: the tab lists the right days.
    assert TaskRecord("d", "r", "t", known=posts).scheduled_days() == ["2031-03-05"]


def test_a_listed_post_is_traced_by_id_first_then_by_account_and_text() -> None:
    by_text = TaskRecord("d1", "r", "schedule", posts=POSTS, workspaces={"j1": "w1"})
    by_id = TaskRecord("d2", "r", "schedule", post_ids={"p9"}, untraced="cut off", workspaces={"j2": "w1"})
    elsewhere = TaskRecord("d3", "r", "schedule", posts=POSTS, workspaces={"j3": "w2"})
    listed = [
        {"id": "p1", "account_id": FACEBOOK, "text": "Spring: post 0"},
        {"id": "p9", "account_id": LINKEDIN, "text": "anything"},
        {"id": "p5", "account_id": FACEBOOK, "text": "not the provider's"},
    ]
    traced = calendar.trace(listed, [elsewhere, by_text, by_id], "w1")
    assert traced == {"p1": by_text, "p9": by_id}
    assert calendar.trace(listed, [by_text], "w2") == {}  # its job was in another workspace


def test_one_load_per_key_and_others_meanwhile() -> None:
    calendar.clear_cache()
    loads: list[str] = []
    slow_started = threading.Event()

    def slow() -> str:
        slow_started.set()
        time.sleep(0.5)
        loads.append("slow")
        return "slow"

    worker = threading.Thread(target=lambda: calendar.cached(("k", 1), slow))
    worker.start()
    slow_started.wait(5)
    began = time.monotonic()
    assert calendar.cached(("k", 2), lambda: "other") == "other"  # not behind the slow load
    assert time.monotonic() - began < 0.4
    assert calendar.cached(("k", 1), lambda: "again") == "slow"  # waited for it, did not load twice
    worker.join()
    assert loads == ["slow"]
    calendar.clear_cache()


def test_a_month_of_2000_posts_fits_one_view() -> None:
    """The view's cap lists a 2,000-post month whole, and knows it is whole (Publer: 20 posts a page)."""
    assert calendar.PAGE_SIZE == 20
    assert (calendar.MAX_PAGES - 1) * calendar.PAGE_SIZE >= 2000


def test_the_page_links_only_to_web_addresses_and_escapes_publers_text() -> None:
    from airflow_provider_publer.plugins.app import _post_rows
    from airflow_provider_publer.plugins.calendar import CalendarPost

    post = {
        "id": "p1",
        "text": "<script>alert(1)</script>",
        "state": "published",
        "post_link": "javascript:alert(1)",
        "media": [{"thumbnail": "https://cdn.example.com/t.png"}],
    }
    html = _post_rows([CalendarPost(post, {"name": "<b>Page</b>"}, None)], "https://app.publer.com/")
    assert "javascript:" not in html
    assert "<script>alert" not in html
    assert "&lt;b&gt;Page&lt;/b&gt;" in html
    assert "src='https://cdn.example.com/t.png'" in html
