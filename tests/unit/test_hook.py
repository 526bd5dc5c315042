"""Unit tests of PublerHook against mocked HTTP: requests-mock for the sync session, respx for the
async httpx client. Auth, every connection form, retries (tenacity), pacing, duplicates safety,
paging, the Test button and the key never leaving in error text."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import requests
import respx

from airflow_provider_publer import retries
from airflow_provider_publer.exceptions import (
    PublerAPIError,
    PublerAuthenticationError,
    PublerConfigurationError,
    PublerConnectError,
    PublerNotFoundError,
    PublerOutcomeUnknownError,
    PublerPermissionError,
    PublerRateLimitError,
    PublerServerError,
    PublerTimeoutError,
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
        "accounts": [{"id": ACCOUNT, "scheduled_at": "2029-09-06T14:16:00+02:00"}],
    }
]


pytestmark = pytest.mark.usefixtures("publer_conn")


def url(path: str) -> str:
    return f"{BASE}/{path}"


class TestConnection:
    def test_get_conn_is_one_reused_requests_session(self, hook):
        session = hook.get_conn()
        assert isinstance(session, requests.Session)
        assert hook.get_conn() is session

    def test_headers_carry_bearer_api_key_and_workspace(self, hook, api):
        api.get(url("accounts"), json=[{"id": ACCOUNT}])
        assert hook.list_accounts() == [{"id": ACCOUNT}]
        request = api.last_request
        assert request.headers["Authorization"] == f"Bearer-API {TEST_API_KEY}"
        assert request.headers["Publer-Workspace-Id"] == TEST_WORKSPACE

    def test_workspaces_and_me_need_no_workspace_header(self, hook, api):
        api.get(url("workspaces"), json=[{"id": "w", "name": "W"}])
        api.get(url("users/me"), json={"id": "u", "name": "me"})
        assert hook.list_workspaces() == [{"id": "w", "name": "W"}]
        assert "Publer-Workspace-Id" not in api.request_history[0].headers
        assert hook.get_current_user()["name"] == "me"

    def test_argument_workspace_overrides_connection(self, hook, api):
        api.get(url("accounts"), json={"accounts": []})
        hook.list_accounts(workspace_id="60a2e45f9b3c8d002a4b7c32")
        assert api.last_request.headers["Publer-Workspace-Id"] == "60a2e45f9b3c8d002a4b7c32"

    def test_missing_api_key_is_a_clear_error(self, monkeypatch):
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(api_key=None))
        with pytest.raises(PublerConfigurationError, match=r"no Publer API key.*password"):
            PublerHook().list_workspaces()

    @pytest.mark.parametrize("host", ["http://publer.example.com/api/v1", "http://10.0.0.5/api/v1"])
    def test_plain_http_to_a_remote_host_is_refused(self, monkeypatch, api, host):
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(host=host))
        with pytest.raises(PublerConfigurationError, match="plain http"):
            PublerHook().list_workspaces()
        assert not api.called

    @pytest.mark.parametrize(
        "host", ["http://localhost:8000/api/v1", "http://[::1]:8000/api/v1", "http://127.0.0.2/x"]
    )
    def test_plain_http_to_loopback_is_allowed(self, monkeypatch, host):
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(host=host))
        assert PublerHook().settings.base_url == host.rstrip("/")

    def test_missing_workspace_names_the_fix(self, monkeypatch, api):
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(workspace_id=None))
        with pytest.raises(PublerConfigurationError, match="workspace_id"):
            PublerHook().list_accounts()
        assert not api.called

    def test_key_never_in_repr(self, hook):
        assert TEST_API_KEY not in repr(hook)
        assert TEST_API_KEY not in repr(hook.settings)
        assert TEST_API_KEY not in repr(hook.get_conn().auth)


# -- every form a connection is written in (UI fields, JSON, URI, secrets backends) -------------

SANDBOX_LIKE = "http://127.0.0.1:8765/api/v1"


@pytest.mark.parametrize(
    ("conn", "expected"),
    [
        pytest.param({"conn_type": "publer", "password": "k"}, BASE, id="json-no-host"),
        pytest.param({"conn_type": "publer", "password": "k", "host": BASE}, BASE, id="json-full-url"),
        pytest.param(
            {"conn_type": "publer", "password": "k", "host": "app.publer.com"}, BASE, id="ui-host-only"
        ),
        pytest.param(
            {"conn_type": "publer", "password": "k", "host": "app.publer.com/api/v1/"},
            BASE,
            id="ui-no-scheme",
        ),
        pytest.param(
            {"conn_type": "publer", "password": "k", "host": "127.0.0.1", "port": 8765, "schema": "api/v1"},
            "https://127.0.0.1:8765/api/v1",
            id="json-split-fields",
        ),
        pytest.param(
            {
                "conn_type": "publer",
                "password": "k",
                "host": "http://127.0.0.1",
                "port": 8765,
                "schema": "api/v1",
            },
            SANDBOX_LIKE,
            id="json-scheme-in-host-port-and-path-apart",
        ),
        pytest.param(
            {"conn_type": "publer", "password": "k", "host": SANDBOX_LIKE, "port": 0},
            SANDBOX_LIKE,
            id="ui-sends-port-0",
        ),
        pytest.param("publer://:k@app.publer.com/api/v1?workspace_id=WS", BASE, id="uri-with-path"),
        pytest.param("publer://:k@app.publer.com", BASE, id="uri-host-only"),
        pytest.param("publer://:k@app.publer.com:443/api/v1", BASE, id="uri-default-port"),
        pytest.param(
            {
                "conn_type": "publer",
                "password": "k",
                "host": "app.publer.com",
                "port": 443,
                "schema": "api/v1",
            },
            BASE,
            id="ui-port-443-as-the-form-suggests",
        ),
        pytest.param("publer://:k@", BASE, id="uri-no-host"),
        pytest.param(
            "publer://:k@127.0.0.1:8765/api/v1", "https://127.0.0.1:8765/api/v1", id="uri-with-port-and-path"
        ),
        pytest.param("publer://:k@http%3A%2F%2F127.0.0.1:8765/api/v1", SANDBOX_LIKE, id="uri-http-loopback"),
    ],
)
def test_every_connection_form_gives_the_same_base_url(monkeypatch, conn, expected):
    value = conn if isinstance(conn, str) else json.dumps(conn)
    monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", value)
    assert PublerHook().settings.base_url == expected


@pytest.mark.parametrize(
    "fields",
    [
        {"host": "http://127.0.0.1:8765/api/v1"},
        {"host": "127.0.0.1", "port": 8765, "schema": "api/v1"},
        {"host": "app.publer.com/api/v1"},
        {"host": ""},
    ],
)
def test_uri_round_trip_keeps_the_base_url(monkeypatch, fields):
    """Secrets backends and the UI's Test button store connections as URIs (Connection.get_uri)."""
    from airflow.models.connection import Connection

    original = Connection(conn_id="publer_default", conn_type="publer", password="k/ey+1@x", **fields)
    monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", original.get_uri())
    via_uri = PublerHook().settings
    monkeypatch.setenv(
        "AIRFLOW_CONN_PUBLER_DEFAULT", json.dumps({"conn_type": "publer", "password": "k/ey+1@x", **fields})
    )
    via_json = PublerHook().settings
    assert via_uri.base_url == via_json.base_url
    assert via_uri.api_key == via_json.api_key == "k/ey+1@x"


