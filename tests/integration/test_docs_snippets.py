"""The DAG files of docs/snippets/, run as a reader would run them: real Airflow against the sandbox."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from airflow_provider_publer.sandbox import SandboxConfig, SandboxServer
from tests.integration.conftest import EXAMPLE_DAGS, ROOT, run_dag_test, sandbox_env, sandbox_state

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]


def test_manage_posts_uploads_follows_updates_and_deletes(tmp_path: Path):
    """docs/snippets/manage_posts.py (the Media, Post sensor and Update and delete pages)."""
    shutil.copy(ROOT / "docs" / "snippets" / "manage_posts.py", tmp_path)
    shutil.copy(EXAMPLE_DAGS / "assets" / "launch.png", tmp_path)
    with SandboxServer(SandboxConfig(job_latency=0.5)) as server:
        result = run_dag_test("publer_manage_posts", sandbox_env(server), dags_folder=tmp_path)
        state = sandbox_state(server)
    assert result.succeeded, result.output[-4000:]
    assert sorted(m["name"] for m in state["media"]) == ["Clip.mp4", "launch.png"]
    assert [(p["text"], [label["name"] for label in p["labels"]]) for p in state["posts"]] == [
        ("Final wording", ["launch"])
    ]
    assert len(state["deleted_ids"]) == 1
