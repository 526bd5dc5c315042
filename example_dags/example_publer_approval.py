"""A person approves a content calendar before it goes out: calendar -> approval -> schedule -> live.

1. ``approve_calendar`` reads ``approval_calendar.csv`` (next to this file), validates it exactly
   as scheduling would, and waits in Airflow's **Required Actions** page with a preview of every
   post: account, network, time, text with its count against the network's limit, media, links.
   The reviewer approves all, approves some (the ``approve`` field), edits a text (the ``texts``
   field; checked again before anything is sent) or rejects, with a reason. The task sends
   nothing to Publer.
2. ``schedule_calendar`` schedules what was approved (``posts=approve.output``), each post exactly
   once, also when it is retried or cleared. On a rejection it is skipped.
3. ``wait_until_live`` waits until the posts are published.

``notify_reviewers`` is told when the request waits: here it logs the link to the Required
Actions page; use any Airflow notifier (Slack, e-mail, ...) the same way. The sample's times are
a few minutes after the run starts (the ``minutes_ahead`` macro), so the example runs on any day;
a real calendar writes times such as ``2031-03-02T09:00:00+01:00``.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Any

from airflow.sdk import BaseNotifier, dag

from airflow_provider_publer.operators.approval import PublerApprovePostsOperator
from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sensors.publer import PublerPostSensor

POKE_INTERVAL = float(os.environ.get("PUBLER_EXAMPLE_POKE_INTERVAL", "30"))


def minutes_ahead(minutes: int) -> str:
    """The time ``minutes`` from now, to the minute, as Publer's timestamp."""
    when = datetime.now(timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=minutes)
    return when.isoformat()


# --8<-- [start:notifier]
class NotifyReviewers(BaseNotifier):
    """Tell the reviewers a request waits, with the link to its Required Actions page.

    Replace the log line with a message to where your reviewers are (Slack, e-mail, ...).
    """

    def notify(self, context: Any) -> None:
        link = PublerApprovePostsOperator.generate_link_to_ui_from_context(context=context)
        self.log.info("Posts are waiting for your approval: %s", link)


# --8<-- [end:notifier]


@dag(
    schedule=None,
    start_date=datetime(2025, 1, 1, tzinfo=timezone.utc),
    catchup=False,
    tags=["publer", "example"],
    doc_md=__doc__,
    user_defined_macros={"minutes_ahead": minutes_ahead},
)
def example_publer_approval() -> None:
    # --8<-- [start:approval]
    approve = PublerApprovePostsOperator(
        task_id="approve_calendar",
        posts="approval_calendar.csv",
        timezone="Europe/Berlin",
        body="The spring launch. Check the texts and times before they go out.",
        response_timeout=timedelta(hours=4),  # then nothing is sent
        notifiers=[NotifyReviewers()],
    )
    schedule = PublerSchedulePostOperator(task_id="schedule_calendar", posts=approve.output)
    PublerPostSensor(
        task_id="wait_until_live",
        job_id=schedule.output,
        deferrable=True,
        poke_interval=POKE_INTERVAL,
        timeout=60 * 60,
    )
    # --8<-- [end:approval]


example_publer_approval()