def test_uri_encoded_key_is_sent_decoded(monkeypatch, api):
    monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", "publer://:abc%2Fdef%2Bg%40h@app.publer.com/api/v1")
    api.get(url("workspaces"), json=[])
    PublerHook().list_workspaces()
    assert api.last_request.headers["Authorization"] == "Bearer-API abc/def+g@h"


def test_uri_path_and_port_reach_the_server(monkeypatch, api):
    """Regression: a URI's path and port were dropped (calls went to https://app.publer.com/workspaces)."""
    monkeypatch.setenv(
        "AIRFLOW_CONN_PUBLER_DEFAULT", "publer://:k@app.publer.com:8443/api/v1?workspace_id=WS"
    )
    api.get("https://app.publer.com:8443/api/v1/accounts", json=[])
    assert PublerHook().list_accounts() == []
    assert api.last_request.headers["Publer-Workspace-Id"] == "WS"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"host": "https://app.publer.com:8080/api/v1", "port": 8443},
            "says port 8080 but the Port field says 8443",
        ),
        ({"host": "https://app.publer.com/api/v1", "schema": "api/v2"}, "give the path once"),
        ({"host": "https://app.publer.com/api/v1?x=1"}, "query"),
        ({"host": "ftp://app.publer.com"}, "not an http"),
        ({"host": "app.publer.com", "port": 70000}, "not a TCP port"),
    ],
)
def test_contradicting_connection_fields_are_refused(monkeypatch, api, fields, message):
    monkeypatch.setenv(
        "AIRFLOW_CONN_PUBLER_DEFAULT", json.dumps({"conn_type": "publer", "password": "k", **fields})
    )
    with pytest.raises(PublerConfigurationError, match=message):
        PublerHook().list_workspaces()
    assert not api.called


# -- the API key: refused when malformed, scrubbed from every message -------------------------


@pytest.mark.parametrize(
    "key", ["abc\ndef-123456", "abc def-123456", "abc\tdef-123456", "abc\x00def", "clé-123456"]
)
def test_a_key_with_whitespace_or_control_characters_is_refused_without_echoing_it(monkeypatch, api, key):
    monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(api_key=key))
    with pytest.raises(PublerConfigurationError, match="whitespace, a line break") as info:
        PublerHook().list_workspaces()
    assert not api.called
    for part in key.split():
        assert part not in str(info.value)
    assert repr(key)[1:-1] not in str(info.value)


