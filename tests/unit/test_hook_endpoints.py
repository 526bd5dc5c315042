"""The hook's endpoints: ids that enter a URL path never change which URL is called, a DELETE whose
answer was lost says which ids it could not confirm, and the endpoint catalogue and the Test
button's texts work on their own (mocked HTTP, as every hook unit test)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
import requests_mock as rm
import respx

from airflow_provider_publer import connection_check
from airflow_provider_publer.exceptions import (
    PublerAuthenticationError,
    PublerConnectError,
    PublerServerError,
    PublerTimeoutError,
    PublerValidationError,
)
from airflow_provider_publer.hooks import endpoints
from airflow_provider_publer.hooks.publer import DEFAULT_BASE_URL, PublerHook
from airflow_provider_publer.hooks.transport import answer_lost
from airflow_provider_publer.responses import DeletedPosts

pytestmark = pytest.mark.usefixtures("publer_conn")

REAL_ID = "68176fa0f0eb419444bee686"
ACCOUNT = "63c675b54e299e9cf2b667ea"
API_PATH = urlsplit(DEFAULT_BASE_URL).path
#: Ids that would change the URL if they went into it as they are.
TAMPERED = [f"{REAL_ID}?x=1", "abc#frag", f"{REAL_ID}?state=published&x=1", "a%2Fb", "..", "."]

# -- ids in URL paths ---------------------------------------------------------------------------------

#: (hook call with the id, the path it must reach, with ``{}`` where the escaped id goes)
PATH_CALLS: list[tuple[str, Callable[[PublerHook, str], Any], str]] = [
    ("update_post", lambda hook, i: hook.update_post(i, {"text": "New"}), "posts/{}"),
    ("get_job_status", lambda hook, i: hook.get_job_status(i), "job_status/{}"),
    (
        "get_post_insights",
        lambda hook, i: hook.get_post_insights(i, "2026-05-01", "2026-05-07"),
        "analytics/{}/post_insights",
    ),
    ("get_hashtag_insights", lambda hook, i: hook.get_hashtag_insights(i), "analytics/{}/hashtag_insights"),
    ("get_chart_data", lambda hook, i: hook.get_chart_data(i, ["followers"]), "analytics/{}/chart_data"),
    (
        "get_best_times",
        lambda hook, i: hook.get_best_times(i, "2026-05-01", "2026-05-07"),
        "analytics/{}/best_times",
    ),
]


@pytest.mark.parametrize("post_id", TAMPERED)
@pytest.mark.parametrize(("name", "call", "path"), PATH_CALLS, ids=[c[0] for c in PATH_CALLS])
def test_an_id_never_changes_the_url_it_enters(
    hook: PublerHook, api: rm.Mocker, name: str, call: Callable[..., Any], path: str, post_id: str
) -> None:
    """``?``, ``#`` or an escape in an id is refused, or sent escaped inside its one path segment:
    never as a query string, a fragment or another path."""
    api.register_uri(rm.ANY, rm.ANY, json={"id": REAL_ID, "status": "complete", "posts": [], "records": []})
    try:
        call(hook, post_id)
    except PublerValidationError:
        assert not api.called
        return
    assert api.call_count == 1
    sent = urlsplit(api.last_request.url)
    assert sent.path == f"{API_PATH}/{path.format(quote(post_id, safe=''))}"
    assert "x" not in parse_qs(sent.query)
    assert "state" not in parse_qs(sent.query)
    assert not sent.fragment


def test_update_post_with_a_query_in_the_id_never_puts_the_real_post(
    hook: PublerHook, api: rm.Mocker
) -> None:
    """``update_post("<id>?x=1")`` used to send ``PUT /posts/<id>?x=1``: it updated the real post."""
    real = api.put(f"{DEFAULT_BASE_URL}/posts/{REAL_ID}", json={"id": REAL_ID})
    other = api.put(rm.ANY, json={"id": "not-this-one"})
    with contextlib.suppress(PublerValidationError):
        hook.update_post(f"{REAL_ID}?x=1", {"text": "Hijacked"})
    assert not real.called
    assert not other.called or other.last_request.url.endswith(f"/posts/{REAL_ID}%3Fx%3D1")


@pytest.mark.parametrize("job_id", [f"{REAL_ID}?x=1", "abc#frag"])
@pytest.mark.asyncio
async def test_async_job_status_escapes_the_id_too(job_id: str) -> None:
    with respx.mock(base_url=DEFAULT_BASE_URL, assert_all_called=False) as router:
        route = router.route().respond(json={"status": "working"})
        hook = PublerHook()
        try:
            await hook.aget_job_status(job_id)
        except PublerValidationError:
            assert not route.called
            return
        finally:
            await hook.aclose()
    sent = route.calls.last.request.url
    assert sent.raw_path.decode() == f"{API_PATH}/job_status/{quote(job_id, safe='')}"
    assert not sent.query


@pytest.mark.parametrize("bad", [None, "None", ".", "..", "a/b", f"{REAL_ID} ", ""])
def test_checked_id_refuses_what_no_escape_makes_safe(bad: Any) -> None:
    with pytest.raises(PublerValidationError) as info:
        endpoints.checked_id(bad, "post_id")
    assert info.value.field == "post_id"


def test_checked_id_keeps_the_hint_for_an_xcom_never_pushed() -> None:
    with pytest.raises(PublerValidationError, match="check that the upstream task pushed it"):
        endpoints.checked_id("None", "job_id")


# -- a DELETE whose answer was lost ---------------------------------------------------------------------


def test_a_repeated_delete_reports_the_ids_it_could_not_confirm(hook: PublerHook, api: rm.Mocker) -> None:
    """Publer deleted the posts, its answer was lost (502), the repeat answers ``[]``: the ids are
    not reported deleted, and not reported kept either."""
    api.delete(
        f"{DEFAULT_BASE_URL}/posts",
        [{"status_code": 502, "text": "Bad Gateway"}, {"json": {"deleted_ids": ["p2"]}}],
    )
    deleted = hook.delete_posts(["p1", "p2", "p3"])
    assert api.call_count == 2
    assert deleted == ["p2"]
    assert isinstance(deleted, DeletedPosts)
    assert deleted.unconfirmed == ["p1", "p3"]


def test_a_delete_whose_connection_broke_after_sending_is_unconfirmed(
    hook: PublerHook, api: rm.Mocker
) -> None:
    api.delete(
        f"{DEFAULT_BASE_URL}/posts",
        [{"exc": requests.exceptions.ReadTimeout("read timed out")}, {"json": {"deleted_ids": []}}],
    )
    deleted = hook.delete_posts(["p1"])
    assert deleted == []
    assert deleted.unconfirmed == ["p1"]


def test_a_delete_that_never_reached_publer_confirms_what_it_reports(
    hook: PublerHook, api: rm.Mocker
) -> None:
    """A connection never made, or a 429, reached nothing: Publer's answer to the repeat is the truth."""
    api.delete(
        f"{DEFAULT_BASE_URL}/posts",
        [
            {"exc": requests.exceptions.ConnectTimeout("connect timed out")},
            {"status_code": 429, "json": {"error": "Rate limit exceeded"}},
            {"json": {"deleted_ids": ["p1"]}},
        ],
    )
    deleted = hook.delete_posts(["p1", "p2"])
    assert api.call_count == 3
    assert deleted == ["p1"]
    assert deleted.unconfirmed == []


