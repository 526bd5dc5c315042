"""What the provider's tasks recorded in Airflow's metadata DB: the Publer jobs each task instance
submitted (XCom ``publer_job_id`` / ``publer_job_workspaces``) and the posts it asked for (its
rendered ``posts`` field).

Read inside the API server (the plugin's routes), for the DAGs the user may read only.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_publer.constants import XCOM_JOB_ID, XCOM_JOB_WORKSPACES


@dataclass
class TaskRecord:
    """One task instance that submitted posts to Publer.

    :param dag_id: its DAG.
    :param run_id: its run.
    :param task_id: its task.
    :param map_index: its map index (-1: not mapped).
    :param job_ids: the Publer jobs it submitted.
    :param workspaces: ``{job id: workspace id}`` as it recorded them.
    :param posts: the posts it asked for (its rendered ``posts`` field), when Airflow kept them.
    """

    dag_id: str
    run_id: str
    task_id: str
    map_index: int = -1
    job_ids: list[str] = field(default_factory=list)
    workspaces: dict[str, str] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.dag_id, self.run_id, self.task_id, self.map_index)

    def intended(self) -> list[tuple[str, str]]:
        """``(account id, text)`` of every post it asked for: how a listed post is traced back to it."""
        found = []
        for post in self.posts:
            if not isinstance(post, dict):
                continue
            texts = [n.get("text") for n in (post.get("networks") or {}).values() if isinstance(n, dict)]
            text = next((t for t in texts if isinstance(t, str)), None)
            for account in post.get("accounts") or []:
                if isinstance(account, dict) and account.get("id") and text is not None:
                    found.append((str(account["id"]), text))
        return found


def _decode(value: Any) -> Any:
    """An XCom value as stored (JSON text on some versions, decoded JSON on others)."""
    if isinstance(value, (bytes, bytearray)):
        value = value.decode()
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def task_records(
    dag_ids: Collection[str] | None,
    *,
    only: tuple[str, str, str, int] | None = None,
    limit: int = 5000,
) -> list[TaskRecord]:
    """The task instances of ``dag_ids`` (None: every DAG) that recorded a Publer job, newest first.

    :param only: one task instance ``(dag_id, run_id, task_id, map_index)``.
    :param limit: at most this many job records are read.
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
    ).where(XComModel.key.in_([XCOM_JOB_ID, XCOM_JOB_WORKSPACES]))
    if dag_ids is not None:
        query = query.where(XComModel.dag_id.in_(list(dag_ids)))
    if only is not None:
        query = query.where(
            XComModel.dag_id == only[0],
            XComModel.run_id == only[1],
            XComModel.task_id == only[2],
            XComModel.map_index == only[3],
        )
    query = query.order_by(XComModel.timestamp.desc()).limit(limit)
    records: dict[tuple[str, str, str, int], TaskRecord] = {}
    with create_session() as session:
        for dag_id, run_id, task_id, map_index, key, value in session.execute(query):
            record = records.setdefault(
                (dag_id, run_id, task_id, map_index), TaskRecord(dag_id, run_id, task_id, map_index)
            )
            decoded = _decode(value)
            if key == XCOM_JOB_ID:
                record.job_ids.extend(_job_ids(decoded))
            elif isinstance(decoded, dict):
                record.workspaces.update({str(k): str(v) for k, v in decoded.items() if v})
        if records:
            rendered = select(
                RenderedTaskInstanceFields.dag_id,
                RenderedTaskInstanceFields.run_id,
                RenderedTaskInstanceFields.task_id,
                RenderedTaskInstanceFields.map_index,
                RenderedTaskInstanceFields.rendered_fields,
            ).where(RenderedTaskInstanceFields.dag_id.in_({k[0] for k in records}))
            for dag_id, run_id, task_id, map_index, fields in session.execute(rendered):
                found = records.get((dag_id, run_id, task_id, map_index))
                posts = _decode((_decode(fields) or {}).get("posts"))
                if found is not None and isinstance(posts, list):
                    found.posts = [p for p in posts if isinstance(p, dict)]
    return list(records.values())


def _job_ids(value: Any) -> Iterable[str]:
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str) and v]
    return []
