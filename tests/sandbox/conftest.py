"""Fixtures of the sandbox tests: one real sandbox on loopback (fast jobs), reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from airflow_provider_publer.sandbox import FaultConfig, SandboxConfig, SandboxServer
from tests.sandbox.helpers import api_client


@pytest.fixture(scope="session")
def shared_server() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxConfig(job_latency=0.1)) as running:
        yield running


@pytest.fixture
def server(shared_server: SandboxServer) -> SandboxServer:
    """The shared sandbox, emptied: no posts, jobs, counters, rate-limit hits or faults."""
    shared_server.set_faults(FaultConfig())
    shared_server.reset()
    return shared_server


@pytest.fixture
def client(server: SandboxServer) -> Iterator[httpx.Client]:
    with api_client(server) as c:
        yield c