def test_surrounding_whitespace_of_a_pasted_key_is_dropped(monkeypatch, api):
    monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(api_key=f"  {TEST_API_KEY}\n"))
    api.get(url("workspaces"), json=[])
    PublerHook().list_workspaces()
    assert api.last_request.headers["Authorization"] == f"Bearer-API {TEST_API_KEY}"


ECHO_KEYS = [TEST_API_KEY, "key-with/slash+plus", 'key"with\\quote']


@pytest.mark.parametrize("key", ECHO_KEYS)
@pytest.mark.parametrize("status", [401, 403, 500])
def test_an_error_body_echoing_the_key_never_reaches_the_message(monkeypatch, api, key, status):
    monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(api_key=key))
    from urllib.parse import quote

    echoed = [
        f"Rejected credentials 'Bearer-API {key}'",
        f"escaped {json.dumps(key)} url {quote(key, safe='')} repr {key!r}",
    ]
    api.get(url("accounts"), status_code=status, json={"errors": echoed})
    api.get(url("workspaces"), status_code=status, text=f"<html>Bearer-API {key}</html>")
    hook = PublerHook(sleep=lambda s: None, max_retries=0)
    with pytest.raises(PublerAPIError) as info:
        hook.list_accounts()
    ok, message = hook.test_connection()
    assert not ok
    from airflow_provider_publer.connection import secret_forms

    for text in (str(info.value), repr(info.value), message, *getattr(info.value, "messages", [])):
        for form in secret_forms(key):
            assert form not in text
    assert "Rejected credentials 'Bearer-API ***'" in str(info.value)


def test_transport_error_text_is_scrubbed(monkeypatch, api):
    api.get(url("accounts"), exc=requests.ConnectionError(f"proxy said Bearer-API {TEST_API_KEY}"))
    with pytest.raises(PublerTransientError) as info:
        PublerHook(sleep=lambda s: None, max_retries=0).list_accounts()
    assert TEST_API_KEY not in str(info.value)


# -- proxies: plain http to loopback never goes through one -----------------------------------