def test_a_delete_answered_at_once_has_nothing_unconfirmed(hook: PublerHook, api: rm.Mocker) -> None:
    api.delete(f"{DEFAULT_BASE_URL}/posts", json={"deleted_ids": ["p1"]})
    deleted = hook.delete_posts(["p1", "p2"])
    assert deleted == ["p1"]
    assert deleted.unconfirmed == []
    assert hook.delete_posts([]) == []


def test_which_failures_lost_an_answer() -> None:
    assert answer_lost(PublerServerError(502, ["Bad Gateway"]))
    assert answer_lost(PublerTimeoutError("read timed out"))
    assert not answer_lost(PublerConnectError("refused"))
    assert not answer_lost(PublerAuthenticationError(401, ["bad key"]))


# -- the endpoint catalogue ---------------------------------------------------------------------------


def test_an_endpoint_knows_its_path_ids_and_escapes_each() -> None:
    assert endpoints.CHART_DATA.ids == ("account_id",)
    assert endpoints.POSTS.ids == ()
    assert endpoints.CHART_DATA.url_path({"account_id": "ab-1_C"}) == "analytics/ab-1_C/chart_data"
    with pytest.raises(PublerValidationError, match=r"account_id: .*contains '\?'"):
        endpoints.CHART_DATA.url_path({"account_id": "a?b#c"})
    with pytest.raises(TypeError, match="account_id"):
        endpoints.CHART_DATA.url_path({})
    with pytest.raises(PublerValidationError) as info:
        endpoints.UPDATE_POST.url_path({"post_id": "a/b"})
    assert info.value.field == "post_id"


def test_every_endpoint_of_the_catalogue_is_one_publer_request() -> None:
    catalogue = [getattr(endpoints, name) for name in endpoints.__all__ if name.isupper()]
    assert catalogue
    for endpoint in catalogue:
        assert isinstance(endpoint, endpoints.Endpoint)
        assert endpoint.method in {"GET", "POST", "PUT", "DELETE"}
        assert not endpoint.path.startswith("/")
        assert all(name.endswith("_id") for name in endpoint.ids)


# -- the Test button's texts ------------------------------------------------------------------------


def test_the_test_button_texts_name_the_fields_to_fix() -> None:
    refused = connection_check.failure_message(
        PublerAuthenticationError(401, ["Invalid key"]), "https://x/api"
    )
    assert "HTTP 401" in refused
    assert "'API key'" in refused
    late = connection_check.failure_message(PublerTimeoutError("slow"), "https://x/api", timeout=3)
    assert "did not answer within 3s at https://x/api" in late
    ok, text = connection_check.workspaces_message([{"id": "w1", "name": "Main"}], "https://x/api", None)
    assert ok
    assert "Main (w1)" in text
    assert "'Default workspace ID'" in text
    ok, text = connection_check.workspaces_message([{"id": "w1", "name": "Main"}], "https://x/api", "w2")
    assert not ok
    assert "workspace 'w2' is not one of its 1 workspace(s)" in text


# -- DAG-parse cost -----------------------------------------------------------------------------------


def test_parsing_a_dag_imports_no_module_of_the_hook_package() -> None:
    """The operator and sensor modules load the hook only when a task runs."""
    code = (
        "import sys, airflow_provider_publer.operators.publer, airflow_provider_publer.sensors.publer;"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('airflow_provider_publer.hooks')"
        " or m == 'airflow_provider_publer.connection_check')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""
