"""What the provider's tasks recorded in Airflow's metadata DB, and how a Publer post is traced back
to the task instance that scheduled it.

A task instance that submitted posts recorded its jobs (XCom ``publer_job_id`` and
``publer_job_workspaces``) and the posts as it sent them (XCom ``publer_submitted_posts``, the one
record the post sensor reads too). A task of a provider version that did not record them is read
from its rendered ``posts`` field instead: the list itself, or the content of the calendar file it
named (JSON, YAML or CSV, which Airflow renders in place of the file name). Publer's post list
carries no job id, so a listed post is traced by its account and text. When those are not known
(such a rendered field that Airflow cut off at ``[core] max_templated_field_length``), the post
ids that Airflow still holds trace it instead: the
``reconciled:<post ids>`` reference the operator records when it found its posts on Publer, and
the outcome a sensor of the same run returned (its job's post ids, or the posts a
``PublerPostSensor`` waited for).

Read inside the API server (the plugin's routes), for the DAGs the user may read only.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_publer.constants import (
    RECONCILED_PREFIX,
    XCOM_JOB_ID,
    XCOM_JOB_WORKSPACES,
    XCOM_SUBMITTED_POSTS,
)

#: The XCom keys the records are made of (``return_value``: a sensor's outcome).
RECORD_KEYS = (XCOM_JOB_ID, XCOM_JOB_WORKSPACES, XCOM_SUBMITTED_POSTS, "return_value")
#: How Airflow marks a rendered field it cut off at ``[core] max_templated_field_length``.
TRUNCATED_MARK = "Truncated. You can change this behaviour in [core]max_templated_field_length"


@dataclass
class TaskRecord:
    """One task instance that submitted posts to Publer, or waited for them.

    :param dag_id: its DAG.
    :param run_id: its run.
    :param task_id: its task.
    :param map_index: its map index (-1: not mapped).
    :param job_ids: the Publer jobs it submitted (or, for a sensor, waited for).
    :param workspaces: ``{job id: workspace id}`` as it recorded them.
    :param posts: the posts it sent (or, from an older provider version, its rendered ``posts``
        field, when Airflow kept it whole).
    :param post_ids: ids of its posts that Airflow recorded (reconciled references, sensor outcomes).
    :param known: what a sensor's outcome said of some of them (``{post id: summary}``, with
        ``scheduled_at`` when the sensor listed the post).
    :param untraced: why its posts cannot be traced by account and text ("" when they can).
    """

    dag_id: str
    run_id: str
    task_id: str
    map_index: int = -1
    job_ids: list[str] = field(default_factory=list)
    workspaces: dict[str, str] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)
    post_ids: set[str] = field(default_factory=set)
    known: dict[str, dict[str, Any]] = field(default_factory=dict)
    untraced: str = ""

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.dag_id, self.run_id, self.task_id, self.map_index)

    def intended(self) -> list[tuple[str, str]]:
        """``(account id, text)`` of every post it asked for: how a listed post is traced back to it."""
        found = []
        for post in self.posts:
            networks = post.get("networks")
            texts = (
                [n.get("text") for n in networks.values() if isinstance(n, dict)]
                if isinstance(networks, dict)
                else []
            )
            text = next((t for t in texts if isinstance(t, str)), None)
            for account in _accounts(post):
                if account.get("id") and text is not None:
                    found.append((str(account["id"]), text))
        return found

    def scheduled_days(self) -> list[str]:
        """The ``YYYY-MM-DD`` days its posts were asked for (their accounts' ``scheduled_at``)."""
        days = {
            str(account["scheduled_at"])[:10]
            for post in self.posts
            for account in _accounts(post)
            if account.get("scheduled_at")
        }
        days |= {str(p["scheduled_at"])[:10] for p in self.known.values() if p.get("scheduled_at")}
        return sorted(days)


def _accounts(post: dict[str, Any]) -> list[dict[str, Any]]:
    """A post's ``accounts`` that are objects (a value of another shape, from any task's XCom or
    rendered field, is skipped, never trusted)."""
    accounts = post.get("accounts")
    return [a for a in accounts if isinstance(a, dict)] if isinstance(accounts, list) else []


def decode(value: Any) -> Any:
    """An XCom or rendered-field value as stored (JSON text on some versions, decoded on others)."""
    if isinstance(value, (bytes, bytearray)):
        value = value.decode()
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def posts_of_rendered(value: Any) -> tuple[list[dict[str, Any]], str]:
    """The posts a rendered ``posts`` field holds, and why none could be read ("" when they could).

    :param value: the list itself, or the rendered content of a calendar file (JSON, YAML or CSV).
    """
    value = decode(value)
    if isinstance(value, dict) and isinstance(value.get("posts"), list):
        value = value["posts"]
    if isinstance(value, list):
        return [p for p in value if isinstance(p, dict)], ""
    if not isinstance(value, str):
        return [], "Airflow kept no rendered posts for this task instance"
    if TRUNCATED_MARK in value:
        return [], (
            "Airflow cut its rendered posts off at [core] max_templated_field_length; raise that "
            "limit to trace such tasks' posts by account and text"
        )
    from airflow_provider_publer.exceptions import PublerValidationError
    from airflow_provider_publer.post_files import read_post_file

    for name in ("posts.csv", "posts.yaml") if "account_id" in value.split("\n", 1)[0] else ("posts.yaml",):
        try:
            posts = read_post_file(name, value).posts
        except (PublerValidationError, ValueError, TypeError):
            continue
        if posts:
            return [p for p in posts if isinstance(p, dict)], ""
    return [], "its rendered posts are neither a list of posts nor a calendar file's content"


def outcome_post_ids(outcome: Any) -> tuple[set[str], dict[str, dict[str, Any]]]:
    """``(job ids, {post id: what the outcome says of it}) `` a sensor's returned outcome names.

    A ``PublerJobSensor`` returns its job's outcome (``job_id``, ``job_ids``, a payload that may
    list post ids, ``jobs`` for several); a ``PublerPostSensor`` returns the posts it waited for.
    """
    jobs: set[str] = set()
    posts: dict[str, dict[str, Any]] = {}
    items = outcome if isinstance(outcome, list) else [outcome]
    for item in items:
        if not isinstance(item, dict):
            continue
        if "job_id" in item or "job_ids" in item or "jobs" in item:
            jobs.update(str(j) for j in item.get("job_ids") or [] if j)
            if item.get("job_id") and "," not in str(item["job_id"]):
                jobs.add(str(item["job_id"]))
            payload = item.get("payload")
            if isinstance(payload, dict):
                posts.update({str(p): {} for p in payload.get("post_ids") or [] if p})
            for job in item.get("jobs") or []:
                more_jobs, more_posts = outcome_post_ids(job)
                jobs |= more_jobs
                posts.update(more_posts)
        elif item.get("id"):
            posts[str(item["id"])] = item
    return jobs, posts


def reconciled_post_ids(job_ids: Iterable[str]) -> set[str]:
    """The post ids of ``reconciled:<post ids>`` references (posts found on Publer, no job)."""
    return {
        post_id
        for job in job_ids
        if job.startswith(RECONCILED_PREFIX)
        for post_id in job[len(RECONCILED_PREFIX) :].split(",")
        if post_id
    }


def task_records(
    dag_ids: Collection[str] | None,
    *,
    only: tuple[str, str, str, int] | None = None,
    limit: int = 20_000,
) -> list[TaskRecord]:
    """The task instances of ``dag_ids`` (None: every DAG) that recorded a Publer job, newest first.

    A sensor's outcome (``return_value``) adds the post ids it names to the task instance of the
    same run that submitted its job, and, with ``only``, makes the sensor itself a record.

    :param only: one task instance ``(dag_id, run_id, task_id, map_index)``: its record, built
        from what the task instances of its run recorded.
    :param limit: at most this many XCom rows are read.
    """
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    if dag_ids is not None and not dag_ids:
        return []
    query = select(
        XComModel.dag_id,
        XComModel.run_id,
        XComModel.task_id,
        XComModel.map_index,
        XComModel.key,
        XComModel.value,
    ).where(XComModel.key.in_(RECORD_KEYS))
    if dag_ids is not None:
        query = query.where(XComModel.dag_id.in_(list(dag_ids)))
    if only is not None:
        query = query.where(XComModel.dag_id == only[0], XComModel.run_id == only[1])
    query = query.order_by(XComModel.timestamp.desc()).limit(limit)
    records: dict[tuple[str, str, str, int], TaskRecord] = {}
    sensor_jobs: dict[tuple[str, str, str, int], set[str]] = {}
    outcomes: list[tuple[tuple[str, str, str, int], Any]] = []
    submitted: dict[tuple[str, str, str, int], list[dict[str, Any]]] = {}
    with create_session() as session:
        for dag_id, run_id, task_id, map_index, key, value in session.execute(query):
            ti = (dag_id, run_id, task_id, map_index)
            if key == "return_value":
                outcomes.append((ti, value))
                continue
            decoded = decode(value)
            if key == XCOM_SUBMITTED_POSTS:
                # Only a task that also recorded a job sent them (see below).
                if isinstance(decoded, dict) and isinstance(decoded.get("posts"), list):
                    submitted[ti] = [p for p in decoded["posts"] if isinstance(p, dict)]
                continue
            record = records.setdefault(ti, TaskRecord(*ti))
            if key == XCOM_JOB_ID:
                record.job_ids.extend(_job_ids(decoded))
                record.post_ids |= reconciled_post_ids(record.job_ids)
            elif isinstance(decoded, dict):
                record.workspaces.update({str(k): str(v) for k, v in decoded.items() if v})
        # A task that sent nothing (refused before Publer answered with a job) claims no post.
        records = {ti: record for ti, record in records.items() if record.job_ids}
        for ti, posts in submitted.items():
            if ti in records:
                records[ti].posts = posts
        waited = {ti for ti, _ in outcomes}
        if records:
            rendered = select(
                RenderedTaskInstanceFields.dag_id,
                RenderedTaskInstanceFields.run_id,
                RenderedTaskInstanceFields.task_id,
                RenderedTaskInstanceFields.map_index,
                RenderedTaskInstanceFields.rendered_fields,
            ).where(
                RenderedTaskInstanceFields.dag_id.in_({k[0] for k in records}),
                RenderedTaskInstanceFields.run_id.in_({k[1] for k in records}),
            )
            for dag_id, run_id, task_id, map_index, fields in session.execute(rendered):
                ti = (dag_id, run_id, task_id, map_index)
                fields = decode(fields)
                if not isinstance(fields, dict):
                    continue
                found = records.get(ti)
                if found is not None and "posts" in fields and not found.posts:
                    found.posts, found.untraced = posts_of_rendered(fields["posts"])
                elif ti in waited and fields.get("job_id"):
                    # A sensor given ``job_id``: the job it waited for, as it rendered it.
                    sensor_jobs[ti] = set(_job_ids(decode(fields["job_id"])))
    _add_outcomes(records, outcomes, sensor_jobs, only)
    if only is not None:
        return [r for r in records.values() if r.key == only]
    return list(records.values())


def _add_outcomes(
    records: dict[tuple[str, str, str, int], TaskRecord],
    outcomes: list[tuple[tuple[str, str, str, int], Any]],
    sensor_jobs: dict[tuple[str, str, str, int], set[str]],
    only: tuple[str, str, str, int] | None,
) -> None:
    """Give the post ids of sensors' outcomes to the submitting task instances of the same run."""
    by_job: dict[tuple[str, str, str], TaskRecord] = {}
    for record in records.values():
        for job in record.job_ids:
            by_job[(record.dag_id, record.run_id, job)] = record
    for ti, value in outcomes:
        jobs, post_ids = outcome_post_ids(decode(value))
        jobs |= sensor_jobs.get(ti, set())
        submitters = {id(r): r for j in jobs if (r := by_job.get((ti[0], ti[1], j))) is not None}
        for record in submitters.values():
            record.post_ids |= set(post_ids)
            record.known.update(post_ids)
        if ti == only and ti not in records and (jobs or post_ids):
            # A sensor's own tab: what it waited for, with the posts its job's submitter asked for.
            sensor = records[ti] = TaskRecord(*ti, job_ids=sorted(jobs), post_ids=set(post_ids))
            sensor.known.update(post_ids)
            for record in submitters.values():
                sensor.workspaces.update(record.workspaces)
                sensor.post_ids |= record.post_ids
                sensor.known.update(record.known)
                sensor.posts.extend(record.posts)
                if not record.posts:
                    sensor.untraced = sensor.untraced or record.untraced


def _job_ids(value: Any) -> Iterable[str]:
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str) and v]
    return []
