"""The request limit (429 + X-RateLimit-*) and seeded fault injection (5xx, 429, slow, drop)."""

from __future__ import annotations

import time

import httpx
import pytest

from airflow_provider_publer.sandbox import (
    SANDBOX_ACCOUNT_IDS,
    SANDBOX_API_KEY,
    FaultConfig,
    SandboxConfig,
    SandboxServer,
)
from airflow_provider_publer.sandbox.faults import FaultInjector
from tests.sandbox.helpers import api_client, at, bulk, post, state_of

FB = SANDBOX_ACCOUNT_IDS["facebook"]


def test_rate_limit_429_headers_and_recovery():
    config = SandboxConfig(rate_limit=5, rate_window=2.0)
    with SandboxServer(config) as server, api_client(server) as client:
        remaining = [client.get("accounts").headers["X-RateLimit-Remaining"] for _ in range(5)]
        assert remaining == ["4", "3", "2", "1", "0"]
        refused = client.get("accounts")
        assert refused.status_code == 429
        assert refused.json() == {"error": "Rate limit exceeded. Retry later."}
        assert refused.headers["X-RateLimit-Limit"] == "5"
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        reset = int(refused.headers["X-RateLimit-Reset"])
        assert reset > time.time() - 1
        assert httpx.get(server.base_url + "/sandbox/state").status_code == 200  # not limited
        time.sleep(max(0.0, reset - time.time()) + 0.05)
        assert client.get("accounts").status_code == 200
        assert state_of(server)["rate_limited"] == 1


def test_rate_limit_can_be_turned_off():
    with (
        SandboxServer(SandboxConfig(rate_limit_enabled=False, rate_limit=1)) as server,
        api_client(server) as c,
    ):
        responses = [c.get("accounts") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert "X-RateLimit-Limit" not in responses[0].headers


def _outcomes(seed: int, count: int = 30) -> list[str]:
    faults = FaultConfig(rate_5xx=0.2, rate_429=0.2, rate_drop=0.2, seed=seed)
    outcomes = []
    with (
        SandboxServer(SandboxConfig(faults=faults, rate_limit_enabled=False)) as server,
        api_client(server) as c,
    ):
        for _ in range(count):
            try:
                outcomes.append(str(c.get("accounts").status_code))
            except httpx.TransportError as err:
                outcomes.append(type(err).__name__)
        assert sum(state_of(server)["faults"].values()) == count - outcomes.count("200")
    return outcomes


def test_the_same_seed_gives_the_same_faults():
    first = _outcomes(seed=7)
    assert first == _outcomes(seed=7)
    assert first != _outcomes(seed=8)
    assert {"200", "429", "RemoteProtocolError"} <= set(first)
    assert set(first) & {"500", "502", "503"}


def test_injector_sequence_is_a_pure_function_of_the_seed():
    config = FaultConfig(rate_5xx=0.1, rate_429=0.1, rate_slow=0.1, rate_drop=0.1, seed=3)
    one, two = FaultInjector(config), FaultInjector(config)
    sequence = [one.decide("GET", "/api/v1/posts") for _ in range(200)]
    assert sequence == [two.decide("GET", "/api/v1/posts") for _ in range(200)]
    assert {d.kind for d in sequence} == {None, "5xx", "429", "slow", "drop"}
    assert one.decide("GET", "/sandbox/state").kind is None


def test_drop_processes_the_request_but_the_client_gets_a_connection_error():
    faults = FaultConfig(rate_drop=1.0, paths=("/api/v1/posts/schedule",), methods=("POST",))
    with SandboxServer(SandboxConfig(job_latency=0.1, faults=faults)) as server, api_client(server) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("posts/schedule", json=bulk(post("facebook", "lost answer", (FB, at(30)))))
        assert client.get("accounts").status_code == 200  # other paths are untouched
        time.sleep(0.2)
        state = state_of(server)
    assert len(state["jobs"]) == 1
    assert [p["text"] for p in state["posts"]] == ["lost answer"]
    assert state["faults"]["drop"] == 1


@pytest.mark.parametrize("kind", ["5xx", "429"])
def test_error_faults_answer_without_processing(kind):
    faults = FaultConfig(**{f"rate_{kind}": 1.0}, methods=("POST",))
    with SandboxServer(SandboxConfig(faults=faults)) as server, api_client(server) as client:
        response = client.post("posts/schedule", json=bulk(post("facebook", "never", (FB, at(30)))))
        state = state_of(server)
    if kind == "5xx":
        assert response.status_code in (500, 502, 503)
        assert response.json()["errors"]
    else:
        assert response.status_code == 429
        assert response.json() == {"error": "Rate limit exceeded. Retry later."}
        assert response.headers["X-RateLimit-Remaining"] == "0"
        assert int(response.headers["X-RateLimit-Reset"]) >= int(time.time())
    assert state["jobs"] == []
    assert state["faults"][kind] == 1


def test_slow_fault_still_answers(server):
    server.set_faults(FaultConfig(rate_slow=1.0, slow_seconds=0.2))
    with api_client(server) as client:
        assert client.get("accounts").status_code == 200
    assert state_of(server)["faults"]["slow"] == 1


def test_faults_can_be_switched_over_http_and_reset(server):
    response = httpx.put(server.base_url + "/sandbox/faults", json={"rate_5xx": 1.0, "seed": 1})
    assert response.json()["rate_5xx"] == 1.0
    with api_client(server) as client:
        assert client.get("accounts").status_code >= 500
    assert httpx.put(server.base_url + "/sandbox/faults", json={"rate_5xx": 2}).status_code == 400
    httpx.put(server.base_url + "/sandbox/faults", json={})
    httpx.post(server.base_url + "/sandbox/reset")
    state = state_of(server)
    assert state["faults"]["5xx"] == 0
    assert state["requests"]["total"] == 0


def test_echo_credentials_quotes_the_authorization_header_on_401_and_injected_5xx():
    config = SandboxConfig(echo_credentials=True, faults=FaultConfig(rate_5xx=1.0, paths=("/api/v1/posts",)))
    with SandboxServer(config) as server, api_client(server) as client:
        wrong = httpx.get(server.url + "/accounts", headers={"Authorization": "Bearer-API not-the-key"})
        assert (wrong.status_code, wrong.json()) == (
            401,
            {"errors": ["Rejected credentials 'Bearer-API not-the-key'"]},
        )
        missing = httpx.get(server.url + "/accounts")
        assert missing.json() == {"errors": ["Rejected credentials ''"]}
        failed = client.get("posts")
        assert failed.status_code in (500, 502, 503)
        assert failed.json() == {"errors": [f"Rejected credentials 'Bearer-API {SANDBOX_API_KEY}'"]}
        assert client.get("accounts").status_code == 200


def test_without_echo_credentials_no_error_quotes_the_key():
    config = SandboxConfig(faults=FaultConfig(rate_5xx=1.0, paths=("/api/v1/posts",)))
    with SandboxServer(config) as server, api_client(server) as client:
        wrong = httpx.get(server.url + "/accounts", headers={"Authorization": "Bearer-API not-the-key"})
        assert "not-the-key" not in wrong.text
        assert SANDBOX_API_KEY not in client.get("posts").text
