"""Integration fixtures: the project's Publer sandbox on loopback and real Airflow CLI runs against it."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from airflow_provider_publer.sandbox import (
    SANDBOX_API_KEY,
    SANDBOX_WORKSPACE_ID,
    FaultConfig,
    SandboxConfig,
    SandboxServer,
)
from airflow_provider_publer.sandbox.faults import FaultInjector
from tests.conftest import publer_conn_json
from tests.integration.dags.support import OUT_ENV, read_events

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DAGS = ROOT / "example_dags"
TEST_DAGS = Path(__file__).resolve().parent / "dags"


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
    dag_id: str,
    env: dict[str, str],
    dags_folder: Path = EXAMPLE_DAGS,
    timeout: float = 300,
    conf: dict[str, Any] | None = None,
) -> DagRunResult:
    """``airflow dags test <dag_id>`` in a subprocess: real Airflow, real metadata DB, real task runner.

    :param conf: the DAG run's conf (``airflow dags test -c '<json>'``).
    """
    command = [_airflow(), "dags", "test", dag_id]
    if conf is not None:
        command += ["-c", json.dumps(conf)]
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=_env({"AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder), **env}),
        timeout=timeout,
        check=False,
    )
    return DagRunResult(dag_id=dag_id, returncode=proc.returncode, output=proc.stdout + proc.stderr)


def dags_folder_with(tmp_path: Path, *files: str) -> Path:
    """A dags folder holding only the named files of ``tests/integration/dags`` (parsed alone)."""
    folder = tmp_path / "dags"
    folder.mkdir(exist_ok=True)
    for name in files:
        shutil.copy(TEST_DAGS / name, folder / name)
    return folder


def seeded_faults(base: FaultConfig, first: Sequence[str | None], method: str, path: str) -> FaultConfig:
    """``base`` with the first seed whose first requests to ``method path`` draw exactly ``first``.

    The sandbox draws each eligible request's fault from ``random.Random(seed)`` in arrival order
    (``None`` = no fault), so a test knows which of its first requests meet which trouble.
    """
    for seed in range(100_000):
        config = dataclasses.replace(base, seed=seed)
        injector = FaultInjector(config)
        if [injector.decide(method, path).kind for _ in first] == list(first):
            return config
    raise AssertionError(f"no seed draws {first} with {base}")


def sandbox_state(server: SandboxServer) -> dict[str, Any]:
    return httpx.get(server.url.split("/api/")[0] + "/sandbox/state", timeout=10).json()


def run_recorded_dag(
    tmp_path: Path, dag_file: str, dag_id: str, server: SandboxServer
) -> tuple[DagRunResult, dict[str, Any], list[dict[str, Any]]]:
    """Run ``dag_id`` of ``tests/integration/dags/<dag_file>`` (parsed alone) against ``server``.

    Returns the run, the sandbox's state afterwards and the events the DAG's callbacks recorded.
    """
    out = tmp_path / "out"
    out.mkdir()
    result = run_dag_test(
        dag_id, sandbox_env(server, **{OUT_ENV: str(out)}), dags_folder=dags_folder_with(tmp_path, dag_file)
    )
    return result, sandbox_state(server), read_events(out)


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
