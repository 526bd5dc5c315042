"""Integration fixtures: the project's Publer sandbox on loopback and real Airflow CLI runs against it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from airflow_provider_publer.sandbox import (
    SANDBOX_API_KEY,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
)
from tests.conftest import publer_conn_json

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DAGS = ROOT / "example_dags"


@dataclass
class DagRunResult:
    dag_id: str
    returncode: int
    output: str

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """A migrated sqlite metadata DB in the session's private AIRFLOW_HOME."""
    home = Path(os.environ["AIRFLOW_HOME"])
    subprocess.run([_airflow(), "db", "migrate"], check=True, capture_output=True, env=_env({}))
    return home


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fresh sandbox (flat response style) with jobs that stay 'working' for a moment."""
    with SandboxServer(SandboxConfig(job_latency=1.0)) as server:
        yield server


def sandbox_env(server: SandboxServer, **extra: str) -> dict[str, str]:
    """Environment that points the ``publer_default`` connection at the sandbox."""
    return {
        "AIRFLOW_CONN_PUBLER_DEFAULT": publer_conn_json(
            api_key=SANDBOX_API_KEY, host=server.url, workspace_id=SANDBOX_WORKSPACE_ID
        ),
        "PUBLER_EXAMPLE_POKE_INTERVAL": "1",
        **extra,
    }


def run_dag_test(
    dag_id: str, env: dict[str, str], dags_folder: Path = EXAMPLE_DAGS, timeout: float = 300
) -> DagRunResult:
    """``airflow dags test <dag_id>`` in a subprocess: real Airflow, real metadata DB, real task runner."""
    proc = subprocess.run(
        [_airflow(), "dags", "test", dag_id],
        capture_output=True,
        text=True,
        env=_env({"AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder), **env}),
        timeout=timeout,
        check=False,
    )
    return DagRunResult(dag_id=dag_id, returncode=proc.returncode, output=proc.stdout + proc.stderr)


def sandbox_state(server: SandboxServer) -> dict[str, Any]:
    return httpx.get(server.url.split("/api/")[0] + "/sandbox/state", timeout=10).json()


def _airflow() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        }
    )
    env.update(extra)
    return env
