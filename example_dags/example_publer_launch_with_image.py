"""Launch day: upload an image, schedule a post that shows it, and follow the post until it is live.

``upload_image`` sends ``assets/launch.png`` to Publer's media (any ``ObjectStoragePath``
works the same, e.g. ``ObjectStoragePath("s3://bucket/launch.png", conn_id="aws_default")``),
``build_post`` puts the uploaded image in a photo post on the workspace's Facebook page two
minutes ahead, ``schedule_post`` submits it, ``wait_for_job`` waits until Publer has created
the post, ``wait_until_published`` waits (in the triggerer) until Publer has published it (and
fails with Publer's reason if Publer fails it), and ``log_link`` prints its link. The
``publer_launch_posts_live`` asset is updated when the post is live, so a reporting DAG can be
scheduled on it.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, ObjectStoragePath, dag, task

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator, PublerUploadMediaOperator
from airflow_provider_publer.sensors.publer import PublerJobSensor, PublerPostSensor

POKE_INTERVAL = float(os.environ.get("PUBLER_EXAMPLE_POKE_INTERVAL", "30"))
IMAGE = ObjectStoragePath(f"file://{Path(__file__).resolve().parent / 'assets' / 'launch.png'}")
#: Updated when the launch post is live; schedule a DAG with ``schedule=[LAUNCH_POSTS_LIVE]``.
LAUNCH_POSTS_LIVE = Asset("publer_launch_posts_live")


@dag(
    schedule=None,
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    tags=["publer", "example"],
    doc_md=__doc__,
)
def example_publer_launch_with_image() -> None:
    # --8<-- [start:upload]
    upload = PublerUploadMediaOperator(task_id="upload_image", files=[IMAGE])
    # --8<-- [end:upload]

    @task
    def pick_page() -> str:
        from airflow_provider_publer.hooks.publer import PublerHook

        pages = [a["id"] for a in PublerHook().list_accounts() if a.get("provider") == "facebook"]
        if not pages:
            raise ValueError("The workspace has no Facebook page to post to.")
        return str(pages[0])

    # --8<-- [start:build_post]
    @task
    def build_post(
        page_id: str, media: list[dict[str, Any]], run_id: str | None = None
    ) -> list[dict[str, Any]]:
        """A photo post with the uploaded image, two minutes ahead (Publer needs one minute)."""
        when = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(minutes=2)
        return [
            {
                "networks": {
                    "facebook": {"type": "photo", "text": f"We are live! ({run_id})", "media": media},
                },
                "accounts": [{"id": page_id, "scheduled_at": when.isoformat()}],
            }
        ]

    # --8<-- [end:build_post]

    # --8<-- [start:follow]
    schedule = PublerSchedulePostOperator(
        task_id="schedule_post", posts=build_post(pick_page(), upload.output)
    )
    wait_for_job = PublerJobSensor(
        task_id="wait_for_job", job_id=schedule.output, poke_interval=POKE_INTERVAL, timeout=30 * 60
    )
    wait_until_published = PublerPostSensor(
        task_id="wait_until_published",
        job_id=schedule.output,
        deferrable=True,
        poke_interval=POKE_INTERVAL,
        timeout=60 * 60,
        outlets=[LAUNCH_POSTS_LIVE],
    )
    wait_for_job >> wait_until_published
    # --8<-- [end:follow]

    # --8<-- [start:log_link]
    @task
    def log_link(posts: list[dict[str, Any]]) -> str:
        for post in posts:
            print(f"Post {post['id']} is {post['state']} on {post['network']}: {post['post_link']}")
        return str(posts[0]["post_link"])

    log_link(wait_until_published.output)
    # --8<-- [end:log_link]


example_publer_launch_with_image()
