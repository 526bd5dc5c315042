"""Small helpers for the sandbox tests: authenticated clients, future times, bulk bodies, job polling."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from airflow_provider_publer.sandbox import SANDBOX_API_KEY, SANDBOX_WORKSPACE_ID, SandboxServer

AUTH = {"Authorization": f"Bearer-API {SANDBOX_API_KEY}"}
HEADERS = {**AUTH, "Publer-Workspace-Id": SANDBOX_WORKSPACE_ID}


def api_client(server: SandboxServer, **headers: str) -> httpx.Client:
    """A client on the sandbox's API base with the sandbox key and workspace (override via kwargs)."""
    return httpx.Client(base_url=server.url + "/", headers={**HEADERS, **headers}, timeout=10)


def at(minutes: float, base: datetime | None = None) -> str:
    """An ISO time with offset, ``minutes`` from now (or from ``base``), on the second."""
    start = base or datetime.now(timezone.utc)
    return (start + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


def post(network: str, text: str, *accounts: tuple[str, str | None], **extra: Any) -> dict[str, Any]:
    """One bulk post: ``networks.<network>`` status text, to (account id, scheduled_at or None) pairs."""
    refs = [{"id": a} if when is None else {"id": a, "scheduled_at": when} for a, when in accounts]
    return {"networks": {network: {"type": "status", "text": text}}, "accounts": refs, **extra}


def bulk(*posts: dict[str, Any], state: str = "scheduled") -> dict[str, Any]:
    return {"bulk": {"state": state, "posts": list(posts)}}


def submit(client: httpx.Client, body: dict[str, Any], path: str = "posts/schedule") -> str:
    response = client.post(path, json=body)
    assert response.status_code in (200, 202), response.text
    data = response.json()
    return str(data.get("job_id") or data["data"]["job_id"])


def wait_job(client: httpx.Client, job_id: str, timeout: float = 10.0, **headers: str) -> dict[str, Any]:
    """Poll ``/job_status`` until the job leaves 'working'; returns the final body."""
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = client.get(f"job_status/{job_id}", headers=headers).json()
        status = body.get("status") or body.get("data", {}).get("status")
        if status != "working" or time.monotonic() > deadline:
            return body
        time.sleep(0.02)


def run_job(client: httpx.Client, body: dict[str, Any], path: str = "posts/schedule") -> dict[str, Any]:
    return wait_job(client, submit(client, body, path))


def failure_messages(job: dict[str, Any]) -> list[str]:
    failures = job["payload"]["failures"]
    items = failures if isinstance(failures, list) else [f for v in failures.values() for f in v]
    return [f["message"] for f in items]


def state_of(server: SandboxServer) -> dict[str, Any]:
    data: dict[str, Any] = httpx.get(server.base_url + "/sandbox/state", timeout=10).json()
    return data
