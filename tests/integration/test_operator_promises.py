"""Nothing posted twice, nothing lost, the right content and only it, for the media, delete,
insights and update operators too: lost answers, look-alike requests, clears, output paths with a
scheme, mapped inputs. Real ``airflow dags test`` runs of ``dags/publer_promises.py`` against the
sandbox over loopback, with its seeded faults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from airflow_provider_publer.sandbox import FaultConfig, SandboxConfig, SandboxServer
from tests.integration.conftest import run_recorded_dag, seeded_faults

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("airflow_db")]

DAG_FILE = "publer_promises.py"
PUBLISH_ROUTE = "POST /api/v1/posts/schedule/publish"


def _run(tmp_path: Path, dag_id: str, **config: Any) -> tuple[Any, dict[str, Any], dict[str, list[dict]]]:
    with SandboxServer(SandboxConfig(job_latency=0.2, **config)) as server:
        result, state, events = run_recorded_dag(tmp_path, DAG_FILE, dag_id, server)
    by_task: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_task.setdefault(event["task_id"], []).append(event)
    return result, state, by_task


def _errors(tmp_path: Path, task_id: str) -> list[str]:
    path = tmp_path / "out" / f"{task_id}.errors"
    return path.read_text().split("\x1e")[:-1] if path.exists() else []


def _tries(events: dict[str, list[dict]], task_id: str) -> list[tuple[str, int]]:
    return [(e["event"], e["try_number"]) for e in events.get(task_id, [])]


def test_a_failed_upload_never_returns_another_files_media(tmp_path):
    """a/banner.png is uploaded; b/banner.png's POST /media gets a 502 that stores nothing. The
    earlier a/banner.png (same name, a minute old) is not this request's: try 1 fails saying the
    answer was lost, and try 2 uploads b/banner.png for real."""
    faults = seeded_faults(
        FaultConfig(rate_5xx=0.5, paths=("/api/v1/media",), methods=("POST",)),
        [None, "5xx", None],
        "POST",
        "/api/v1/media",
    )
    result, state, events = _run(tmp_path, "promise_upload_lost", faults=faults)

    assert result.succeeded, result.output[-4000:]
    [a] = events["upload_a"]
    assert _tries(events, "upload_b") == [("retry", 1), ("success", 2)]
    [error] = _errors(tmp_path, "upload_b")
    assert "banner.png was sent but its answer was lost" in error
    assert "that was not there before" in error
    b = events["upload_b"][1]
    assert b["value"][0]["id"] != a["value"][0]["id"]
    assert sorted(m["name"] for m in state["media"]) == ["banner.png", "banner.png"]
    sizes = {m["id"]: m["size"] for m in state["media"]}
    assert sizes[b["value"][0]["id"]] == sizes[a["value"][0]["id"]] + 64  # b's own file


def test_a_lost_delete_answer_does_not_fail_a_delete_that_worked(tmp_path):
    faults = seeded_faults(
        FaultConfig(rate_drop=0.5, paths=("/api/v1/posts",), methods=("DELETE",)),
        ["drop", None, None],
        "DELETE",
        "/api/v1/posts",
    )
    result, state, events = _run(tmp_path, "promise_delete_lost", faults=faults)

    assert result.succeeded, result.output[-4000:]
    assert state["faults"]["drop"] == 1
    [delete] = events["delete"]
    assert delete["event"] == "success"
    assert delete["value"] == state["deleted_ids"]
    assert len(delete["value"]) == 1
    assert not [p for p in state["posts"] if p["text"] == "to be deleted"]


def test_look_alikes_clears_output_paths_mapped_ids_and_update_limits(tmp_path):
    result, state, events = _run(tmp_path, "promise_plain")
    assert not result.succeeded  # the refusals below fail their tasks, as they should

    # Case 2: identical publish-now posts are refused before anything is sent, naming the rows ...
    assert _tries(events, "twins") == [("failed", 1)]
    [error] = _errors(tmp_path, "twins")
    assert "Nothing was sent to Publer" in error
    assert "posts[0].accounts[0] and posts[1].accounts[0]" in error
    assert not [p for p in state["posts"] if p["text"] == "twins"]
    # ... and when they are meant (reconcile=False), each request is its own: two jobs, two posts.
    [meant] = events["twins_meant"]
    assert meant["event"] == "success"
    assert len(meant["value"]) == 2
    assert meant["value"][0] != meant["value"][1]
    assert len([p for p in state["posts"] if p["text"] == "twins meant"]) == 2

    # Case 3: an output path with a scheme is refused before any request, with the fix.
    for name, scheme in (("s3", "s3://"), ("file", "file://")):
        assert _tries(events, f"insights_{name}") == [("failed", 1)]
        [error] = _errors(tmp_path, f"insights_{name}")
        assert error.startswith("AirflowFailException: Nothing was sent to Publer. output_path:")
        assert scheme in error
        assert "ObjectStoragePath(" in error
    assert not any("post_insights" in route for route in state["requests"]["by_route"])
    assert not list(Path.cwd().glob("s3:*"))

    # Case 4: a delete of an id Publer does not have fails, and a clear does not turn it green.
    assert _tries(events, "delete_unknown") == [("retry", 1), ("failed", 2)]
    for error in _errors(tmp_path, "delete_unknown"):
        assert "Publer did not delete 1 post(s)" in error
        assert "0123456789abcdef01234567: not found" in error

    # A mapped task's output (a lazy sequence of lists of ids) is read as the ids it holds.
    [mapped] = events["delete_mapped"]
    assert mapped["event"] == "success"
    assert len(mapped["value"]) == 3
    assert not [p for p in state["posts"] if str(p["text"]).startswith("mapped ")]

    # An update's new text is checked against the post's network (X: 280) before the PUT.
    assert _tries(events, "update_too_long") == [("failed", 1)]
    [error] = _errors(tmp_path, "update_too_long")
    assert "Nothing was sent to Publer. post.text" in error
    assert "281" in error
    assert "280" in error
    [fits] = events["update_fits"]
    assert fits["event"] == "success"
    # Media files from a mapped task (a lazy sequence of lists of paths) are uploaded, each once.
    [uploaded] = events["upload_mapped"]
    assert uploaded["event"] == "success"
    names = {m["id"]: m["name"] for m in state["media"]}
    assert [names[item["id"]] for item in uploaded["value"]] == ["picture-0.png", "picture-1.png"]
