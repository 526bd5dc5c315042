"""The days a DAG run covers, read in the DAG's own time zone, for every kind of timetable.

Each interval is the one Airflow's own timetable gives (``next_dagrun_info`` for a scheduled run,
``infer_manual_data_interval`` for a manual one), on real DAG objects; the days are what
``PublerPostInsightsOperator`` then asks Publer for (``from``/``to``) and what ``{from_}``/``{to}``
in its output path become. No request is made.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pendulum
import pytest
from airflow.sdk import DAG
from airflow.timetables.base import DataInterval, TimeRestriction
from airflow.timetables.interval import CronDataIntervalTimetable
from airflow.timetables.trigger import CronTriggerTimetable

from airflow_provider_publer.operators.publer import PublerPostInsightsOperator
from airflow_provider_publer.run_intervals import dag_timezone, interval_days, run_days

BERLIN = pendulum.timezone("Europe/Berlin")
NEW_YORK = pendulum.timezone("America/New_York")


def _scheduled(timetable, after: datetime) -> DataInterval:
    """The data interval of the first scheduled run at or after ``after``, as the scheduler plans it."""
    info = timetable.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=pendulum.instance(after), latest=None, catchup=True),
    )
    assert info is not None
    return info.data_interval


def _days(dag: DAG, interval: DataInterval) -> tuple[str, str]:
    context = {"data_interval_start": interval.start, "data_interval_end": interval.end, "dag": dag}
    operator = PublerPostInsightsOperator(task_id="insights", account_ids=["a"])
    days: tuple[str, str] = operator._dates(context)
    assert run_days(context) == days
    return days


def _dag(timetable, start: datetime | None = None) -> DAG:
    return DAG("weekly", schedule=timetable, start_date=start or datetime(2026, 1, 1, tzinfo=BERLIN))


def test_a_berlin_week_is_monday_to_sunday_in_berlin():
    """The cited case: a weekly timetable in Europe/Berlin, week Mon 2026-03-09 to Mon 2026-03-16."""
    timetable = CronTriggerTimetable("0 0 * * 1", timezone="Europe/Berlin", interval=timedelta(days=7))
    interval = _scheduled(timetable, datetime(2026, 3, 16, tzinfo=BERLIN))
    assert interval.start == datetime(2026, 3, 9, tzinfo=BERLIN)
    assert _days(_dag(timetable), interval) == ("2026-03-09", "2026-03-15")


def test_a_weekly_cron_data_interval_timetable_in_berlin():
    timetable = CronDataIntervalTimetable("0 0 * * 1", timezone="Europe/Berlin")
    interval = _scheduled(timetable, datetime(2026, 3, 9, tzinfo=BERLIN))
    assert (interval.start, interval.end) == (
        datetime(2026, 3, 9, tzinfo=BERLIN),
        datetime(2026, 3, 16, tzinfo=BERLIN),
    )
    assert _days(_dag(timetable), interval) == ("2026-03-09", "2026-03-15")


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("Europe/Berlin", datetime(2026, 3, 29)),  # 23 hours: clocks go forward
        ("Europe/Berlin", datetime(2026, 10, 25)),  # 25 hours: clocks go back
        ("America/New_York", datetime(2026, 3, 8)),
        ("America/New_York", datetime(2026, 11, 1)),
        ("Asia/Kolkata", datetime(2026, 6, 1)),  # +05:30, no DST
        ("Pacific/Auckland", datetime(2026, 4, 5)),  # the southern hemisphere's change
    ],
)
def test_a_daily_cron_is_its_one_local_day_across_dst_changes(zone: str, day: datetime):
    tz = pendulum.timezone(zone)
    timetable = CronDataIntervalTimetable("0 0 * * *", timezone=zone)
    interval = _scheduled(timetable, day.replace(tzinfo=tz))
    assert _days(_dag(timetable, day.replace(tzinfo=tz)), interval) == (day.date().isoformat(),) * 2


def test_a_monthly_cron_is_the_whole_local_month():
    timetable = CronDataIntervalTimetable("0 0 1 * *", timezone="Europe/Berlin")
    interval = _scheduled(timetable, datetime(2026, 3, 1, tzinfo=BERLIN))
    assert _days(_dag(timetable), interval) == ("2026-03-01", "2026-03-31")


def test_a_dag_whose_start_date_is_in_berlin_uses_berlin_for_its_preset_schedule():
    """``@weekly`` is a cron trigger timetable in the DAG's zone (the start date's): its run at
    Sunday 00:00 Berlin (Saturday 23:00 UTC) has a zero-length interval, the one Berlin day."""
    dag = DAG("weekly", schedule="@weekly", start_date=datetime(2026, 1, 1, tzinfo=BERLIN))
    assert dag_timezone(dag).name == "Europe/Berlin"
    sunday = pendulum.instance(datetime(2026, 3, 8, tzinfo=BERLIN)).in_timezone("UTC")
    assert sunday.day == 7
    assert _days(dag, DataInterval(sunday, sunday)) == ("2026-03-08", "2026-03-08")


def test_a_timetable_with_its_own_zone_wins_over_the_dags():
    timetable = CronDataIntervalTimetable("0 0 * * *", timezone="America/New_York")
    dag = DAG("daily", schedule=timetable, start_date=datetime(2026, 1, 1, tzinfo=BERLIN))
    assert dag_timezone(dag).name == "America/New_York"
    interval = _scheduled(timetable, datetime(2026, 3, 10, tzinfo=NEW_YORK))
    assert _days(dag, interval) == ("2026-03-10", "2026-03-10")


def test_a_cron_trigger_timetable_with_an_interval_ending_at_six():
    timetable = CronTriggerTimetable("0 6 * * *", timezone="Europe/Berlin", interval=timedelta(days=1))
    interval = _scheduled(timetable, datetime(2026, 3, 10, 6, tzinfo=BERLIN))
    # [Mon 06:00, Tue 06:00) Berlin: both days hold part of it.
    assert _days(_dag(timetable), interval) == ("2026-03-09", "2026-03-10")


def test_a_cron_trigger_timetable_without_an_interval_is_its_one_local_day():
    timetable = CronTriggerTimetable("30 0 * * *", timezone="Europe/Berlin")
    interval = _scheduled(timetable, datetime(2026, 3, 10, tzinfo=BERLIN))
    # 00:30 Berlin is 23:30 UTC the day before: the day is Berlin's.
    assert _days(_dag(timetable), interval) == ("2026-03-10", "2026-03-10")


def test_a_manual_run_of_a_scheduled_weekly_dag_takes_the_last_complete_berlin_week():
    timetable = CronDataIntervalTimetable("0 0 * * 1", timezone="Europe/Berlin")
    run = SimpleNamespace(run_after=datetime(2026, 3, 18, 10, 0, tzinfo=BERLIN))
    context = {"data_interval_start": None, "data_interval_end": None, "dag": _dag(timetable), "dag_run": run}
    operator = PublerPostInsightsOperator(task_id="insights", account_ids=["a"])
    assert operator._dates(context) == ("2026-03-09", "2026-03-15")


def test_a_manual_run_of_a_trigger_timetable_with_an_interval():
    timetable = CronTriggerTimetable("0 0 * * 1", timezone="Europe/Berlin", interval=timedelta(days=7))
    run = SimpleNamespace(run_after=datetime(2026, 3, 18, 10, 0, tzinfo=BERLIN))
    context = {"data_interval_start": None, "data_interval_end": None, "dag": _dag(timetable), "dag_run": run}
    assert run_days(context) == ("2026-03-11", "2026-03-18")


def test_the_output_path_days_follow_the_same_rule(tmp_path):
    """``{from_}``/``{to}`` are filled from the days asked for."""
    from airflow_provider_publer.operators.output import with_days

    first, last = interval_days(
        datetime(2026, 3, 9, tzinfo=BERLIN), datetime(2026, 3, 16, tzinfo=BERLIN), BERLIN
    )
    assert with_days(str(tmp_path / "insights-{from_}-{to}.jsonl"), first, last).endswith(
        "insights-2026-03-09-2026-03-15.jsonl"
    )


def test_a_dag_without_a_zone_reads_utc():
    assert dag_timezone(SimpleNamespace()).name == "UTC"
    assert interval_days(
        pendulum.datetime(2026, 3, 9), pendulum.datetime(2026, 3, 16), dag_timezone(None)
    ) == ("2026-03-09", "2026-03-15")
