"""Posts Publer already holds: media from object storage, posts followed by id, edited, deleted.

Configure the connection ``publer_default`` (type Publer), put an image named ``launch.png`` next
to this file (the repository has one: ``example_dags/assets/launch.png``) or point ``IMAGE`` at
yours, and trigger the DAG. It uploads the image from object storage and a video from a URL,
schedules two posts for next March, waits until Publer lists them, gives the first its final text
and a label, and deletes the second.
tests/integration/test_docs_snippets.py runs it against the sandbox and checks what the sandbox holds.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from airflow.sdk import DAG, ObjectStoragePath, task

from airflow_provider_publer.operators.publer import (
    PublerDeletePostsOperator,
    PublerSchedulePostOperator,
    PublerUpdatePostOperator,
    PublerUploadMediaOperator,
)
from airflow_provider_publer.sandbox.config import SANDBOX_ACCOUNT_IDS
from airflow_provider_publer.sensors.publer import PublerPostSensor

# The account to post to: the sandbox's Facebook page (put your own account's id here).
ACCOUNT_ID = SANDBOX_ACCOUNT_IDS["facebook"]
# Any ObjectStoragePath works: s3://, gs://, abfs://... (with the connection it names) or file://.
IMAGE = ObjectStoragePath(f"file://{Path(__file__).resolve().parent / 'launch.png'}")
NEXT_MARCH = "{{ macros.datetime.now().year + 1 }}-03-01T09:"


@task
def scheduled_post_id(text: str) -> str:
    """The id of the scheduled post whose text is ``text``."""
    from airflow_provider_publer.hooks.publer import PublerHook

    return next(str(p["id"]) for p in PublerHook().list_posts(state="scheduled") if p.get("text") == text)


with DAG("publer_manage_posts", schedule=None, start_date=datetime(2025, 1, 1, tzinfo=timezone.utc)):
    # --8<-- [start:upload]
    upload = PublerUploadMediaOperator(
        task_id="upload",
        files=[IMAGE],
        urls=[{"url": "https://example.com/media/clip.mp4", "name": "Clip.mp4"}],
        in_library=True,
    )
    # --8<-- [end:upload]
    schedule = PublerSchedulePostOperator(
        task_id="schedule",
        posts=[
            {
                "networks": {"facebook": {"type": "status", "text": text}},
                "accounts": [{"id": ACCOUNT_ID, "scheduled_at": NEXT_MARCH + minute + ":00+00:00"}],
            }
            for text, minute in [("Draft wording", "00"), ("Teaser wording", "05")]
        ],
        wait_for_completion=True,
    )
    draft = scheduled_post_id.override(task_id="find_draft")("Draft wording")
    teaser = scheduled_post_id.override(task_id="find_teaser")("Teaser wording")
    schedule >> [draft, teaser]
    # --8<-- [start:by_ids]
    listed = PublerPostSensor(
        task_id="listed", post_ids=draft, target_state="scheduled", poke_interval=30, timeout=10 * 60
    )
    # --8<-- [end:by_ids]
    # --8<-- [start:update]
    update = PublerUpdatePostOperator(
        task_id="update", post_id=draft, post={"text": "Final wording", "labels": ["launch"]}
    )
    # --8<-- [end:update]
    # --8<-- [start:delete]
    delete = PublerDeletePostsOperator(task_id="delete", post_ids=teaser)
    # --8<-- [end:delete]
    listed >> update >> delete
