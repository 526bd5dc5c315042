"""DAGs of tests/integration/test_post_sensor.py and test_workflow_operators.py: the post sensor on
posts Publer publishes or fails, and the media, update, delete and insights operators.

Each DAG runs against a fresh sandbox whose publishing clock is fast (``publish_time_scale``), so
posts scheduled two minutes ahead go live within seconds. Outcomes land in ``events.jsonl``.
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, ObjectStoragePath, task

from airflow_provider_publer.operators import publer as operators
from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sandbox.config import SANDBOX_ACCOUNT_IDS
from airflow_provider_publer.sensors import publer as sensors
from tests.integration.dags import support
from tests.integration.dags.support import CRASH_MESSAGE, OUT_ENV, RECORDED

START = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _record_error(task_id: str, err: Exception) -> None:
    if type(err).__name__ != "AirflowRescheduleException":
        with (Path(os.environ[OUT_ENV]) / f"{task_id}.errors").open("a") as handle:
            handle.write(f"{type(err).__name__}: {err}\x1e")  # messages span lines


def recording_errors(cls: Any) -> Any:
    """``cls`` with each error that ends a task appended to ``<out>/<task_id>.errors`` (Airflow 3.1
    passes no exception to failure callbacks). A deferred sensor ends in a resume method."""

    class Recording(cls):  # type: ignore[misc, valid-type]
        def execute(self, context: Any) -> Any:
            try:
                return super().execute(context)
            except Exception as err:
                _record_error(self.task_id, err)
                raise

        def execute_complete(self, context: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().execute_complete(context, *args, **kwargs)
            except Exception as err:
                _record_error(self.task_id, err)
                raise

        def execute_jobs_complete(self, context: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().execute_jobs_complete(context, *args, **kwargs)
            except Exception as err:
                _record_error(self.task_id, err)
                raise

    Recording.__name__ = Recording.__qualname__ = cls.__name__
    return Recording


FACEBOOK = SANDBOX_ACCOUNT_IDS["facebook"]
LINKEDIN = SANDBOX_ACCOUNT_IDS["linkedin"]
MASTODON = SANDBOX_ACCOUNT_IDS["mastodon"]
BLUESKY = SANDBOX_ACCOUNT_IDS["bluesky"]
TWITTER = SANDBOX_ACCOUNT_IDS["twitter"]
#: The reason the sandbox gives for the post that fails (its text carries the fail marker).
FAIL_REASON = "The LinkedIn token expired"
PublerPostSensor = recording_errors(sensors.PublerPostSensor)
PublerUploadMediaOperator = recording_errors(operators.PublerUploadMediaOperator)
PublerUpdatePostOperator = recording_errors(operators.PublerUpdatePostOperator)
PublerDeletePostsOperator = recording_errors(operators.PublerDeletePostsOperator)
PublerPostInsightsOperator = recording_errors(operators.PublerPostInsightsOperator)
#: The example DAGs' image (this file is copied to a temporary dags folder: find it from the repository).
IMAGE = Path(support.__file__).resolve().parents[3] / "example_dags" / "assets" / "launch.png"


@task
def soon_posts(tag: str, failing: bool = False) -> list[dict[str, Any]]:
    """Posts two (three) minutes ahead on Facebook and Mastodon (and one LinkedIn post that fails)."""
    when = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(minutes=2)
    posts = [
        {
            "networks": {"default": {"type": "status", "text": f"{tag}: going live"}},
            "accounts": [
                {"id": FACEBOOK, "scheduled_at": when.isoformat()},
                {"id": MASTODON, "scheduled_at": when.isoformat()},
            ],
        }
    ]
    if failing:
        posts.append(
            {
                "networks": {"linkedin": {"type": "status", "text": f"{tag} [sandbox:fail:{FAIL_REASON}]"}},
                "accounts": [{"id": LINKEDIN, "scheduled_at": (when + timedelta(minutes=1)).isoformat()}],
            }
        )
    return posts


@task
def post_ids_of(_outcome: Any, contains: str = "") -> list[str]:
    """Ids of the posts whose text holds ``contains``, in listing order (each test has its own sandbox)."""
    from airflow_provider_publer.hooks.publer import PublerHook

    return [str(p["id"]) for p in PublerHook().list_posts() if contains in str(p.get("text"))]


def schedule_and_wait(posts: Any, task_id: str = "schedule", **kwargs: Any) -> PublerSchedulePostOperator:
    """Submit and wait for the job in the same task; its outcome lists the posts it created."""
    return PublerSchedulePostOperator(
        task_id=task_id, posts=posts, wait_for_completion=True, poll_interval=0.5, retries=0, **kwargs
    )


# A post Publer fails at its time fails the sensor, with the post and Publer's reason: by job
# (reschedule and deferrable) and by post ids.
with DAG("publer_posts_fail", schedule=None, start_date=START, catchup=False):
    schedule = PublerSchedulePostOperator(
        task_id="schedule", posts=soon_posts("fail", failing=True), retries=0
    )
    PublerPostSensor(task_id="by_job", job_id=schedule.output, poke_interval=1, timeout=120, **RECORDED)
    PublerPostSensor(
        task_id="by_job_deferred",
        job_id=schedule.output,
        deferrable=True,
        poke_interval=1,
        timeout=120,
        **RECORDED,
    )
    PublerPostSensor(
        task_id="soft",
        job_id=schedule.output,
        deferrable=True,
        soft_fail=True,
        poke_interval=1,
        timeout=120,
        **RECORDED,
    )

# The test's sandbox fails every Mastodon post (fail_accounts).
with DAG("publer_posts_fail_by_id", schedule=None, start_date=START, catchup=False):
    waited = schedule_and_wait(soon_posts("fail by id"))
    ids = post_ids_of(waited.output)
    # --8<-- [start:by_ids]
    PublerPostSensor(task_id="by_ids", post_ids=ids, poke_interval=1, timeout=120, **RECORDED)
    # --8<-- [end:by_ids]
    PublerPostSensor(
        task_id="by_ids_deferred", post_ids=ids, deferrable=True, poke_interval=1, timeout=120, **RECORDED
    )

# Every post goes live: both sensors return each post with its link, in the order submitted.
with DAG("publer_posts_live", schedule=None, start_date=START, catchup=False):
    schedule = PublerSchedulePostOperator(task_id="schedule", posts=soon_posts("live"), retries=0)
    PublerPostSensor(task_id="by_job", job_id=schedule.output, poke_interval=1, timeout=120, **RECORDED)
    PublerPostSensor(
        task_id="by_job_deferred",
        job_id=schedule.output,
        deferrable=True,
        poke_interval=1,
        timeout=120,
        **RECORDED,
    )


# A calendar that renders differently each time (a macro reading the clock): the sensors follow the
# posts as sent, not the template rendered again (mapped and unmapped, reschedule and deferrable).
def _stamp() -> str:
    return str(time.time_ns())


with DAG(
    "publer_posts_rendered_once",
    schedule=None,
    start_date=START,
    catchup=False,
    user_defined_macros={"stamp": _stamp},
):
    schedule = PublerSchedulePostOperator(
        task_id="schedule", posts=soon_posts("once {{ stamp() }}"), retries=0
    )
    PublerPostSensor(task_id="by_job", job_id=schedule.output, poke_interval=1, timeout=60, **RECORDED)
    PublerPostSensor(
        task_id="by_job_deferred",
        job_id=schedule.output,
        deferrable=True,
        poke_interval=1,
        timeout=60,
        **RECORDED,
    )
    later = (datetime.now(timezone.utc) + timedelta(minutes=2)).replace(microsecond=0).isoformat()
    mapped = PublerSchedulePostOperator.partial(task_id="mapped", retries=0).expand(
        posts=[
            [
                {
                    "networks": {"default": {"type": "status", "text": f"mapped {n} {{{{ stamp() }}}}"}},
                    "accounts": [{"id": account, "scheduled_at": later}],
                }
            ]
            for n, account in enumerate((LINKEDIN, BLUESKY))
        ]
    )
    PublerPostSensor.partial(task_id="mapped_live", poke_interval=1, timeout=60, **RECORDED).expand(
        job_id=mapped.output
    )


# Posts far ahead never go live while the sensors wait: both time out; awaiting "scheduled" succeeds.
with DAG("publer_posts_timeout", schedule=None, start_date=START, catchup=False):
    far = [
        {
            "networks": {"default": {"type": "status", "text": "next year"}},
            "accounts": [
                {"id": FACEBOOK, "scheduled_at": "{{ macros.datetime.now().year + 1 }}-06-01T12:00:00+00:00"}
            ],
        }
    ]
    waited = schedule_and_wait(far)
    ids = post_ids_of(waited.output)
    PublerPostSensor(task_id="by_ids", post_ids=ids, poke_interval=1, timeout=3, **RECORDED)
    PublerPostSensor(
        task_id="scheduled", post_ids=ids, target_state="scheduled", poke_interval=1, timeout=30, **RECORDED
    )
    PublerPostSensor(
        task_id="by_ids_deferred", post_ids=ids, deferrable=True, poke_interval=1, timeout=3, **RECORDED
    )


# -- media: nothing uploaded twice across retries -----------------------------------------------


class CrashAfterUpload(PublerUploadMediaOperator):
    """Try 1 dies right after Publer stored the file, before the ledger knows its id."""

    def execute(self, context: Any) -> Any:
        if int(context["ti"].try_number) == 1:
            real = self.hook.upload_media

            def upload_then_crash(*args: Any, **kwargs: Any) -> Any:
                media = real(*args, **kwargs)
                raise RuntimeError(f"{CRASH_MESSAGE} after upload (Publer stored media {media['id']})")

            self.hook.upload_media = upload_then_crash  # type: ignore[method-assign]
        return super().execute(context)


class CrashAfterImport(PublerUploadMediaOperator):
    """Try 1 dies while Publer's import job runs, after the ledger recorded the job."""

    def _wait_for_import(self, job_id: str, workspace: str, *, reconnecting: bool = False) -> Any:
        if not reconnecting and self._try == 1:
            raise RuntimeError(f"{CRASH_MESSAGE} while import job {job_id} runs")
        return super()._wait_for_import(job_id, workspace, reconnecting=reconnecting)

    def execute(self, context: Any) -> Any:
        self._try = int(context["ti"].try_number)
        return super().execute(context)


