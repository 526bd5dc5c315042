"""Unit tests of PublerHook against mocked HTTP (respx): auth, retries, duplicates safety, every shape."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from airflow_provider_publer.exceptions import (
    PublerAuthenticationError,
    PublerConfigurationError,
    PublerOutcomeUnknownError,
    PublerPermissionError,
    PublerRateLimitError,
    PublerServerError,
    PublerTransientError,
    PublerValidationError,
)
from airflow_provider_publer.hooks.publer import DEFAULT_BASE_URL, PublerHook
from tests.conftest import TEST_API_KEY, TEST_WORKSPACE, publer_conn_json

BASE = DEFAULT_BASE_URL
ACCOUNT = "63c675b54e299e9cf2b667ea"
POSTS = [
    {
        "networks": {"facebook": {"type": "status", "text": "Hello"}},
        "accounts": [{"id": ACCOUNT, "scheduled_at": "2099-09-06T14:16:00+02:00"}],
    }
]


@pytest.fixture(autouse=True)
def publer_conn(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json())


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def hook(sleeps):
    hook = PublerHook(sleep=sleeps.append, max_retries=3)
    yield hook
    hook.close()


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


class TestConnection:
    def test_headers_carry_bearer_api_key_and_workspace(self, hook, api):
        route = api.get("/accounts").respond(json=[{"id": ACCOUNT}])
        assert hook.list_accounts() == [{"id": ACCOUNT}]
        request = route.calls.last.request
        assert request.headers["Authorization"] == f"Bearer-API {TEST_API_KEY}"
        assert request.headers["Publer-Workspace-Id"] == TEST_WORKSPACE

    def test_workspaces_and_me_need_no_workspace_header(self, hook, api):
        route = api.get("/workspaces").respond(json=[{"id": "w", "name": "W"}])
        api.get("/users/me").respond(json={"id": "u", "name": "me"})
        assert hook.list_workspaces() == [{"id": "w", "name": "W"}]
        assert hook.get_current_user()["name"] == "me"
        assert "Publer-Workspace-Id" not in route.calls.last.request.headers

    def test_argument_workspace_overrides_connection(self, hook, api):
        route = api.get("/accounts").respond(json={"accounts": []})
        hook.list_accounts(workspace_id="60a2e45f9b3c8d002a4b7c32")
        assert route.calls.last.request.headers["Publer-Workspace-Id"] == "60a2e45f9b3c8d002a4b7c32"

    def test_host_points_at_another_compatible_server(self, monkeypatch):
        monkeypatch.setenv(
            "AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(host="http://127.0.0.1:9999/api/v1/")
        )
        with respx.mock(base_url="http://127.0.0.1:9999/api/v1") as router:
            router.get("/workspaces").respond(json=[])
            assert PublerHook().list_workspaces() == []

    def test_missing_api_key_is_a_clear_error(self, monkeypatch):
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(api_key=None))
        with pytest.raises(PublerConfigurationError, match=r"no Publer API key.*password"):
            PublerHook().list_workspaces()

    @pytest.mark.parametrize("host", ["http://publer.example.com/api/v1", "http://10.0.0.5/api/v1"])
    def test_plain_http_to_a_remote_host_is_refused(self, monkeypatch, host):
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(host=host))
        with respx.mock() as router, pytest.raises(PublerConfigurationError, match="plain http"):
            PublerHook().list_workspaces()
        assert not router.calls

    @pytest.mark.parametrize(
        "host", ["http://localhost:8000/api/v1", "http://[::1]:8000/api/v1", "http://127.0.0.2/x"]
    )
    def test_plain_http_to_loopback_is_allowed(self, monkeypatch, host):
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(host=host))
        assert PublerHook().settings.base_url == host.rstrip("/")

    def test_missing_workspace_names_the_fix(self, monkeypatch):
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(workspace_id=None))
        with respx.mock() as router, pytest.raises(PublerConfigurationError, match="workspace_id"):
            PublerHook().list_accounts()
        assert not router.calls

    def test_key_never_in_repr(self, hook):
        assert TEST_API_KEY not in repr(hook)
        assert TEST_API_KEY not in repr(hook.settings)


class TestSubmit:
    def test_schedule_posts_sends_the_documented_bulk_body(self, hook, api):
        route = api.post("/posts/schedule").respond(json={"job_id": "68176fa0f0eb419444bee686"})
        assert hook.schedule_posts(POSTS) == "68176fa0f0eb419444bee686"
        body = json.loads(route.calls.last.request.content)
        assert body == {"bulk": {"state": "scheduled", "posts": POSTS}}

    def test_envelope_202_answer(self, hook, api):
        api.post("/posts/schedule").respond(
            202, json={"success": True, "data": {"job_id": "6810dec617eae6d55d7a5e5b"}}
        )
        assert hook.schedule_posts(POSTS, state="draft") == "6810dec617eae6d55d7a5e5b"

    def test_publish_posts_uses_publish_endpoint(self, hook, api):
        route = api.post("/posts/schedule/publish").respond(json={"job_id": "j"})
        now_post = [{"networks": POSTS[0]["networks"], "accounts": [{"id": ACCOUNT}]}]
        assert hook.publish_posts(now_post) == "j"
        assert json.loads(route.calls.last.request.content)["bulk"]["state"] == "scheduled"

    def test_publish_posts_passes_the_publish_state(self, hook, api):
        route = api.post("/posts/schedule/publish").respond(json={"job_id": "j"})
        now_post = [{"networks": POSTS[0]["networks"], "accounts": [{"id": ACCOUNT}]}]
        assert hook.publish_posts(now_post, state="publish") == "j"
        assert json.loads(route.calls.last.request.content)["bulk"]["state"] == "publish"

    def test_invalid_posts_send_nothing(self, hook, api):
        route = api.post("/posts/schedule").respond(json={"job_id": "j"})
        with pytest.raises(PublerValidationError):
            hook.schedule_posts([{"networks": {}, "accounts": []}])
        assert not route.called

    @pytest.mark.parametrize("status", [500, 502, 503, 504])
    def test_5xx_on_post_is_never_repeated(self, hook, api, status):
        route = api.post("/posts/schedule").respond(status, json={"errors": ["boom"]})
        with pytest.raises(PublerOutcomeUnknownError, match="not repeated"):
            hook.schedule_posts(POSTS)
        assert route.call_count == 1

    @pytest.mark.parametrize(
        "exc", [httpx.ReadTimeout("t"), httpx.RemoteProtocolError("dropped"), httpx.ReadError("r")]
    )
    def test_lost_answer_on_post_is_never_repeated(self, hook, api, exc):
        route = api.post("/posts/schedule").mock(side_effect=exc)
        with pytest.raises(PublerOutcomeUnknownError):
            hook.schedule_posts(POSTS)
        assert route.call_count == 1

    def test_connect_error_on_post_is_retried_because_nothing_was_sent(self, hook, api, sleeps):
        route = api.post("/posts/schedule").mock(
            side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json={"job_id": "j"})]
        )
        assert hook.schedule_posts(POSTS) == "j"
        assert route.call_count == 2
        assert sleeps == [1.0]

    def test_429_on_post_waits_for_the_reset_and_retries(self, hook, api, sleeps, monkeypatch):
        monkeypatch.setattr("airflow_provider_publer.hooks.publer.time.time", lambda: 1_714_558_480.0)
        limited = httpx.Response(
            429,
            json={"error": "Rate limit exceeded. Retry later."},
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1714558492"},
        )
        route = api.post("/posts/schedule").mock(
            side_effect=[limited, httpx.Response(200, json={"job_id": "j"})]
        )
        assert hook.schedule_posts(POSTS) == "j"
        assert route.call_count == 2
        assert sleeps == [12.0]

    def test_400_is_raised_with_publers_messages(self, hook, api):
        api.post("/posts/schedule").respond(400, json={"errors": ["Invalid post data"]})
        with pytest.raises(Exception, match="HTTP 400 on POST posts/schedule: Invalid post data"):
            hook.schedule_posts(POSTS)


class TestReadRetries:
    def test_5xx_then_success(self, hook, api, sleeps):
        route = api.get("/accounts").mock(
            side_effect=[
                httpx.Response(503),
                httpx.Response(502, text="bad gateway"),
                httpx.Response(200, json=[]),
            ]
        )
        assert hook.list_accounts() == []
        assert route.call_count == 3
        assert sleeps == [1.0, 2.0]

    def test_gives_up_with_typed_error(self, hook, api, sleeps):
        api.get("/accounts").respond(500, json={"errors": ["down"]})
        with pytest.raises(PublerServerError, match="down") as info:
            hook.list_accounts()
        assert info.value.status_code == 500
        assert len(sleeps) == 3

    def test_network_errors_give_transient_error(self, hook, api):
        api.get("/accounts").mock(side_effect=httpx.ReadTimeout("slow"))
        with pytest.raises(PublerTransientError, match="gave up after 4 attempts"):
            hook.list_accounts()

    def test_429_longer_than_allowed_wait_is_raised(self, api, monkeypatch):
        hook = PublerHook(max_retry_wait=5, sleep=lambda s: None)
        api.get("/accounts").respond(
            429, json={"error": "Rate limit exceeded. Retry later."}, headers={"Retry-After": "60"}
        )
        with pytest.raises(PublerRateLimitError, match="Retry in 60s") as info:
            hook.list_accounts()
        assert info.value.retry_after == 60

    def test_401_is_not_retried_and_says_what_to_do(self, hook, api, sleeps):
        route = api.get("/accounts").respond(401, json={"errors": ["Invalid API key"]})
        with pytest.raises(PublerAuthenticationError, match=r"Invalid API key.*API Keys") as info:
            hook.list_accounts()
        assert route.call_count == 1
        assert TEST_API_KEY not in str(info.value)

    def test_403_is_permission_error(self, hook, api):
        api.get("/accounts").respond(403, json={"errors": ["Missing Publer-Workspace-Id header"]})
        with pytest.raises(PublerPermissionError, match="workspace"):
            hook.list_accounts()


class TestJobStatus:
    @pytest.mark.parametrize(
        "body",
        [
            {"status": "complete", "payload": {"failures": {}}},
            {"status": "completed", "payload": {"failures": []}},
            {
                "success": True,
                "data": {"status": "complete", "result": {"status": "complete", "payload": {"failures": {}}}},
            },
        ],
    )
    def test_success_in_every_envelope(self, hook, api, body):
        api.get("/job_status/j1").respond(json=body)
        result = hook.get_job_status("j1")
        assert result.is_success
        assert result.job_id == "j1"

    def test_bad_job_id_sends_nothing(self, hook, api):
        with pytest.raises(PublerConfigurationError, match="job_id"):
            hook.get_job_status("None")
        assert not api.calls

    async def _aget(self, hook):
        try:
            return await hook.aget_job_status("j2")
        finally:
            await hook.aclose()

    @pytest.mark.asyncio
    async def test_async_variant_uses_the_same_normalisation(self, api):
        api.get("/job_status/j2").respond(
            json={
                "success": True,
                "data": {
                    "status": "completed",
                    "result": {"payload": {"failures": {"a": [{"message": "x"}]}}},
                },
            }
        )
        result = await self._aget(PublerHook(sleep=lambda s: None))
        assert result.status == "completed"
        assert result.failures == [{"message": "x", "account_id": "a"}]

    @pytest.mark.asyncio
    async def test_async_retries_5xx(self, api, monkeypatch):
        async def no_sleep(_):
            return None

        monkeypatch.setattr("asyncio.sleep", no_sleep)
        route = api.get("/job_status/j2").mock(
            side_effect=[httpx.Response(503), httpx.Response(200, json={"status": "working"})]
        )
        result = await self._aget(PublerHook())
        assert result.status == "working"
        assert route.call_count == 2

    @pytest.mark.asyncio
    async def test_async_without_any_workspace_sends_nothing(self, api, monkeypatch):
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(workspace_id=None))
        route = api.get("/job_status/j2").respond(json={"status": "working"})
        with pytest.raises(PublerConfigurationError, match="No Publer workspace given"):
            await self._aget(PublerHook())
        assert not route.called


class TestPosts:
    def test_list_posts_follows_every_page_with_filters(self, hook, api):
        pages = [
            {"posts": [{"id": "p1"}], "total": 2, "page": 0, "per_page": 1, "total_pages": 2},
            {"posts": [{"id": "p2"}], "total": 2, "page": 1, "per_page": 1, "total_pages": 2},
        ]
        route = api.get("/posts").mock(side_effect=[httpx.Response(200, json=p) for p in pages])
        posts = hook.list_posts(
            state=["scheduled", "published"],
            account_ids=[ACCOUNT],
            from_="2025-01-01",
            to="2025-02-01",
            query="hi",
        )
        assert [p["id"] for p in posts] == ["p1", "p2"]
        params = route.calls[1].request.url.params
        assert params.get_list("state[]") == ["scheduled", "published"]
        assert params.get_list("account_ids[]") == [ACCOUNT]
        assert (params["from"], params["to"], params["query"], params["page"]) == (
            "2025-01-01",
            "2025-02-01",
            "hi",
            "1",
        )

    def test_a_server_that_ignores_page_does_not_loop(self, hook, api):
        same = {"posts": [{"id": "p1"}, {"id": "p2"}]}
        route = api.get("/posts").respond(json=same)
        assert [p["id"] for p in hook.list_posts()] == ["p1", "p2"]
        assert route.call_count == 2

    def test_single_state_is_sent_as_state(self, hook, api):
        route = api.get("/posts").respond(json={"posts": [], "total": 0})
        assert hook.list_posts(state="scheduled") == []
        assert route.calls.last.request.url.params["state"] == "scheduled"

    def test_delete_posts(self, hook, api):
        route = api.delete("/posts").respond(json={"deleted_ids": ["p1"]})
        assert hook.delete_posts(["p1", "p2"]) == ["p1"]
        assert route.calls.last.request.url.params.get_list("post_ids[]") == ["p1", "p2"]


class TestWebAppUrl:
    def test_publer_links_to_the_web_app_root(self, hook):
        assert hook.web_app_url("68176fa0f0eb419444bee686") == "https://app.publer.com/"

    def test_a_compatible_server_links_to_the_jobs_posts(self, monkeypatch):
        monkeypatch.setenv(
            "AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(host="http://127.0.0.1:9999/api/v1")
        )
        assert PublerHook().web_app_url("j1") == "http://127.0.0.1:9999/?job_id=j1"
        assert PublerHook().web_app_url() == "http://127.0.0.1:9999/"


class TestTestConnection:
    def test_ok(self, hook, api):
        api.get("/workspaces").respond(json=[{"id": TEST_WORKSPACE, "name": "Marketing"}])
        ok, message = hook.test_connection()
        assert ok
        assert "default workspace 'Marketing'" in message

    def test_bad_key(self, hook, api):
        api.get("/workspaces").respond(401, json={"errors": ["Invalid API key"]})
        ok, message = hook.test_connection()
        assert not ok
        assert "HTTP 401" in message
        assert "Invalid API key" in message

    def test_unknown_default_workspace(self, hook, api):
        api.get("/workspaces").respond(json=[{"id": "other", "name": "Other"}])
        ok, message = hook.test_connection()
        assert not ok
        assert TEST_WORKSPACE in message
        assert "Other (other)" in message

    def test_uses_only_get(self, hook, api):
        api.get("/workspaces").respond(json=[])
        hook.test_connection()
        assert {call.request.method for call in api.calls} == {"GET"}
