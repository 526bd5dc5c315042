"""The operator that reads per-post analytics: :class:`PublerPostInsightsOperator`, to XCom or a
JSON Lines file (:mod:`airflow_provider_publer.operators.output`).

Its default period is the run's data interval read in the DAG's own time zone
(:mod:`airflow_provider_publer.run_intervals`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_publer.constants import DEFAULT_CONN_ID
from airflow_provider_publer.operators.common import PublerOperator
from airflow_provider_publer.operators.output import local_path_text, with_days, write_json_lines

if TYPE_CHECKING:
    from airflow.sdk import Context


class PublerPostInsightsOperator(PublerOperator):
    """Per-post analytics of accounts over a period (``GET /analytics/{account_id}/post_insights``).

    For each account, every page (10 posts each) of its published posts scheduled from ``from_``
    to ``to`` is read; each row is Publer's post ``{id, text, type, account_id, network, url,
    scheduled_at, post_link, analytics}`` with ``analytics`` as plain numbers (``reach``,
    ``engagement``, ``engagement_rate``, ``likes``, ``comments``, ``shares``, ``saves``,
    ``video_views``, ``link_clicks``, ``post_clicks``, ``click_through_rate``, ``reach_rate``;
    rates in percent; ``None`` where Publer gives no figure). With ``output_path`` the rows are
    written as JSON Lines (one row per line, UTF-8) and the task returns the path, ready to load
    into a warehouse; otherwise it returns the rows. Reading twice is harmless, so retries are too.

    :param account_ids: account ids, or the accounts themselves as ``list_accounts()`` returns them
        (templated).
    :param from_: first day (templated): ``YYYY-MM-DD``, a date or a datetime. Default: the start of
        the run's data interval (for a run triggered without a logical date, the interval the DAG's
        timetable gives a manual run then: last week for a weekly ``CronDataIntervalTimetable``).
    :param to: last day, included (templated). Default: the end of the data interval (an end at
        midnight is the day before, so a weekly interval is Monday to Sunday). Both defaults read
        the interval in the DAG's own time zone (:mod:`airflow_provider_publer.run_intervals`): a
        Berlin week Monday 2026-03-09 00:00 to Monday 2026-03-16 00:00 is 2026-03-09..2026-03-15.
    :param output_path: where to write JSON Lines (templated): a local path or an Airflow
        ``ObjectStoragePath`` (S3, GCS...). ``{from_}`` and ``{to}`` in it (in the file name of an
        ``ObjectStoragePath``) become the first and last day read, e.g.
        ``"/data/insights-{from_}.jsonl"``. A string with a scheme (``"s3://..."``) is refused
        before any request: pass ``ObjectStoragePath("s3://...", conn_id=...)``. Parent
        directories of a local path are created, and a local file is replaced whole, never left
        half-written.
    :param query: text search in the posts.
    :param sort_by: Publer's order: ``scheduled_at``, ``reach``, ``engagement``, ``likes``, ...
    :param workspace_id: the accounts' workspace (templated); defaults to the connection's.
    :param publer_conn_id: Airflow connection of type ``publer`` (templated).
    """

    template_fields: Sequence[str] = (
        "account_ids",
        "from_",
        "to",
        "output_path",
        "query",
        "workspace_id",
        "publer_conn_id",
    )
    ui_color = "#e7f0ff"

    def __init__(
        self,
        *,
        account_ids: Any,
        from_: Any = None,
        to: Any = None,
        output_path: Any = None,
        query: str | None = None,
        sort_by: str | None = None,
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.account_ids = account_ids
        self.from_ = from_
        self.to = to
        self.output_path = local_path_text(output_path)
        self.query = query
        self.sort_by = sort_by
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id

    def execute(self, context: Context) -> Any:
        from airflow_provider_publer.operators.output import check_output_path
        from airflow_provider_publer.validation import (
            POST_INSIGHTS_SORTS,
            validate_account_ids,
            validate_choice,
        )

        accounts = self._checked(lambda: validate_account_ids(self.account_ids))
        self._checked(lambda: check_output_path(self.output_path))
        first, last = self._checked(lambda: self._dates(context))
        sort_by = self._checked(lambda: validate_choice(self.sort_by, POST_INSIGHTS_SORTS, field="sort_by"))
        workspace = self._workspace()
        rows: list[dict[str, Any]] = []
        for account in accounts:
            posts = self._call(
                lambda a=account: self.hook.get_post_insights(
                    a, first, last, query=self.query or None, sort_by=sort_by, workspace_id=workspace
                ),
                f"Insights of account {account} ({first}..{last}): ",
            )
            rows.extend({**post, "account_id": post.get("account_id") or account} for post in posts)
            self.log.info("Account %s: %d published post(s) from %s to %s", account, len(posts), first, last)
        if self.output_path in (None, ""):
            return rows
        written = write_json_lines(with_days(self.output_path, first, last), rows)
        self.log.info("Wrote %d row(s) to %s", len(rows), written)
        return written

    def _dates(self, context: Context) -> tuple[str, str]:
        from airflow_provider_publer.run_intervals import run_days
        from airflow_provider_publer.validation import validate_date_range

        if self.from_ not in (None, "") or self.to not in (None, ""):
            return validate_date_range(self.from_, self.to)
        return validate_date_range(*run_days(context))


def _manual_interval(context: Context) -> tuple[Any, Any]:
    """The interval of a run without a logical date (see ``run_intervals.run_interval``)."""
    from airflow_provider_publer.run_intervals import run_interval

    return run_interval(context)