retry_once = {"retries": 1, "retry_delay": timedelta(seconds=0), **RECORDED}
with DAG("publer_media_retries", schedule=None, start_date=START, catchup=False):
    CrashAfterUpload(task_id="upload_crash", files=[str(IMAGE)], **retry_once)
    CrashAfterImport(
        task_id="import_crash", urls=["https://example.com/media/poster.png"], poll_interval=0.5, **retry_once
    )
    # --8<-- [start:upload_object_storage]
    PublerUploadMediaOperator(
        task_id="upload_object_storage",
        files=[ObjectStoragePath(f"file://{IMAGE}")],
        urls=[{"url": "https://example.com/media/clip.mp4", "name": "Clip.mp4"}],
        in_library=True,
        poll_interval=0.5,
        **RECORDED,
    )
    # --8<-- [end:upload_object_storage]
    PublerUploadMediaOperator(
        task_id="import_fails",
        urls=["https://example.com/sandbox-fail/broken.png"],
        poll_interval=0.5,
        **retry_once,
    )


# -- update and delete ----------------------------------------------------------------------------

with DAG("publer_update_delete", schedule=None, start_date=START, catchup=False):
    scheduled = schedule_and_wait(
        [
            {
                "networks": {"default": {"type": "status", "text": "Draft wording"}},
                "accounts": [
                    {
                        "id": FACEBOOK,
                        "scheduled_at": "{{ macros.datetime.now().year + 1 }}-03-01T09:00:00+00:00",
                    }
                ],
            },
            {
                "networks": {"default": {"type": "status", "text": "Queued wording"}},
                "accounts": [{"id": LINKEDIN}],
            },
        ]
    )
    published = schedule_and_wait(
        [
            {
                "networks": {"twitter": {"type": "status", "text": "Out now"}},
                "accounts": [{"id": TWITTER}],
            }
        ],
        task_id="publish",
        publish_now=True,
    )

    @task
    def first(ids: list[str]) -> str:
        return ids[0]

    ids = post_ids_of(scheduled.output, "wording")
    draft = first(post_ids_of.override(task_id="draft_id")(scheduled.output, "Draft wording"))
    # --8<-- [start:update]
    update = PublerUpdatePostOperator(
        task_id="update", post_id=draft, post={"text": "Final wording", "labels": ["launch"]}, **RECORDED
    )
    # --8<-- [end:update]
    refused = PublerUpdatePostOperator(
        task_id="update_published",
        post_id=first(post_ids_of.override(task_id="published_ids")(published.output, "Out now")),
        post={"text": "Edited after the fact"},
        retries=0,
        **RECORDED,
    )
    # --8<-- [start:delete]
    delete = PublerDeletePostsOperator(task_id="delete", post_ids=ids, retries=0, **RECORDED)
    # --8<-- [end:delete]
    update >> delete


# -- insights to object storage and to XCom ---------------------------------------------------------

with DAG("publer_insights", schedule=None, start_date=START, catchup=False):
    published = schedule_and_wait(
        [
            {
                "networks": {"default": {"type": "status", "text": "Numbers, please #stats"}},
                "accounts": [{"id": FACEBOOK}, {"id": LINKEDIN}],
            }
        ],
        task_id="publish",
        publish_now=True,
    )
    to_file = PublerPostInsightsOperator(
        task_id="to_object_storage",
        account_ids=[FACEBOOK, LINKEDIN],
        from_="{{ macros.ds_add(ds, -1) }}",
        to="{{ macros.ds_add(ds, 1) }}",
        output_path=ObjectStoragePath(
            "file://" + os.environ.get(OUT_ENV, "/tmp") + "/insights/{{ ds }}.jsonl"
        ),
        **RECORDED,
    )
    to_xcom = PublerPostInsightsOperator(
        task_id="to_xcom",
        account_ids=[FACEBOOK],
        from_="{{ macros.ds_add(ds, -1) }}",
        to="{{ macros.ds_add(ds, 1) }}",
        sort_by="reach",
        **RECORDED,
    )
    published >> [to_file, to_xcom]
