"""Every Monday, last week's per-post analytics of every account, as a JSON Lines file.

The DAG runs on a weekly data-interval timetable, so each run covers the week before it
(Monday to Sunday, UTC). ``list_account_ids`` lists the workspace's accounts (Publer has no
analytics for Telegram channels), ``post_insights`` reads the analytics of their posts
published that week and writes one line per post to
``$PUBLER_EXAMPLE_OUTPUT_DIR/publer-post-insights-<Monday>.jsonl`` (default directory:
``/tmp/publer-insights``); an ``ObjectStoragePath`` (S3, GCS...) works the same.
``summarize`` reads the file back and logs the week's totals: what a warehouse load would
start from.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import datetime, timezone

from airflow.sdk import dag, task
from airflow.timetables.interval import CronDataIntervalTimetable

from airflow_provider_publer.operators.publer import PublerPostInsightsOperator

OUTPUT_DIR = os.environ.get("PUBLER_EXAMPLE_OUTPUT_DIR", "/tmp/publer-insights")
#: Account providers Publer has no analytics for.
NO_ANALYTICS = {"telegram"}


@dag(
    # --8<-- [start:schedule]
    schedule=CronDataIntervalTimetable("0 0 * * 1", timezone="UTC"),
    # --8<-- [end:schedule]
    start_date=datetime(2025, 1, 6, tzinfo=timezone.utc),
    catchup=False,
    # Scheduled: it starts paused, so it never runs before someone unpauses it in the UI.
    is_paused_upon_creation=True,
    tags=["publer", "example"],
    doc_md=__doc__,
)
def example_publer_weekly_insights() -> None:
    @task
    def list_account_ids() -> list[str]:
        from airflow_provider_publer.hooks.publer import PublerHook

        return [str(a["id"]) for a in PublerHook().list_accounts() if a.get("provider") not in NO_ANALYTICS]

    # --8<-- [start:insights]
    insights = PublerPostInsightsOperator(
        task_id="post_insights",
        account_ids=list_account_ids(),
        # from_ and to default to the run's data interval: last week, Monday to Sunday;
        # {from_} becomes its first day.
        output_path=OUTPUT_DIR + "/publer-post-insights-{from_}.jsonl",
    )
    # --8<-- [end:insights]

    # --8<-- [start:summarize]
    @task
    def summarize(path: str) -> dict[str, int]:
        with open(path, encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle]
        posts = Counter(row["network"] for row in rows)
        reach = sum(row["analytics"]["reach"] or 0 for row in rows)
        print(f"{os.path.basename(path)}: {len(rows)} post(s) {dict(posts)}, total reach {reach}")
        return {"posts": len(rows), "reach": reach}

    summarize(insights.output)
    # --8<-- [end:summarize]


example_publer_weekly_insights()
