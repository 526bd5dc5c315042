"""The API key never shows up in task output, log files, XCom or rendered template fields."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from airflow_provider_publer.sandbox import SandboxConfig, SandboxServer
from tests.integration.conftest import run_dag_test, sandbox_env

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

SECRET = "sandbox-secret-key-7c1e4d2a9b"


def test_example_dags_never_leak_the_key():
    config = SandboxConfig(api_keys=(SECRET,), job_latency=1.0)
    outputs = []
    with SandboxServer(config) as server:
        env = sandbox_env(server)
        env["AIRFLOW_CONN_PUBLER_DEFAULT"] = env["AIRFLOW_CONN_PUBLER_DEFAULT"].replace(
            json.loads(env["AIRFLOW_CONN_PUBLER_DEFAULT"])["password"], SECRET
        )
        for dag_id in (
            "example_publer_quickstart",
            "example_publer_failure_handling",
            "example_publer_deferrable",
        ):
            outputs.append(run_dag_test(dag_id, env))
    assert outputs[0].succeeded, outputs[0].output[-3000:]
    assert outputs[2].succeeded, outputs[2].output[-3000:]
    for result in outputs:
        assert SECRET not in result.output, result.dag_id

    home = Path(os.environ["AIRFLOW_HOME"])
    for path in home.rglob("*"):
        if path.is_file() and path.suffix != ".db":
            assert SECRET not in path.read_text(errors="ignore"), path
    rows = _db_text(home / "airflow.db", ("xcom", "rendered_task_instance_fields", "task_instance", "log"))
    assert rows, "expected XCom rows from the runs"
    assert not [r for r in rows if SECRET in r]


def _db_text(db: Path, tables: tuple[str, ...]) -> list[str]:
    with sqlite3.connect(db) as conn:
        texts = []
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):
                texts.append(" ".join(str(v) for v in row))
        return texts