def test_plain_http_to_loopback_ignores_http_proxy_in_the_environment(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("http_proxy", "http://proxy.invalid:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv(
        "AIRFLOW_CONN_PUBLER_DEFAULT",
        json.dumps(
            {
                "conn_type": "publer",
                "password": "k-123456",
                "host": SANDBOX_LIKE,
                "extra": {"proxies": {"http": "http://proxy.invalid:3128"}},
            }
        ),
    )
    session = PublerHook().get_conn()
    assert session.trust_env is False
    assert session.proxies == {}
    settings = session.merge_environment_settings(f"{SANDBOX_LIKE}/workspaces", {}, None, None, None)
    assert not settings["proxies"]


def test_https_uses_the_proxies_and_ca_bundle_of_the_connection(monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_PUBLER_DEFAULT",
        json.dumps(
            {
                "conn_type": "publer",
                "password": "k-123456",
                "extra": {
                    "proxies": {"https": "http://user:pw-secret@proxy.example.com:3128"},
                    "verify": "/etc/ca.pem",
                },
            }
        ),
    )
    hook = PublerHook()
    session = hook.get_conn()
    assert session.proxies == {"https": "http://user:pw-secret@proxy.example.com:3128"}
    assert session.verify == "/etc/ca.pem"
    assert session.trust_env is True
    assert "pw-secret" not in repr(hook.settings)
    assert hook.settings.scrub("via pw-secret") == "via ***"


@pytest.mark.parametrize(
    ("extra", "message"),
    [({"verify": "maybe"}, None), ({"proxies": ["x"]}, "proxies"), ({"trust_env": "perhaps"}, "trust_env")],
)
def test_bad_tls_and_proxy_settings_are_clear_errors(monkeypatch, extra, message):
    monkeypatch.setenv(
        "AIRFLOW_CONN_PUBLER_DEFAULT", json.dumps({"conn_type": "publer", "password": "k", "extra": extra})
    )
    if message is None:  # a string that is not a boolean is a CA bundle path
        assert PublerHook().settings.verify == "maybe"
        return
    with pytest.raises(PublerConfigurationError, match=message):
        PublerHook().settings  # noqa: B018


# -- submitting: never twice ------------------------------------------------------------------


class TestSubmit:
    def test_schedule_posts_sends_the_documented_bulk_body(self, hook, api):
        api.post(url("posts/schedule"), json={"job_id": "68176fa0f0eb419444bee686"})
        assert hook.schedule_posts(POSTS) == "68176fa0f0eb419444bee686"
        assert api.last_request.json() == {"bulk": {"state": "scheduled", "posts": POSTS}}

    def test_envelope_202_answer(self, hook, api):
        api.post(
            url("posts/schedule"), status_code=202, json={"success": True, "data": {"job_id": "6810dec6"}}
        )
        assert hook.schedule_posts(POSTS, state="draft") == "6810dec6"

    def test_publish_posts_uses_publish_endpoint(self, hook, api):
        api.post(url("posts/schedule/publish"), json={"job_id": "j"})
        now_post = [{"networks": POSTS[0]["networks"], "accounts": [{"id": ACCOUNT}]}]
        assert hook.publish_posts(now_post) == "j"
        assert api.last_request.json()["bulk"]["state"] == "scheduled"
        assert hook.publish_posts(now_post, state="publish") == "j"
        assert api.last_request.json()["bulk"]["state"] == "publish"

    def test_invalid_posts_send_nothing(self, hook, api):
        with pytest.raises(PublerValidationError):
            hook.schedule_posts([{"networks": {}, "accounts": []}])
        assert not api.called

    @pytest.mark.parametrize("status", [500, 502, 503, 504])
    def test_5xx_on_post_is_never_repeated(self, hook, api, status):
        api.post(url("posts/schedule"), status_code=status, json={"errors": ["boom"]})
        with pytest.raises(PublerOutcomeUnknownError, match="not repeated"):
            hook.schedule_posts(POSTS)
        assert api.call_count == 1

    @pytest.mark.parametrize(
        "exc",
        [
            requests.ReadTimeout("t"),
            requests.ConnectionError("('Connection aborted.', RemoteDisconnected('closed'))"),
            requests.exceptions.ChunkedEncodingError("cut"),
        ],
    )
    def test_lost_answer_on_post_is_never_repeated(self, hook, api, exc):
        api.post(url("posts/schedule"), exc=exc)
        with pytest.raises(PublerOutcomeUnknownError):
            hook.schedule_posts(POSTS)
        assert api.call_count == 1

    def test_connect_error_on_post_is_retried_because_nothing_was_sent(self, hook, api, sleeps):
        api.post(
            url("posts/schedule"),
            [{"exc": requests.ConnectTimeout("refused")}, {"json": {"job_id": "j"}}],
        )
        assert hook.schedule_posts(POSTS) == "j"
        assert api.call_count == 2
        assert len(sleeps) == 1
        assert 1.0 <= sleeps[0] <= 2.0  # backoff 1 s plus jitter

    def test_a_refused_connection_is_a_connect_error_not_an_unknown_outcome(self, hook, sleeps):
        hook = PublerHook(sleep=sleeps.append, max_retries=1)
        hook.settings  # noqa: B018
        hook.__dict__["settings"] = type(hook.settings)(
            api_key="k-123456", base_url="http://127.0.0.1:9/api/v1", workspace_id=TEST_WORKSPACE
        )
        with pytest.raises(PublerConnectError, match="gave up after 2 attempts"):
            hook.schedule_posts(POSTS)

    def test_429_on_post_waits_for_the_reset_and_retries(self, hook, api, sleeps, monkeypatch):
        monkeypatch.setattr("airflow_provider_publer.hooks.publer.time.time", lambda: 1_714_558_480.0)
        limited = {
            "status_code": 429,
            "json": {"error": "Rate limit exceeded. Retry later."},
            "headers": {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1714558492"},
        }
        api.post(url("posts/schedule"), [limited, {"json": {"job_id": "j"}}])
        monkeypatch.setattr(retries.RateBudget, "reserve", lambda self, now=None: 0.0)  # the retry waits
        assert hook.schedule_posts(POSTS) == "j"
        assert api.call_count == 2
        assert 12.0 <= sleeps[-1] <= 13.0

    def test_400_is_raised_with_publers_messages(self, hook, api):
        api.post(url("posts/schedule"), status_code=400, json={"errors": ["Invalid post data"]})
        with pytest.raises(Exception, match="HTTP 400 on POST posts/schedule: Invalid post data"):
            hook.schedule_posts(POSTS)


class TestReadRetries:
    def test_5xx_then_success(self, hook, api, sleeps):
        api.get(
            url("accounts"), [{"status_code": 503}, {"status_code": 502, "text": "bad gateway"}, {"json": []}]
        )
        assert hook.list_accounts() == []
        assert api.call_count == 3
        assert len(sleeps) == 2
        assert 1.0 <= sleeps[0] <= 2.0
        assert 2.0 <= sleeps[1] <= 3.0

    def test_gives_up_with_typed_error(self, hook, api, sleeps):
        api.get(url("accounts"), status_code=500, json={"errors": ["down"]})
        with pytest.raises(PublerServerError, match="down") as info:
            hook.list_accounts()
        assert info.value.status_code == 500
        assert len(sleeps) == 3

    def test_network_errors_give_transient_error(self, hook, api):
        api.get(url("accounts"), exc=requests.ReadTimeout("slow"))
        with pytest.raises(PublerTimeoutError, match="gave up after 4 attempts"):
            hook.list_accounts()

    def test_429_longer_than_allowed_wait_is_raised(self, api):
        hook = PublerHook(max_retry_wait=5, sleep=lambda s: None)
        api.get(
            url("accounts"),
            status_code=429,
            json={"error": "Rate limit exceeded. Retry later."},
            headers={"Retry-After": "60"},
        )
        with pytest.raises(PublerRateLimitError, match="Retry in 60s") as info:
            hook.list_accounts()
        assert info.value.retry_after == 60
        assert api.call_count == 1

    def test_429s_do_not_use_up_the_retries_for_other_trouble(self, hook, api, sleeps):
        limited = {
            "status_code": 429,
            "json": {"error": "Rate limit exceeded. Retry later."},
            "headers": {"Retry-After": "1"},
        }
        api.get(url("accounts"), [limited] * 5 + [{"status_code": 503}] * 3 + [{"json": []}])
        assert hook.list_accounts() == []
        assert api.call_count == 9

    def test_401_is_not_retried_and_says_what_to_do(self, hook, api, sleeps):
        api.get(url("accounts"), status_code=401, json={"errors": ["Invalid API key"]})
        with pytest.raises(PublerAuthenticationError, match=r"Invalid API key.*API Keys") as info:
            hook.list_accounts()
        assert api.call_count == 1
        assert TEST_API_KEY not in str(info.value)

    def test_403_is_permission_error(self, hook, api):
        api.get(url("accounts"), status_code=403, json={"errors": ["Missing Publer-Workspace-Id header"]})
        with pytest.raises(PublerPermissionError, match="workspace"):
            hook.list_accounts()

    def test_no_retry_wait_starts_past_the_deadline(self, api, sleeps):
        """A sensor's poke keeps its retries within the time the sensor has left."""
        hook = PublerHook(sleep=sleeps.append, deadline=time.time() + 0.5)
        api.get(url("job_status/j1"), status_code=502)
        with pytest.raises(PublerServerError):
            hook.get_job_status("j1")
        assert api.call_count == 1
        assert sleeps == []

    def test_the_request_timeout_shrinks_to_the_deadline(self, api):
        hook = PublerHook(timeout=30, deadline=time.time() + 5)
        api.get(url("workspaces"), json=[])
        hook.list_workspaces()
        connect, read = api.last_request.timeout
        assert connect <= 5.0
        assert read <= 5.0


class TestPacing:
    NOW = 1_714_558_400.0

    def test_a_full_budget_lets_requests_go_at_once_then_spreads_them(self):
        budget = retries.RateBudget(limit=4, window=8.0)  # one token every 2 s
        waits = [budget.reserve(now=self.NOW) for _ in range(6)]
        assert waits[:4] == [0.0, 0.0, 0.0, 0.0]
        assert waits[4:] == [pytest.approx(2.0), pytest.approx(4.0)]
        assert budget.reserve(now=self.NOW + 100) == 0.0  # refilled

    def test_headers_of_other_workers_lower_the_budget(self):
        budget = retries.RateBudget(limit=100, window=120.0)
        assert budget.reserve(now=self.NOW) == 0.0
        headers = {
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Remaining": "1",
            "X-RateLimit-Reset": str(int(self.NOW) + 60),
        }
        budget.observe(headers, now=self.NOW)  # someone else used 98
        assert budget.reserve(now=self.NOW) == 0.0
        assert budget.reserve(now=self.NOW) == pytest.approx(60.0)  # no new slot before the reset

    def test_what_publer_says_is_left_can_be_used_at_once(self):
        """A sliding window frees many slots at once: the headers say so, the bucket follows."""
        budget = retries.RateBudget(limit=10, window=12.0)
        reset = str(int(self.NOW) + 12)
        for left in range(9, -1, -1):
            assert budget.reserve(now=self.NOW) == 0.0
            budget.observe({"X-RateLimit-Remaining": str(left), "X-RateLimit-Reset": reset}, now=self.NOW)
        assert budget.reserve(now=self.NOW) == pytest.approx(12.0)  # the next slot frees at the reset
        after = {"X-RateLimit-Remaining": "9", "X-RateLimit-Reset": str(int(self.NOW) + 24)}
        budget.observe(after, now=self.NOW + 12)
        assert [budget.reserve(now=self.NOW + 12) for _ in range(9)] == [0.0] * 9
        assert budget.reserve(now=self.NOW + 12) == pytest.approx(12.0)

    def test_nothing_left_waits_for_the_reset(self):
        budget = retries.RateBudget()
        budget.reserve(now=self.NOW)
        zero = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(self.NOW) + 30)}
        budget.observe(zero, now=self.NOW)
        assert budget.reserve(now=self.NOW) == pytest.approx(30.0)
        assert budget.reserve(now=self.NOW) == pytest.approx(31.2)  # the next waits behind it

    def test_a_cancelled_reservation_gives_its_token_back(self):
        budget = retries.RateBudget(limit=1, window=10.0)
        assert budget.reserve(now=self.NOW) == 0.0
        assert budget.reserve(now=self.NOW) == pytest.approx(10.0)
        budget.cancel()
        assert budget.reserve(now=self.NOW) == pytest.approx(10.0)

    def test_the_limit_of_the_connection_extra(self, monkeypatch, api, sleeps):
        monkeypatch.setenv(
            "AIRFLOW_CONN_PUBLER_DEFAULT",
            json.dumps(
                {
                    "conn_type": "publer",
                    "password": "k-123456",
                    "extra": {"workspace_id": "w", "rate_limit": 2, "rate_limit_window": 10},
                }
            ),
        )
        api.get(url("accounts"), json=[])
        hook = PublerHook(sleep=sleeps.append)
        for _ in range(3):
            hook.list_accounts()
        assert sleeps == [pytest.approx(5.0, abs=0.5)]

    def test_hook_waits_before_the_budget_runs_out_instead_of_meeting_a_429(self, hook, api, sleeps):
        reset = str(int(time.time()) + 60)
        api.get(url("accounts"), json=[], headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
        hook.list_accounts()
        assert sleeps == []
        hook.list_accounts()
        assert len(sleeps) == 1
        assert 55 <= sleeps[0] <= 61
        assert api.call_count == 2

    def test_pacing_never_waits_past_the_deadline(self, api, sleeps):
        reset = str(int(time.time()) + 100)
        api.get(
            url("job_status/j1"),
            json={"status": "working"},
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
        )
        PublerHook(sleep=sleeps.append).get_job_status("j1")
        hook = PublerHook(sleep=sleeps.append, deadline=time.time() + 10)
        with pytest.raises(PublerRateLimitError, match="budget"):
            hook.get_job_status("j1")
        assert api.call_count == 1
        assert sleeps == []

    @pytest.mark.asyncio
    async def test_async_polls_of_many_triggers_queue_behind_each_other(self, monkeypatch, async_sleeps):
        """One budget per key and process: coroutines of a triggerer are paced together."""
        monkeypatch.setenv(
            "AIRFLOW_CONN_PUBLER_DEFAULT",
            json.dumps(
                {
                    "conn_type": "publer",
                    "password": "k-123456",
                    "extra": {"workspace_id": "w", "rate_limit": 2, "rate_limit_window": 10},
                }
            ),
        )
        with respx.mock(base_url=BASE) as router:
            router.get("/job_status/j").respond(json={"status": "working"})
            import asyncio

            hooks = [PublerHook() for _ in range(4)]
            await asyncio.gather(*(h.aget_job_status("j") for h in hooks))
        from airflow_provider_publer.hooks.publer import aclose_clients

        await aclose_clients()
        assert sorted(round(s) for s in async_sleeps) == [5, 10]


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
        api.get(url("job_status/j1"), json=body)
        result = hook.get_job_status("j1")
        assert result.is_success
        assert result.job_id == "j1"

    @pytest.mark.parametrize("job_id", ["None", "", " ", "a/b", "68176fa0f0eb419444bee686 "])
    def test_bad_job_id_sends_nothing(self, hook, api, job_id):
        with pytest.raises(PublerValidationError, match="job_id"):
            hook.get_job_status(job_id)
        assert not api.called

    def test_unknown_job_names_the_workspace_asked(self, hook, api):
        api.get(url("job_status/j1"), status_code=404, json={"errors": ["Job not found"]})
        with pytest.raises(
            PublerNotFoundError, match=rf"Job not found.*job j1 is not known in workspace {TEST_WORKSPACE}"
        ):
            hook.get_job_status("j1")
        with pytest.raises(PublerNotFoundError, match="in workspace 60a2e45f9b3c8d002a4b7c32"):
            hook.get_job_status("j1", "60a2e45f9b3c8d002a4b7c32")


class TestAsync:
    @pytest.fixture
    def aapi(self):
        with respx.mock(base_url=BASE, assert_all_called=False) as router:
            yield router

    async def _aget(self, hook, job_id="j2", workspace=None):
        try:
            return await hook.aget_job_status(job_id, workspace)
        finally:
            await hook.aclose()

    @pytest.mark.asyncio
    async def test_async_variant_uses_the_same_normalisation(self, aapi):
        aapi.get("/job_status/j2").respond(
            json={
                "success": True,
                "data": {
                    "status": "completed",
                    "result": {"payload": {"failures": {"a": [{"message": "x"}]}}},
                },
            }
        )
        result = await self._aget(PublerHook())
        assert result.status == "completed"
        assert result.failures == [{"message": "x", "account_id": "a"}]
        assert aapi.calls.last.request.headers["Authorization"] == f"Bearer-API {TEST_API_KEY}"

    @pytest.mark.asyncio
    async def test_async_retries_5xx_with_the_same_policy(self, aapi, async_sleeps):
        route = aapi.get("/job_status/j2").mock(
            side_effect=[httpx.Response(503), httpx.Response(200, json={"status": "working"})]
        )
        result = await self._aget(PublerHook())
        assert result.status == "working"
        assert route.call_count == 2
        assert len(async_sleeps) == 1, "one backoff wait before the second attempt"

    @pytest.mark.asyncio
    async def test_async_error_text_is_scrubbed_and_names_the_workspace(self, aapi):
        aapi.get("/job_status/j2").respond(404, json={"errors": [f"No job for Bearer-API {TEST_API_KEY}"]})
        with pytest.raises(PublerNotFoundError) as info:
            await self._aget(PublerHook(), workspace="60a2e45f9b3c8d002a4b7c32")
        assert TEST_API_KEY not in str(info.value)
        assert "workspace 60a2e45f9b3c8d002a4b7c32" in str(info.value)

    @pytest.mark.asyncio
    async def test_async_without_any_workspace_sends_nothing(self, aapi, monkeypatch):
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(workspace_id=None))
        route = aapi.get("/job_status/j2").respond(json={"status": "working"})
        with pytest.raises(PublerConfigurationError, match="No Publer workspace given"):
            await self._aget(PublerHook())
        assert not route.called

    @pytest.mark.asyncio
    async def test_async_plain_http_to_loopback_ignores_proxy_env(self, monkeypatch):
        monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(host=SANDBOX_LIKE))
        from airflow_provider_publer.hooks.publer import _SHARED, aclose_clients

        client = await _SHARED.client(await PublerHook().asettings())
        try:
            assert client._trust_env is False
            assert not client._mounts
        finally:
            await aclose_clients()


