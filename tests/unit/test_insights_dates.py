"""Which days PublerPostInsightsOperator asks Publer for: the dates given, else the run's data
interval, else (a run triggered without a logical date) the interval the DAG's timetable gives a
manual run. Computed from the task context alone: no request is made."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pendulum
import pytest
from airflow.timetables.interval import CronDataIntervalTimetable

from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.operators.publer import PublerPostInsightsOperator

WEEKLY = SimpleNamespace(timetable=CronDataIntervalTimetable("0 0 * * 1", timezone="UTC"))


def _dates(context: dict, **kwargs) -> tuple[str, str]:
    operator = PublerPostInsightsOperator(task_id="insights", account_ids=["a"], **kwargs)
    return operator._dates(context)


def test_given_dates_win():
    context = {
        "data_interval_start": pendulum.datetime(2030, 1, 6),
        "data_interval_end": pendulum.datetime(2030, 1, 13),
    }
    assert _dates(context, from_="2030-02-01", to="2030-02-03") == ("2030-02-01", "2030-02-03")


def test_the_data_interval_is_monday_to_sunday():
    context = {
        "data_interval_start": pendulum.datetime(2030, 1, 7),
        "data_interval_end": pendulum.datetime(2030, 1, 14),
    }
    assert _dates(context) == ("2030-01-07", "2030-01-13")


def test_a_run_without_logical_date_takes_the_week_its_timetable_gives_a_manual_run():
    # Triggered on Wednesday 2030-01-16: the last complete week is Monday 7 to Sunday 13.
    run = SimpleNamespace(run_after=datetime(2030, 1, 16, 9, 30, tzinfo=timezone.utc))
    context = {"data_interval_start": None, "data_interval_end": None, "dag": WEEKLY, "dag_run": run}
    assert _dates(context) == ("2030-01-07", "2030-01-13")


def test_without_any_interval_the_dates_must_be_given():
    context = {
        "data_interval_start": None,
        "data_interval_end": None,
        "dag": SimpleNamespace(),
        "dag_run": None,
    }
    with pytest.raises(PublerValidationError, match=r"from_, to: are not given.*pass from_ and to"):
        _dates(context)


def test_one_date_alone_is_refused():
    with pytest.raises(PublerValidationError, match="to: is required"):
        _dates({}, from_="2030-01-01")


def test_the_days_read_fill_the_output_paths_placeholders(tmp_path):
    from airflow.sdk import ObjectStoragePath

    from airflow_provider_publer.operators.publer import _with_days

    assert _with_days("/data/insights-{from_}-{to}.jsonl", "2030-01-07", "2030-01-13") == (
        "/data/insights-2030-01-07-2030-01-13.jsonl"
    )
    path = ObjectStoragePath(f"file://{tmp_path}/week-{{from_}}.jsonl")
    filled = _with_days(path, "2030-01-07", "2030-01-13")
    assert isinstance(filled, ObjectStoragePath)
    assert filled.name == "week-2030-01-07.jsonl"
    assert filled.parent == path.parent
    plain = ObjectStoragePath(f"file://{tmp_path}/all.jsonl")
    assert _with_days(plain, "2030-01-07", "2030-01-13") is plain
