"""The days a DAG run covers, read in the DAG's own time zone.

A DAG scheduled in local time (``CronTriggerTimetable("0 0 * * 1", timezone="Europe/Berlin")``,
a ``start_date`` in ``Europe/Berlin``) has data intervals that start and end at local midnight,
which is 23:00 or 22:00 UTC the day before. Read in UTC, a Berlin week Monday 2026-03-09 to Monday
2026-03-16 would be the eight days 2026-03-08..2026-03-15; read in the DAG's zone it is exactly
2026-03-09..2026-03-15. The rule, one home for every date derived from a run (the insights
operator's default window, ``{from_}`` / ``{to}`` in its output paths):

- the zone is the timetable's own (cron timetables carry one), else the DAG's, else UTC;
- the first day is the local date of the interval's start;
- the last day is the local date of its end, or the day before when the end falls exactly on local
  midnight (an interval ``[Mon 00:00, Mon 00:00)`` is Monday to Sunday);
- a zero-length interval (a trigger timetable without an interval) is the one day of its start;
- a run triggered without a logical date has no data interval: the one the DAG's timetable gives
  a manual run at the run's ``run_after`` is used (``infer_manual_data_interval``).

Imports nothing of Airflow at module level.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from airflow_provider_publer.exceptions import PublerValidationError


def dag_timezone(dag: Any) -> Any:
    """The zone a DAG's schedule is written in: its timetable's, else the DAG's, else UTC."""
    import pendulum

    timetable = getattr(dag, "timetable", None)
    for zone in (getattr(timetable, "_timezone", None), getattr(dag, "timezone", None)):
        if zone is not None:
            return pendulum.timezone(zone) if isinstance(zone, str) else zone
    return pendulum.UTC


def interval_days(start: datetime, end: datetime, zone: Any) -> tuple[str, str]:
    """``(first day, last day)`` of the interval ``[start, end)`` read in ``zone``, as ``YYYY-MM-DD``."""
    import pendulum

    first = pendulum.instance(start).in_timezone(zone)
    last = pendulum.instance(end).in_timezone(zone)
    if last > first and last.time() == time(0, 0):
        last = last.subtract(microseconds=1)
    if last < first:
        last = first
    return first.date().isoformat(), last.date().isoformat()


def run_interval(context: Mapping[str, Any]) -> tuple[datetime, datetime]:
    """The run's data interval; for a run without one, the interval its timetable gives a manual run.

    :raises PublerValidationError: no interval, and none the timetable can infer.
    """
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is not None and end is not None:
        return start, end
    import pendulum

    run_after = getattr(context.get("dag_run"), "run_after", None)
    infer = getattr(getattr(context.get("dag"), "timetable", None), "infer_manual_data_interval", None)
    if run_after is None or infer is None:
        raise PublerValidationError(
            "are not given, and this run has no data interval (it was triggered without a logical date) "
            "that the DAG's timetable can infer; pass from_ and to, e.g. "
            "from_='{{ macros.ds_add(ds, -7) }}', to='{{ ds }}'",
            field="from_, to",
        )
    interval = infer(run_after=pendulum.instance(run_after))
    return interval.start, interval.end


def run_days(context: Mapping[str, Any]) -> tuple[str, str]:
    """The days of the run's data interval in the DAG's time zone (the module's rule)."""
    start, end = run_interval(context)
    return interval_days(start, end, dag_timezone(context.get("dag")))


__all__ = ["dag_timezone", "interval_days", "run_days", "run_interval"]