# -- paging never trusts the echoed page number -------------------------------------------------


def _pages(items: list[dict], per_page: int, style: str) -> list[dict]:
    chunks = [items[i : i + per_page] for i in range(0, len(items), per_page)]
    pages = []
    for number, chunk in enumerate(chunks):
        page = {"posts": chunk}
        if style == "zero":
            page |= {"page": number, "total": len(items), "per_page": per_page, "total_pages": len(chunks)}
        elif style == "one":
            page |= {
                "page": number + 1,
                "total": len(items),
                "per_page": per_page,
                "total_pages": len(chunks),
            }
        pages.append(page)
    return pages


FORTY_FIVE = [{"id": f"p{i:02d}", "text": f"post {i}"} for i in range(45)]


@pytest.mark.parametrize("style", ["zero", "one", "none"])
@pytest.mark.parametrize("past_end", ["empty", "last"])
def test_list_posts_finds_every_post_whatever_page_publer_echoes(hook, api, style, past_end):
    pages = _pages(FORTY_FIVE, 20, style)

    def answer(request, context):
        number = int(request.qs["page"][0])
        if number < len(pages):
            return pages[number]
        return pages[-1] if past_end == "last" else {"posts": []}

    api.get(url("posts"), json=answer)
    posts = hook.list_posts(account_ids=[ACCOUNT])
    assert [p["id"] for p in posts] == [p["id"] for p in FORTY_FIVE]
    requested = [int(r.qs["page"][0]) for r in api.request_history]
    assert requested[:3] == [0, 1, 2]
    assert len(requested) <= 4


