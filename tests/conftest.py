"""Shared test set-up: a private AIRFLOW_HOME per test session, examples off, a Publer connection helper."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

_HOME = Path(tempfile.mkdtemp(prefix="publer-airflow-home-"))
os.environ.setdefault("AIRFLOW_HOME", str(_HOME))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")

TEST_API_KEY = "test-api-key-9f8e7d6c5b4a"
TEST_WORKSPACE = "5f8d7a62c9e77e001f36e3a1"


def publer_conn_json(
    *, api_key: str | None = TEST_API_KEY, host: str | None = None, workspace_id: str | None = TEST_WORKSPACE
) -> str:
    """The AIRFLOW_CONN_* JSON of a Publer connection, as the README documents it."""
    conn: dict[str, object] = {"conn_type": "publer"}
    if api_key is not None:
        conn["password"] = api_key
    if host is not None:
        conn["host"] = host
    if workspace_id is not None:
        conn["extra"] = {"workspace_id": workspace_id}
    return json.dumps(conn)
