"""DAGs of tests/integration/test_operator_promises.py: the operators keep their promises when
answers are lost, requests look alike, a task is cleared, or inputs come from mapped tasks.

A "clear" is played by ``ClearedAfterFailure``: try 1 fails for good as the operator decides, and
the subclass turns that failure into a retryable one, so that try 2 runs as a person's clear would
run it (same task instance, same ledger).
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_publer.compat import AirflowException, AirflowFailException
from airflow_provider_publer.operators import publer as operators
from airflow_provider_publer.sandbox.config import SANDBOX_ACCOUNT_IDS
from tests.integration.dags import support
from tests.integration.dags.publer_workflow import recording_errors
from tests.integration.dags.support import OUT_ENV, RECORDED

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
FACEBOOK = SANDBOX_ACCOUNT_IDS["facebook"]
TWITTER = SANDBOX_ACCOUNT_IDS["twitter"]
OUT = Path(os.environ.get(OUT_ENV, "/tmp"))
IMAGE = Path(support.__file__).resolve().parents[3] / "example_dags" / "assets" / "launch.png"
#: An id shaped like Publer's that no sandbox holds.
UNKNOWN_ID = "0123456789abcdef01234567"
FAST = {"retry_delay": timedelta(seconds=0)}

Upload = recording_errors(operators.PublerUploadMediaOperator)
Delete = recording_errors(operators.PublerDeletePostsOperator)
Schedule = recording_errors(operators.PublerSchedulePostOperator)
Insights = recording_errors(operators.PublerPostInsightsOperator)
Update = recording_errors(operators.PublerUpdatePostOperator)


class ClearedAfterFailure(Delete):  # type: ignore[misc, valid-type]
    """Try 1's failure for good becomes a retry: try 2 is what a clear of the task would run."""

    def execute(self, context: Any) -> Any:
        try:
            return super().execute(context)
        except AirflowFailException as err:
            if int(context["ti"].try_number) == 1:
                raise AirflowException(f"(cleared) {err}") from None
            raise


@task
def two_banners() -> list[str]:
    """Two files of one name in two folders: a/banner.png and b/banner.png (not the same file)."""
    paths = []
    for folder, extra in (("a", b""), ("b", b"\0" * 64)):
        target = OUT / folder / "banner.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(IMAGE, target)
        with target.open("ab") as handle:
            handle.write(extra)
        paths.append(str(target))
    return paths


def _post(text: str, when: datetime | None = None) -> dict[str, Any]:
    account: dict[str, Any] = {"id": FACEBOOK}
    if when is not None:
        account["scheduled_at"] = when.isoformat()
    return {"networks": {"facebook": {"type": "status", "text": text}}, "accounts": [account]}


# Case 1: b/banner.png's upload gets a 502 that stores nothing (the test's faults); a/banner.png,
# uploaded just before, must not be taken for it.
with DAG("promise_upload_lost", schedule=None, start_date=START, catchup=False):
    files = two_banners()
    first = Upload(task_id="upload_a", files=str(OUT / "a" / "banner.png"), retries=0, **RECORDED)
    second = Upload(task_id="upload_b", files=str(OUT / "b" / "banner.png"), retries=1, **FAST, **RECORDED)
    files >> first >> second

# Case 5: the DELETE's answer is lost (the test's faults drop it), the post is gone all the same.
with DAG("promise_delete_lost", schedule=None, start_date=START, catchup=False):
    made = Schedule(
        task_id="schedule",
        posts=[_post("to be deleted", datetime.now(timezone.utc) + timedelta(days=30))],
        wait_for_completion=True,
        verify_posts=True,
        poll_interval=0.5,
        retries=0,
    )

    @task
    def created(outcome: dict[str, Any]) -> list[str]:
        return list(outcome["post_ids"])

    Delete(task_id="delete", post_ids=created(made.output), retries=0, **RECORDED)


@task
def id_lists(outcome: dict[str, Any]) -> list[list[str]]:
    """A list of lists of ids, as a calendar task's mapped outputs are."""
    return [[post_id] for post_id in outcome["post_ids"]]


@task
def one_id(post_id: str) -> str:
    return post_id


# No faults: cases 2, 3 and 4, mapped outputs, and update text limits.
with DAG("promise_plain", schedule=None, start_date=START, catchup=False):
    twin = _post("twins")
    Schedule(
        task_id="twins",
        posts=[twin, twin],
        publish_now=True,
        max_posts_per_request=1,
        retries=0,
        **RECORDED,
    )
    Schedule(
        task_id="twins_meant",
        posts=[_post("twins meant"), _post("twins meant")],
        publish_now=True,
        max_posts_per_request=1,
        reconcile=False,
        retries=0,
        **RECORDED,
    )
    for name, path in (("s3", "s3://my-bucket/insights-{from_}.jsonl"), ("file", "file:///tmp/x-{to}.jsonl")):
        Insights(
            task_id=f"insights_{name}",
            account_ids=[FACEBOOK],
            from_="2030-01-01",
            to="2030-01-07",
            output_path=path,
            retries=0,
            **RECORDED,
        )
    ClearedAfterFailure(task_id="delete_unknown", post_ids=[UNKNOWN_ID], retries=1, **FAST, **RECORDED)

    later = datetime.now(timezone.utc) + timedelta(days=30)
    made = Schedule(
        task_id="schedule",
        posts=[_post(f"mapped {i}", later + timedelta(hours=i)) for i in range(3)],
        wait_for_completion=True,
        verify_posts=True,
        poll_interval=0.5,
        retries=0,
    )
    lists = id_lists(made.output)
    mapped = one_id.expand(post_id=lists)  # each returns one list of one id
    Delete(task_id="delete_mapped", post_ids=mapped, retries=0, **RECORDED)

    tweet = Schedule(
        task_id="tweet",
        posts=[
            {
                "networks": {"twitter": {"type": "status", "text": "short for now"}},
                "accounts": [{"id": TWITTER, "scheduled_at": (later + timedelta(days=1)).isoformat()}],
            }
        ],
        wait_for_completion=True,
        verify_posts=True,
        poll_interval=0.5,
        retries=0,
    )

    @task
    def first_id(outcome: dict[str, Any]) -> str:
        return str(outcome["post_ids"][0])

    tweet_id = first_id(tweet.output)
    Update(task_id="update_too_long", post_id=tweet_id, post={"text": "x" * 281}, retries=0, **RECORDED)
    Update(task_id="update_fits", post_id=tweet_id, post={"text": "y" * 280}, retries=0, **RECORDED)

    @task
    def picture(index: int) -> list[str]:
        """Each mapped instance writes one picture and returns a list holding its path."""
        target = OUT / f"mapped-{index}" / f"picture-{index}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(IMAGE, target)
        return [str(target)]

    Upload(task_id="upload_mapped", files=picture.expand(index=[0, 1]), retries=0, **RECORDED)