def test_list_posts_sends_the_filters(hook, api):
    api.get(url("posts"), json={"posts": [{"id": "p1"}], "total": 1})
    hook.list_posts(
        state=["scheduled", "published"],
        account_ids=[ACCOUNT],
        from_="2025-01-01",
        to="2025-02-01",
        query="hi",
    )
    qs = api.last_request.qs
    assert qs["state[]"] == ["scheduled", "published"]
    assert qs["account_ids[]"] == [ACCOUNT.lower()]
    assert (qs["from"], qs["to"], qs["query"], qs["page"]) == (["2025-01-01"], ["2025-02-01"], ["hi"], ["0"])


def test_a_server_that_ignores_page_does_not_loop(hook, api):
    api.get(url("posts"), json={"posts": [{"id": "p1"}, {"id": "p2"}]})
    assert [p["id"] for p in hook.list_posts()] == ["p1", "p2"]
    assert api.call_count == 2


def test_single_state_is_sent_as_state(hook, api):
    api.get(url("posts"), json={"posts": [], "total": 0})
    assert hook.list_posts(state="scheduled") == []
    assert api.last_request.qs["state"] == ["scheduled"]


def test_delete_posts(hook, api):
    api.delete(url("posts"), json={"deleted_ids": ["p1"]})
    assert hook.delete_posts(["p1", "p2"]) == ["p1"]
    assert api.last_request.qs["post_ids[]"] == ["p1", "p2"]


