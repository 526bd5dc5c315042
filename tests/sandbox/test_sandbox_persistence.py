"""SQLite persistence: posts and jobs survive a restart on the same file; reset empties it."""

from __future__ import annotations

from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS, SandboxConfig, SandboxServer
from tests.sandbox.helpers import api_client, at, bulk, post, run_job, submit, wait_job

FB = SANDBOX_ACCOUNT_IDS["facebook"]


def test_state_survives_a_restart(tmp_path):
    db = str(tmp_path / "nested" / "sandbox.sqlite")
    with SandboxServer(SandboxConfig(job_latency=0.1, db_path=db)) as first, api_client(first) as client:
        done = submit(client, bulk(post("facebook", "kept", (FB, at(30)))))
        wait_job(client, done)
        deleted = run_job(client, bulk(post("facebook", "gone", (FB, at(60)))))
        assert deleted["payload"]["failures"] == {}
        gone = [p["id"] for p in client.get("posts", params={"query": "gone"}).json()["posts"]]
        client.delete("posts", params={"post_ids[]": gone})
        client.post("media/from-url", json={"media": [{"url": "https://e.com/p.png", "name": "p"}]})
        before = first.state_snapshot()

    with SandboxServer(SandboxConfig(job_latency=0.1, db_path=db)) as second, api_client(second) as client:
        after = second.state_snapshot()
        assert [p["text"] for p in after["posts"]] == ["kept"]
        assert [j["id"] for j in after["jobs"]] == [j["id"] for j in before["jobs"]]
        assert after["deleted_ids"] == gone
        assert client.get(f"job_status/{done}").json()["status"] == "complete"
        assert client.get("media").json()["total"] == 1
        # the gap rule still sees the persisted post
        clash = run_job(client, bulk(post("facebook", "clash", (FB, after["posts"][0]["scheduled_at"]))))
        assert clash["payload"]["failures"][0]["message"].startswith("There's another post")
        second.reset()

    with SandboxServer(SandboxConfig(db_path=db)) as third:
        assert third.state_snapshot()["posts"] == []
        assert third.state_snapshot()["jobs"] == []


def test_a_job_still_working_at_shutdown_completes_after_restart(tmp_path):
    db = str(tmp_path / "sandbox.sqlite")
    with SandboxServer(SandboxConfig(job_latency=0.3, db_path=db)) as first, api_client(first) as client:
        job_id = submit(client, bulk(post("facebook", "in flight", (FB, at(30)))))
        assert client.get(f"job_status/{job_id}").json() == {"status": "working"}
    with SandboxServer(SandboxConfig(job_latency=0.3, db_path=db)) as second, api_client(second) as client:
        assert wait_job(client, job_id)["status"] == "complete"
        assert [p["text"] for p in second.state_snapshot()["posts"]] == ["in flight"]
