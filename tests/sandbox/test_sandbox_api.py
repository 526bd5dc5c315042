"""The sandbox's gate and plain endpoints: auth, workspace header, response styles, error bodies."""

from __future__ import annotations

import httpx
import pytest

from airflow_provider_publer.sandbox import (
    SANDBOX_ACCOUNT_IDS,
    SANDBOX_ACCOUNTS,
    SANDBOX_API_KEY,
    SANDBOX_CLIENT_WORKSPACE_ID,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
)
from tests.sandbox.helpers import AUTH, api_client, at, bulk, post, run_job, state_of, submit, wait_job


@pytest.mark.parametrize(
    "authorization",
    [None, "", f"Bearer {SANDBOX_API_KEY}", "Bearer-API wrong-key", "Bearer-API", SANDBOX_API_KEY],
)
def test_missing_or_bad_key_is_401_with_errors(server, authorization):
    headers = {"Publer-Workspace-Id": SANDBOX_WORKSPACE_ID}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = httpx.get(server.url + "/accounts", headers=headers)
    assert response.status_code == 401
    assert isinstance(response.json()["errors"], list)
    assert "x-ratelimit-limit" not in response.headers


def test_missing_workspace_is_403(server):
    response = httpx.get(server.url + "/accounts", headers=AUTH)
    assert response.status_code == 403
    assert response.json() == {"errors": ["Missing Publer-Workspace-Id header"]}


def test_unknown_workspace_is_403(server):
    response = httpx.get(server.url + "/posts", headers={**AUTH, "Publer-Workspace-Id": "0" * 24})
    assert response.status_code == 403
    assert "not found or no access" in response.json()["errors"][0]


def test_me_and_workspaces_need_no_workspace(server):
    me = httpx.get(server.url + "/users/me", headers=AUTH)
    workspaces = httpx.get(server.url + "/workspaces", headers=AUTH)
    assert me.status_code == 200
    assert {"id", "email", "name", "first_name", "picture"} <= set(me.json())
    assert [w["id"] for w in workspaces.json()] == [SANDBOX_WORKSPACE_ID, SANDBOX_CLIENT_WORKSPACE_ID]
    assert workspaces.json()[0]["name"] == "Sandbox Workspace"


@pytest.mark.parametrize(
    ("auth_name", "workspace_name", "scheme"),
    [
        ("authorization", "publer-workspace-id", "Bearer-API"),
        ("AUTHORIZATION", "PUBLER-WORKSPACE-ID", "bearer-api"),
        ("Authorization", "Publer-Workspace-ID", "Bearer-API"),
    ],
)
def test_header_names_are_case_insensitive(server, auth_name, workspace_name, scheme):
    headers = {auth_name: f"{scheme} {SANDBOX_API_KEY}", workspace_name: SANDBOX_WORKSPACE_ID}
    response = httpx.get(server.url + "/accounts", headers=headers)
    assert response.status_code == 200, response.text


def test_accounts_flat_is_a_list_of_seeded_accounts(client):
    accounts = client.get("accounts").json()
    assert accounts == list(SANDBOX_ACCOUNTS)
    assert {a["provider"] for a in accounts} >= {"facebook", "linkedin", "twitter", "instagram", "mastodon"}


def test_accounts_envelope_by_header_and_by_config(server, client):
    assert client.get("accounts", headers={"X-Sandbox-Style": "envelope"}).json() == {
        "accounts": list(SANDBOX_ACCOUNTS)
    }
    with SandboxServer(SandboxConfig(response_style="envelope")) as other, api_client(other) as c:
        assert c.get("accounts").json() == {"accounts": list(SANDBOX_ACCOUNTS)}
        assert isinstance(c.get("workspaces").json(), list)
        assert isinstance(c.get("accounts", headers={"X-Sandbox-Style": "flat"}).json(), list)


def test_workspaces_keep_their_own_accounts_and_jobs(server, client):
    with api_client(server, **{"Publer-Workspace-Id": SANDBOX_CLIENT_WORKSPACE_ID}) as other:
        client_accounts = other.get("accounts").json()
        assert [a["name"] for a in client_accounts] == ["Client Facebook Page"]
        job_id = submit(client, bulk(post("facebook", "mine", (SANDBOX_ACCOUNT_IDS["facebook"], at(30)))))
        assert other.get(f"job_status/{job_id}").status_code == 404
        assert client.get(f"job_status/{job_id}").status_code == 200


def test_unknown_job_is_404(client):
    response = client.get("job_status/" + "f" * 24)
    assert response.status_code == 404
    assert response.json() == {"errors": ["Job not found"]}


def test_unknown_api_route_answers_errors(client):
    response = client.get("no/such/thing")
    assert response.status_code == 404
    assert response.json() == {"errors": ["Not Found"]}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"posts": []},
        {"bulk": {"state": "scheduled"}},
        {"bulk": {"state": "scheduled", "posts": {"not": "a list"}}},
        {"bulk": {"state": "scheduled", "posts": []}},
        {"bulk": {"state": "bogus", "posts": [post("facebook", "x", ("a", None))]}},
        {"bulk": {"state": "scheduled", "posts": [{"accounts": [{"id": "a"}]}]}},
        {"bulk": {"state": "scheduled", "posts": [post("facebook", "x", ("a", None))] * 501}},
    ],
)
def test_malformed_bulk_is_400(server, client, body):
    response = client.post("posts/schedule", json=body)
    assert response.status_code == 400
    assert response.json()["errors"]
    assert state_of(server)["jobs"] == []


def test_non_json_body_is_400(client):
    response = client.post("posts/schedule", content=b"{nope", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "JSON" in response.json()["errors"][0]


def test_sandbox_routes_need_no_key_and_banner_points_at_the_api(server):
    banner = httpx.get(server.base_url + "/").json()
    assert banner["api"] == server.url
    state = httpx.get(server.base_url + "/sandbox/state").json()
    assert set(state) >= {"posts", "jobs", "hidden_errors", "faults", "requests", "rate_limited"}
    assert state["faults"] == {"5xx": 0, "429": 0, "slow": 0, "drop": 0}


def test_requests_are_counted_by_path(server, client):
    client.get("accounts")
    client.get("accounts")
    httpx.get(server.url + "/accounts")  # 401 still counts: it reached the server
    requests = state_of(server)["requests"]
    assert requests["total"] == 3
    assert requests["by_path"]["/api/v1/accounts"] == 3
    assert requests["by_route"]["GET /api/v1/accounts"] == 3
    assert server.state_snapshot()["requests"] == requests


def test_home_page_lists_the_posts_of_one_job_for_browsers(server, client):
    first = submit(client, bulk(post("facebook", "first job", (SANDBOX_ACCOUNT_IDS["facebook"], at(20)))))
    wait_job(client, first)
    run_job(client, bulk(post("linkedin", "second job", (SANDBOX_ACCOUNT_IDS["linkedin"], at(25)))))
    page = httpx.get(server.base_url + "/", params={"job_id": first}, headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "first job" in page.text
    assert "second job" not in page.text
    post_id = next(p["id"] for p in state_of(server)["posts"] if p["text"] == "first job")
    assert f"/sandbox/posts/{post_id}" in page.text
    everything = httpx.get(server.base_url + "/", headers={"Accept": "text/html"}).text
    assert "first job" in everything
    assert "second job" in everything