class TestWebAppUrl:
    def test_publer_links_to_the_web_app_root(self, hook):
        assert hook.web_app_url("68176fa0f0eb419444bee686") == "https://app.publer.com/"

    def test_a_compatible_server_links_to_the_jobs_posts(self, monkeypatch):
        monkeypatch.setenv(
            "AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(host="http://127.0.0.1:9999/api/v1")
        )
        assert PublerHook().web_app_url("j1") == "http://127.0.0.1:9999/?job_id=j1"
        assert PublerHook().web_app_url() == "http://127.0.0.1:9999/"


# -- the Test button: one read-only request, fast, a message that says what to do -------------


class TestTestConnection:
    def test_ok(self, hook, api):
        api.get(url("workspaces"), json=[{"id": TEST_WORKSPACE, "name": "Marketing"}])
        ok, message = hook.test_connection()
        assert ok
        assert "default workspace 'Marketing'" in message
        assert [r.method for r in api.request_history] == ["GET"]

    def test_without_a_default_workspace_it_lists_the_workspaces(self, api, monkeypatch):
        """First contact: a connection with only the key tells which workspace ids there are."""
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(workspace_id=None))
        api.get(url("workspaces"), json=[{"id": "w1", "name": "Marketing"}, {"id": "w2", "name": "Client"}])
        ok, message = PublerHook().test_connection()
        assert ok
        listing = (
            "2 workspace(s): Marketing (w1), Client (w2). Put one of these ids in 'Default workspace ID'"
        )
        assert listing in message

    def test_a_key_without_workspaces_is_not_a_working_connection(self, api, monkeypatch):
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(workspace_id=None))
        api.get(url("workspaces"), json=[])
        ok, message = PublerHook().test_connection()
        assert not ok
        assert "0 workspace(s): the API key can act in no workspace" in message

    def test_unknown_default_workspace(self, hook, api):
        api.get(url("workspaces"), json=[{"id": "other", "name": "Other"}])
        ok, message = hook.test_connection()
        assert not ok
        assert TEST_WORKSPACE in message
        assert "Other (other)" in message

    @pytest.mark.parametrize(
        ("answer", "says"),
        [
            (
                {"status_code": 401, "json": {"errors": ["Invalid API key"]}},
                "refused the API key (HTTP 401): Invalid API key",
            ),
            ({"status_code": 403, "json": {"errors": ["Missing scope"]}}, "'workspaces' scope"),
            ({"status_code": 404, "text": "Not Found"}, "No Publer API answers at"),
            (
                {
                    "status_code": 429,
                    "json": {"error": "Rate limit exceeded. Retry later."},
                    "headers": {"Retry-After": "100"},
                },
                "test again in about 100s",
            ),
            ({"status_code": 502, "text": "bad gateway"}, "Publer has trouble right now"),
            ({"status_code": 503}, "Publer has trouble right now"),
            ({"exc": requests.ReadTimeout("slow")}, "did not answer within 10s"),
            ({"exc": requests.ConnectTimeout("unreachable")}, "Could not connect"),
        ],
    )
    def test_one_request_and_a_message_for_every_outcome(self, hook, api, sleeps, answer, says):
        api.get(url("workspaces"), [answer])
        ok, message = hook.test_connection()
        assert not ok
        assert says in message
        assert api.call_count == 1
        assert sleeps == []
        assert TEST_API_KEY not in message

    def test_timeout_is_at_most_ten_seconds_and_no_pacing_wait(self, hook, api, sleeps):
        reset = str(int(time.time()) + 100)
        api.get(
            url("workspaces"),
            json=[{"id": TEST_WORKSPACE, "name": "W"}],
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
        )
        hook.list_workspaces()
        ok, _ = hook.test_connection()
        assert ok
        assert sleeps == []
        connect, read = api.last_request.timeout
        assert max(connect, read) <= 10

    def test_configuration_errors_are_reported(self, monkeypatch, api):
        monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(host="http://10.0.0.5/api/v1"))
        ok, message = PublerHook().test_connection()
        assert not ok
        assert "plain http" in message
        assert not api.called

    def test_against_a_server_that_never_answers(self, hook):
        """A host that accepts the connection and never answers holds the Test button at most ~10 s."""
        import socket

        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        try:
            port = server.getsockname()[1]
            hook.__dict__["settings"] = type(hook.settings)(
                api_key="k-123456", base_url=f"http://127.0.0.1:{port}/api/v1"
            )
            hook.__dict__.pop("_session", None)
            from airflow_provider_publer.hooks import publer as module

            original = module.TEST_CONNECTION_TIMEOUT
            module.TEST_CONNECTION_TIMEOUT = 0.5  # the same code path, without a 10 s wait in the suite
            try:
                ok, message = hook.test_connection()
            finally:
                module.TEST_CONNECTION_TIMEOUT = original
        finally:
            server.close()
        assert not ok
        assert "did not answer within" in message


def test_https_to_a_plain_http_server_fails_at_once_and_says_to_write_http(monkeypatch, sleeps):
    """Regression: a sandbox host written without http:// took 6 tries and 34 s, then an SSL error
    that did not say what to change. A failed TLS handshake fails again: no retry, and a hint."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    accepted = []

    def answer_in_plain_http() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            accepted.append(1)
            conn.recv(1024)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            conn.close()

    threading.Thread(target=answer_in_plain_http, daemon=True).start()
    monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json(host=f"127.0.0.1:{port}"))
    try:
        with pytest.raises(
            PublerConfigurationError, match=r"TLS handshake .* write http:// in front of the 'API host'"
        ):
            PublerHook(sleep=sleeps.append).list_workspaces()
        ok, message = PublerHook(sleep=sleeps.append).test_connection()
    finally:
        server.close()
    assert sleeps == []
    assert len(accepted) == 2
    assert not ok
    assert "write http://" in message
