"""The media, update, delete and insights operators in real DAG runs against the sandbox: nothing
uploaded twice across Airflow retries, files from object storage, Publer's refusals with their
reasons, a partial delete that names what Publer kept, and insights to a file or XCom."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS, SandboxConfig, SandboxServer
from airflow_provider_publer.sandbox.analytics import post_numbers
from tests.integration.conftest import ROOT, run_recorded_dag

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAG_FILE = "publer_workflow.py"
IMAGE = ROOT / "example_dags" / "assets" / "launch.png"


def _run(
    tmp_path: Path, dag_id: str, **config: Any
) -> tuple[Any, dict[str, Any], dict[str, list[dict[str, Any]]]]:
    with SandboxServer(SandboxConfig(job_latency=0.5, publish_time_scale=60, **config)) as server:
        result, state, events = run_recorded_dag(tmp_path, DAG_FILE, dag_id, server)
    by_task: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_task.setdefault(event["task_id"], []).append(event)
    return result, state, by_task


def test_media_is_uploaded_once_across_retries_and_from_object_storage(tmp_path):
    result, state, events = _run(tmp_path, "publer_media_retries")

    assert not result.succeeded  # import_fails fails, as it should
    names = sorted(m["name"] for m in state["media"])
    # One launch.png per uploading task (two), one poster.png, one Clip.mp4: no duplicate.
    assert names == ["Clip.mp4", "launch.png", "launch.png", "poster.png"]
    by_name = {}
    for media in state["media"]:
        by_name.setdefault(media["name"], []).append(media)

    # Try 1 crashed right after Publer stored the file; try 2 found it by name and did not upload.
    crash = events["upload_crash"]
    assert [(e["event"], e["try_number"]) for e in crash] == [("retry", 1), ("success", 2)]
    assert "simulated worker crash after upload" in _errors(tmp_path, "upload_crash")[0]
    [item] = crash[1]["value"]
    stored = [m for m in by_name["launch.png"] if m["id"] == item["id"]]
    assert len(stored) == 1
    assert item == {"id": stored[0]["id"], "type": "photo", "path": item["path"], "thumbnail": item["path"]}

    # Try 1 crashed while the import job ran; try 2 reconnected to the same job.
    imported = events["import_crash"]
    assert [(e["event"], e["try_number"]) for e in imported] == [("retry", 1), ("success", 2)]
    media_jobs = [j for j in state["jobs"] if j["kind"] == "media"]
    poster_jobs = [j for j in media_jobs if "poster.png" in json.dumps(j["request"])]
    assert len(poster_jobs) == 1
    assert [i["id"] for i in imported[1]["value"]] == [m["id"] for m in by_name["poster.png"]]

    # A file through ObjectStoragePath (file://) and a URL, in one task, files first.
    [both] = events["upload_object_storage"]
    assert [i["type"] for i in both["value"]] == ["photo", "video"]
    assert {m["id"] for m in by_name["Clip.mp4"]} == {both["value"][1]["id"]}
    assert all(m["in_library"] for m in state["media"] if m["id"] in {i["id"] for i in both["value"]})

    # An import Publer cannot do fails at once (no retry), with Publer's reason.
    [failed] = events["import_fails"]
    assert (failed["event"], failed["try_number"]) == ("failed", 1)
    [error] = _errors(tmp_path, "import_fails")
    assert error.startswith("AirflowFailException: Publer could not import the media (job ")
    assert "Could not download media from https://example.com/sandbox-fail/broken.png" in error


def test_update_and_delete_with_publers_refusals(tmp_path):
    result, state, events = _run(tmp_path, "publer_update_delete")

    assert not result.succeeded
    posts = {p["text"]: p for p in state["posts"]}
    # The scheduled post was updated (text and label) ...
    [update] = events["update"]
    assert update["event"] == "success"
    assert (update["value"]["text"], [label["name"] for label in update["value"]["labels"]]) == (
        "Final wording",
        ["launch"],
    )
    # ... a published X post refuses a new text (422), with Publer's reason and what can change ...
    [refused] = events["update_published"]
    assert (refused["event"], refused["try_number"]) == ("failed", 1)
    [error] = _errors(tmp_path, "update_published")
    assert error.startswith(
        f"AirflowFailException: Post {posts['Out now']['id']} was not updated. Publer returned HTTP 422"
    )
    assert "Published X posts cannot be edited, only their labels" in error
    assert posts["Out now"]["state"] == "published"
    # ... and of the two posts to delete, Publer kept the queued one: the task names it.
    [delete] = events["delete"]
    assert delete["event"] == "failed"
    queued = posts["Queued wording"]
    assert state["deleted_ids"] == [posts.get("Final wording", {}).get("id") or update["value"]["id"]]
    [error] = _errors(tmp_path, "delete")
    assert error.startswith("AirflowFailException: Publer did not delete 1 post(s):")
    assert f"post {queued['id']} (scheduled, account {queued['account_id']}, linkedin): still listed" in error
    assert f"Deleted: {update['value']['id']}." in error
    assert "Publer deletes no queued (auto-scheduled) post" in error


def test_insights_to_object_storage_and_to_xcom(tmp_path):
    result, state, events = _run(tmp_path, "publer_insights")

    assert result.succeeded, result.output[-6000:]
    published = {p["id"]: p for p in state["posts"]}
    [to_file] = events["to_object_storage"]
    path = to_file["value"]
    assert path.startswith("file://")
    rows = [json.loads(line) for line in Path(path.removeprefix("file://")).read_text().splitlines()]
    assert sorted(r["account_id"] for r in rows) == sorted(
        [SANDBOX_ACCOUNT_IDS["facebook"], SANDBOX_ACCOUNT_IDS["linkedin"]]
    )
    for row in rows:
        post = published[row["id"]]
        assert row["analytics"]["reach"] == post_numbers(post["id"], post["network"], post["type"]).reach
    [to_xcom] = events["to_xcom"]
    assert [r["id"] for r in to_xcom["value"]] == [r["id"] for r in rows if r["network"] == "facebook"]


def _errors(tmp_path: Path, task_id: str) -> list[str]:
    """The errors that ended the task's tries, oldest first (the DAG's tasks write them down)."""
    path = tmp_path / "out" / f"{task_id}.errors"
    return path.read_text().split("\x1e")[:-1] if path.exists() else []
